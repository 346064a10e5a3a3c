"""Prioritising measures (score per measure) and the hierarchy check of the plan's levels."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from riecycle.access import current_viewer
from riecycle.extensions import db
from riecycle.forms.plan import (
    ScoreForm,
    TeamBoundForm,
)
from riecycle.models import (
    Risk,
)
from riecycle.models.measure import MeasureStatus
from riecycle.permissions import (
    requires,
)
from riecycle.services import ServiceError, prioritisation
from riecycle.services import plan as plan_service
from riecycle.tenancy import get_or_404
from riecycle.views.common import save, visible_measures
from riecycle.views.plan import _load_measure, _locale, bp

# --- prioritisation -----------------------------------------------------------------------


@bp.get("/prioriteren")
@requires("view")
def priorities():
    """Candidate measures ranked by their scores on the Wegwijzer's 12 criteria."""
    candidates = visible_measures(
        db.session.scalars(
            plan_service.measures_query(g.org, plan_service.Filters(status=MeasureStatus.GEPLAND))
        ).all()
    )
    return render_template(
        "plan/priorities.html",
        ranked=prioritisation.ranking(candidates),
        criteria=prioritisation.criteria(_locale()),
    )


@bp.route("/<int:measure_id>/prioriteren", methods=["GET", "POST"])
@requires("edit_plan")
def score(measure_id):
    """Score one candidate measure on the 12 criteria."""
    measure = _load_measure(measure_id)
    record = prioritisation.score_for(measure)
    form = ScoreForm(obj=record)
    criteria = prioritisation.criteria(_locale())
    values = (
        {c.key: request.form.get(f"c_{c.key}", "") for c in criteria}
        if request.method == "POST"
        else dict(record.scores or {})
        if record
        else {}
    )
    error = None
    if form.validate_on_submit():
        try:
            prioritisation.save_scores(measure, current_user, values, form.note.data)
        except ServiceError as exc:
            db.session.rollback()
            error = exc
        else:
            db.session.commit()
            flash(_("De scores zijn opgeslagen."), "success")
            return redirect(url_for("plan.priorities"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "plan/score.html",
        measure=measure,
        form=form,
        criteria=criteria,
        values=values,
        scale=prioritisation.scale(_locale()),
        error=error,
    ), status


# --- hierarchy check -----------------------------------------------------------------------


@bp.get("/niveaus")
@requires("view")
def hierarchy():
    """Per risk the measures per level; flags risks without an organisation-level measure."""
    viewer = current_viewer()
    rows = [r for r in plan_service.hierarchy(g.org) if viewer.sees_risk(r.risk)]
    rows.sort(key=lambda r: (not r.flagged, r.total == 0))
    return render_template("plan/hierarchy.html", rows=rows, form=TeamBoundForm(formdata=None))


@bp.post("/risico/<int:risk_id>/teamgebonden")
@requires("edit_plan")
def team_bound(risk_id):
    """Record (or clear) why a risk is team-bound, which silences 'eerst organisatieniveau'."""
    risk = get_or_404(Risk, risk_id)
    form = TeamBoundForm()
    if form.validate_on_submit():
        if save(lambda: plan_service.set_team_bound_reason(risk, form.reason.data)):
            flash(
                _("Toelichting opgeslagen.") if risk.team_bound_reason else _("Toelichting gewist."),
                "success",
            )
    else:
        flash(_("De toelichting is te lang (maximaal 2000 tekens)."), "error")
    return redirect(url_for("plan.hierarchy", _anchor=f"risico-{risk.id}"))
