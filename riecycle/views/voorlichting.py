"""Voorlichting en onderricht: sessions, materials, the attendance register and coverage."""

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from riecycle import clock
from riecycle.extensions import db
from riecycle.forms.voorlichting import MaterialForm, SessionForm
from riecycle.inputs import arg_id
from riecycle.models import Employee, Measure, Membership, Risk, VoorlichtingSession
from riecycle.models.measure import MeasureLevel
from riecycle.models.voorlichting import ATTENDANCE_STATUSES
from riecycle.pagination import paginate
from riecycle.permissions import requires
from riecycle.services import attachments
from riecycle.services import calendar as calendar_service
from riecycle.services import teams as team_service
from riecycle.services import voorlichting as service
from riecycle.services.records import soft_delete
from riecycle.tenancy import get_in_org, get_or_404, scoped
from riecycle.views.common import form_data, save
from riecycle.views.orgbp import org_blueprint

bp = org_blueprint("voorlichting", __name__, "voorlichting")

OWNER_TYPE = "voorlichting"


def _status(form) -> int:
    """400 when a submitted form is re-shown with errors."""
    return 400 if request.method == "POST" and form.errors else 200


def _fill_choices(form: SessionForm) -> None:
    form.team_ids.choices = team_service.choices(g.org)
    form.risk_ids.choices = [(r.id, r.title) for r in db.session.scalars(scoped(Risk).order_by(Risk.title))]
    form.measure_ids.choices = [
        (m.id, m.title)
        for m in db.session.scalars(
            scoped(Measure).where(Measure.level != MeasureLevel.INDIVIDU).order_by(Measure.title)
        )
    ]
    members = db.session.scalars(select(Membership).where(Membership.organisation_id == g.org.id)).all()
    users = sorted((m.user for m in members), key=lambda u: u.name.lower())
    form.organiser_id.choices = [(None, _("— geen —"))] + [(u.id, u.name) for u in users]


def _coverage_rows():
    return [
        (team, informed, total, service.pct(informed, total))
        for team, informed, total in service.team_coverage(g.org)
        if total
    ]


@bp.get("/", endpoint="index")
@requires("view")
def index():
    """Upcoming and past sessions, coverage per organisation and team, newcomers to inform."""
    today = clock.today()
    upcoming = db.session.scalars(
        scoped(VoorlichtingSession)
        .where(VoorlichtingSession.session_date >= today)
        .order_by(VoorlichtingSession.session_date, VoorlichtingSession.start_time)
    ).all()
    past = paginate(
        scoped(VoorlichtingSession)
        .where(VoorlichtingSession.session_date < today)
        .order_by(VoorlichtingSession.session_date.desc()),
        per_page=20,
    )
    informed, total = service.coverage(g.org)
    lg_instructed, lg_total = service.leidinggevenden_instructed(g.org)
    return render_template(
        "voorlichting/index.html",
        upcoming=upcoming,
        past=past,
        informed=informed,
        total=total,
        org_pct=service.pct(informed, total),
        team_rows=_coverage_rows(),
        lg_instructed=lg_instructed,
        lg_total=lg_total,
        newcomers=service.newcomers_without_voorlichting(g.org),
        newcomer_weeks=service.newcomer_weeks(g.org),
        counts={s.id: service.attendance_counts(s) for s in past.items},
    )


@bp.route("/nieuw", methods=["GET", "POST"])
@requires("edit_voorlichting")
def session_new():
    """Plan a session."""
    form = SessionForm()
    _fill_choices(form)
    if request.method == "GET":
        form.organiser_id.data = current_user.id
    if form.validate_on_submit():
        saved = save(lambda: service.create_session(g.org, form_data(form), current_user), form)
        if saved:
            flash(_("De bijeenkomst '%(t)s' is gepland.", t=saved.value.topic), "success")
            return redirect(url_for("voorlichting.session_detail", session_id=saved.value.id))
    return render_template("voorlichting/session_form.html", form=form, session=None), _status(form)


@bp.get("/<int:session_id>")
@requires("view")
def session_detail(session_id):
    """A session with its audience, materials and attendance counts."""
    session = get_or_404(VoorlichtingSession, session_id)
    return render_template(
        "voorlichting/session_detail.html",
        session=session,
        counts=service.attendance_counts(session),
        audience_size=len(service.audience_employees(session)),
        materials=attachments.for_owner(OWNER_TYPE, session.id),
        material_form=MaterialForm(),
        today=clock.today(),
    )


@bp.route("/<int:session_id>/bewerken", methods=["GET", "POST"])
@requires("edit_voorlichting")
def session_edit(session_id):
    """Change a session."""
    session = get_or_404(VoorlichtingSession, session_id)
    form = SessionForm(obj=session)
    _fill_choices(form)
    if request.method == "GET":
        form.team_ids.data = [t.id for t in session.teams]
        form.risk_ids.data = [r.id for r in session.risks]
        form.measure_ids.data = [m.id for m in session.measures]
    if form.validate_on_submit():
        if save(lambda: service.update_session(g.org, session, form_data(form)), form, record=session):
            flash(_("De bijeenkomst is opgeslagen."), "success")
            return redirect(url_for("voorlichting.session_detail", session_id=session.id))
    return render_template("voorlichting/session_form.html", form=form, session=session), _status(form)


@bp.post("/<int:session_id>/verwijderen")
@requires("edit_voorlichting")
def session_delete(session_id):
    """Soft-delete a session (restorable from the prullenbak)."""
    session = get_or_404(VoorlichtingSession, session_id)
    soft_delete(session)
    db.session.commit()
    flash(
        _(
            "De bijeenkomst '%(t)s' is verwijderd. U kunt haar terugzetten via de prullenbak.",
            t=session.topic,
        ),
        "success",
    )
    return redirect(url_for("voorlichting.index"))


@bp.post("/<int:session_id>/volgend-jaar")
@requires("edit_voorlichting")
def session_repeat(session_id):
    """Plan next year's edition of a yearly session."""
    session = get_or_404(VoorlichtingSession, session_id)
    saved = save(lambda: service.schedule_next(g.org, session, current_user))
    if not saved:
        return redirect(url_for("voorlichting.session_detail", session_id=session.id))
    flash(_("De bijeenkomst van volgend jaar is gepland."), "success")
    return redirect(url_for("voorlichting.session_detail", session_id=saved.value.id))


@bp.post("/<int:session_id>/materiaal")
@requires("edit_voorlichting")
def material_upload(session_id):
    """Upload a presentation or handout for a session."""
    session = get_or_404(VoorlichtingSession, session_id)
    form = MaterialForm()
    if form.validate_on_submit():
        if save(
            lambda: attachments.store_upload(g.org, OWNER_TYPE, session.id, form.file.data, current_user),
            form,
            errors="flash",
        ):
            flash(_("Het materiaal is toegevoegd."), "success")
    else:
        flash(_("Kies een bestand."), "error")
    return redirect(url_for("voorlichting.session_detail", session_id=session.id))


@bp.get("/<int:session_id>/agenda.ics")
@requires("view")
def session_ics(session_id):
    """The session as an iCalendar file."""
    session = get_or_404(VoorlichtingSession, session_id)
    return Response(
        calendar_service.session_ics(session),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="voorlichting-{session.id}.ics"'},
    )


@bp.get("/<int:session_id>/presentielijst")
@requires("view_attendance")
def register(session_id):
    """The attendance register: the audience with their status, for quick marking."""
    session = get_or_404(VoorlichtingSession, session_id)
    rows = service.register_rows(session)
    others, more, search = _others(session, {e.id for e, _a in rows})
    return render_template(
        "voorlichting/register.html",
        session=session,
        rows=rows,
        others=others,
        more_others=more,
        search=search,
        form=FlaskForm(),
        counts=service.attendance_counts(session),
        statuses=ATTENDANCE_STATUSES,
        is_future=session.session_date > clock.today(),
    )


OTHERS_LIMIT = 200


def _others(session, listed: set[int]):
    """Staff outside the register to add; in a large organisation only the first matches of ?zoek=."""
    search = (request.args.get("zoek") or "").strip()[:100]
    stmt = select(Employee).where(
        Employee.organisation_id == g.org.id, service.current_staff_filter(session.session_date)
    )
    if listed:
        stmt = stmt.where(Employee.id.not_in(listed))
    if search:
        stmt = stmt.where(Employee.name.ilike(f"%{search}%"))
    found = list(db.session.scalars(stmt.order_by(Employee.name).limit(OTHERS_LIMIT + 1)))
    return found[:OTHERS_LIMIT], len(found) > OTHERS_LIMIT, search


def _marks_from_form(rows) -> dict[int, str | None]:
    listed = {e.id for e, _a in rows}
    fill = request.form.get("fill")
    marks = {}
    for employee_id in listed:
        value = request.form.get(f"status-{employee_id}") or None
        if value is None and fill in ATTENDANCE_STATUSES:
            value = fill
        marks[employee_id] = value if value in ATTENDANCE_STATUSES else None
    extra = arg_id("extra_employee_id", source=request.form)
    extra_status = request.form.get("extra_status")
    if extra and extra not in listed and extra_status in ATTENDANCE_STATUSES:
        if get_in_org(Employee, extra) is None:
            abort(404)
        marks[extra] = extra_status
    return marks


@bp.post("/<int:session_id>/presentielijst")
@requires("edit_voorlichting")
def register_save(session_id):
    """Save the attendance register."""
    session = get_or_404(VoorlichtingSession, session_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    saved = save(
        lambda: service.record_attendance(g.org, session, _marks_from_form(service.register_rows(session)))
    )
    if not saved:
        return redirect(url_for("voorlichting.register", session_id=session.id))
    changes = saved.value
    informed, total = service.coverage(g.org)
    flash(
        ngettext(
            "Presentielijst opgeslagen (%(num)s wijziging). Dekking organisatie: %(p)s.",
            "Presentielijst opgeslagen (%(num)s wijzigingen). Dekking organisatie: %(p)s.",
            changes,
            p=f"{round(100 * informed / total)}%" if total else "—",
        ),
        "success",
    )
    return redirect(url_for("voorlichting.register", session_id=session.id))
