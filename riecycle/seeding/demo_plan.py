"""Demo step for the Plan van Aanpak: the ~60 measures of seed/demo.yaml with their status
histories and notes, and one plan version approved by the OR followed by a later change.

Runs after the RI&E step (risks are matched on their Dutch title). Skips what exists.
"""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import Measure, PlanVersion, Risk
from riecycle.models.measure import MeasureLevel, MeasureStatus
from riecycle.services import approvals, plan_versions
from riecycle.services import plan as plan_service

# The path a measure walks to reach each status.
PATHS = {
    MeasureStatus.GEPLAND: [],
    MeasureStatus.IN_UITVOERING: [MeasureStatus.IN_UITVOERING],
    MeasureStatus.UITGEVOERD: [MeasureStatus.IN_UITVOERING, MeasureStatus.UITGEVOERD],
    # Geëvalueerd follows from a recorded evaluation (demo_voorlichting records it).
    MeasureStatus.GEEVALUEERD: [MeasureStatus.IN_UITVOERING, MeasureStatus.UITGEVOERD],
    MeasureStatus.VERVALLEN: [MeasureStatus.VERVALLEN],
}
APPROVED_DAYS_AGO = 38
TEAM_BOUND = (
    "r12",
    "De piek speelt alleen op het bestuursbureau, rond de begrotings- en jaarverslagcyclus; "
    "de scholen hebben er geen last van.",
)
SUBMITTED_DAYS_AGO = 45


def load(ctx) -> None:
    """Load the measures, then the OR-approved version and the change made after it."""
    risks = _risks(ctx)
    if not risks:
        return  # the RI&E step did not run: measures need risks
    existing = {
        m.title for m in db.session.scalars(select(Measure).where(Measure.organisation_id == ctx.org.id))
    }
    by_key = {}
    for spec in ctx.data.get("measures", []):
        title = spec["title"]["nl"]
        if title in existing:
            continue
        measure = _measure(ctx, spec, risks)
        if measure is not None:
            by_key[spec["key"]] = measure
            ctx.created += 1
    db.session.flush()
    if by_key:
        _team_bound(risks)
    _version(ctx)


def _team_bound(risks) -> None:
    """One risk is explained as team-bound, so the demo shows both states of the hierarchy check."""
    risk = risks.get(TEAM_BOUND[0])
    if risk is not None and not risk.team_bound_reason:
        plan_service.set_team_bound_reason(risk, TEAM_BOUND[1])


def _risks(ctx) -> dict:
    """Demo risk key -> Risk, matched on the title the RI&E step stored."""
    stored = {
        r.title: r
        for r in db.session.scalars(
            select(Risk).where(Risk.organisation_id == ctx.org.id, Risk.deleted_at.is_(None))
        )
    }
    return {
        item["key"]: stored[item["title"]["nl"]]
        for item in ctx.data.get("risks", [])
        if item["title"]["nl"] in stored
    }


def _at(day) -> datetime:
    """A demo date at 09:00 Dutch time, as UTC."""
    return datetime.combine(day, time(9, 0), clock.AMSTERDAM).astimezone(UTC)


def _measure(ctx, spec, risks):
    linked = [risks[k] for k in spec.get("risks", []) if k in risks]
    responsible = ctx.users.get(spec["responsible"])
    if not linked or responsible is None:
        return None
    start = ctx.day(spec["start_offset_days"]) if spec.get("start_offset_days") is not None else None
    termijn = ctx.day(spec["termijn_offset_days"])
    employee = ctx.employees.get(spec.get("employee")) if spec.get("employee") else None
    data = {
        "title": spec["title"]["nl"],
        "description": (spec.get("description") or {}).get("nl"),
        "risk_ids": [r.id for r in linked],
        "level": spec["level"],
        "team_ids": [ctx.teams[k].id for k in spec.get("teams") or [] if k in ctx.teams],
        "employee_id": employee.id if employee else None,
        "approach": spec["approach"],
        "responsible_id": responsible.id,
        "termijn": termijn,
        "start_date": start,
        "budget_eur": spec.get("budget_eur"),
        "effort": spec.get("effort"),
        "quick_win": spec.get("quick_win"),
        "change_type": spec.get("change_type"),
        "pilot": spec.get("pilot"),
        "catalogue_key": spec.get("catalogue"),
    }
    today = clock.today()
    created = min(start or termijn, termijn, today) - timedelta(days=21)
    measure = plan_service.create_measure(ctx.org, responsible, data, created_at=_at(created))
    _history(ctx, measure, spec, responsible, created, start, termijn)
    for note in spec.get("notes") or []:
        plan_service.add_note(
            measure, responsible, note["text"]["nl"], min(ctx.day(note["offset_days"]), today)
        )
    return measure


def _history(ctx, measure, spec, user, created, start, termijn) -> None:
    """Plausible, dated status transitions up to the demo status."""
    today = clock.today()
    day = created
    reason = (spec.get("status_reason") or {}).get("nl")
    for step in PATHS[spec["status"]]:
        if step == MeasureStatus.IN_UITVOERING:
            target = start or created + timedelta(days=7)
        elif step == MeasureStatus.UITGEVOERD:
            target = min(termijn, today - timedelta(days=3))
        else:  # vervallen
            target = min(termijn, today - timedelta(days=5))
        day = min(max(target, day + timedelta(days=1)), today)
        plan_service.change_status(
            measure, user, step, reason if step == MeasureStatus.VERVALLEN else None, on=day, at=_at(day)
        )


def _version(ctx) -> None:
    """Version 1, approved by the OR, then a change to the plan that makes it superseded."""
    if db.session.scalar(select(PlanVersion.id).where(PlanVersion.organisation_id == ctx.org.id)):
        return
    preventie = _user(ctx, "preventiemedewerker")
    or_lid = _user(ctx, "or_lid")
    if preventie is None or or_lid is None:
        return
    submitted = ctx.day(-SUBMITTED_DAYS_AGO)
    version = plan_versions.submit_plan(
        ctx.org,
        preventie,
        "Eerste volledige Plan van Aanpak na de RI&E, met de maatregelen per risico.",
        submitted_on=submitted,
    )
    version.submitted_at = _at(submitted)
    first = next((i for i in version.snapshot["measures"] if not i["personal"]), None)
    remarks = [
        plan_versions.add_comment(
            version,
            or_lid,
            "Wij missen nog hoe de werkdrukmiddelen over de scholen worden verdeeld. "
            "Graag bij de volgende versie toelichten.",
        )
    ]
    if first is not None:
        remarks.append(
            plan_versions.add_comment(
                version, or_lid, "Fijn dat hier een werkgroep met leerkrachten bij betrokken is.", first["id"]
            )
        )
    for offset, remark in enumerate(remarks, start=2):
        remark.created_at = _at(submitted + timedelta(days=offset))
    approval = approvals.pending_for(plan_versions.SUBJECT, version.id)
    approvals.decide(
        approval,
        or_lid,
        "verleend",
        ctx.day(-APPROVED_DAYS_AGO),
        "De OR stemt in met het Plan van Aanpak. Evaluatie van de voortgang in de OR-vergadering "
        "over een halfjaar.",
    )
    _later_change(ctx, preventie)
    ctx.created += 1


def _later_change(ctx, user) -> None:
    """After the instemming, one planned measure is postponed: the approved version is superseded."""
    measure = db.session.scalar(
        select(Measure)
        .where(
            Measure.organisation_id == ctx.org.id,
            Measure.status == MeasureStatus.GEPLAND,
            Measure.level == MeasureLevel.ORGANISATIE,
        )
        .order_by(Measure.termijn.desc())
    )
    if measure is None:
        return
    plan_service.update_measure(
        measure, {"termijn": measure.termijn + timedelta(days=30)}, measure.version_id
    )
    plan_service.add_note(
        measure, user, "Termijn met een maand verschoven: de werkgroep start later dan gepland."
    )


def _user(ctx, role: str):
    emails = [u["email"] for u in ctx.data["users"] if u["role"] == role]
    return ctx.users.get(emails[0]) if emails else None
