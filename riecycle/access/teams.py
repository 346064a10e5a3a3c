"""The teams a leidinggevende leads: what the access rules need of the team tree."""

from sqlalchemy import select

from riecycle.extensions import db
from riecycle.models import Team


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
