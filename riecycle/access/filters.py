"""Visibility as SQL: where-clauses every list, search and export adds to its query."""

from sqlalchemy import and_, or_, select, true

from riecycle.models import Employee, Measure, Risk
from riecycle.models.measure import MeasureLevel
from riecycle.models.rie import RiskScope, risk_teams


def _own_staff(viewer):
    return select(Employee.id).where(Employee.team_id.in_(sorted(viewer.team_ids) or [-1]))


def visible_measures_filter(viewer):
    """Measures that exist for the viewer (see Viewer.lists_measure)."""
    if viewer is None or not viewer.is_leader:
        return true()
    return or_(Measure.level != MeasureLevel.INDIVIDU, Measure.employee_id.in_(_own_staff(viewer)))


def title_visible_filter(viewer):
    """Measures whose title and free text the viewer may read: search may only match these."""
    if viewer is None or viewer.personal:
        return true()
    if viewer.is_leader:
        return or_(Measure.level != MeasureLevel.INDIVIDU, Measure.employee_id.in_(_own_staff(viewer)))
    return Measure.level != MeasureLevel.INDIVIDU


def title_search(viewer, text: str):
    """A title search that never matches a title the viewer may not read (no confirmed guesses)."""
    return and_(title_visible_filter(viewer), Measure.title.ilike(f"%{text}%"))


def visible_risks_filter(viewer):
    """Risks the viewer may see (see Viewer.sees_risk)."""
    if viewer is None or not viewer.is_leader:
        return true()
    own = select(risk_teams.c.risk_id).where(risk_teams.c.team_id.in_(sorted(viewer.team_ids) or [-1]))
    return or_(Risk.scope != RiskScope.TEAMS, Risk.id.in_(own))


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


def hidden_individual_measures(viewer, org_id: int) -> dict[int, tuple[str, str]]:
    """Measure id -> (title, pseudonym) for the individual measures the viewer may not read,
    from their current state (records written earlier are masked when read)."""
    from riecycle.access.pseudonym import pseudonym_of
    from riecycle.extensions import db
    from riecycle.models import Team

    if viewer is not None and viewer.personal:
        return {}
    rows = db.session.execute(
        select(Measure.id, Measure.title, Employee.team_id, Team.name)
        .outerjoin(Employee, Employee.id == Measure.employee_id)
        .outerjoin(Team, Team.id == Employee.team_id)
        .where(Measure.organisation_id == org_id, Measure.level == MeasureLevel.INDIVIDU)
    ).all()
    return {
        mid: (title, pseudonym_of(mid, team))
        for mid, title, team_id, team in rows
        if viewer is None or not viewer.sees(MeasureLevel.INDIVIDU, team_id)
    }


def mask_snapshot_items(viewer, org_id: int, items: list[dict], personal_fields) -> list[dict]:
    """Frozen plan items as the viewer may read them now: a measure that became individual after
    the version was frozen is pseudonymised too."""
    hidden = hidden_individual_measures(viewer, org_id)
    risks = _hidden_risk_titles(viewer, org_id)
    if not hidden and not risks:
        return items
    masked = []
    for item in items:
        if item.get("id") in hidden and not item.get("personal"):
            item = {**item, "label": hidden[item["id"]][1], "description": None}
            item.update(dict.fromkeys(personal_fields))
        if risks and any(r in risks for r in item.get("risks") or ()):
            item = {**item, "risks": [r for r in item["risks"] if r not in risks]}
        masked.append(item)
    return masked


def _hidden_risk_titles(viewer, org_id: int) -> set[str]:
    """Titles of the risks the viewer may not see, minus any title a visible risk shares."""
    from riecycle.extensions import db

    if viewer is None or not viewer.is_leader:
        return set()
    rows = db.session.execute(
        select(Risk.title, visible_risks_filter(viewer)).where(Risk.organisation_id == org_id)
    ).all()
    return {t for t, ok in rows if not ok} - {t for t, ok in rows if ok}
