"""Optional scoring of candidate measures on the Wegwijzer's 12 criteria (seed/prioritisation.yaml)."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from riecycle.content import load_yaml
from riecycle.extensions import db
from riecycle.models import Measure, MeasureScore
from riecycle.models.measure import MeasureStatus
from riecycle.services import ServiceError

CANDIDATE_STATUSES = (MeasureStatus.GEPLAND,)


@dataclass
class Criterion:
    key: str
    title: str
    question: str


def _text(value, locale) -> str:
    return value.get(locale) or value.get("nl") if isinstance(value, dict) else value  # pyright: ignore[reportReturnType]


def criteria(locale: str = "nl") -> list[Criterion]:
    """The 12 criteria in the reader's language."""
    return [
        Criterion(c["key"], _text(c["title"], locale), _text(c["question"], locale))
        for c in load_yaml("prioritisation.yaml")["criteria"]
    ]


def scale(locale: str = "nl") -> list[tuple[int, str]]:
    return [(s["value"], _text(s["label"], locale)) for s in load_yaml("prioritisation.yaml")["scale"]]


def score_for(measure: Measure) -> MeasureScore | None:
    return db.session.scalar(
        select(MeasureScore).where(MeasureScore.measure_id == measure.id, MeasureScore.deleted_at.is_(None))
    )


def save_scores(measure: Measure, user, scores: dict, note: str | None = None) -> MeasureScore:
    """Store the scores (1..5, blanks allowed) for one candidate measure."""
    keys = {c.key for c in criteria()}
    clean = {}
    for key, value in (scores or {}).items():
        if key not in keys or value in (None, ""):
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ServiceError(_("Geef per criterium een score van 1 tot en met 5."), key) from None
        if not 1 <= number <= 5:
            raise ServiceError(_("Geef per criterium een score van 1 tot en met 5."), key)
        clean[key] = number
    record = score_for(measure)
    if record is None:
        record = MeasureScore(organisation_id=measure.organisation_id, measure_id=measure.id)
        db.session.add(record)
    record.scores, record.total = clean, sum(clean.values())
    record.note = (note or "").strip() or None
    record.scored_by_id = user.id if user else None
    db.session.flush()
    return record


@dataclass
class Ranked:
    measure: Measure
    score: MeasureScore | None

    @property
    def scored(self) -> int:
        return len(self.score.scores) if self.score else 0

    @property
    def average(self) -> float | None:
        return self.score.total / self.scored if self.score and self.scored else None


def ranking(measures: list[Measure]) -> list[Ranked]:
    """Candidates ranked by average score; unscored ones last."""
    ids = [m.id for m in measures]
    scores = (
        {
            s.measure_id: s
            for s in db.session.scalars(
                select(MeasureScore).where(
                    MeasureScore.measure_id.in_(ids), MeasureScore.deleted_at.is_(None)
                )
            )
        }
        if ids
        else {}
    )
    rows = [Ranked(m, scores.get(m.id)) for m in measures]
    return sorted(rows, key=lambda r: (r.average is None, -(r.average or 0), -r.scored, r.measure.termijn))
