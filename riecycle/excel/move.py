"""Moving an organisation: the beheerder's evidence workbook, stamped by another organisation,
imported into this one in one upload (as a plan). Into an empty organisation it re-creates the
teams and staff of its Teams and Medewerkers sheets first, then the risks, the measures and the
evaluations, all in one transaction. Persons who are no user here yet do not refuse the file:
they are listed in the preview, a team keeps no leidinggevende, and for the responsible of a
measure or an evaluation the user picks an existing user (web: a choice per name in the
preview; CLI: --map "Naam=e-mail" and --responsible). Sessions, approvals and the audit trail
do not move."""

from collections import namedtuple
from dataclasses import dataclass

from flask import has_request_context
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from riecycle.excel import stamp
from riecycle.excel.cells import norm
from riecycle.extensions import db


@dataclass(frozen=True)
class Unknown:
    """A person named in the file who is no user of this organisation yet (a move only): the
    preview asks which user takes over, so nothing is assigned to anyone silently."""

    name: str
    id = None


def moving(org, wb, *models) -> bool:
    """Whether this workbook, exported by another organisation, moves into this one: it has none of
    `models` yet (a move fills an empty organisation; anywhere else every person must be a user)."""
    exported = stamp.read(wb)
    if exported is None or exported.organisation == org.slug:
        return False
    return not any(
        db.session.scalar(select(model.id).where(model.organisation_id == org.id).limit(1))
        for model in models
    )


# Stand-ins, while checking the plan, for the teams and employees the move creates before it:
# the apply step swaps their ids ("team", name) and ("employee", n) for the new records' ids.
PlannedTeam = namedtuple("PlannedTeam", "id name")
PlannedEmployee = namedtuple("PlannedEmployee", "id name team_name")


def teams_of(org, wb, directory, problems):
    """The Teams and Medewerkers sheets of a moved workbook, checked, when this organisation has
    no teams or staff yet (else None: the plan refers to the teams that exist). Their teams and
    employees are added to `directory` as stand-ins, so the plan's rows can name them."""
    from riecycle.excel import teams_import
    from riecycle.excel.problems import ImportRefused
    from riecycle.models import Employee, Team

    if not moving(org, wb, Team, Employee) or not teams_import.has_sheets(wb):
        return None
    try:
        teams = teams_import.parse_moved(org, wb)
    except ImportRefused as refused:
        problems.extend(refused.problems)
        return None
    for item in teams.teams:
        directory.teams.setdefault(norm(item["name"]), []).append(
            PlannedTeam(("team", norm(item["name"])), item["name"])
        )
    for number, item in enumerate(teams.employees):
        name = item["data"]["name"]
        directory.employees.setdefault(norm(name), []).append(
            PlannedEmployee(("employee", number), name, item["team"])
        )
    return teams


def importing_user():
    if has_request_context() and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def collect_unknown(directory, stand_in=None) -> None:
    directory.unknown_users = {}
    directory.stand_in = stand_in


def notes(directory) -> list[str]:
    """One line per leidinggevende who is no user of this organisation yet, with the rows concerned."""
    found = directory.unknown_users or {}
    lines = []
    for value, numbers in sorted(found.items()):
        rows = ", ".join(str(n) for n in sorted(set(numbers)))
        lines.append(
            _(
                "%(v)s is nog geen gebruiker van deze organisatie: de teams in rij %(r)s krijgen geen "
                "leidinggevende. Nodig deze persoon uit en kies daarna de leidinggevende in Beheer → Teams.",
                v=value,
                r=rows,
            )
        )
    return lines


def what_stays() -> str:
    return _(
        "Dit bestand komt uit een andere organisatie. Teams, medewerkers, risico's, maatregelen en evaluaties "
        "worden overgenomen; voorlichtingsbijeenkomsten, instemmingen en goedkeuringen en het audit log niet."
    )


def next_step() -> str:
    return _(
        "Importeer na deze teams en medewerkers hetzelfde bestand nog een keer, als risico's en "
        "maatregelen: dan worden ook de risico's en het Plan van Aanpak overgenomen. Of importeer het "
        "bestand meteen als risico's en maatregelen: dan gaat alles in één keer."
    )


def unmapped(plan, mapping: dict) -> list[str]:
    """The persons of a moved file still without a user to take over their work."""
    return [name for name in sorted(plan.unknown) if mapping.get(name) is None]


def refuse_unmapped(names: list[str]):
    from riecycle.excel.problems import ImportRefused, Problem

    raise ImportRefused(
        [
            Problem(
                None,
                None,
                None,
                _(
                    "%(v)s is nog geen gebruiker van deze organisatie. Kies welke gebruiker de maatregelen en "
                    "evaluaties van deze persoon overneemt.",
                    v=name,
                ),
            )
            for name in names
        ]
    )
