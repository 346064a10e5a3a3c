"""The plan lists (by risk, mine, per team, timeline) and one measure: create, show, edit,
status, notes, documents and delete."""

import json
from datetime import timedelta

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from riecycle import clock
from riecycle.access import current_viewer
from riecycle.extensions import db
from riecycle.forms.plan import (
    DocumentForm,
    MeasureForm,
    NoteForm,
    StatusForm,
)
from riecycle.inputs import arg_id, page_number
from riecycle.models import (
    Employee,
    Team,
)
from riecycle.models.measure import MeasureLevel, MeasureStatus
from riecycle.pagination import page_of
from riecycle.permissions import (
    can,
    can_edit_measure,
    managed_team_ids,
    may_see_personal,
    requires,
)
from riecycle.services import (
    ServiceError,
    accounts,
    attachments,
    cached,
    plan_lists,
    plan_versions,
    prioritisation,
)
from riecycle.services import catalogue as catalogue_service
from riecycle.services import plan as plan_service
from riecycle.services.records import soft_delete
from riecycle.tenancy import scoped
from riecycle.views.common import field_error, save, visible_measures
from riecycle.views.plan import GROUPINGS, _load_measure, _locale, bp

# --- choices -------------------------------------------------------------------------


def _teams():
    return db.session.scalars(scoped(Team).order_by(Team.name)).all()


def _fill_choices(form) -> None:
    form.risk_ids.choices = [(r.id, r.title) for r in plan_service.org_risks(g.org)]
    form.team_ids.choices = [(t.id, t.name) for t in _teams()]
    employees = db.session.scalars(scoped(Employee).order_by(Employee.name)).all()
    form.employee_id.choices = [(None, _("— kies een medewerker —"))] + [
        (e.id, f"{e.name} ({e.team.name})" if e.team else e.name) for e in employees
    ]
    form.responsible_id.choices = [(None, _("— kies —"))] + accounts.member_choices(g.org)


def _form_values(form) -> dict:
    return {
        "title": form.title.data,
        "description": form.description.data,
        "risk_ids": form.risk_ids.data or [],
        "level": form.level.data,
        "team_ids": form.team_ids.data or [],
        "employee_id": form.employee_id.data,
        "approach": form.approach.data,
        "responsible_id": form.responsible_id.data,
        "termijn": form.termijn.data,
        "start_date": form.start_date.data,
        "budget_eur": form.budget_eur.data,
        "effort": form.effort.data,
        "quick_win": form.quick_win.data,
        "change_type": form.change_type.data,
        "pilot": form.pilot.data,
        "catalogue_key": form.catalogue_key.data,
    }


# --- the plan -------------------------------------------------------------------------


def _stats(measures):
    today = clock.today()
    return {
        "total": len(measures),
        "open": sum(1 for m in measures if m.is_open),
        "overdue": sum(1 for m in measures if m.is_overdue(today)),
        "done": sum(1 for m in measures if m.status in (MeasureStatus.UITGEVOERD, MeasureStatus.GEEVALUEERD)),
        "quick_wins": sum(1 for m in measures if m.quick_win and m.is_open),
    }


# Up to this many teams the filter lists them all; above it, the picker asks teams_json.
TEAMS_INLINE = 50
TEAMS_PER_ANSWER = 50


def _team_choices(selected=None) -> tuple[list, bool]:
    """The team filter's options, and whether the rest load on demand (only the chosen team then)."""
    teams = cached.team_choices(g.org, current_viewer())
    if len(teams) <= TEAMS_INLINE:
        return teams, False
    return [(i, name) for i, name in teams if i == selected], True


@bp.get("/teams.json")
@requires("view")
def teams_json():
    """The teams whose name contains ?q= (at most 50), for the plan's team filter (JSON)."""
    query = (request.args.get("q") or "").strip().casefold()[:200]
    teams = cached.team_choices(g.org, current_viewer())
    found = [(i, name) for i, name in teams if query in name.casefold()]
    return jsonify(
        results=[{"value": str(i), "text": name} for i, name in found[:TEAMS_PER_ANSWER]],
        more=len(found) > TEAMS_PER_ANSWER,
    )


@bp.get("/")
@requires("view")
def index():
    """The plan, grouped by risk, level, status or responsible person, with filters, a page at a time."""
    filters = plan_service.Filters.from_args(request.args, current_viewer())
    teams, on_demand = _team_choices(filters.team_id)
    grouping = request.args.get("groep") if request.args.get("groep") in GROUPINGS else "risico"
    number = page_number()
    filtered = bool(request.args.to_dict(flat=True).keys() - {"groep", "page"})
    if grouping == "risico":
        groups, page = plan_lists.by_risk(g.org, filters, number, filtered)
    else:
        groups, page = plan_lists.flat(g.org, filters, grouping, number)
    stats = cached.plan_stats(g.org, plan_service.Filters(viewer=filters.viewer))
    shown = cached.plan_stats(g.org, filters)["total"] if filtered else stats["total"]
    return render_template(
        "plan/index.html",
        groups=groups,
        page=page,
        grouping=grouping,
        filters=filters,
        teams=teams,
        teams_on_demand=on_demand,
        stats=stats,
        shown=shown,
        flagged=cached.flagged_risk_ids(g.org, filters.viewer),
        state=plan_versions.plan_state(g.org),
        filtered=filtered,
    )


BUCKET_TITLES = {
    "overdue": _l("Over de termijn"),
    "soon": _l("Deze maand of eerder klaar"),
    "later": _l("Later"),
    "done": _l("Afgerond of vervallen"),
}


@bp.get("/mijn")
@requires("view")
def mine():
    """Mijn maatregelen: what the logged-in person is responsible for, most urgent first.

    Every bucket shows its first measures; ?lijst=<bucket> shows one bucket whole, a page at a time.
    """
    filters = plan_service.Filters(responsible_id=current_user.id, viewer=current_viewer())
    totals = cached.bucket_totals(g.org, filters, current_user.id)
    chosen = request.args.get("lijst") if request.args.get("lijst") in plan_lists.BUCKETS else None
    page = None
    if chosen:
        page = page_of(totals[chosen], plan_lists.MEASURES_PER_PAGE)
        found = plan_lists.bucket_measures(g.org, filters, [chosen], page.per_page, page.offset)
    else:
        found = plan_lists.bucket_measures(g.org, filters, plan_lists.BUCKETS, plan_lists.BUCKET_PREVIEW)
    buckets = [(key, BUCKET_TITLES[key], totals[key], found[key]) for key in found]
    return render_template(
        "plan/mine.html", buckets=buckets, stats=cached.plan_stats(g.org, filters), chosen=chosen, page=page
    )


@bp.get("/team")
@requires("view")
def team():
    """Team view: a team's own measures and the individual measures of its staff."""
    teams = _teams()
    if can("edit_plan") or not managed_team_ids():
        choosable = teams
    else:
        choosable = [t for t in teams if t.id in managed_team_ids()]
    team_id = arg_id("team")
    chosen = next((t for t in choosable if t.id == team_id), choosable[0] if choosable else None)
    measures = []
    if chosen is not None:
        measures = visible_measures(
            db.session.scalars(
                plan_service.measures_query(g.org, plan_service.Filters(team_id=chosen.id))
            ).all()
        )
    org_open = [
        m
        for m in visible_measures(
            db.session.scalars(
                plan_service.measures_query(
                    g.org, plan_service.Filters(level=MeasureLevel.ORGANISATIE, status="open")
                )
            ).all()
        )
    ]
    return render_template(
        "plan/team.html",
        teams=choosable,
        chosen=chosen,
        measures=measures,
        org_open=org_open,
        stats=_stats(measures),
    )


@bp.get("/tijdlijn")
@requires("view")
def timeline():
    """A timeline of the termijnen: every measure as a bar from start to termijn."""
    filters = plan_service.Filters.from_args(request.args, current_viewer())
    if not request.args.get("status"):
        filters.status = "open"
    if filters.status == "alle":
        filters.status = None
    measures = visible_measures(db.session.scalars(plan_service.measures_query(g.org, filters)).all())
    today = clock.today()
    start = (today.replace(day=1) - timedelta(days=62)).replace(day=1)
    end_candidates = [m.termijn for m in measures if m.termijn] + [today + timedelta(days=300)]
    end = (max(end_candidates) + timedelta(days=32)).replace(day=1)
    end = min(end, (start + timedelta(days=3 * 366)).replace(day=1))
    span = (end - start).days or 1
    months = []
    cursor = start
    while cursor < end:
        nxt = (cursor + timedelta(days=32)).replace(day=1)
        months.append(
            {
                "date": cursor,
                "left": (cursor - start).days / span * 100,
                "width": (min(nxt, end) - cursor).days / span * 100,
            }
        )
        cursor = nxt

    def pos(day):
        return max(0.0, min(100.0, (day - start).days / span * 100))

    rows = []
    for m in measures:
        begin = m.start_date or m.termijn
        left = pos(min(begin, m.termijn))
        rows.append(
            {
                "m": m,
                "left": left,
                "width": max(pos(m.termijn) - left, 0.8),
                "before": m.termijn < start,
                "after": m.termijn >= end,
            }
        )
    return render_template(
        "plan/timeline.html", rows=rows, months=months, today_left=pos(today), filters=filters, teams=_teams()
    )


# --- one measure -------------------------------------------------------------------------


@bp.route("/nieuw", methods=["GET", "POST"])
@requires("edit_plan")
def new():
    """Add a measure, optionally prefilled from a catalogue entry or for a risk."""
    form = MeasureForm()
    _fill_choices(form)
    entry = catalogue_service.get_entry(g.org, request.args.get("catalogus"), _locale())
    if request.method == "GET":
        form.approach.data = form.approach.data or "bronaanpak"
        form.level.data = (
            request.args.get("niveau")
            if request.args.get("niveau")
            in (MeasureLevel.ORGANISATIE, MeasureLevel.TEAM, MeasureLevel.INDIVIDU)
            else MeasureLevel.ORGANISATIE
        )
        if entry is not None:
            for key, value in entry.prefill().items():
                getattr(form, key).data = value
        risk_id = arg_id("risico")
        if risk_id and any(r[0] == risk_id for r in form.risk_ids.choices):
            form.risk_ids.data = [risk_id]
        form.responsible_id.data = current_user.id
    if form.validate_on_submit():
        saved = save(lambda: plan_service.create_measure(g.org, current_user, _form_values(form)), form)
        if saved:
            measure = saved.value
            flash(_("Maatregel '%(t)s' is aan het plan toegevoegd.", t=measure.title), "success")
            return redirect(url_for("plan.detail", measure_id=measure.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "plan/form.html", form=form, measure=None, entry=entry, conflict=None, full=True
    ), status


@bp.get("/<int:measure_id>")
@requires("view")
def detail(measure_id):
    """One measure: its fields, status history, progress notes, evidence and OR remarks."""
    measure = _load_measure(measure_id)
    personal = may_see_personal(measure)
    status_form = StatusForm()
    status_form.on.data = clock.today()
    comments = [c for c in plan_versions.comments(measure_id=measure.id)]
    versions = {v.id: v for v in plan_versions.versions(g.org)}
    return render_template(
        "plan/detail.html",
        measure=measure,
        personal=personal,
        history=plan_service.status_history(measure),
        notes=plan_service.notes(measure) if personal else [],
        documents=attachments.for_owner("measure", measure.id) if personal else [],
        status_form=status_form,
        note_form=NoteForm(formdata=None, noted_on=clock.today()),
        document_form=DocumentForm(formdata=None),
        comments=comments,
        versions=versions,
        transitions=plan_service.allowed_transitions(measure),
        needs_reason=plan_service.NEEDS_REASON,
        evaluate_url=_evaluate_url(measure),
        score=prioritisation.score_for(measure),
        editable=can_edit_measure(measure),
        catalogue_entry=catalogue_service.get_entry(g.org, measure.catalogue_key, _locale()),
    )


def _evaluate_url(measure) -> str | None:
    """Geëvalueerd is reached by recording an evaluation: its open one, or a new one for this measure."""
    from riecycle.permissions import can
    from riecycle.services import evaluations as evaluation_service

    if MeasureStatus.GEEVALUEERD not in plan_service.allowed_transitions(measure) or not can(
        "edit_evaluatie"
    ):
        return None
    planned = evaluation_service.open_evaluation_of(measure)
    if planned is not None:
        return url_for("evaluatie.record", evaluation_id=planned.id)
    return url_for("evaluatie.new", measure_id=measure.id, vastleggen=1)


def _original(form) -> dict | None:
    """The hidden original state; a malformed one is a 400 (BadInput)."""
    return plan_service.parse_original(form.original.data)


def _submitted_state(form, measure) -> dict:
    try:
        values = plan_service.clean(
            g.org, {**plan_service._as_input(measure), **_allowed_values(form, measure)}
        )
    except ServiceError:
        return {}
    return plan_service.values_state(values, measure.status)


def _allowed_fields(measure):
    """Leidinggevenden may update their team's measures, but not move them to another level or team."""
    if can("edit_plan"):
        return plan_service.EDIT_FIELDS
    return tuple(f for f in plan_service.EDIT_FIELDS if f not in ("level", "team_ids", "employee_id"))


def _allowed_values(form, measure) -> dict:
    allowed = _allowed_fields(measure)
    return {k: v for k, v in _form_values(form).items() if k in allowed}


@bp.route("/<int:measure_id>/bewerken", methods=["GET", "POST"])
@requires("update_team_measures")
def edit(measure_id):
    """Change a measure; a save on a stale version shows what a colleague changed and saves nothing."""
    measure = _load_measure(measure_id)
    if not can_edit_measure(measure):
        abort(403)
    form = MeasureForm(obj=measure if request.method == "GET" else None)
    _fill_choices(form)
    conflict = None
    if request.method == "GET":
        form.risk_ids.data = [r.id for r in measure.risks]
        form.team_ids.data = [t.id for t in measure.teams]
        form.budget_eur.data = (
            str(measure.budget_eur).replace(".", ",") if measure.budget_eur is not None else ""
        )
        form.version_id.data = measure.version_id
        form.original.data = json.dumps(plan_service.state(measure))
    elif not can("edit_plan"):
        form.level.data = form.level.data or measure.level
    if request.method == "POST":
        _original(form)  # a malformed hidden original is refused (400) before anything else
    if form.validate_on_submit():
        try:
            expected = int(form.version_id.data)
        except (TypeError, ValueError):
            expected = None
        try:
            changed = plan_service.update_measure(
                measure, _allowed_values(form, measure), expected, allowed=_allowed_fields(measure)
            )
            db.session.commit()
        except plan_service.EditConflict as error:
            conflict = _conflict(form, measure, error.message)
        except StaleDataError:
            db.session.rollback()
            measure = _load_measure(measure_id)
            conflict = _conflict(
                form,
                measure,
                _(
                    "Een collega sloeg deze maatregel op hetzelfde moment op. "
                    "Uw wijzigingen zijn niet opgeslagen."
                ),
            )
        except ServiceError as error:
            db.session.rollback()
            field_error(form, error)
        else:
            flash(_("De maatregel is opgeslagen.") if changed else _("Er was niets gewijzigd."), "success")
            return redirect(url_for("plan.detail", measure_id=measure.id))
    status = 200 if request.method == "GET" else (409 if conflict else 400)
    return render_template(
        "plan/form.html", form=form, measure=measure, entry=None, conflict=conflict, full=can("edit_plan")
    ), status


def _conflict(form, measure, message) -> dict:
    """The conflict shown above the form; the form now carries the colleague's version."""
    rows = plan_service.conflict_rows(measure, _original(form), _submitted_state(form, measure))
    form.version_id.data = measure.version_id
    form.original.data = json.dumps(plan_service.state(measure))
    return {"message": message, "rows": rows}


@bp.post("/<int:measure_id>/status")
@requires("update_team_measures")
def change_status(measure_id):
    """Move a measure along gepland → in uitvoering → uitgevoerd → geëvalueerd (or vervallen)."""
    measure = _load_measure(measure_id)
    if not can_edit_measure(measure):
        abort(403)
    form = StatusForm()
    if not form.validate_on_submit():
        flash(_("Vul een geldige datum in."), "error")
        return redirect(url_for("plan.detail", measure_id=measure.id))
    try:
        plan_service.change_status(
            measure, current_user, form.to_status.data, form.reason.data, on=form.on.data
        )
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
    except StaleDataError:
        db.session.rollback()
        flash(
            _(
                "Een collega wijzigde deze maatregel tegelijk met u. Bekijk de actuele status en probeer het opnieuw."
            ),
            "error",
        )
    else:
        flash(_("Status gewijzigd naar '%(s)s'.", s=_status_label(form.to_status.data)), "success")
    return redirect(url_for("plan.detail", measure_id=measure_id))


def _status_label(value):
    from riecycle.labels import label

    return label(value, "measure_status")


@bp.post("/<int:measure_id>/notities")
@requires("update_team_measures")
def add_note(measure_id):
    """Add a dated progress note."""
    measure = _load_measure(measure_id)
    if not can_edit_measure(measure) or not may_see_personal(measure):
        abort(403)
    form = NoteForm()
    if form.validate_on_submit():
        if save(
            lambda: plan_service.add_note(measure, current_user, form.text.data, form.noted_on.data),
            form,
            errors="flash",
        ):
            flash(_("Voortgangsnotitie toegevoegd."), "success")
    else:
        flash(_("Schrijf wat er gebeurd is en kies een geldige datum."), "error")
    return redirect(url_for("plan.detail", measure_id=measure.id, _anchor="voortgang"))


@bp.post("/<int:measure_id>/documenten")
@requires("update_team_measures")
def upload(measure_id):
    """Attach evidence (a report, attendance list, photo) to a measure."""
    measure = _load_measure(measure_id)
    if not can_edit_measure(measure) or not may_see_personal(measure):
        abort(403)
    form = DocumentForm()
    if form.validate_on_submit():
        saved = save(
            lambda: attachments.store_upload(g.org, "measure", measure.id, form.file.data, current_user),
            form,
            errors="flash",
        )
        if saved:
            doc = saved.value
            flash(_("Bewijsstuk '%(n)s' toegevoegd.", n=doc.filename), "success")
    else:
        flash(_("Kies een bestand."), "error")
    return redirect(url_for("plan.detail", measure_id=measure.id, _anchor="bewijs"))


@bp.post("/<int:measure_id>/verwijderen")
@requires("edit_plan")
def delete(measure_id):
    """Soft-delete a measure (restorable from the prullenbak)."""
    measure = _load_measure(measure_id)
    soft_delete(measure)
    db.session.commit()
    flash(
        _("Maatregel '%(t)s' is verwijderd. U kunt hem terugzetten via de prullenbak.", t=measure.title),
        "success",
    )
    return redirect(url_for("plan.index"))
