"""The one name an individual measure gets for people who may not see it (docs/domain.md §9)."""

from flask_babel import gettext as _


def pseudonym_of(measure_id: int, team_name: str | None) -> str:
    """'Team X – individuele maatregel #3': the measure's id and its employee's team (None: no team)."""
    team = team_name if team_name is not None else _("Geen team")
    return _("%(team)s – individuele maatregel #%(n)s", team=team, n=measure_id)


def pseudonym(measure) -> str:
    """The pseudonym of an ORM measure."""
    employee = measure.employee
    team = employee.team if employee is not None else None
    return pseudonym_of(measure.id, team.name if team is not None else None)
