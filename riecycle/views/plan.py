"""The Plan van Aanpak: measures, their workflow, the catalogue, prioritisation and the OR review."""

import json
from datetime import date, timedelta

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from riecycle import clock
from riecycle.access import current_viewer
from riecycle.access.filters import mask_snapshot_items
from riecycle.extensions import db
from riecycle.forms.plan import (
    CatalogueEntryForm,
    CommentForm,
    DecisionForm,
    DocumentForm,
    MeasureForm,
    NoteForm,
    ParticipationForm,
    ScoreForm,
    StatusForm,
    SubmitPlanForm,
    TeamBoundForm,
)
from riecycle.inputs import arg_id, page_number
from riecycle.models import (
    CatalogueEntry,
    Employee,
    Factor,
    Measure,
    PlanParticipation,
    PlanVersion,
    Risk,
    Team,
    Theme,
)
from riecycle.pagination import page_of
from riecycle.permissions import (
    can,
    can_edit_measure,
    can_view_measure,
    managed_team_ids,
    may_see_personal,
    requires,
    title_of,
)
from riecycle.services import ServiceError, accounts, attachments, plan_lists, plan_versions, prioritisation
from riecycle.services import catalogue as catalogue_service
from riecycle.services import plan as plan_service
from riecycle.services import teams as team_service
from riecycle.services.records import soft_delete
from riecycle.tenancy import get_in_org, get_or_404, scoped
from riecycle.views.common import field_error, save
from riecycle.views.orgbp import org_blueprint

bp = org_blueprint("plan", __name__, "plan")

GROUPINGS = ("risico", "niveau", "verantwoordelijke", "status", "geen")


# --- privacy helpers: the rules are in riecycle.access -------------------------------------


def comment_visible(comment) -> bool:
    if not comment.private:
        return True
    measure = db.session.get(Measure, comment.measure_id) if comment.measure_id else None
    return measure is not None and may_see_personal(measure)


@bp.context_processor
def _helpers():
    return {
        "mtitle": title_of,
        "personal_ok": may_see_personal,
        "today": clock.today(),
        "comment_visible": comment_visible,
        "field_names": plan_service.FIELD_LABELS,
        "snapshot_fields": plan_versions.SNAPSHOT_FIELDS,
    }


def _visible(measures) -> list[Measure]:
    return [m for m in measures if can_view_measure(m)]


def _load_measure(measure_id) -> Measure:
    measure = get_or_404(Measure, measure_id)
    if not can_view_measure(measure):
        abort(404)
    return measure


def _locale() -> str:
    return str(get_locale() or "nl")


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


def _filters_from_args() -> plan_service.Filters:
    args = request.args
    return plan_service.Filters(
        status=args.get("status") or None,
        team_id=arg_id("team", source=args),
        level=args.get("niveau") or None,
        approach=args.get("aanpak") or None,
        responsible_id=arg_id("verantwoordelijke", source=args),
        risk_id=arg_id("risico", source=args),
        overdue=args.get("te_laat") == "1",
        this_month=args.get("deze_maand") == "1",
        q=(args.get("q") or "").strip()[:200] or None,
        viewer=current_viewer(),
    )


def _stats(measures):
    today = clock.today()
    return {
        "total": len(measures),
        "open": sum(1 for m in measures if m.is_open),
        "overdue": sum(1 for m in measures if m.is_overdue(today)),
        "done": sum(1 for m in measures if m.status in ("uitgevoerd", "geevalueerd")),
        "quick_wins": sum(1 for m in measures if m.quick_win and m.is_open),
    }


def _team_choices():
    return team_service.choices(g.org)


@bp.get("/")
@requires("view")
def index():
    """The plan, grouped by risk, level, status or responsible person, with filters, a page at a time."""
    filters = _filters_from_args()
    grouping = request.args.get("groep") if request.args.get("groep") in GROUPINGS else "risico"
    number = page_number()
    filtered = bool(request.args.to_dict(flat=True).keys() - {"groep", "page"})
    if grouping == "risico":
        groups, page = plan_lists.by_risk(g.org, filters, number, filtered)
    else:
        groups, page = plan_lists.flat(g.org, filters, grouping, number)
    stats = plan_lists.stats(g.org, plan_service.Filters(viewer=filters.viewer))
    shown = plan_lists.stats(g.org, filters)["total"] if filtered else stats["total"]
    return render_template(
        "plan/index.html",
        groups=groups,
        page=page,
        grouping=grouping,
        filters=filters,
        teams=_team_choices(),
        stats=stats,
        shown=shown,
        flagged=plan_service.flagged_risk_ids(g.org),
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
    totals = plan_lists.bucket_totals(g.org, filters)
    chosen = request.args.get("lijst") if request.args.get("lijst") in plan_lists.BUCKETS else None
    page = None
    if chosen:
        page = page_of(totals[chosen], plan_lists.MEASURES_PER_PAGE)
        found = plan_lists.bucket_measures(g.org, filters, [chosen], page.per_page, page.offset)
    else:
        found = plan_lists.bucket_measures(g.org, filters, plan_lists.BUCKETS, plan_lists.BUCKET_PREVIEW)
    buckets = [(key, BUCKET_TITLES[key], totals[key], found[key]) for key in found]
    return render_template(
        "plan/mine.html", buckets=buckets, stats=plan_lists.stats(g.org, filters), chosen=chosen, page=page
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
        measures = _visible(
            db.session.scalars(
                plan_service.measures_query(g.org, plan_service.Filters(team_id=chosen.id))
            ).all()
        )
    org_open = [
        m
        for m in _visible(
            db.session.scalars(
                plan_service.measures_query(g.org, plan_service.Filters(level="organisatie", status="open"))
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
    filters = _filters_from_args()
    if not request.args.get("status"):
        filters.status = "open"
    if filters.status == "alle":
        filters.status = None
    measures = _visible(db.session.scalars(plan_service.measures_query(g.org, filters)).all())
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
            if request.args.get("niveau") in ("organisatie", "team", "individu")
            else "organisatie"
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

    if "geevalueerd" not in plan_service.allowed_transitions(measure) or not can("edit_evaluatie"):
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


# --- prioritisation -----------------------------------------------------------------------


@bp.get("/prioriteren")
@requires("view")
def priorities():
    """Candidate measures ranked by their scores on the Wegwijzer's 12 criteria."""
    candidates = _visible(
        db.session.scalars(plan_service.measures_query(g.org, plan_service.Filters(status="gepland"))).all()
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


# --- catalogue --------------------------------------------------------------------------


@bp.get("/catalogus")
@requires("view")
def catalogue():
    """Standard measures to pick into the plan, filterable by level, approach, theme and factor."""
    args = request.args
    locale = _locale()
    entries = catalogue_service.entries(
        g.org,
        locale,
        level=args.get("niveau") or None,
        approach=args.get("aanpak") or None,
        theme=args.get("thema") or None,
        factor=args.get("factor") or None,
        q=(args.get("q") or "")[:200],
    )
    used = {}
    for key in db.session.scalars(
        scoped(Measure).with_only_columns(Measure.catalogue_key).where(Measure.catalogue_key.is_not(None))
    ):
        used[key] = used.get(key, 0) + 1
    risk = None
    if args.get("risico"):
        risk = get_in_org(Risk, args.get("risico"))
    themes = db.session.scalars(select(Theme).order_by(Theme.position)).all()
    factors = db.session.scalars(select(Factor).order_by(Factor.position)).all()
    return render_template(
        "plan/catalogue.html",
        entries=entries,
        used=used,
        risk=risk,
        args=args,
        locale=locale,
        themes={t.key: t.name(locale) for t in themes},
        factors={f.key: f.name(locale) for f in factors},
    )


def _catalogue_form(entry=None):
    form = CatalogueEntryForm(obj=entry)
    locale = _locale()
    form.themes.choices = [
        (t.key, t.name(locale)) for t in db.session.scalars(select(Theme).order_by(Theme.position))
    ]
    form.factors.choices = [
        (f.key, f.name(locale)) for f in db.session.scalars(select(Factor).order_by(Factor.position))
    ]
    return form


@bp.route("/catalogus/nieuw", methods=["GET", "POST"])
@requires("manage_catalogue")
def catalogue_new():
    """Add a measure of the organisation's own to the catalogue."""
    form = _catalogue_form()
    if form.validate_on_submit():
        saved = save(lambda: catalogue_service.create_entry(g.org, form.data), form)
        if saved:
            entry = saved.value
            flash(_("'%(t)s' staat nu in de catalogus.", t=entry.title), "success")
            return redirect(url_for("plan.catalogue"))
    status = 400 if request.method == "POST" else 200
    return render_template("plan/catalogue_form.html", form=form, entry=None), status


@bp.route("/catalogus/<int:entry_id>/bewerken", methods=["GET", "POST"])
@requires("manage_catalogue")
def catalogue_edit(entry_id):
    """Change one of the organisation's own catalogue entries."""
    entry = get_or_404(CatalogueEntry, entry_id)
    form = _catalogue_form(entry)
    if form.validate_on_submit():
        if save(lambda: catalogue_service.update_entry(entry, form.data), form):
            flash(_("'%(t)s' is opgeslagen.", t=entry.title), "success")
            return redirect(url_for("plan.catalogue"))
    status = 400 if request.method == "POST" else 200
    return render_template("plan/catalogue_form.html", form=form, entry=entry), status


@bp.post("/catalogus/<int:entry_id>/verwijderen")
@requires("manage_catalogue")
def catalogue_delete(entry_id):
    """Remove an own catalogue entry (measures made from it keep their content)."""
    entry = get_or_404(CatalogueEntry, entry_id)
    soft_delete(entry)
    db.session.commit()
    flash(_("'%(t)s' is uit de catalogus verwijderd.", t=entry.title), "success")
    return redirect(url_for("plan.catalogue"))


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
    flash(_("Versie %(n)s van het Plan van Aanpak is voorgelegd aan de OR/PVT.", n=version.number), "success")
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
    return render_template(
        "plan/version.html",
        version=version,
        state=state,
        comments=plan_versions.comments(version),
        comment_form=comment_form,
        decision_form=decision_form,
        approval=state.approval(version),
        documents=attachments.for_owner("plan_version", version.id),
        items=_by_level(_snapshot_items(version.snapshot)),
        snapshot_items=_snapshot_items(version.snapshot),
    )


def _by_level(items):
    from riecycle.models.measure import LEVELS

    return [(level, [i for i in items if i["level"] == level]) for level in LEVELS]


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
        if save(
            lambda: plan_versions.record_decision(
                g.org,
                version,
                current_user,
                form.decision.data,
                form.decided_on.data,
                form.remarks.data,
                form.document.data,
            )
        ):
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


def _iso(value):
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


@bp.app_template_filter("isodate")
def _isodate(value):
    """An ISO date string from a snapshot, as a date (for the |date filter)."""
    return _iso(value)
