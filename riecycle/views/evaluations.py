"""Evaluations: plan and record evaluations, and close the loop with follow-up measures.

Blueprint "evaluatie" (URLs /o/<org>/evaluatie/...), templates in templates/evaluatie/.
"""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from riecycle import clock
from riecycle.access import current_viewer
from riecycle.extensions import db
from riecycle.forms.evaluations import EvaluationPlanForm, FollowUpForm, outcome_form
from riecycle.models import Evaluation, Measure, Membership, Risk, Theme
from riecycle.models.evaluation import EvaluationKind, EvaluationMethod
from riecycle.models.measure import MeasureStatus
from riecycle.pagination import paginate
from riecycle.permissions import can, can_view_measure, requires, title_of
from riecycle.services import ServiceError
from riecycle.services import evaluations as service
from riecycle.services import teams as team_service
from riecycle.tenancy import get_in_org, get_or_404, scoped
from riecycle.views.common import form_data, save
from riecycle.views.orgbp import org_blueprint

bp = org_blueprint("evaluatie", __name__, "evaluatie")


def measure_title(measure) -> str:
    """A measure's title, pseudonymised where the member may not read it (riecycle.access)."""
    return "—" if measure is None else title_of(measure)


def may_read_text(evaluation) -> bool:
    """Free text of an evaluation of an individual measure is personal."""
    measure = evaluation.measure
    return measure is None or current_viewer().sees_measure(measure)


@bp.context_processor
def _helpers():
    return {
        "measure_title": measure_title,
        "may_read_text": may_read_text,
        "theme_name": _theme_name,
        "default_planned_on": service.default_planned_on,
    }


def _theme_name(key) -> str:
    theme = db.session.get(Theme, key) if key else None
    return theme.name(str(get_locale())) if theme else "—"


def _load(evaluation_id) -> Evaluation:
    evaluation = get_or_404(Evaluation, evaluation_id)
    if evaluation.measure is not None and not can_view_measure(evaluation.measure):
        abort(404)
    return evaluation


def _status(form) -> int:
    return 400 if request.method == "POST" and form.errors else 200


def _user_choices():
    members = db.session.scalars(select(Membership).where(Membership.organisation_id == g.org.id)).all()
    return [(None, _("— kies —"))] + [
        (u.id, u.name) for u in sorted((m.user for m in members), key=lambda u: u.name.lower())
    ]


def _fill_plan_choices(form: EvaluationPlanForm) -> None:
    measures = db.session.scalars(
        scoped(Measure).where(Measure.status != MeasureStatus.VERVALLEN).order_by(Measure.title)
    )
    form.measure_id.choices = [(None, _("— kies —"))] + [(m.id, measure_title(m)) for m in measures]
    locale = str(get_locale())
    form.theme_key.choices = [("", _("— kies —"))] + [
        (t.key, t.name(locale)) for t in db.session.scalars(select(Theme).order_by(Theme.position))
    ]
    form.responsible_id.choices = _user_choices()


def _visible(evaluations):
    return [e for e in evaluations if e.measure is None or can_view_measure(e.measure)]


@bp.get("/", endpoint="index")
@requires("view")
def index():
    """Evaluations due and planned, measures awaiting an evaluation, and evaluations done."""
    today = clock.today()
    open_evals = _visible(
        db.session.scalars(
            scoped(Evaluation).where(Evaluation.done_on.is_(None)).order_by(Evaluation.planned_on)
        ).all()
    )
    done = paginate(
        scoped(Evaluation).where(Evaluation.done_on.is_not(None)).order_by(Evaluation.done_on.desc()),
        per_page=25,
    )
    awaiting = [m for m in service.measures_awaiting_evaluation(g.org) if can_view_measure(m)]
    return render_template(
        "evaluatie/index.html",
        open_evals=open_evals,
        done=done,
        done_items=_visible(done.items),
        awaiting=awaiting,
        today=today,
    )


@bp.route("/nieuw", methods=["GET", "POST"])
@requires("edit_evaluatie")
def new():
    """Plan an evaluation (prefilled from ?measure_id= with the default date)."""
    form = EvaluationPlanForm()
    _fill_plan_choices(form)
    if request.method == "GET":
        _prefill_plan(form)
    if form.validate_on_submit():
        saved = save(lambda: service.plan_evaluation(g.org, _data(form), current_user), form)
        if saved:
            evaluation = saved.value
            if _record_now() and evaluation.measure is not None:
                # From the measure's Geëvalueerd button: record the outcome right away.
                return redirect(url_for("evaluatie.record", evaluation_id=evaluation.id))
            flash(
                _("De evaluatie is gepland op %(d)s.", d=evaluation.planned_on.strftime("%d-%m-%Y")),
                "success",
            )
            return redirect(url_for("evaluatie.detail", evaluation_id=evaluation.id))
    return render_template(
        "evaluatie/form.html", form=form, evaluation=None, record_now=_record_now()
    ), _status(form)


def _record_now() -> bool:
    """?vastleggen=1: the evaluation is done now (the Geëvalueerd button of a measure)."""
    return request.args.get("vastleggen") == "1"


def _prefill_plan(form) -> None:
    form.responsible_id.data = current_user.id
    measure = get_in_org(Measure, request.args.get("measure_id"))
    if measure is not None:
        form.kind.data, form.measure_id.data = "maatregel", measure.id
        form.planned_on.data = clock.today() if _record_now() else service.default_planned_on(measure)
    if request.args.get("kind") == EvaluationKind.THEMA:
        form.kind.data, form.method.data = EvaluationKind.THEMA, EvaluationMethod.HERHAALDE_VRAGENLIJST
        form.is_repeat_measurement.data = True
        form.planned_on.data = service.default_planned_on(is_repeat=True)


def _data(form) -> dict:
    data = {k: v for k, v in form.data.items() if k not in ("csrf_token", "version_id", "form_token")}
    data["theme_key"] = data.get("theme_key") or None
    return data


@bp.get("/<int:evaluation_id>")
@requires("view")
def detail(evaluation_id):
    """One evaluation: plan, outcome and follow-up measures."""
    evaluation = _load(evaluation_id)
    return render_template("evaluatie/detail.html", evaluation=evaluation, today=clock.today())


@bp.route("/<int:evaluation_id>/bewerken", methods=["GET", "POST"])
@requires("edit_evaluatie")
def edit(evaluation_id):
    """Change the planning of an evaluation."""
    evaluation = _load(evaluation_id)
    form = EvaluationPlanForm(obj=evaluation)
    _fill_plan_choices(form)
    if form.validate_on_submit():
        if save(lambda: service.update_plan(g.org, evaluation, _data(form)), form, record=evaluation):
            flash(_("De evaluatie is opgeslagen."), "success")
            return redirect(url_for("evaluatie.detail", evaluation_id=evaluation.id))
    return render_template("evaluatie/form.html", form=form, evaluation=evaluation), _status(form)


@bp.route("/<int:evaluation_id>/uitkomst", methods=["GET", "POST"])
@requires("edit_evaluatie")
def record(evaluation_id):
    """Record the outcome: effect, implementation, satisfaction and conclusion."""
    evaluation = _load(evaluation_id)
    factors = service.measured_factors() if _is_effect_measurement(evaluation) else []
    form = outcome_form(factors, obj=evaluation)
    if request.method == "GET":
        if evaluation.done_on is None:
            form.done_on.data = clock.today()
        for score in evaluation.factor_scores:
            if f"score_{score.factor_key}" in form:
                form[f"score_{score.factor_key}"].data = score.score
    if form.validate_on_submit():
        data = form_data(form, *(f"score_{f.key}" for f in factors))
        if factors:
            data["factor_scores"] = {f.key: form[f"score_{f.key}"].data for f in factors}
        saved = save(
            lambda: service.record_outcome(g.org, evaluation, data, current_user),
            form,
            record=evaluation,
        )
        if saved:
            note = saved.value
            flash(_("De uitkomst van de evaluatie is vastgelegd."), "success")
            if note:
                flash(note, "warning")
            elif evaluation.measure is not None:
                flash(_("De maatregel staat nu op geëvalueerd."), "info")
            return redirect(url_for("evaluatie.detail", evaluation_id=evaluation.id))
    groups = {}
    for factor in factors:
        groups.setdefault(factor.local_group_name, []).append(factor)
    return render_template(
        "evaluatie/record.html", form=form, evaluation=evaluation, factor_groups=list(groups.items())
    ), _status(form)


def _is_effect_measurement(evaluation) -> bool:
    """A repeat measurement or questionnaire: it records which factors it asked (E22)."""
    return evaluation.is_repeat_measurement or evaluation.method == EvaluationMethod.HERHAALDE_VRAGENLIJST


@bp.route("/<int:evaluation_id>/vervolg", methods=["GET", "POST"])
@requires("edit_evaluatie")
def follow_up(evaluation_id):
    """Bijstellen: create a new or adjusted measure from this evaluation."""
    evaluation = _load(evaluation_id)
    if not can("edit_plan"):
        abort(403)
    form = FollowUpForm(data=service.follow_up_defaults(evaluation) if request.method == "GET" else None)
    form.responsible_id.choices = _user_choices()
    form.risk_ids.choices = [(r.id, r.title) for r in db.session.scalars(scoped(Risk).order_by(Risk.title))]
    form.team_ids.choices = team_service.choices(g.org)
    if form.validate_on_submit():
        saved = save(lambda: service.create_follow_up(g.org, evaluation, form_data(form), current_user), form)
        if saved:
            flash(
                _("Vervolgmaatregel '%(t)s' is toegevoegd aan het Plan van Aanpak.", t=saved.value.title),
                "success",
            )
            return redirect(url_for("evaluatie.detail", evaluation_id=evaluation.id))
    return render_template("evaluatie/follow_up.html", form=form, evaluation=evaluation), _status(form)


@bp.post("/<int:evaluation_id>/verwijderen")
@requires("edit_evaluatie")
def delete(evaluation_id):
    """Soft-delete an evaluation (restorable from the prullenbak)."""
    evaluation = _load(evaluation_id)
    try:
        reverted = service.delete_evaluation(evaluation, current_user)
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("evaluatie.index"))
    flash(_("De evaluatie is verwijderd. U kunt haar terugzetten via de prullenbak."), "success")
    if reverted:
        flash(_("De maatregel staat weer op uitgevoerd: er is geen vastgelegde evaluatie meer van."), "info")
    return redirect(url_for("evaluatie.index"))
