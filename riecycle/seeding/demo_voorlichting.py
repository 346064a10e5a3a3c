"""Demo step for voorlichting and evaluatie (seed/demo_voorlichting.yaml): past sessions with a
deterministic attendance register, upcoming sessions, an instruction for leidinggevenden, and
evaluations both done (one with a follow-up measure) and due.

Runs after the plan step (measures are matched on their Dutch title); skips what exists.
"""

import hashlib
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from riecycle import clock
from riecycle.content import load_yaml
from riecycle.extensions import db
from riecycle.models import Evaluation, Measure, MeasureStatusChange, Risk, VoorlichtingSession
from riecycle.models.measure import MeasureStatus
from riecycle.services import evaluations, voorlichting


def load(ctx) -> None:
    """Load the sessions and their attendance, then the evaluations."""
    data = load_yaml("demo_voorlichting.yaml")
    measures, risks = _measures(ctx), _risks(ctx)
    existing = set(
        db.session.scalars(
            select(VoorlichtingSession.topic).where(VoorlichtingSession.organisation_id == ctx.org.id)
        )
    )
    for spec in data.get("sessions", []):
        if spec["topic"] not in existing:
            _session(ctx, spec, measures, risks)
            ctx.created += 1
    for spec in data.get("evaluations", []):
        _evaluation(ctx, spec, measures)
    _evaluated(ctx, measures)
    db.session.flush()


def _evaluated(ctx, measures) -> None:
    """Every demo measure meant to be geëvalueerd gets the recorded evaluation behind that status."""
    for spec in ctx.data.get("measures", []):
        measure = measures.get(spec["key"])
        if (
            spec.get("status") != MeasureStatus.GEEVALUEERD
            or measure is None
            or measure.status != MeasureStatus.UITGEVOERD
        ):
            continue
        if evaluations.recorded_evaluation_of(measure) is not None:
            continue
        done_on = min(measure.completed_on + timedelta(days=90), clock.today() - timedelta(days=1))
        done_on = max(done_on, measure.completed_on)
        user = measure.responsible
        evaluation = evaluations.open_evaluation_of(measure) or evaluations.plan_evaluation(
            ctx.org,
            {
                "kind": "maatregel",
                "measure_id": measure.id,
                "method": "groepsgesprek",
                "planned_on": done_on,
                "responsible_id": user.id if user else None,
            },
            user,
        )
        ctx.created += 1
        evaluations.record_outcome(
            ctx.org,
            evaluation,
            {
                "done_on": done_on,
                "effect": "opgelost",
                "implementation_rating": 4,
                "satisfaction": 4,
                "conclusion": "Besproken in het teamoverleg: de maatregel werkt en blijft zo.",
            },
            user,
        )
        _date_last_change(measure, done_on)


def _date_last_change(measure, on) -> None:
    """Date the geëvalueerd step on the evaluation day, as it would have happened."""
    change = db.session.scalars(
        select(MeasureStatusChange)
        .where(
            MeasureStatusChange.measure_id == measure.id,
            MeasureStatusChange.to_status == MeasureStatus.GEEVALUEERD,
        )
        .order_by(MeasureStatusChange.id.desc())
        .limit(1)
    ).first()
    if change is not None:
        change.changed_at = datetime.combine(on, time(15, 0), tzinfo=UTC)


def _measures(ctx) -> dict:
    titles = {
        m.title: m
        for m in db.session.scalars(
            select(Measure).where(Measure.organisation_id == ctx.org.id, Measure.deleted_at.is_(None))
        )
    }
    return {
        spec["key"]: titles[spec["title"]["nl"]]
        for spec in ctx.data.get("measures", [])
        if spec["title"]["nl"] in titles
    }


def _risks(ctx) -> dict:
    titles = {
        r.title: r
        for r in db.session.scalars(
            select(Risk).where(Risk.organisation_id == ctx.org.id, Risk.deleted_at.is_(None))
        )
    }
    return {
        spec["key"]: titles[spec["title"]["nl"]]
        for spec in ctx.data.get("risks", [])
        if spec["title"]["nl"] in titles
    }


def _clock(text):
    return time.fromisoformat(text) if text else None


def _session(ctx, spec, measures, risks) -> None:
    organiser = ctx.users.get(spec.get("organiser"))
    session = voorlichting.create_session(
        ctx.org,
        {
            "topic": spec["topic"],
            "description": spec.get("description"),
            "audience": spec["audience"],
            "team_ids": [ctx.teams[k].id for k in spec.get("teams", [])],
            "is_leidinggevenden_instructie": bool(spec.get("instructie")),
            "session_date": ctx.day(spec["offset_days"]),
            "start_time": _clock(spec.get("start")),
            "end_time": _clock(spec.get("end")),
            "location": spec.get("location"),
            "online_link": spec.get("online_link"),
            "presenter": spec.get("presenter"),
            "organiser_id": organiser.id if organiser else None,
            "recurrence": spec.get("recurrence", "geen"),
            "newcomer_weeks": spec.get("newcomer_weeks"),
            "risk_ids": [risks[k].id for k in spec.get("risks", []) if k in risks],
            "measure_ids": [measures[k].id for k in spec.get("measures", []) if k in measures],
        },
        organiser,
    )
    if spec.get("present") is not None and spec["offset_days"] <= 0:
        voorlichting.record_attendance(ctx.org, session, _marks(session, spec["present"]))


def _marks(session, share: float) -> dict:
    """Deterministic: the first `share` of the audience (ordered by a hash of the name) was present."""
    people = sorted(
        voorlichting.audience_employees(session), key=lambda e: hashlib.sha256(e.name.encode()).hexdigest()
    )
    present = round(share * len(people))
    return {
        e.id: "aanwezig" if i < present else ("afwezig" if i % 2 else "afgemeld")
        for i, e in enumerate(people)
    }


def _evaluation(ctx, spec, measures) -> None:
    measure = measures.get(spec.get("measure"))
    if spec.get("measure") and measure is None:
        return  # the plan step did not run
    found = select(Evaluation.id).where(Evaluation.organisation_id == ctx.org.id)
    found = (
        found.where(Evaluation.measure_id == measure.id)
        if measure
        else found.where(Evaluation.theme_key == spec["theme"])
    )
    if db.session.scalar(found):
        return
    responsible = ctx.users.get(spec.get("responsible")) or (measure.responsible if measure else None)
    evaluation = evaluations.plan_evaluation(
        ctx.org,
        {
            "kind": "maatregel" if measure else "thema",
            "measure_id": measure.id if measure else None,
            "theme_key": spec.get("theme"),
            "method": spec["method"],
            "is_repeat_measurement": bool(spec.get("repeat")),
            "planned_on": ctx.day(spec["planned_offset_days"]),
            "responsible_id": responsible.id if responsible else None,
        },
        responsible,
    )
    ctx.created += 1
    if spec.get("done_offset_days") is not None:
        evaluations.record_outcome(
            ctx.org,
            evaluation,
            {
                "done_on": ctx.day(spec["done_offset_days"]),
                "effect": spec["effect"],
                "implementation_rating": spec.get("implementation"),
                "satisfaction": spec.get("satisfaction"),
                "conclusion": spec["conclusion"],
                # E22: a repeat measurement records the factors it asked, with their scores.
                "factor_scores": spec.get("factor_scores"),
            },
            responsible,
        )
        if measure is not None:
            _date_last_change(measure, ctx.day(spec["done_offset_days"]))
    if spec.get("follow_up") and measure is not None:
        _follow_up(ctx, evaluation, measure, spec["follow_up"])


def _follow_up(ctx, evaluation, measure, spec) -> None:
    evaluations.create_follow_up(
        ctx.org,
        evaluation,
        {
            "title": spec["title"],
            "level": spec["level"],
            "approach": spec["approach"],
            "team_ids": [ctx.teams[k].id for k in spec.get("teams", [])],
            "risk_ids": [r.id for r in measure.risks],
            "responsible_id": ctx.users[spec["responsible"]].id,
            "termijn": ctx.day(spec["termijn_offset_days"]),
        },
        ctx.users[spec["responsible"]],
    )
    ctx.created += 1
