"""Visibility as SQL: where-clauses every list, search and export adds to its query."""

from sqlalchemy import and_, or_, select, true

from riecycle.models import Employee, Measure, Risk
from riecycle.models.rie import risk_teams


def _own_staff(viewer):
    return select(Employee.id).where(Employee.team_id.in_(sorted(viewer.team_ids) or [-1]))


def visible_measures_filter(viewer):
    """Measures that exist for the viewer (see Viewer.lists_measure)."""
    if viewer is None or not viewer.is_leader:
        return true()
    return or_(Measure.level != "individu", Measure.employee_id.in_(_own_staff(viewer)))


def title_visible_filter(viewer):
    """Measures whose title and free text the viewer may read: search may only match these."""
    if viewer is None or viewer.personal:
        return true()
    if viewer.is_leader:
        return or_(Measure.level != "individu", Measure.employee_id.in_(_own_staff(viewer)))
    return Measure.level != "individu"


def title_search(viewer, text: str):
    """A title search that never matches a title the viewer may not read (no confirmed guesses)."""
    return and_(title_visible_filter(viewer), Measure.title.ilike(f"%{text}%"))


def visible_risks_filter(viewer):
    """Risks the viewer may see (see Viewer.sees_risk)."""
    if viewer is None or not viewer.is_leader:
        return true()
    own = select(risk_teams.c.risk_id).where(risk_teams.c.team_id.in_(sorted(viewer.team_ids) or [-1]))
    return or_(Risk.scope != "teams", Risk.id.in_(own))


def hidden_risk_ids(viewer, org_id: int) -> frozenset[int]:
    """Ids of the organisation's risks the viewer may not see (none for most roles)."""
    from riecycle.extensions import db

    if viewer is None or not viewer.is_leader:
        return frozenset()
    return frozenset(
        db.session.scalars(
            select(Risk.id).where(Risk.organisation_id == org_id, ~visible_risks_filter(viewer))
        )
    )
