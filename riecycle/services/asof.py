"""The state of an organisation's records as of a day: what existed then, and with which status.

Used by the evidence workbook for a period (each sheet shows the state at the end of the period)
and meant for every other report that looks back. The rules, in one place:

- A record existed on a day when it was created before the end of that day and not deleted
  before it (it may have been deleted since).
- Its status then comes from its history: for a measure the status history
  (MeasureStatusChange), for a risk the status changes in the audit trail. The last change before
  the end of the day wins; without one, the old status of the first later change; without any
  change, the current status.
- Dated records (RI&E versions, OR/PVT approvals, toetsingen, self-inspection runs, plan
  versions) count when they are dated on or before the day, even when registered later; a
  decision taken later is shown as still pending.
- Every other field keeps its current value.

What a viewer may see (docs/domain.md §9) is applied as in the lists (riecycle.access.filters);
the pseudonyms of individual measures stay the business of the sheets that show titles.
Read-only: nothing here flushes or commits.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import String, and_, cast, or_, select

from riecycle.access.filters import visible_measures_filter, visible_risks_filter
from riecycle.clock import AMSTERDAM
from riecycle.extensions import db
from riecycle.models import AuditEntry, Measure, MeasureStatusChange, Risk
from riecycle.models.audit import AuditContent

RISK_ENTITY = Risk.__audit_label__


def end_of(day: date) -> datetime:
    """The first moment after a Dutch day (aware)."""
    return datetime.combine(day + timedelta(days=1), time(), AMSTERDAM)


def existed(model, day: date | None):
    """A where-clause: the record existed at the end of the day (None: exists now)."""
    if day is None:
        return model.deleted_at.is_(None)
    moment = end_of(day)
    return and_(model.created_at < moment, or_(model.deleted_at.is_(None), model.deleted_at >= moment))


# --- risks and measures --------------------------------------------------------------------


def risks_stmt(org, day: date | None, viewer=None, columns=(Risk,)):
    """The risks as they existed at the end of the day, in order of creation."""
    return (
        select(*columns)
        .where(Risk.organisation_id == org.id, existed(Risk, day), visible_risks_filter(viewer))
        .order_by(Risk.created_at, Risk.id)
    )


def measures_stmt(org, day: date | None, viewer=None, columns=(Measure,)):
    """The measures as they existed at the end of the day, in order of creation."""
    return (
        select(*columns)
        .where(Measure.organisation_id == org.id, existed(Measure, day), visible_measures_filter(viewer))
        .order_by(Measure.created_at, Measure.id)
    )


def _replay(changes, moment: datetime) -> dict[int, str]:
    """id -> status at the moment, from (id, at, old, new) changes in order of time."""
    before: dict[int, str] = {}
    later: dict[int, str] = {}
    for record_id, at, old, new in changes:
        if at < moment:
            before[record_id] = new
        elif record_id not in later and record_id not in before and old is not None:
            later[record_id] = old
    return {**later, **before}


def measure_statuses(org, day: date | None) -> dict[int, str]:
    """Measure id -> its status at the end of the day, for measures whose status changed since
    (absent: the current status holds). Empty without a day."""
    if day is None:
        return {}
    stmt = (
        select(
            MeasureStatusChange.measure_id,
            MeasureStatusChange.changed_at,
            MeasureStatusChange.from_status,
            MeasureStatusChange.to_status,
        )
        .where(MeasureStatusChange.organisation_id == org.id, MeasureStatusChange.deleted_at.is_(None))
        .order_by(MeasureStatusChange.changed_at, MeasureStatusChange.id)
    )
    return _replay(db.session.execute(stmt), end_of(day))


def risk_statuses(org, day: date | None) -> dict[int, str]:
    """Risk id -> its status at the end of the day, from the audit trail (see measure_statuses)."""
    if day is None:
        return {}
    stmt = (
        select(AuditEntry.entity_id, AuditEntry.created_at, AuditContent.changes)
        .join(AuditContent, AuditContent.entry_id == AuditEntry.id)
        .where(
            AuditEntry.organisation_id == org.id,
            AuditEntry.entity == RISK_ENTITY,
            # Only the entries that change the status (the JSON text names the key).
            cast(AuditContent.changes, String).like('%"status"%'),
        )
        .order_by(AuditEntry.created_at, AuditEntry.id)
    )

    def changes():
        for risk_id, at, content in db.session.execute(stmt):
            pair = (content or {}).get("status")
            if isinstance(pair, list) and len(pair) == 2 and pair[1]:
                yield risk_id, at, pair[0], pair[1]

    return _replay(changes(), end_of(day))


class AsOfRow:
    """A record (ORM object or Core row) with some attributes as of a day, the rest current."""

    __slots__ = ("_record", "_values")

    def __init__(self, record, **values):
        self._record, self._values = record, values

    def __getattr__(self, name):
        values = object.__getattribute__(self, "_values")
        if name in values:
            return values[name]
        return getattr(object.__getattribute__(self, "_record"), name)


def with_statuses(records, statuses: dict[int, str]):
    """The records, each with its status as of the day where it differed."""
    for record in records:
        status = statuses.get(record.id)
        yield record if status is None or status == record.status else AsOfRow(record, status=status)


# --- decisions, runs and versions ------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """An OR/PVT approval as it stood on a day: a later decision reads as still pending."""

    submitted_on: date
    decision: str | None
    decided_on: date | None
    remarks: str | None

    @property
    def is_pending(self) -> bool:
        return self.decision is None


def approval(subject_type: str, subject_id: int, day: date | None) -> Decision | None:
    """The latest approval request for a subject submitted by the day, as it stood then."""
    from riecycle.services import approvals

    for item in approvals.history(subject_type, subject_id):
        if day is not None and item.submitted_on > day:
            continue
        decided = item.decided_on is not None and (day is None or item.decided_on <= day)
        return Decision(
            item.submitted_on,
            item.decision if decided else None,
            item.decided_on if decided else None,
            item.remarks if decided else None,
        )
    return None


def latest_run(org, day: date | None):
    """The most recent self-inspection run on or before the day."""
    from riecycle.models import ChecklistRun
    from riecycle.services import zelfinspectie

    if day is None:
        return zelfinspectie.latest_run(org)
    stmt = select(ChecklistRun).where(ChecklistRun.organisation_id == org.id, ChecklistRun.run_on <= day)
    return db.session.scalars(
        stmt.order_by(ChecklistRun.run_at.desc(), ChecklistRun.id.desc()).limit(1)
    ).first()


def current_rie(org, day: date | None):
    """The RI&E version that was the current one on the day: the newest performed by then
    (registered later is fine: it is dated by the day it was performed)."""
    from riecycle.models import Rie
    from riecycle.services import rie as rie_service

    if day is None:
        return rie_service.current_rie(org)
    return db.session.scalars(
        select(Rie)
        .where(Rie.organisation_id == org.id, existed_deleted(Rie, day), Rie.performed_on <= day)
        .order_by(Rie.version.desc())
        .limit(1)
    ).first()


def rie_versions(org, day: date | None):
    """The RI&E versions performed by the day (all live versions without a day), oldest first.

    An RI&E is dated by the day it was performed, which may lie before it was registered."""
    from riecycle.models import Rie

    stmt = select(Rie).where(Rie.organisation_id == org.id).order_by(Rie.version)
    if day is None:
        stmt = stmt.where(Rie.deleted_at.is_(None))
    else:
        stmt = stmt.where(existed_deleted(Rie, day), Rie.performed_on <= day)
    return list(db.session.scalars(stmt))


def toetsing(rie, day: date | None):
    """The newest toetsing of an RI&E version done by the day."""
    from riecycle.services import rie as rie_service

    return next((t for t in rie_service.toetsingen(rie) if day is None or t.tested_on <= day), None)


def latest_plan_version(org, day: date | None):
    """The newest Plan van Aanpak version put before the OR/PVT by the day (the date it was
    submitted on, which may lie before the moment it was registered)."""
    from riecycle.models import PlanVersion
    from riecycle.services import approvals, plan_versions

    stmt = select(PlanVersion).where(
        PlanVersion.organisation_id == org.id,
        PlanVersion.deleted_at.is_(None) if day is None else existed_deleted(PlanVersion, day),
    )
    for version in db.session.scalars(stmt.order_by(PlanVersion.number.desc())):
        if day is None:
            return version
        requests = approvals.history(plan_versions.SUBJECT, version.id)
        submitted = min(
            (a.submitted_on for a in requests), default=version.submitted_at.astimezone(AMSTERDAM).date()
        )
        if submitted <= day:
            return version
    return None


def existed_deleted(model, day: date):
    """A where-clause: not deleted before the end of the day (for records dated by another field)."""
    return or_(model.deleted_at.is_(None), model.deleted_at >= end_of(day))


# --- where each theme stood in the cycle -----------------------------------------------------


def theme_stages(org, day: date):
    """Per PSA theme, the steps of the cycle (services.dashboard.STAGE_RULES) as the records
    stood at the end of the day: the RI&E of then, the risks and measures that existed then
    with their statuses of then, the voorlichting held in the 12 months before it and the
    evaluations done by then. Links between records and other fields are current."""
    from riecycle.models import Evaluation, RieTheme, VoorlichtingSession
    from riecycle.models.evaluation import evaluation_follow_ups
    from riecycle.models.measure import OPEN_STATUSES, MeasureStatus, measure_risks
    from riecycle.models.rie import RiskStatus
    from riecycle.models.voorlichting import session_measures, session_risks
    from riecycle.services import dashboard
    from riecycle.services import rie as rie_service

    rie = current_rie(org, day)
    entries = {}
    if rie is not None:
        stmt = select(RieTheme).where(RieTheme.rie_id == rie.id, existed_deleted(RieTheme, day))
        entries = {e.theme_key: e for e in db.session.scalars(stmt)}
    risk_rows = db.session.execute(risks_stmt(org, day, None, (Risk.id, Risk.theme_key, Risk.status)))
    risk_theme = {
        r.id: r.theme_key
        for r in with_statuses(risk_rows, risk_statuses(org, day))
        if r.status != RiskStatus.NVT
    }
    measure_rows = db.session.execute(
        measures_stmt(org, day, None, (Measure.id, Measure.status, Measure.termijn))
    )
    live, late = set(), set()
    for m in with_statuses(measure_rows, measure_statuses(org, day)):
        if m.status != MeasureStatus.VERVALLEN:
            live.add(m.id)
        if m.status in OPEN_STATUSES and m.termijn < day:
            late.add(m.id)
    measure_themes: dict[int, set] = {}
    for measure_id, risk_id in db.session.execute(
        select(measure_risks.c.measure_id, measure_risks.c.risk_id)
    ):
        if risk_id in risk_theme:
            measure_themes.setdefault(measure_id, set()).add(risk_theme[risk_id])

    def themes_of_measure(measure_id, among=live) -> set:
        return measure_themes.get(measure_id, set()) if measure_id in among else set()

    informed = set()
    held = select(VoorlichtingSession.id).where(
        VoorlichtingSession.organisation_id == org.id,
        existed(VoorlichtingSession, day),
        VoorlichtingSession.session_date <= day,
        VoorlichtingSession.session_date >= day - timedelta(days=dashboard.VOORLICHTING_WINDOW_DAYS),
    )
    for (risk_id,) in db.session.execute(
        select(session_risks.c.risk_id).where(session_risks.c.session_id.in_(held))
    ):
        informed |= {risk_theme[risk_id]} if risk_id in risk_theme else set()
    for (measure_id,) in db.session.execute(
        select(session_measures.c.measure_id).where(session_measures.c.session_id.in_(held))
    ):
        informed |= themes_of_measure(measure_id)

    alive_measures = set(db.session.scalars(measures_stmt(org, day, None, (Measure.id,))))
    follow_ups = {
        evaluation_id
        for evaluation_id, measure_id in db.session.execute(
            select(evaluation_follow_ups.c.evaluation_id, evaluation_follow_ups.c.measure_id)
        )
        if measure_id in alive_measures
    }
    evaluated, adjusted = set(), set()
    done = select(
        Evaluation.id, Evaluation.theme_key, Evaluation.measure_id, Evaluation.policy_adjusted
    ).where(
        Evaluation.organisation_id == org.id,
        existed(Evaluation, day),
        Evaluation.done_on.is_not(None),
        Evaluation.done_on <= day,
    )
    for evaluation_id, theme_key, measure_id, policy_adjusted in db.session.execute(done):
        keys = ({theme_key} if theme_key else set()) | themes_of_measure(measure_id)
        evaluated |= keys
        if policy_adjusted or evaluation_id in follow_ups:
            adjusted |= keys

    counts: dict[str, int] = {}
    for theme_key in risk_theme.values():
        counts[theme_key] = counts.get(theme_key, 0) + 1
    overdue: dict[str, int] = {}
    for measure_id in late:
        for theme_key in themes_of_measure(measure_id, late):
            overdue[theme_key] = overdue.get(theme_key, 0) + 1
    measured = {key for measure_id in live for key in themes_of_measure(measure_id)}
    result = []
    for theme in rie_service.themes():
        key, covered = theme.key, entries.get(theme.key)
        applicable = covered is None or covered.applicable
        reached = {
            "geinventariseerd": counts.get(key, 0) > 0 or (covered is not None and covered.applicable),
            "maatregelen": key in measured,
            "voorlichting": key in informed,
            "geevalueerd": key in evaluated,
            "bijgesteld": key in adjusted,
        }
        result.append(
            dashboard.ThemeStage(
                key,
                theme.name(dashboard._locale()),
                applicable,
                covered.reason if covered is not None and not covered.applicable else None,
                counts.get(key, 0),
                reached if applicable else {},
                overdue.get(key, 0),
            )
        )
    return result
