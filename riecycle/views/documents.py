"""Download and delete uploaded documents; access follows the record they belong to."""

from io import BytesIO

from flask import abort, flash, redirect, request, send_file
from flask_babel import gettext as _

from riecycle.access import current_viewer
from riecycle.access.documents import may_delete_document, may_read_document
from riecycle.extensions import db
from riecycle.models import Attachment
from riecycle.permissions import requires
from riecycle.services.records import soft_delete
from riecycle.tenancy import get_or_404
from riecycle.views.orgbp import org_blueprint
from riecycle.views.safety import safe_next

bp = org_blueprint("documents", __name__, "documenten")


def _check_view(attachment: Attachment) -> None:
    """404 unless the static table (riecycle/access/documents.py) lets this member read it."""
    if not may_read_document(current_viewer(), attachment):
        abort(404)


@bp.get("/<int:attachment_id>")
@requires("view")
def download(attachment_id):
    """Send one document as a download."""
    attachment = get_or_404(Attachment, attachment_id)
    _check_view(attachment)
    return send_file(
        BytesIO(attachment.data),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.filename,
    )


@bp.post("/<int:attachment_id>/verwijderen")
@requires("view")
def delete(attachment_id):
    """Soft-delete a document (restorable from the prullenbak)."""
    attachment = get_or_404(Attachment, attachment_id)
    _check_view(attachment)
    if not may_delete_document(current_viewer(), attachment):
        abort(403)
    soft_delete(attachment)
    db.session.commit()
    flash(_("Document '%(n)s' is verwijderd.", n=attachment.filename), "success")
    return redirect(safe_next(request.form.get("next")) or request.referrer or "/")
