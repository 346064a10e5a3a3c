"""Evaluations (evalueren) and their follow-up measures (bijstellen).

Timing defaults follow docs/domain.md §6: about 3 months after a measure is uitgevoerd (interview or
group conversation), and 12-24 months for a repeat measurement of the same sources.
"""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from riecycle import clock
from riecycle.extensions import db
from riecycle.labels import label
from riecycle.models import Evaluation, EvaluationFactorScore, Factor, Measure, Membership, Theme, User
from riecycle.models.evaluation import EFFECTS, EVALUATION_KINDS, EVALUATION_METHODS, EvaluationKind
from riecycle.models.measure import MeasureLevel, MeasureStatus
from riecycle.services import ServiceError
from riecycle.services import plan as plan_service
from riecycle.services.records import apply_changes, restore, soft_delete
from riecycle.services.voorlichting import add_months
from riecycle.tenancy import get_in_org

MONTHS_AFTER_MEASURE = 3
REPEAT_MONTHS = (12, 24)
MEASURED_KINDS = ("werkdrukbron", "energiebron")
PLAN_FIELDS = (
    "kind",
    "measure_id",
    "theme_key",
    "planned_on",
    "method",
    "is_repeat_measurement",
    "responsible_id",
)


def evaluation_name(evaluation: Evaluation, measure_label: str | None = None) -> str:
    """What an evaluation evaluates, how and when: "Evaluatie van <wat> (groepsgesprek, 03-12-2026)".

    <wat> is the theme for a theme evaluation, else measure_label (the caller decides whether the
    viewer may read the measure's title, docs/domain.md §9); without either, the method and date.
    """
    day = evaluation.done_on or evaluation.planned_on
    when = day.strftime("%d-%m-%Y") if day else "—"
    method = label(evaluation.method, "evaluation_method").lower()
    what = measure_label
    if evaluation.kind == EvaluationKind.THEMA and evaluation.theme_key:
        theme = db.session.get(Theme, evaluation.theme_key)
        what = theme.local_name if theme is not None else evaluation.theme_key
    if what:
        return _("Evaluatie van %(what)s (%(method)s, %(d)s)", what=what, method=method, d=when)
    return _("Evaluatie (%(method)s, %(d)s)", method=method, d=when)


def default_planned_on(
    measure: Measure | None = None, is_repeat: bool = False, base: date | None = None
) -> date:
    """The suggested date: +3 months after completion, or +12 months for a repeat measurement."""
    if is_repeat:
        return add_months(base or clock.today(), REPEAT_MONTHS[0])
    start = base or (measure.completed_on if measure is not None else None) or clock.today()
    return add_months(start, MONTHS_AFTER_MEASURE)


def _check_member(org, user_id, field: str) -> None:
    if user_id and not db.session.scalar(
        select(Membership.id).where(Membership.organisation_id == org.id, Membership.user_id == user_id)
    ):
        raise ServiceError(_("Kies een gebruiker van deze organisatie."), field)


def _load_measure(org, measure_id) -> Measure:
    measure = get_in_org(Measure, measure_id, org)
    if measure is None:
        raise ServiceError(_("Kies een bestaande maatregel."), "measure_id")
    return measure


def _prepare(org, data: dict) -> dict:
    data = {k: v for k, v in data.items() if k in PLAN_FIELDS}
    if data.get("kind") not in EVALUATION_KINDS:
        raise ServiceError(_("Kies wat u evalueert."), "kind")
    if data.get("method") not in EVALUATION_METHODS:
        raise ServiceError(_("Kies een methode."), "method")
    if data["kind"] == EvaluationKind.MAATREGEL:
        measure = _load_measure(org, data.get("measure_id"))
        data["theme_key"] = None
    else:
        measure, data["measure_id"] = None, None
        if not data.get("theme_key") or db.session.get(Theme, data["theme_key"]) is None:
            raise ServiceError(_("Kies een thema."), "theme_key")
    # Only what the user recorded: a questionnaire is not by itself a repeat of the nulmeting (E22).
    data["is_repeat_measurement"] = bool(data.get("is_repeat_measurement"))
    if not data.get("planned_on"):
        data["planned_on"] = default_planned_on(measure, data["is_repeat_measurement"])
    _check_member(org, data.get("responsible_id"), "responsible_id")
    _check_may_read(org, measure, data.get("responsible_id"))
    return data


def _check_may_read(org, measure, user_id) -> None:
    """Whoever evaluates an individual measure must be allowed to read it (docs/domain.md §9)."""
    if measure is None or measure.level != MeasureLevel.INDIVIDU or measure.employee is None or not user_id:
        return
    from riecycle.access import viewer_for
    from riecycle.services.plan import may_be_responsible

    user = db.session.get(User, user_id)
    if user is not None and not may_be_responsible(viewer_for(user, org.id), measure.employee):
        raise ServiceError(
            _(
                "%(n)s mag deze individuele maatregel niet zien en kan hem dus niet evalueren.",
                n=user.name,
            ),
            "responsible_id",
        )


def plan_evaluation(org, data: dict, user=None) -> Evaluation:
    """Plan an evaluation of one measure or of the approach for a theme."""
    data = _prepare(org, data)
    if not data.get("responsible_id") and user is not None:
        data["responsible_id"] = user.id
    evaluation = Evaluation(organisation_id=org.id, **data)
    db.session.add(evaluation)
    db.session.flush()
    return evaluation


def update_plan(org, evaluation: Evaluation, data: dict) -> bool:
    """Change what, when, how and by whom an evaluation is done."""
    data = _prepare(org, data)
    if evaluation.done_on is not None and (
        data["kind"] != evaluation.kind or data.get("measure_id") != evaluation.measure_id
    ):
        # The measure's Geëvalueerd rests on this evaluation; it cannot move to another one.
        raise ServiceError(
            _(
                "Deze evaluatie is al vastgelegd en hoort bij wat zij evalueerde. "
                "Plan voor iets anders een nieuwe evaluatie."
            ),
            "measure_id",
        )
    changed = apply_changes(evaluation, data)
    db.session.flush()
    return changed


def _check_rating(value, field: str) -> None:
    if value is not None and not 1 <= value <= 5:
        raise ServiceError(_("Kies een waarde van 1 tot en met 5."), field)


def check_outcome(kind: str, data: dict) -> dict:
    """The outcome as the evaluation form checks it (ServiceError naming the field), cleaned:
    done_on, effect, conclusion, the two ratings and the factor scores (None: not sent)."""
    done_on = data.get("done_on")
    if done_on is None:
        raise ServiceError(_("Geef de datum van de evaluatie op."), "done_on")
    if done_on > clock.today():
        raise ServiceError(_("De evaluatiedatum kan niet in de toekomst liggen."), "done_on")
    if data.get("effect") not in EFFECTS:
        raise ServiceError(_("Kies het effect op het knelpunt."), "effect")
    _check_rating(data.get("implementation_rating"), "implementation_rating")
    if kind == EvaluationKind.MAATREGEL and not data.get("implementation_rating"):
        # Process and effect (E21): without the process the measure cannot become geëvalueerd.
        raise ServiceError(
            _("Geef aan hoe de uitvoering ging (het proces), van 1 tot en met 5."), "implementation_rating"
        )
    _check_rating(data.get("satisfaction"), "satisfaction")
    conclusion = (data.get("conclusion") or "").strip()
    if not conclusion:
        raise ServiceError(_("Schrijf een korte conclusie."), "conclusion")
    return {
        "done_on": done_on,
        "effect": data["effect"],
        "conclusion": conclusion,
        "implementation_rating": data.get("implementation_rating"),
        "satisfaction": data.get("satisfaction"),
        "factor_scores": _factor_scores(data.get("factor_scores")),
    }


def record_outcome(
    org, evaluation: Evaluation, data: dict, user=None, mark_measure: bool = True
) -> str | None:
    """Record the outcome; moves an uitgevoerd measure to geëvalueerd (unless mark_measure is
    False: an import that re-creates a measure with the status its file gives).

    Returns a Dutch explanation when the measure could not be moved (None when it was, or when
    there is no measure).
    """
    outcome = check_outcome(evaluation.kind, data)
    scores = outcome.pop("factor_scores")
    apply_changes(evaluation, outcome)
    if scores is not None:
        set_factor_scores(evaluation, scores)
    db.session.flush()
    if evaluation.kind != EvaluationKind.MAATREGEL or evaluation.measure is None or not mark_measure:
        return None
    return mark_measure_evaluated(evaluation.measure, user, evaluation)


def measured_factors() -> list[Factor]:
    """The factors an effect measurement can ask: werkdrukbronnen and energiebronnen (docs/domain.md §3)."""
    return list(
        db.session.scalars(select(Factor).where(Factor.kind.in_(MEASURED_KINDS)).order_by(Factor.position))
    )


def _factor_scores(scores) -> dict | None:
    """Validate {factor key: score 1-5 or None}; None when the caller sent no scores at all."""
    if scores is None:
        return None
    known = {f.key for f in measured_factors()}
    cleaned = {}
    for key, value in scores.items():
        if value is None or value == "":
            continue
        if key not in known:
            raise ServiceError(
                _("Kies een werkdrukbron of energiebron uit het werkdrukmodel."), "factor_scores"
            )
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ServiceError(_("Een score ligt tussen 1 en 5."), f"score_{key}") from None
        if not 1 <= value <= 5:
            raise ServiceError(_("Een score ligt tussen 1 en 5."), f"score_{key}")
        cleaned[key] = value
    return cleaned


def set_factor_scores(evaluation: Evaluation, scores: dict) -> None:
    """Replace the factors the measurement asked and their scores (validated by _factor_scores)."""
    current = {s.factor_key: s for s in evaluation.factor_scores}
    for key, score in list(current.items()):
        if key not in scores:
            evaluation.factor_scores.remove(score)
    for key, value in scores.items():
        if key in current:
            current[key].score = value
        else:
            evaluation.factor_scores.append(EvaluationFactorScore(factor_key=key, score=value))
    db.session.flush()


def mark_measure_evaluated(measure: Measure, user=None, evaluation: Evaluation | None = None) -> str | None:
    """uitgevoerd -> geevalueerd through the plan's status workflow; otherwise explain why not."""
    if measure.status == MeasureStatus.GEEVALUEERD:
        return None
    if measure.status != MeasureStatus.UITGEVOERD:
        return _(
            "De maatregel staat op '%(s)s' en niet op 'uitgevoerd'; de status blijft ongewijzigd. "
            "Zet de maatregel eerst op uitgevoerd in het Plan van Aanpak.",
            s=label(measure.status, "measure_status"),
        )
    plan_service.change_status(
        measure,
        user,
        MeasureStatus.GEEVALUEERD,
        _("Evaluatie vastgelegd"),
        on=evaluation.done_on,  # pyright: ignore[reportOptionalMemberAccess]
        evaluation=evaluation,
    )
    return None


def recorded_evaluation_of(measure: Measure, exclude: Evaluation | None = None) -> Evaluation | None:
    """A recorded (not deleted) evaluation that covers the measure, other than `exclude`."""
    stmt = select(Evaluation).where(
        Evaluation.organisation_id == measure.organisation_id,
        Evaluation.deleted_at.is_(None),
        Evaluation.kind == EvaluationKind.MAATREGEL,
        Evaluation.measure_id == measure.id,
        Evaluation.done_on.is_not(None),
    )
    if exclude is not None:
        stmt = stmt.where(Evaluation.id != exclude.id)
    return next(
        (
            e
            for e in db.session.scalars(stmt.order_by(Evaluation.done_on.desc()))
            if plan_service.covers(e, measure)
        ),
        None,
    )


def open_evaluation_of(measure: Measure) -> Evaluation | None:
    """The planned, not yet recorded evaluation of the measure (the earliest), if any."""
    return db.session.scalars(
        select(Evaluation)
        .where(
            Evaluation.organisation_id == measure.organisation_id,
            Evaluation.deleted_at.is_(None),
            Evaluation.kind == EvaluationKind.MAATREGEL,
            Evaluation.measure_id == measure.id,
            Evaluation.done_on.is_(None),
        )
        .order_by(Evaluation.planned_on, Evaluation.id)
        .limit(1)
    ).first()


def delete_evaluation(evaluation: Evaluation, user=None) -> bool:
    """Soft-delete an evaluation; a measure it made geëvalueerd goes back to uitgevoerd.

    Returns True when the measure went back (another recorded evaluation keeps it geëvalueerd).
    """
    soft_delete(evaluation)
    db.session.flush()
    measure = evaluation.measure
    if (
        measure is None
        or measure.status != MeasureStatus.GEEVALUEERD
        or recorded_evaluation_of(measure, evaluation)
    ):
        return False
    plan_service.revert_evaluated(
        measure, user, _("De evaluatie van deze maatregel is verwijderd; terug naar uitgevoerd.")
    )
    return True


def restore_evaluation(evaluation: Evaluation, user=None) -> None:
    """Bring a deleted evaluation back; a recorded one makes its uitgevoerd measure geëvalueerd again."""
    restore(evaluation)
    measure = evaluation.measure
    if (
        measure is not None
        and measure.status == MeasureStatus.UITGEVOERD
        and plan_service.covers(evaluation, measure)
    ):
        mark_measure_evaluated(measure, user, evaluation)


def follow_up_defaults(evaluation: Evaluation) -> dict:
    """Prefill for a new or adjusted measure from the evaluated measure."""
    termijn = add_months(clock.today(), 3)
    measure = evaluation.measure
    if measure is None:
        return {
            "level": MeasureLevel.ORGANISATIE,
            "approach": "bronaanpak",
            "termijn": termijn,
            "title": "",
            "description": "",
            "responsible_id": evaluation.responsible_id,
            "risk_ids": [],
            "team_ids": [],
        }
    return {
        "title": _("%(t)s (bijgesteld)", t=measure.title)[:200],
        "description": measure.description or "",
        "level": measure.level,
        "approach": measure.approach,
        "responsible_id": measure.responsible_id,
        "termijn": termijn,
        "risk_ids": [r.id for r in measure.risks],
        "team_ids": [t.id for t in measure.teams],
    }


def create_follow_up(org, evaluation: Evaluation, data: dict, user=None) -> Measure:
    """Bijstellen: a new or adjusted measure in the plan, linked to the evaluation that led to it."""
    source = evaluation.measure
    data = dict(data)
    if data.get("level") == MeasureLevel.INDIVIDU:
        if source is None or source.employee_id is None:
            raise ServiceError(
                _("Een individuele vervolgmaatregel kan alleen volgen uit een individuele maatregel."),
                "level",
            )
        data["employee_id"] = source.employee_id
    measure = plan_service.create_measure(org, user, data)
    evaluation.follow_up_measures.append(measure)
    evaluation.policy_adjusted = True
    db.session.flush()
    return measure


def measures_awaiting_evaluation(org) -> list[Measure]:
    """Uitgevoerde measures without an evaluation yet."""
    planned = select(Evaluation.measure_id).where(
        Evaluation.deleted_at.is_(None), Evaluation.measure_id.is_not(None)
    )
    return list(
        db.session.scalars(
            select(Measure)
            .where(
                Measure.organisation_id == org.id,
                Measure.deleted_at.is_(None),
                Measure.status == MeasureStatus.UITGEVOERD,
                Measure.id.not_in(planned),
            )
            .order_by(Measure.completed_on, Measure.termijn)
        )
    )
