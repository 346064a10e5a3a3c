"""Export and import: the evidence workbook, list exports, import templates and the Excel import.

A checked upload waits for confirmation as an Attachment (owner_type 'import_plan' or
'import_teams') in the database, so any app machine can show the preview and apply it: the
preview and confirm URLs carry its id, nothing is kept on local disk between requests. It is
deleted when the import is applied or cancelled, and after a day.
"""

from datetime import timedelta

from flask import abort, current_app, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from riecycle import clock
from riecycle.access import current_viewer
from riecycle.excel import evidence, importer, lists, parsed, rienl, rows, templates
from riecycle.excel.writer import XLSX_MIMETYPE
from riecycle.extensions import db
from riecycle.forms.export import ConfirmForm, EvidenceForm, ImportForm
from riecycle.models import Attachment, Team, VoorlichtingSession
from riecycle.permissions import can, current_role, requires
from riecycle.services import ServiceError, accounts, attachments, audit_log, cached
from riecycle.services import plan as plan_service
from riecycle.services import risks as risk_service
from riecycle.services.records import lock_organisation
from riecycle.tenancy import get_or_404, scoped
from riecycle.views.common import visible_measures, visible_team_ids
from riecycle.views.orgbp import org_blueprint

bp = org_blueprint("export", __name__, "export")

PENDING_TYPES = {"import_plan": "plan", "import_teams": "teams"}
PENDING_HOURS = 24


def _viewer() -> rows.Viewer:
    return current_viewer()


def _download(spooled, name: str, dated: str | None = None):
    """dated: what the file name says after the organisation (default: today's date)."""
    filename = f"{name}-{g.org.slug}-{dated or clock.today().isoformat()}.xlsx"
    return send_file(spooled, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=filename, max_age=0)


def _page(form=None, evidence_form=None, problems=None, status=200):
    return render_template(
        "export/index.html",
        form=form or ImportForm(),
        evidence_form=evidence_form or EvidenceForm(formdata=None),
        problems=problems,
        max_mb=f"{importer.max_bytes() / 1048576:g}",
        max_rows=importer.max_rows(),
        # What exists yet: an empty list says what will fill it (the "Aan de slag" counts, cached).
        facts=cached.start_checklist(g.org, current_role()).facts,
    ), status


@bp.get("/", endpoint="index")
@requires("export")
def index():
    """The Export page: the evidence workbook, list exports, templates and the import."""
    return _page()


@bp.get("/bewijsdossier")
@requires("export")
def evidence_download():
    """The evidence workbook of this organisation, optionally for a period."""
    form = EvidenceForm(request.args)
    if not form.validate():
        return _page(evidence_form=form, status=400)
    period = evidence.Period(form.van.data, form.tot.data)
    return _download(evidence.build(g.org, _viewer(), period), "bewijsdossier", period.file_part())


# --- list exports: the same filters as the list pages ------------------------------------------


@bp.get("/risicos.xlsx")
@requires("export")
def risks_list():
    """The risk register exactly as filtered on screen."""
    filters = risk_service.Filters.from_args(request.args)
    deleted = request.args.get("verwijderd") == "1" and can("edit_rie")
    stmt = risk_service.register_query(g.org, filters, visible_team_ids(), deleted=deleted)
    return _download(lists.risks(g.org, db.session.scalars(stmt), _viewer()), "risicoregister")


@bp.get("/plan.xlsx")
@requires("export")
def plan_list():
    """The Plan van Aanpak exactly as filtered on screen."""
    filters = plan_service.Filters.from_args(request.args, current_viewer())
    measures = visible_measures(db.session.scalars(plan_service.measures_query(g.org, filters)).all())
    return _download(lists.measures(g.org, measures, _viewer()), "plan-van-aanpak")


@bp.get("/voorlichting.xlsx")
@requires("export")
def sessions_list():
    """The voorlichting sessions as listed: upcoming first, then past, newest first."""
    today = clock.today()
    upcoming = db.session.scalars(
        scoped(VoorlichtingSession)
        .where(VoorlichtingSession.session_date >= today)
        .order_by(VoorlichtingSession.session_date, VoorlichtingSession.start_time)
    ).all()
    past = db.session.scalars(
        scoped(VoorlichtingSession)
        .where(VoorlichtingSession.session_date < today)
        .order_by(VoorlichtingSession.session_date.desc())
    ).all()
    return _download(lists.sessions(g.org, [*upcoming, *past], _viewer()), "voorlichting")


@bp.get("/auditlog.xlsx")
@requires("export")
def audit_list():
    """The audit log exactly as filtered on screen."""
    if not can("view_audit"):
        abort(403)
    entries = audit_log.entries_query(g.org, audit_log.Filters.from_args(request.args))
    return _download(lists.audit(g.org, entries, _viewer()), "auditlog")


# --- import -------------------------------------------------------------------------------------


@bp.get("/sjabloon/<kind>.xlsx")
@requires("import")
def template(kind):
    """An empty import template with dropdowns for themes, levels, statuses and teams."""
    if kind not in templates.KINDS:
        abort(404)
    name = "sjabloon-plan-van-aanpak" if kind == "plan" else "sjabloon-teams-en-medewerkers"
    return _download(templates.build(g.org, kind), name)


def _parse(kind: str, data: bytes, filename: str | None):
    parse = importer.parse_plan if kind == "plan" else importer.parse_teams
    return parse(g.org, data, filename)


def _checked(pending, kind: str):
    """The pending upload checked: the result of the upload's check when still valid (parsed.py)."""
    result = parsed.recall(pending, g.org.id, kind)
    if result is None:
        result = _parse(kind, pending.data, pending.filename)
        parsed.remember(pending, g.org.id, kind, result)
    return result


def _forget_stale() -> None:
    """Pending imports nobody confirmed within a day are removed."""
    limit = clock.now() - timedelta(hours=PENDING_HOURS)
    for old in db.session.scalars(
        scoped(Attachment).where(Attachment.owner_type.in_(PENDING_TYPES), Attachment.created_at < limit)
    ):
        db.session.delete(old)


@bp.post("/importeren")
@requires("import")
def upload():
    """Check an uploaded file: show every problem, or keep it and show the preview."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(form=form, status=400)
    kind = form.kind.data
    if kind == "teams" and not can("manage"):
        form.kind.errors.append(_("Alleen de beheerder kan teams en medewerkers importeren."))
        return _page(form=form, status=403)
    upload_file = form.file.data
    data = upload_file.stream.read(importer.max_bytes() + 1)
    try:
        checked = _parse(kind, data, upload_file.filename)
    except importer.ImportRefused as refused:
        db.session.rollback()
        return _page(form=form, problems=refused.problems, status=400)
    if getattr(checked, "move", None) is not None and not can("manage"):
        db.session.rollback()
        form.file.errors.append(
            _(
                "Dit bestand verhuist een organisatie met haar teams en medewerkers: dat kan alleen de beheerder."
            )
        )
        return _page(form=form, status=403)
    _forget_stale()
    name = upload_file.filename if (upload_file.filename or "").lower().endswith(".xlsx") else "import.xlsx"
    try:
        pending = attachments.store(g.org, f"import_{kind}", current_user.id, name, data, current_user)
    except ServiceError as error:
        db.session.rollback()
        return _page(form=form, problems=[importer.Problem(None, None, None, error.message)], status=400)
    db.session.commit()
    parsed.remember(pending, g.org.id, kind, checked)
    return redirect(url_for("export.preview", upload_id=pending.id))


def _pending(upload_id) -> tuple[Attachment, str]:
    """A pending import of this organisation that the member may apply."""
    pending = get_or_404(Attachment, upload_id)
    kind = PENDING_TYPES.get(pending.owner_type)
    if kind is None:
        abort(404)
    if kind == "teams" and not can("manage"):
        abort(403)
    return pending, kind


def _expired(pending) -> bool:
    return pending.created_at < clock.now() - timedelta(hours=PENDING_HOURS)


@bp.get("/importeren/<int:upload_id>")
@requires("import")
def preview(upload_id):
    """What the checked file will create; nothing is saved until the user confirms."""
    pending, kind = _pending(upload_id)
    if _expired(pending):
        flash(_("Deze import is verlopen. Upload het bestand opnieuw."), "error")
        return redirect(url_for("export.index"))
    try:
        checked = _checked(pending, kind)
    except importer.ImportRefused as refused:
        db.session.rollback()
        return _page(problems=refused.problems, status=409)
    if getattr(checked, "kind", None) == "rienl":
        return _rienl_preview(pending, checked, rienl.default_choices(g.org, checked))
    return _preview(pending, kind, checked)


def _preview(pending, kind: str, checked, chosen: dict | None = None, status: int = 200):
    return render_template(
        "export/preview.html",
        pending=pending,
        kind=kind,
        parsed=checked,
        form=ConfirmForm(),
        themes=_theme_names(),
        members=accounts.member_choices(g.org) if getattr(checked, "unknown", None) else [],
        chosen=chosen or {},
    ), status


def _mapping(checked) -> tuple[dict, bool]:
    """A moved file's persons who are no user here -> the chosen user of this organisation (the
    preview's choices, map-0, map-1, ... in the order of the names); and whether all are chosen."""
    members = {str(user_id): user_id for user_id, _name in accounts.member_choices(g.org)}
    mapping = {
        name: members.get(request.form.get(f"map-{number}", ""))
        for number, name in enumerate(sorted(getattr(checked, "unknown", None) or {}))
    }
    return mapping, all(mapping.values())


def _rienl_preview(pending, checked, choices, errors=(), problems=(), status=200):
    """A rie.nl action plan: map its sections, risks and responsible names before importing."""
    mapped = rienl.plan(g.org, checked, choices)
    return render_template(
        "export/rienl.html",
        pending=pending,
        parsed=checked,
        choices=choices,
        mapped=mapped,
        errors=errors,
        problems=problems,
        form=ConfirmForm(),
        themes=rienl.themes(),
        users=rienl.members(g.org),
        teams=db.session.scalars(scoped(Team).order_by(Team.name)).all(),
        norm=rienl.norm,
    ), status


def _theme_names() -> dict:
    from riecycle.models import Theme

    return {t.key: t.name_nl for t in db.session.scalars(select(Theme))}


@bp.post("/importeren/<int:upload_id>/bevestigen")
@requires("import")
def confirm(upload_id):
    """Create everything in one transaction, or nothing when anything fails."""
    pending, kind = _pending(upload_id)
    form = ConfirmForm()
    if not form.validate_on_submit() or _expired(pending):
        flash(_("Deze import is verlopen. Upload het bestand opnieuw."), "error")
        return redirect(url_for("export.index"))
    # A double click or two tabs: the second confirm waits here, then finds the file applied.
    lock_organisation(g.org.id)
    if db.session.scalar(select(Attachment.id).where(Attachment.id == pending.id)) is None:
        db.session.rollback()
        flash(_("Deze import is al uitgevoerd."), "info")
        return redirect(url_for("export.index"))
    try:
        checked = _checked(pending, kind)
        if getattr(checked, "kind", None) == "rienl":
            choices, errors = rienl.choices_from_form(g.org, checked, request.form)
            if errors:
                db.session.rollback()
                return _rienl_preview(pending, checked, choices, errors=errors, status=400)
            try:
                counts = rienl.apply(g.org, current_user, checked, choices)
            except importer.ImportRefused as refused:  # the mapping leaves rows unassigned: map again
                db.session.rollback()
                return _rienl_preview(pending, checked, choices, problems=refused.problems, status=409)
        elif kind == "plan":
            mapping, complete = _mapping(checked)
            if not complete:
                db.session.rollback()
                flash(
                    _("Kies voor iedere persoon die nog geen gebruiker is, wie het werk overneemt."), "error"
                )
                return _preview(pending, kind, checked, mapping, status=400)
            counts = importer.apply_plan(g.org, current_user, checked, mapping)
        else:
            counts = importer.apply_teams(g.org, checked)
    except importer.ImportRefused as refused:
        db.session.rollback()
        parsed.forget(upload_id)
        current_app.logger.info("import refused on confirm: %s", refused)
        return _page(problems=refused.problems, status=409)
    db.session.delete(pending)
    db.session.commit()
    parsed.forget(upload_id)
    if kind == "plan":
        flash(
            _(
                "Import gelukt: %(r)s risico's en %(m)s maatregelen toegevoegd.",
                r=counts["risks"],
                m=counts["measures"],
            ),
            "success",
        )
        if counts.get("teams") or counts.get("employees") or counts.get("evaluations"):
            flash(
                _(
                    "Ook aangemaakt: %(t)s teams, %(e)s medewerkers en %(v)s evaluaties.",
                    t=counts["teams"],
                    e=counts["employees"],
                    v=counts["evaluations"],
                ),
                "success",
            )
        if counts.get("skipped"):
            flash(_("%(n)s risico's uit secties buiten PSA zijn overgeslagen.", n=counts["skipped"]), "info")
        if counts.get("updated"):
            flash(_("%(u)s bestaande risico's en maatregelen bijgewerkt.", u=counts["updated"]), "success")
        return redirect(url_for("rie.risks"))
    flash(
        _(
            "Import gelukt: %(t)s teams en %(e)s medewerkers toegevoegd.",
            t=counts["teams"],
            e=counts["employees"],
        ),
        "success",
    )
    return redirect(url_for("beheer.employees_index"))


@bp.post("/importeren/<int:upload_id>/annuleren")
@requires("import")
def cancel(upload_id):
    """Drop a checked file without importing it."""
    pending, _kind = _pending(upload_id)
    db.session.delete(pending)
    db.session.commit()
    parsed.forget(upload_id)
    flash(_("De import is geannuleerd; er is niets toegevoegd."), "success")
    return redirect(url_for("export.index"))
