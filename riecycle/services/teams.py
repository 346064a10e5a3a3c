"""Teams of an organisation."""

from flask_babel import gettext as _
from sqlalchemy import select

from riecycle.extensions import db
from riecycle.models import Employee, Membership, Team
from riecycle.services import ServiceError
from riecycle.services.records import apply_changes, soft_delete
from riecycle.tenancy import get_in_org


def team_ids_managed_by(organisation_id: int, user_id: int) -> set[int]:
    """Ids of the teams a user leads, including all their sub-teams."""
    rows = db.session.execute(
        select(Team.id, Team.parent_id, Team.manager_id).where(
            Team.organisation_id == organisation_id, Team.deleted_at.is_(None)
        )
    ).all()
    children: dict[int | None, list[int]] = {}
    for team_id, parent_id, _manager in rows:
        children.setdefault(parent_id, []).append(team_id)
    result, stack = set(), [tid for tid, _p, manager in rows if manager == user_id]
    while stack:
        team_id = stack.pop()
        if team_id not in result:
            result.add(team_id)
            stack.extend(children.get(team_id, []))
    return result


def _validate(org, data: dict, team: Team | None = None) -> None:
    parent_id = data.get("parent_id")
    if parent_id:
        parent = get_in_org(Team, parent_id, org)
        if parent is None:
            raise ServiceError(_("Kies een bestaand bovenliggend team."), "parent_id")
        node = parent
        while node is not None:
            if team is not None and node.id == team.id:
                raise ServiceError(_("Een team kan niet onder zichzelf vallen."), "parent_id")
            node = node.parent
    manager_id = data.get("manager_id")
    if manager_id and not db.session.scalar(
        select(Membership.id).where(Membership.organisation_id == org.id, Membership.user_id == manager_id)
    ):
        raise ServiceError(_("De leidinggevende moet een gebruiker van deze organisatie zijn."), "manager_id")


def create_team(org, data: dict) -> Team:
    """Add a team to the organisation."""
    _validate(org, data)
    team = Team(organisation_id=org.id, **data)
    db.session.add(team)
    db.session.flush()
    return team


def update_team(org, team: Team, data: dict) -> bool:
    """Change a team's fields."""
    _validate(org, data, team)
    changed = apply_changes(team, data)
    db.session.flush()
    return changed


def delete_team(team: Team) -> None:
    """Soft-delete a team that has no active employees or sub-teams."""
    active_staff = db.session.scalar(
        select(db.func.count(Employee.id)).where(Employee.team_id == team.id, Employee.deleted_at.is_(None))
    )
    if active_staff:
        raise ServiceError(_("Dit team heeft nog %(n)s medewerkers. Verplaats ze eerst.", n=active_staff))
    sub_teams = db.session.scalar(
        select(db.func.count(Team.id)).where(Team.parent_id == team.id, Team.deleted_at.is_(None))
    )
    if sub_teams:
        raise ServiceError(_("Dit team heeft nog subteams. Verplaats of verwijder die eerst."))
    soft_delete(team)


def choices(org) -> list[tuple[int, str]]:
    """(id, name) of the organisation's live teams by name, for select fields and filters.

    Columns only: a large employer has hundreds of teams, and loading them as objects pulls in
    each team's parent and manager too.
    """
    return [
        (team_id, name)
        for team_id, name in db.session.execute(
            select(Team.id, Team.name)
            .where(Team.organisation_id == org.id, Team.deleted_at.is_(None))
            .order_by(Team.name)
        )
    ]
