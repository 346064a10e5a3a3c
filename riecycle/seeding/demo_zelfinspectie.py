"""Demo step for the policy register, the incident log and one earlier self-inspection.

Loads seed/demo_zelfinspectie.yaml through the services; skips what exists, so running it twice
changes nothing.
"""

from sqlalchemy import func, select

from riecycle.content import load_yaml
from riecycle.extensions import db
from riecycle.models import (
    ArbodienstContract,
    ChecklistAnswer,
    ChecklistRun,
    Incident,
    IncidentAnalysis,
    Measure,
    PolicyInstrument,
    PreventiemedewerkerAppointment,
    Risk,
)
from riecycle.models.measure import measure_risks
from riecycle.services import attachments, incidents, policy, zelfinspectie


def load(ctx) -> None:
    """Instruments, the preventiemedewerker, the arbodienst contract, ~15 meldingen with an analysis, an earlier run, hand answers."""
    spec = load_yaml("demo_zelfinspectie.yaml")
    _instruments(ctx, spec)
    _appointment(ctx, spec)
    _contract(ctx, spec)
    _incidents(ctx, spec)
    _analysis(ctx, spec)
    _earlier_run(ctx, spec)
    _answers(ctx, spec)
    db.session.flush()


def _exists(ctx, model, *where) -> bool:
    stmt = select(func.count()).select_from(model).where(model.organisation_id == ctx.org.id, *where)
    return bool(db.session.scalar(stmt))


def _day(ctx, offset):
    return ctx.day(offset) if offset is not None else None


def _instruments(ctx, spec) -> None:
    for raw in spec["instruments"]:
        if _exists(ctx, PolicyInstrument, PolicyInstrument.kind == raw["kind"]):
            continue
        data = {k: v for k, v in raw.items() if not k.endswith("_offset_days") and k != "kind"}
        data["adopted_on"] = _day(ctx, raw.get("adopted_offset_days"))
        data["communicated_on"] = _day(ctx, raw.get("communicated_offset_days"))
        policy.create_instrument(ctx.org, raw["kind"], data)
        ctx.created += 1


def _appointment(ctx, spec) -> None:
    if _exists(ctx, PreventiemedewerkerAppointment):
        return
    raw = spec["appointment"]
    user = ctx.users.get(raw["user"])
    policy.create_appointment(
        ctx.org,
        {
            "user_id": user.id if user else None,
            "name": None if user else raw["user"],
            "since": ctx.day(raw["since_offset_days"]),
            "until": None,
            "or_instemming_on": ctx.day(raw["or_instemming_offset_days"]),
            "hours_per_week": raw.get("hours_per_week"),
            "tasks": raw.get("tasks"),
        },
    )
    ctx.created += 1


def _contract(ctx, spec) -> None:
    """The arbodienst basiscontract with its document (a short summary as text)."""
    if _exists(ctx, ArbodienstContract):
        return
    raw = spec["contract"]
    contract = policy.create_contract(
        ctx.org,
        {
            "provider": raw["provider"],
            "since": ctx.day(raw["since_offset_days"]),
            "until": None,
            "notes": raw["notes"],
        },
    )
    attachments.store(
        ctx.org, "arbodienst_contract", contract.id, raw["document"], raw["document_text"].encode()
    )
    ctx.created += 1


def _aggression_measure(ctx):
    """A measure of the demo plan against external aggression, if the plan has one."""
    return db.session.scalar(
        select(Measure)
        .join(measure_risks, measure_risks.c.measure_id == Measure.id)
        .join(Risk, Risk.id == measure_risks.c.risk_id)
        .where(
            Measure.organisation_id == ctx.org.id,
            Measure.deleted_at.is_(None),
            Risk.theme_key == "agressie_extern",
        )
        .order_by(Measure.id)
    )


def _incidents(ctx, spec) -> None:
    if _exists(ctx, Incident):
        return
    measure = _aggression_measure(ctx)
    for raw in spec["incidents"]:
        occurred = ctx.day(raw["offset_days"])
        team = ctx.teams.get(raw.get("team"))
        incidents.create_incident(
            ctx.org,
            {
                "occurred_on": occurred,
                "theme_key": raw["theme"],
                "team_id": team.id if team else None,
                "party": raw["party"],
                "description": raw["text"],
                "opvang_done": True,
                "opvang_on": ctx.day(raw["offset_days"] + raw.get("opvang", 0)),
                "follow_up": None,
                "measure_id": measure.id
                if measure is not None and raw["theme"] == "agressie_extern"
                else None,
            },
        )
        ctx.created += 1


def _analysis(ctx, spec) -> None:
    if _exists(ctx, IncidentAnalysis):
        return
    raw = spec["analysis"]
    incidents.create_analysis(
        ctx.org,
        {
            "analysed_on": ctx.day(raw["analysed_offset_days"]),
            "period_start": ctx.day(raw["period_start_offset_days"]),
            "period_end": ctx.day(raw["period_end_offset_days"]),
            "conclusions": raw["conclusions"],
            "discussed_with_or": raw.get("discussed_with_or", False),
        },
    )
    ctx.created += 1


def _earlier_run(ctx, spec) -> None:
    if _exists(ctx, ChecklistRun):
        return
    raw = spec["earlier_run"]
    zelfinspectie.run_checklist(
        ctx.org, ctx.users.get(raw["user"]), today=ctx.day(raw["offset_days"]), origin="demo"
    )
    ctx.created += 1


def _answers(ctx, spec) -> None:
    """Given after the earlier run, so the next run shows them."""
    for raw in spec.get("answers", []):
        if _exists(ctx, ChecklistAnswer, ChecklistAnswer.item_id == raw["item"]):
            continue
        zelfinspectie.record_answer(
            ctx.org, ctx.users.get(raw["user"]), raw["item"], raw["answer"], raw["justification"]
        )
        ctx.created += 1
