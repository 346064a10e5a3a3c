"""Plan versions and the OR/PVT review: submit a version, comments, the instemming decision,
and comparing versions."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from riecycle import clock
from riecycle.access import current_viewer
from riecycle.access.filters import mask_snapshot_items
from riecycle.extensions import db
from riecycle.forms.plan import (
    CommentForm,
    DecisionForm,
    ParticipationForm,
    SubmitPlanForm,
)
from riecycle.inputs import arg_id
from riecycle.jobs.reminders import notify_approval
from riecycle.models import (
    Measure,
    PlanParticipation,
    PlanVersion,
)
from riecycle.permissions import (
    can,
    may_see_personal,
    requires,
)
from riecycle.services import approvals, attachments, plan_versions
from riecycle.tenancy import get_in_org, get_or_404
from riecycle.views.common import save
from riecycle.views.plan import bp

# --- versions and the OR review ------------------------------------------------------------


@bp.get("/versies")
@requires("view")
def versions():
    """Every version put before the OR/PVT, their decisions, and submitting a new one."""
    state = plan_versions.plan_state(g.org)
    counts = {}
    for comment in plan_versions.comments(org=g.org):
        counts[comment.plan_version_id] = counts.get(comment.plan_version_id, 0) + 1
    participations: dict = {}
    for row in plan_versions.participations(g.org):
        participations.setdefault(row.plan_version_id, []).append(row)
    return render_template(
        "plan/versions.html",
        state=state,
        form=SubmitPlanForm(formdata=None),
        counts=counts,
        participations=participations,
        participation_form=_participation_form(state, formdata=None, held_on=clock.today()),
    )


def _participation_form(state, **kwargs) -> ParticipationForm:
    form = ParticipationForm(**kwargs)
    form.plan_version_id.choices = [(v.id, _("Versie %(n)s", n=v.number)) for v in state.versions]
    return form


@bp.post("/versies/inspraak")
@requires("edit_plan")
def participation_add():
    """Record how employees took part in choosing a version's measures (B11)."""
    form = _participation_form(plan_versions.plan_state(g.org))
    version = get_in_org(PlanVersion, form.plan_version_id.data)
    if version is None:
        flash(_("Kies een versie van het Plan van Aanpak."), "error")
    elif form.validate_on_submit():
        data = {k: getattr(form, k).data for k in ("method", "held_on", "participants", "notes")}
        if save(lambda: plan_versions.add_participation(g.org, version, data), form, errors="flash"):
            flash(_("De inspraak van medewerkers is vastgelegd."), "success")
    else:
        flash(_("Kies hoe medewerkers meedachten en vul een geldige datum en een aantal in."), "error")
    return redirect(url_for("plan.versions", _anchor="inspraak"))


@bp.post("/versies/inspraak/<int:participation_id>/verwijderen")
@requires("edit_plan")
def participation_delete(participation_id):
    """Remove a participation record entered by mistake."""
    participation = get_or_404(PlanParticipation, participation_id)
    plan_versions.delete_participation(participation)
    db.session.commit()
    flash(_("De inspraak is verwijderd."), "success")
    return redirect(url_for("plan.versions", _anchor="inspraak"))


@bp.post("/versies/voorleggen")
@requires("submit_to_or")
def submit():
    """Freeze the current plan as a version and put it before the OR/PVT."""
    form = SubmitPlanForm()
    if not form.validate_on_submit():
        flash(_("De toelichting is te lang."), "error")
        return redirect(url_for("plan.versions"))
    saved = save(lambda: plan_versions.submit_plan(g.org, current_user, form.note.data), form, errors="flash")
    if not saved:
        return redirect(url_for("plan.versions"))
    version = saved.value
    notify_approval(approvals.pending_for(plan_versions.SUBJECT, version.id))
    flash(
        _(
            "Versie %(n)s van het Plan van Aanpak is voorgelegd aan de OR/PVT. De leden van de OR/PVT "
            "krijgen een melding.",
            n=version.number,
        ),
        "success",
    )
    return redirect(url_for("plan.version", version_id=version.id))


def _snapshot_items(snapshot: dict) -> list[dict]:
    """A frozen plan's measures as the current member may read them now (riecycle.access)."""
    return mask_snapshot_items(
        current_viewer(), g.org.id, snapshot.get("measures", []), plan_versions.PERSONAL_FIELDS
    )


def _comment_choices(version):
    items = sorted(_snapshot_items(version.snapshot), key=lambda i: i["label"].lower())
    return [(None, _("Het hele plan"))] + [(i["id"], i["label"]) for i in items]


@bp.get("/versies/<int:version_id>")
@requires("view")
def version(version_id):
    """A frozen version as the OR/PVT sees it, with remarks and the decision."""
    version = get_or_404(PlanVersion, version_id)
    state = plan_versions.plan_state(g.org)
    comment_form = CommentForm(formdata=None)
    comment_form.measure_id.choices = _comment_choices(version)
    comment_form.measure_id.data = arg_id("maatregel")
    decision_form = DecisionForm(formdata=None, decided_on=clock.today())
    snapshot_items = _snapshot_items(version.snapshot)
    return render_template(
        "plan/version.html",
        version=version,
        state=state,
        comments=plan_versions.comments(version),
        comment_form=comment_form,
        decision_form=decision_form,
        approval=state.approval(version),
        documents=attachments.for_owner("plan_version", version.id),
        groups=plan_versions.group_snapshot(g.org, snapshot_items),
        snapshot_items=snapshot_items,
    )


@bp.post("/versies/<int:version_id>/opmerkingen")
@requires("comment")
def comment(version_id):
    """Comment on the whole plan or on one measure of a version."""
    version = get_or_404(PlanVersion, version_id)
    form = CommentForm()
    form.measure_id.choices = _comment_choices(version)
    if form.validate_on_submit():
        measure = get_in_org(Measure, form.measure_id.data)
        personal_ok = measure is not None and may_see_personal(measure)
        if save(
            lambda: plan_versions.add_comment(
                version, current_user, form.text.data, form.measure_id.data, may_see_personal=personal_ok
            ),
            form,
            errors="flash",
        ):
            flash(_("Uw opmerking is geplaatst."), "success")
    else:
        flash(_("Schrijf uw opmerking."), "error")
    return redirect(url_for("plan.version", version_id=version.id, _anchor="opmerkingen"))


@bp.post("/versies/<int:version_id>/besluit")
@requires("view")
def decide(version_id):
    """Record the OR/PVT decision: instemming verleend, geweigerd or aangehouden."""
    version = get_or_404(PlanVersion, version_id)
    if not can("or_decide"):
        abort(403)
    form = DecisionForm()
    if form.validate_on_submit():
        saved = save(
            lambda: plan_versions.record_decision(
                g.org,
                version,
                current_user,
                form.decision.data,
                form.decided_on.data,
                form.remarks.data,
                form.document.data,
            )
        )
        if saved:
            notify_approval(saved.value)
            flash(_("Het besluit van de OR/PVT is vastgelegd."), "success")
    else:
        flash(_("Kies het besluit en vul een geldige datum in."), "error")
    return redirect(url_for("plan.version", version_id=version.id))


@bp.get("/versies/vergelijk")
@requires("view")
def compare():
    """The difference between two versions, or between a version and the current plan."""
    state = plan_versions.plan_state(g.org)
    by_id = {str(v.id): v for v in state.versions}
    default_old = state.approved or state.latest
    old = by_id.get(request.args.get("van") or "") or default_old
    new_key = request.args.get("naar") or "huidig"
    new = by_id.get(new_key)
    if old is None:
        return render_template(
            "plan/compare.html", state=state, old=None, new=None, changes=[], new_key="huidig"
        )
    new_snapshot = new.snapshot if new is not None else plan_versions.build_snapshot(g.org)
    changes = plan_versions.diff(
        {"measures": _snapshot_items(old.snapshot)}, {"measures": _snapshot_items(new_snapshot)}
    )
    return render_template(
        "plan/compare.html",
        state=state,
        old=old,
        new=new,
        new_key=str(new.id) if new else "huidig",
        changes=changes,
    )
