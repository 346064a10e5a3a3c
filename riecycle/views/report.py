"""The report "RI&E en Plan van Aanpak PSA": make it (PDF or Word) and the handed-over copies.

A small organisation's report is made in the request and stored as a copy; a large one
(REPORT_JOB_MIN_MEASURES) is queued for the scheduler process, which notifies the maker: a web
worker never waits for it.
"""

from io import BytesIO

from flask import abort, flash, g, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from riecycle import reports
from riecycle.extensions import db
from riecycle.forms.report import ReportForm
from riecycle.models import ReportCopy
from riecycle.models.report import ReportState
from riecycle.permissions import requires
from riecycle.reports import MIMETYPES
from riecycle.services import ServiceError
from riecycle.services.report import copies
from riecycle.tenancy import get_or_404
from riecycle.views.orgbp import org_blueprint

bp = org_blueprint("rapport", __name__, "rapport")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(form=None, status=200):
    return render_template(
        "rapport/index.html",
        form=form or ReportForm(formdata=None),
        copies=copies.copies(g.org),
        large=copies.needs_job(g.org),
    ), status


@bp.get("/", endpoint="index")
@requires("report")
def index():
    """Make the report, and the list of copies handed over (what was given to whom)."""
    return _page()


@bp.post("/maken")
@requires("report")
def make():
    """Make a copy now, or queue it for the scheduler when the organisation is large."""
    form = ReportForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    try:
        copy = copies.request_copy(
            g.org, current_user, form.format.data, form.lang.data, form.audience.data, form.as_of.data
        )
    except ServiceError as error:
        db.session.rollback()
        getattr(form, error.field or "format").errors.append(error.message)
        return _page(form, 400)
    if copies.needs_job(g.org):
        db.session.commit()
        flash(
            _("Het rapport wordt op de achtergrond gemaakt. U krijgt een melding zodra het klaarstaat."),
            "info",
        )
        return redirect(url_for("rapport.index"))
    reports.make_copy(g.org, copy)
    db.session.commit()
    flash(_("Het rapport is gemaakt en bewaard in de lijst van overgedragen rapporten."), "success")
    return redirect(url_for("rapport.download", copy_id=copy.id))


def _ready(copy_id) -> ReportCopy:
    copy = get_or_404(ReportCopy, copy_id)
    if copy.deleted_at is not None or copy.state != ReportState.KLAAR:
        abort(404)
    return copy


@bp.get("/<int:copy_id>/download")
@requires("report")
def download(copy_id):
    """A stored copy, exactly as it was handed over."""
    copy = _ready(copy_id)
    return send_file(
        BytesIO(copy.data),
        mimetype=MIMETYPES[copy.format],
        as_attachment=True,
        download_name=copy.filename,
        max_age=0,
    )


@bp.get("/<int:copy_id>/bijlage")
@requires("report")
def annex(copy_id):
    """The evidence workbook a summarised report names as its complete annex."""
    copy = _ready(copy_id)
    if copy.annex_data is None:
        abort(404)
    return send_file(
        BytesIO(copy.annex_data),
        mimetype=XLSX,
        as_attachment=True,
        download_name=copy.annex_filename,
        max_age=0,
    )
