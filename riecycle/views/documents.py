"""Download and delete uploaded documents; access follows the record they belong to."""

from io import BytesIO

from flask import abort, flash, redirect, request, send_file
from flask_babel import gettext as _

from riecycle.extensions import db
from riecycle.models import Attachment
from riecycle.permissions import can, requires
from riecycle.services.records import soft_delete
from riecycle.tenancy import get_or_404
from riecycle.views.orgbp import org_blueprint
from riecycle.views.safety import safe_next

bp = org_blueprint("documents", __name__, "documenten")

# owner_type -> callable(owner_id) -> bool: may the current member see this record's documents?
# Areas register their owner types here (e.g. an individual measure's documents are personal).
VIEW_CHECKS: dict = {}
# owner_type -> permission needed to delete its documents (default "edit_rie").
DELETE_PERMISSION: dict = {}


def _check_view(attachment: Attachment) -> None:
    check = VIEW_CHECKS.get(attachment.owner_type)
    if check is not None and not check(attachment.owner_id):
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
    if not can(DELETE_PERMISSION.get(attachment.owner_type, "edit_rie")):
        abort(403)
    soft_delete(attachment)
    db.session.commit()
    flash(_("Document '%(n)s' is verwijderd.", n=attachment.filename), "success")
    return redirect(safe_next(request.form.get("next")) or request.referrer or "/")
