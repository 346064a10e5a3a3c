"""The organisation's landing page: where each PSA theme stands in the cycle, what needs
attention, and the numbers behind the charts. Everything is derived from the records."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from riecycle.extensions import db
from riecycle.models import (
    Evaluation,
    Measure,
    MeasureStatusChange,
    Rie,
    RieTheme,
    Risk,
    RiskEvaluation,
    Theme,
    VoorlichtingSession,
)
from riecycle.models.evaluation import evaluation_follow_ups
from riecycle.models.measure import LEVELS, OPEN_STATUSES, STATUSES, measure_risks
from riecycle.models.voorlichting import session_measures, session_risks
from riecycle.services import scoring

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
    "geinventariseerd": _l("Het thema staat in de huidige RI&E of er is minstens één risico voor vastgelegd."),
    "maatregelen": _l("Minstens één maatregel (niet vervallen) hoort bij een risico van dit thema."),
    "voorlichting": _l("In de afgelopen 12 maanden was er een voorlichting gekoppeld aan een risico of "
                       "maatregel van dit thema."),
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
        return [s for s in STAGES[:max(reached)] if not self.reached.get(s)] if reached else []


def _current_rie(org) -> Rie | None:
    return db.session.scalar(select(Rie).where(
        Rie.organisation_id == org.id, Rie.is_current.is_(True), Rie.deleted_at.is_(None)))


def _risk_themes(org) -> dict[int, str]:
    rows = db.session.execute(select(Risk.id, Risk.theme_key).where(
        Risk.organisation_id == org.id, Risk.deleted_at.is_(None), Risk.status != "nvt"))
    return dict(rows.all())


def _measure_themes(org, risk_theme: dict[int, str]) -> dict[int, set[str]]:
    rows = db.session.execute(
        select(Measure.id, measure_risks.c.risk_id).join(measure_risks, measure_risks.c.measure_id == Measure.id)
        .where(Measure.organisation_id == org.id, Measure.deleted_at.is_(None), Measure.status != "vervallen"))
    result: dict[int, set[str]] = {}
    for measure_id, risk_id in rows:
        if risk_id in risk_theme:
            result.setdefault(measure_id, set()).add(risk_theme[risk_id])
    return result


def _session_themes(org, today: date, risk_theme, measure_theme) -> set[str]:
    since = today - timedelta(days=VOORLICHTING_WINDOW_DAYS)
    held = select(VoorlichtingSession.id).where(
        VoorlichtingSession.organisation_id == org.id, VoorlichtingSession.deleted_at.is_(None),
        VoorlichtingSession.session_date <= today, VoorlichtingSession.session_date >= since)
    themes = set()
    for (risk_id,) in db.session.execute(select(session_risks.c.risk_id).where(session_risks.c.session_id.in_(held))):
        if risk_id in risk_theme:
            themes.add(risk_theme[risk_id])
    for (measure_id,) in db.session.execute(
            select(session_measures.c.measure_id).where(session_measures.c.session_id.in_(held))):
        themes |= measure_theme.get(measure_id, set())
    return themes


def _evaluation_themes(org, risk_theme, measure_theme) -> tuple[set[str], set[str]]:
    # Columns only: loading whole evaluations pulls in measures, users and follow-ups per row.
    done = db.session.execute(select(
        Evaluation.id, Evaluation.theme_key, Evaluation.measure_id, Evaluation.policy_adjusted).where(
        Evaluation.organisation_id == org.id, Evaluation.deleted_at.is_(None), Evaluation.done_on.is_not(None))).all()
    with_follow_up = set(db.session.scalars(select(evaluation_follow_ups.c.evaluation_id).where(
        evaluation_follow_ups.c.evaluation_id.in_([e.id for e in done]))))
    evaluated, adjusted = set(), set()
    for evaluation in done:
        themes = {evaluation.theme_key} if evaluation.theme_key else set()
        if evaluation.measure_id:
            themes |= measure_theme.get(evaluation.measure_id, set())
        evaluated |= themes
        if evaluation.policy_adjusted or evaluation.id in with_follow_up:
            adjusted |= themes
    return evaluated, adjusted


def theme_stages(org, today: date) -> list[ThemeStage]:
    """Per PSA theme, which steps of the cycle the records show (rules in STAGE_RULES)."""
    rie = _current_rie(org)
    rie_themes = {}
    if rie is not None:
        rie_themes = {t.theme_key: t for t in db.session.scalars(select(RieTheme).where(
            RieTheme.rie_id == rie.id, RieTheme.deleted_at.is_(None)))}
    risk_theme = _risk_themes(org)
    measure_theme = _measure_themes(org, risk_theme)
    measured = set().union(*measure_theme.values()) if measure_theme else set()
    informed = _session_themes(org, today, risk_theme, measure_theme)
    evaluated, adjusted = _evaluation_themes(org, risk_theme, measure_theme)
    result = []
    for theme in db.session.scalars(select(Theme).order_by(Theme.position)):
        covered = rie_themes.get(theme.key)
        risks = sum(1 for t in risk_theme.values() if t == theme.key)
        applicable = covered is None or covered.applicable
        reached = {
            "geinventariseerd": risks > 0 or (covered is not None and covered.applicable),
            "maatregelen": theme.key in measured,
            "voorlichting": theme.key in informed,
            "geevalueerd": theme.key in evaluated,
            "bijgesteld": theme.key in adjusted,
        }
        result.append(ThemeStage(theme.key, theme.name(_locale()), applicable,
                                 covered.reason if covered is not None and not covered.applicable else None,
                                 risks, reached if applicable else {}))
    return result


def _locale() -> str:
    from flask_babel import get_locale

    try:
        return str(get_locale() or "nl")
    except Exception:  # noqa: BLE001 - outside a request: Dutch
        return "nl"


# --- attention lists ------------------------------------------------------------------


def overdue_measures(org, today: date, limit: int = 10) -> tuple[list[Measure], int]:
    """Open measures past their termijn, oldest termijn first, and how many there are."""
    stmt = select(Measure).where(Measure.organisation_id == org.id, Measure.deleted_at.is_(None),
                                 Measure.status.in_(OPEN_STATUSES), Measure.termijn < today)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    return list(db.session.scalars(stmt.order_by(Measure.termijn, Measure.id).limit(limit))), total


def upcoming_sessions(org, today: date, days: int = 60, limit: int = 6) -> list[VoorlichtingSession]:
    return list(db.session.scalars(select(VoorlichtingSession).where(
        VoorlichtingSession.organisation_id == org.id, VoorlichtingSession.deleted_at.is_(None),
        VoorlichtingSession.session_date >= today, VoorlichtingSession.session_date <= today + timedelta(days=days))
        .order_by(VoorlichtingSession.session_date).limit(limit)))


def upcoming_evaluations(org, today: date, days: int = 90, limit: int = 6) -> list[Evaluation]:
    """Evaluations not done yet: overdue ones first, then those planned in the coming period."""
    return list(db.session.scalars(select(Evaluation).where(
        Evaluation.organisation_id == org.id, Evaluation.deleted_at.is_(None), Evaluation.done_on.is_(None),
        Evaluation.planned_on <= today + timedelta(days=days)).order_by(Evaluation.planned_on).limit(limit)))


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


def latest_evaluations(org) -> list[RiskEvaluation]:
    """The latest evaluation of each current risk (not deleted, not n.v.t.)."""
    ranked = (
        select(RiskEvaluation.id, func.row_number().over(
            partition_by=RiskEvaluation.risk_id,
            order_by=(RiskEvaluation.evaluated_at.desc(), RiskEvaluation.id.desc())).label("rank"))
        .join(Risk, Risk.id == RiskEvaluation.risk_id)
        .where(Risk.organisation_id == org.id, Risk.deleted_at.is_(None), Risk.status != "nvt",
               RiskEvaluation.deleted_at.is_(None))
    ).subquery()
    ids = select(ranked.c.id).where(ranked.c.rank == 1)
    return list(db.session.scalars(select(RiskEvaluation).where(RiskEvaluation.id.in_(ids))))


def heatmap_data(org) -> list[dict]:
    """Per method used: the kans × effect grid with the number of risks in each cell."""
    by_method: dict[str, dict] = {}
    for evaluation in latest_evaluations(org):
        cells = by_method.setdefault(evaluation.method, {})
        key = (evaluation.kans, evaluation.effect)
        cells[key] = cells.get(key, 0) + 1
    result = []
    for method in sorted(by_method, key=lambda m: (m != org.risk_method, m)):
        scale = scoring.scales(method)
        kans, effect = sorted(scale["kans"].items()), sorted(scale["effect"].items())
        result.append({"method": method, "kans": kans, "effect": effect, "cells": by_method[method],
                       "priority": {(k, e): _cell_priority(method, k, e, kans, effect)
                                    for k, _a in kans for e, _b in effect}})
    return result


def _cell_priority(method: str, kans: int, effect: int, kans_scale, effect_scale) -> str:
    if method == "matrix":
        return scoring.matrix_priority(kans * effect)
    # Kinney also weighs frequentie; on the kans × effect grid we colour by position instead.
    position = [k for k, _l in kans_scale].index(kans) + [e for e, _l in effect_scale].index(effect)
    return ("laag", "laag", "middel", "hoog", "hoog")[position]


def measures_by_level_status(org) -> dict[str, dict[str, int]]:
    rows = db.session.execute(
        select(Measure.level, Measure.status, func.count(Measure.id))
        .where(Measure.organisation_id == org.id, Measure.deleted_at.is_(None))
        .group_by(Measure.level, Measure.status))
    result = {level: {status: 0 for status in STATUSES} for level in LEVELS}
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
    """Per month: measures first carried out then, carried out in total, and due by termijn in total."""
    from riecycle.clock import local

    firsts = db.session.execute(
        select(MeasureStatusChange.measure_id, func.min(MeasureStatusChange.changed_at))
        .join(Measure, Measure.id == MeasureStatusChange.measure_id)
        .where(Measure.organisation_id == org.id, Measure.deleted_at.is_(None),
               MeasureStatusChange.deleted_at.is_(None), MeasureStatusChange.to_status == "uitgevoerd")
        .group_by(MeasureStatusChange.measure_id)).all()
    done_days = sorted(local(_aware(moment)).date() for _id, moment in firsts)
    termijnen = sorted(db.session.scalars(select(Measure.termijn).where(
        Measure.organisation_id == org.id, Measure.deleted_at.is_(None), Measure.status != "vervallen")))
    starts = _month_starts(today, months)
    data = {"labels": [], "completed": [], "cumulative": [], "due": [], "starts": starts}
    for start in starts:
        end = min(_month_end(start), today)
        data["labels"].append(_month_label(start))
        data["completed"].append(sum(1 for d in done_days if start <= d <= end))
        data["cumulative"].append(sum(1 for d in done_days if d <= end))
        data["due"].append(sum(1 for t in termijnen if t is not None and t <= end))
    return data


def _aware(moment):
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


MONTHS_NL = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def _month_label(start: date) -> str:
    from flask_babel import format_date

    try:
        return format_date(start, "MMM yy")
    except Exception:  # noqa: BLE001 - outside a request: Dutch abbreviations
        return f"{MONTHS_NL[start.month - 1]} {start:%y}"
