"""What each role's home page lists (docs/domain.md §9): read-only queries, a few per page.

The OR/PVT sees what waits for its decision, the plan versions and the remarks; a
leidinggevende their teams' open measures, sessions and pulse; an auditor the exports and the
latest zelfinspectie; a preventiemedewerker what is late, due soon, to evaluate and the risks
without measures. The beheerder's home page is the cycle dashboard (services/dashboard.py).
Every list goes through riecycle.access: what a viewer may not read is not listed or is shown
as a pseudonym by the template.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import joinedload, lazyload

from riecycle.access.filters import visible_risks_filter
from riecycle.extensions import db
from riecycle.models import (
    Approval,
    ChecklistRun,
    Employee,
    Measure,
    PlanComment,
    PlanVersion,
    Risk,
    VoorlichtingSession,
)
from riecycle.models.measure import OPEN_STATUSES, measure_risks, measure_teams
from riecycle.models.rie import RiskStatus
from riecycle.models.voorlichting import Audience, session_teams
from riecycle.services import plan as plan_service

# A zelfinspectie older than this is flagged: the facts behind it have likely changed.
INSPECTION_MAX_AGE_DAYS = 90
DUE_SOON_DAYS = 30


@dataclass
class Inspection:
    """The latest zelfinspectie: its score (0..1), its date and its age."""

    run_id: int | None = None
    score: float | None = None
    run_on: date | None = None
    age_days: int | None = None

    @property
    def old(self) -> bool:
        return self.age_days is not None and self.age_days > INSPECTION_MAX_AGE_DAYS


def latest_inspection(org, today: date) -> Inspection:
    """The newest zelfinspectie run of the organisation, with its date (one query)."""
    row = db.session.execute(
        select(ChecklistRun.id, ChecklistRun.score, ChecklistRun.run_on)
        .where(ChecklistRun.organisation_id == org.id)
        .order_by(ChecklistRun.run_at.desc(), ChecklistRun.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return Inspection()
    score = row.score / 100 if row.score is not None and row.score > 1 else row.score
    return Inspection(row.id, score, row.run_on, (today - row.run_on).days)


def _counted(stmt, limit: int) -> tuple[list, int]:
    """The first `limit` rows of a select of entities, and how many there are."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    return list(db.session.scalars(stmt.limit(limit))), total


def _measures(org, viewer, *where):
    """Live measures the viewer may list, with what the template needs loaded."""
    return (
        select(Measure)
        .where(*plan_service.conditions(org, plan_service.Filters(viewer=viewer)), *where)
        .options(lazyload("*"), joinedload(Measure.employee).joinedload(Employee.team))
        .order_by(Measure.termijn, Measure.id)
    )


# --- OR/PVT ----------------------------------------------------------------------------


def pending_approvals(org) -> list[Approval]:
    """Requests for instemming that wait for the OR/PVT's decision, oldest first."""
    return list(
        db.session.scalars(
            select(Approval)
            .where(
                Approval.organisation_id == org.id,
                Approval.deleted_at.is_(None),
                Approval.decision.is_(None),
            )
            .options(lazyload("*"))
            .order_by(Approval.submitted_on, Approval.id)
        )
    )


def recent_comments(org, viewer, limit: int = 5) -> list[PlanComment]:
    """The newest remarks on the plan versions that the viewer may read (a private remark only
    for those who may see personal data, docs/domain.md §9)."""
    stmt = select(PlanComment).where(PlanComment.organisation_id == org.id, PlanComment.deleted_at.is_(None))
    if viewer is None or not viewer.personal:
        stmt = stmt.where(PlanComment.private.is_(False))
    return list(
        db.session.scalars(stmt.order_by(PlanComment.created_at.desc(), PlanComment.id.desc()).limit(limit))
    )


def version_numbers(org) -> dict[int, int]:
    """Plan version id -> its number."""
    rows = db.session.execute(
        select(PlanVersion.id, PlanVersion.number).where(PlanVersion.organisation_id == org.id)
    ).all()
    return {version_id: number for version_id, number in rows}


# --- leidinggevende --------------------------------------------------------------------


def team_measures(org, viewer, limit: int = 10) -> tuple[list[Measure], int]:
    """Open measures of the leader's teams: team measures and their staff's individual ones."""
    teams = sorted(viewer.team_ids) or [-1]
    of_teams = or_(
        Measure.id.in_(select(measure_teams.c.measure_id).where(measure_teams.c.team_id.in_(teams))),
        Measure.employee_id.in_(select(Employee.id).where(Employee.team_id.in_(teams))),
    )
    return _counted(_measures(org, viewer, Measure.status.in_(OPEN_STATUSES), of_teams), limit)


def team_sessions(org, viewer, today: date, days: int = 60, limit: int = 6) -> tuple[list, int]:
    """Coming voorlichting for everyone, for leidinggevenden, or for one of the leader's teams."""
    teams = sorted(viewer.team_ids) or [-1]
    stmt = (
        select(VoorlichtingSession)
        .where(
            VoorlichtingSession.organisation_id == org.id,
            VoorlichtingSession.deleted_at.is_(None),
            VoorlichtingSession.session_date >= today,
            VoorlichtingSession.session_date <= today + timedelta(days=days),
            or_(
                VoorlichtingSession.audience != Audience.TEAMS,
                VoorlichtingSession.id.in_(
                    select(session_teams.c.session_id).where(session_teams.c.team_id.in_(teams))
                ),
            ),
        )
        .options(lazyload("*"))
        .order_by(VoorlichtingSession.session_date, VoorlichtingSession.id)
    )
    return _counted(stmt, limit)


# --- preventiemedewerker ---------------------------------------------------------------


def due_soon(org, viewer, today: date, limit: int = 8) -> tuple[list[Measure], int]:
    """Open measures whose termijn falls in the coming DUE_SOON_DAYS days."""
    window = (Measure.termijn >= today, Measure.termijn <= today + timedelta(days=DUE_SOON_DAYS))
    return _counted(_measures(org, viewer, Measure.status.in_(OPEN_STATUSES), *window), limit)


def risks_without_measures(org, viewer, limit: int = 8) -> tuple[list[Risk], int]:
    """Risks that still count (not n.v.t.) and have no live measure (B7)."""
    has_measure = exists().where(
        measure_risks.c.risk_id == Risk.id,
        measure_risks.c.measure_id == Measure.id,
        Measure.deleted_at.is_(None),
    )
    stmt = (
        select(Risk)
        .where(
            Risk.organisation_id == org.id,
            Risk.deleted_at.is_(None),
            Risk.status != RiskStatus.NVT,
            ~has_measure,
            visible_risks_filter(viewer),
        )
        .options(lazyload("*"))
        .order_by(Risk.current_score.desc().nulls_last(), Risk.title)
    )
    return _counted(stmt, limit)
