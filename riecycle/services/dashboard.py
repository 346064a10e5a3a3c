"""The organisation's landing page: where each PSA theme stands in the cycle, what needs
attention, and the numbers behind the charts. Everything is derived from the records."""

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from itertools import accumulate

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import joinedload, lazyload

from riecycle.extensions import db
from riecycle.models import (
    Employee,
    Evaluation,
    Measure,
    Risk,
    Theme,
    VoorlichtingSession,
)
from riecycle.models.evaluation import evaluation_follow_ups
from riecycle.models.measure import LEVELS, OPEN_STATUSES, STATUSES, MeasureStatus, measure_risks
from riecycle.models.rie import RiskStatus
from riecycle.models.voorlichting import session_measures, session_risks
from riecycle.services import rie as rie_service

STAGES = ("geinventariseerd", "maatregelen", "voorlichting", "geevalueerd", "bijgesteld")
STAGE_LABELS = {
    "geinventariseerd": _l("Geïnventariseerd"),
    "maatregelen": _l("Maatregelen"),
    "voorlichting": _l("Voorlichting"),
    "geevalueerd": _l("Geëvalueerd"),
    "bijgesteld": _l("Bijgesteld"),
}
# Shown in the legend and as a tooltip on every step: the rule the step follows.
STAGE_RULES = {
    "geinventariseerd": _l(
        "Het thema staat in de huidige RI&E of er is minstens één risico voor vastgelegd."
    ),
    "maatregelen": _l("Minstens één maatregel (niet vervallen) hoort bij een risico van dit thema."),
    "voorlichting": _l(
        "In de afgelopen 12 maanden was er een voorlichting gekoppeld aan een risico of "
        "maatregel van dit thema."
    ),
    "geevalueerd": _l("Een evaluatie van dit thema, of van een maatregel bij een risico ervan, is afgerond."),
    "bijgesteld": _l("Na zo'n evaluatie is het beleid bijgesteld, of zijn er vervolgmaatregelen vastgelegd."),
}
VOORLICHTING_WINDOW_DAYS = 365


@dataclass
class ThemeStage:
    key: str
    name: str
    applicable: bool
    reason: str | None
    risks: int
    reached: dict = field(default_factory=dict)  # stage -> bool
    overdue: int = 0  # open measures of this theme past their termijn

    @property
    def behind(self) -> bool:
        """Measures are overdue: whatever stage is reached, the cycle is not up to date."""
        return self.overdue > 0

    @property
    def current(self) -> str | None:
        """The furthest stage reached without a gap before it."""
        last = None
        for stage in STAGES:
            if not self.reached.get(stage):
                break
            last = stage
        return last

    @property
    def gaps(self) -> list[str]:
        """Stages skipped although a later one is reached."""
        reached = [i for i, s in enumerate(STAGES) if self.reached.get(s)]
        return [s for s in STAGES[: max(reached)] if not self.reached.get(s)] if reached else []


# One query, one row per theme: the stage tests are subqueries correlated on the theme, so the
# database plans each once, not once per theme. Built once with bound parameters (building and
# compiling it costs more than running it).
ORG, TODAY, SINCE = bindparam("org_id"), bindparam("today"), bindparam("since")


def _theme_risk(theme_key) -> list:
    """A live, applicable risk of this theme (the conditions, for use in a join)."""
    return [
        Risk.organisation_id == ORG,
        Risk.deleted_at.is_(None),
        Risk.status != RiskStatus.NVT,
        Risk.theme_key == theme_key,
    ]


def _theme_measure_ids(theme_key, via=None):
    """Live (not vervallen) measures linked to a live risk of this theme; `via` is a column of
    measure ids to start from (the join then runs from that, usually smaller, side)."""
    stmt = select(measure_risks.c.measure_id)
    if via is not None:
        stmt = stmt.where(measure_risks.c.measure_id == via)
    return (
        stmt.join(Risk, Risk.id == measure_risks.c.risk_id)
        .join(Measure, Measure.id == measure_risks.c.measure_id)
        .where(
            *_theme_risk(theme_key), Measure.deleted_at.is_(None), Measure.status != MeasureStatus.VERVALLEN
        )
        .correlate(Theme)
    )  # nested two deep: name the outer table, auto-correlation looks one level up


def _measured(theme_key):
    """A live risk of the theme has a live measure (the per-level counts on the risk say so)."""
    counted = Risk.measures_organisatie + Risk.measures_team + Risk.measures_individu
    return select(Risk.id).where(*_theme_risk(theme_key), counted > 0).exists()


HELD = (
    VoorlichtingSession.organisation_id == ORG,
    VoorlichtingSession.deleted_at.is_(None),
    VoorlichtingSession.session_date <= TODAY,
    VoorlichtingSession.session_date >= SINCE,
)


def _informed(key):
    by_risk = (
        select(session_risks.c.risk_id)
        .join(Risk, Risk.id == session_risks.c.risk_id)
        .join(VoorlichtingSession, VoorlichtingSession.id == session_risks.c.session_id)
        .where(*_theme_risk(key), *HELD)
    )
    by_measure = (
        select(session_measures.c.measure_id)
        .join(VoorlichtingSession, VoorlichtingSession.id == session_measures.c.session_id)
        .where(*HELD, _theme_measure_ids(key, session_measures.c.measure_id).exists())
    )
    return or_(by_risk.exists(), by_measure.exists())


def _evaluated(key, adjusted: bool):
    done = [
        Evaluation.organisation_id == ORG,
        Evaluation.deleted_at.is_(None),
        Evaluation.done_on.is_not(None),
    ]
    if adjusted:
        done.append(
            or_(
                Evaluation.policy_adjusted.is_(True),
                select(evaluation_follow_ups.c.evaluation_id)
                .where(evaluation_follow_ups.c.evaluation_id == Evaluation.id)
                .exists(),
            )
        )
    return or_(
        select(Evaluation.id).where(*done, Evaluation.theme_key == key).exists(),
        select(Evaluation.id).where(*done, _theme_measure_ids(key, Evaluation.measure_id).exists()).exists(),
    )


def _overdue(key):
    """How many open measures linked to a live risk of the theme are past their termijn (the
    plan's te_laat filter: an open status and a termijn before today)."""
    return (
        select(func.count(func.distinct(measure_risks.c.measure_id)))
        .join(Risk, Risk.id == measure_risks.c.risk_id)
        .join(Measure, Measure.id == measure_risks.c.measure_id)
        .where(
            *_theme_risk(key),
            Measure.deleted_at.is_(None),
            Measure.status.in_(OPEN_STATUSES),
            Measure.termijn < TODAY,
        )
        .scalar_subquery()
    )


@lru_cache(maxsize=1)
def _stages_query():
    key = Theme.key
    return select(
        key,
        _overdue(key),
        _measured(key),
        _informed(key),
        _evaluated(key, adjusted=False),
        _evaluated(key, adjusted=True),
    )


def _reached(org, today: date) -> tuple[dict[str, dict[str, bool]], dict[str, int]]:
    """Per theme: which of the stages after 'geinventariseerd' the records show, and how many of
    its measures are overdue, in one query."""
    rows = db.session.execute(
        _stages_query(),
        {"org_id": org.id, "today": today, "since": today - timedelta(days=VOORLICHTING_WINDOW_DAYS)},
    ).all()
    reached: dict[str, dict[str, bool]] = {
        key: dict(zip(STAGES[1:], (bool(v) for v in flags), strict=True)) for key, _n, *flags in rows
    }
    return reached, {key: int(n or 0) for key, n, *_flags in rows}


def theme_stages(org, today: date) -> list[ThemeStage]:
    """Per PSA theme, which steps of the cycle the records show (rules in STAGE_RULES)."""
    reached, overdue = _reached(org, today)
    result = []
    for row in rie_service.theme_rows(org, rie_service.current_rie(org)):
        covered = row.entry
        applicable = covered is None or covered.applicable
        stages = {
            "geinventariseerd": row.risk_count > 0 or (covered is not None and covered.applicable),
            **reached[row.theme.key],
        }
        result.append(
            ThemeStage(
                row.theme.key,
                row.theme.name(_locale()),
                applicable,
                covered.reason if covered is not None and not covered.applicable else None,
                row.risk_count,
                stages if applicable else {},
                overdue.get(row.theme.key, 0),
            )
        )
    return result


def _locale() -> str:
    from flask_babel import get_locale

    try:
        return str(get_locale() or "nl")
    except Exception:  # noqa: BLE001 - outside a request: Dutch
        return "nl"


# --- attention lists ------------------------------------------------------------------


def overdue_measures(org, today: date, limit: int = 10, viewer=None) -> tuple[list[Measure], int]:
    """Open measures past their termijn, oldest termijn first, and how many there are.

    viewer: who is looking (riecycle.access.Viewer); None sees everything.
    """
    from riecycle.services.plan import Filters, conditions

    where = (*conditions(org, Filters(overdue=True, viewer=viewer)),)
    total = db.session.scalar(select(func.count(Measure.id)).where(*where)) or 0
    found = db.session.scalars(
        select(Measure)
        .where(*where)
        .order_by(Measure.termijn, Measure.id)
        .limit(limit)
        .options(lazyload("*"), joinedload(Measure.employee).joinedload(Employee.team))
    )
    return list(found), total


def _upcoming_sessions_where(org, today: date, days: int):
    return (
        VoorlichtingSession.organisation_id == org.id,
        VoorlichtingSession.deleted_at.is_(None),
        VoorlichtingSession.session_date >= today,
        VoorlichtingSession.session_date <= today + timedelta(days=days),
    )


def upcoming_sessions(
    org, today: date, days: int = 60, limit: int = 6
) -> tuple[list[VoorlichtingSession], int]:
    """The next sessions (at most `limit`) and how many there are in the coming `days`."""
    where = _upcoming_sessions_where(org, today, days)
    total = db.session.scalar(select(func.count(VoorlichtingSession.id)).where(*where)) or 0
    return list(
        db.session.scalars(
            select(VoorlichtingSession)
            .where(*where)
            .options(lazyload("*"))
            .order_by(VoorlichtingSession.session_date)
            .limit(limit)
        )
    ), total


def upcoming_evaluations(org, today: date, days: int = 90, limit: int = 6) -> tuple[list[Evaluation], int]:
    """Evaluations not done yet: overdue ones first, then those planned in the coming period (and how many)."""
    where = (
        Evaluation.organisation_id == org.id,
        Evaluation.deleted_at.is_(None),
        Evaluation.done_on.is_(None),
        Evaluation.planned_on <= today + timedelta(days=days),
    )
    total = db.session.scalar(select(func.count(Evaluation.id)).where(*where)) or 0
    found = db.session.scalars(
        select(Evaluation)
        .where(*where)
        .order_by(Evaluation.planned_on)
        .limit(limit)
        .options(
            lazyload("*"),
            joinedload(Evaluation.measure).options(
                lazyload("*"), joinedload(Measure.employee).joinedload(Employee.team)
            ),
        )
    )
    return list(found), total


@dataclass
class SelfInspection:
    available: bool
    score: float | None  # 0..1


def self_inspection(org) -> SelfInspection:
    """The latest self-inspection score, when the self-inspection area is installed."""
    try:
        from riecycle.services import zelfinspectie
    except ImportError:
        return SelfInspection(False, None)
    getter = getattr(zelfinspectie, "latest_score", None)
    if getter is None:
        return SelfInspection(False, None)
    score = getter(org)
    if score is not None and score > 1:
        score = score / 100
    return SelfInspection(True, score)


# --- chart data -----------------------------------------------------------------------


def measures_by_level_status(org) -> dict[str, dict[str, int]]:
    rows = db.session.execute(
        select(Measure.level, Measure.status, func.count(Measure.id))
        .where(Measure.organisation_id == org.id, Measure.deleted_at.is_(None))
        .group_by(Measure.level, Measure.status)
    )
    result: dict[str, dict[str, int]] = {level: {status: 0 for status in STATUSES} for level in LEVELS}
    for level, status, number in rows:
        result.setdefault(level, {s: 0 for s in STATUSES})[status] = number
    return result


def _month_starts(today: date, months: int) -> list[date]:
    first = today.replace(day=1)
    starts = []
    for back in range(months - 1, -1, -1):
        index = first.year * 12 + first.month - 1 - back
        starts.append(date(index // 12, index % 12 + 1, 1))
    return starts


def _month_end(start: date) -> date:
    index = start.year * 12 + start.month
    return date(index // 12, index % 12 + 1, 1) - timedelta(days=1)


def completion_data(org, today: date, months: int = 12) -> dict:
    """Per month: measures first carried out then, carried out in total, and due by termijn in total.

    Counted in the database from each measure's first_done_on (riecycle.completion) and termijn: one
    row per day in the period, not a row per measure.
    """
    starts = _month_starts(today, months)
    ends = [min(_month_end(start), today) for start in starts]
    bounds = [starts[0] - timedelta(days=1), *ends]  # cumulative counts up to each of these days
    live = (Measure.organisation_id == org.id, Measure.deleted_at.is_(None))
    done = _running_totals(Measure.first_done_on, live, bounds)
    due = _running_totals(Measure.termijn, (*live, Measure.status != MeasureStatus.VERVALLEN), ends)
    return {
        "labels": [_month_label(start) for start in starts],
        "completed": [done[i + 1] - done[i] for i in range(months)],
        "cumulative": done[1:],
        "due": due,
        "starts": starts,
    }


def _running_totals(column, where, days: list[date]) -> list[int]:
    """How many rows have `column` on or before each of these (ascending) days.

    Two range reads of an index on (organisation, column): the count up to the first day, and
    the count per day after it up to the last.
    """
    first, last = days[0], days[-1]
    before = db.session.scalar(select(func.count()).where(*where, column <= first)) or 0
    rows = db.session.execute(
        select(column, func.count())
        .where(*where, column > first, column <= last)
        .group_by(column)
        .order_by(column)
    ).all()
    found, running = [_as_date(d) for d, _n in rows], list(accumulate((n for _d, n in rows), initial=before))
    return [running[bisect_right(found, d)] for d in days]


def _as_date(value) -> date:
    """SQLite returns a CASE over a date column as text."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


MONTHS_NL = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def _month_label(start: date) -> str:
    from riecycle.formatting import fmt_month

    try:
        return fmt_month(start)
    except Exception:  # noqa: BLE001 - outside a request: Dutch abbreviations
        return f"{MONTHS_NL[start.month - 1]} {start:%y}"
