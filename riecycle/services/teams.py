"""Teams of an organisation."""

from flask_babel import gettext as _
from sqlalchemy import select

from riecycle.access.teams import team_ids_managed_by  # noqa: F401 - imported from here too
from riecycle.extensions import db
from riecycle.models import Employee, Membership, Team
from riecycle.services import ServiceError
from riecycle.services.records import apply_changes, lock_organisation, soft_delete
from riecycle.tenancy import get_in_org

# No organisation nests its teams deeper than this; a deeper chain is refused (and every walk up
# the tree stops here, whatever the database holds).
MAX_DEPTH = 50


def lock_hierarchy(organisation_id: int) -> None:
    """Serialise changes to an organisation's team tree: two saves (A under B, B under A) cannot
    both pass the cycle check on the same snapshot."""
    lock_organisation(organisation_id)


def ancestors(organisation_id: int, team_id: int) -> list[int]:
    """The team's chain upwards (itself first), read fresh from the database.

    Bounded: stops at a team seen before (a cycle written by an older version) and after
    MAX_DEPTH + 1 steps.
    """
    parents = dict(
        db.session.execute(
            select(Team.id, Team.parent_id).where(
                Team.organisation_id == organisation_id, Team.deleted_at.is_(None)
            )
        )
        .tuples()
        .all()
    )
    chain, node = [], team_id
    while node is not None and node in parents and node not in chain and len(chain) <= MAX_DEPTH:
        chain.append(node)
        node = parents[node]
    return chain


def _validate(org, data: dict, team: Team | None = None) -> None:
    parent_id = data.get("parent_id")
    if parent_id:
        lock_hierarchy(org.id)
        parent = get_in_org(Team, parent_id, org)
        if parent is None:
            raise ServiceError(_("Kies een bestaand bovenliggend team."), "parent_id")
        chain = ancestors(org.id, parent.id)
        if team is not None and team.id in chain:
            raise ServiceError(_("Een team kan niet onder zichzelf vallen."), "parent_id")
        if len(chain) >= MAX_DEPTH:
            raise ServiceError(
                _("De teamindeling is te diep (meer dan %(n)s niveaus).", n=MAX_DEPTH), "parent_id"
            )
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
    lock_hierarchy(team.organisation_id)
    sub_teams = db.session.scalars(
        select(Team).where(Team.parent_id == team.id, Team.deleted_at.is_(None), Team.id != team.id)
    ).all()
    # A sub-team that is also above this team (a cycle an older version let in) does not block:
    # it is detached, which breaks the cycle.
    above = set(ancestors(team.organisation_id, team.id))
    if any(sub.id not in above for sub in sub_teams):
        raise ServiceError(_("Dit team heeft nog subteams. Verplaats of verwijder die eerst."))
    for sub in sub_teams:
        sub.parent_id = None
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
