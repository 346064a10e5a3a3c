"""The audit trail page: filterable, read-only."""

from flask import g, render_template, request
from sqlalchemy import select

from riecycle.access import current_viewer
from riecycle.access.audit import audit_mask
from riecycle.audit import entity_labels
from riecycle.audit_labels import AuditFormatter, entity_label, record_label
from riecycle.extensions import db
from riecycle.models import User
from riecycle.pagination import paginate
from riecycle.permissions import requires
from riecycle.services import accounts, audit_log
from riecycle.views.orgbp import org_blueprint

bp = org_blueprint("audit", __name__, "audit")


@bp.get("/")
@requires("view_audit")
def index():
    """Who changed what, when: every create, update, delete and restore."""
    page = paginate(audit_log.entries_query(g.org, audit_log.Filters.from_args(request.args)), per_page=50)
    user_ids = {e.user_id for e in page.items if e.user_id}
    users = (
        {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    )
    # All kinds of record (reading the distinct ones means reading every entry), by Dutch name.
    entities = sorted(((e, entity_label(e)) for e in entity_labels()), key=lambda pair: pair[1].lower())
    members = accounts.member_choices(g.org)
    # Masking is decided now, from the records' current state (riecycle/access/audit.py).
    mask = audit_mask(current_viewer(), g.org.id)
    shown = {e.id: mask.shown(e) for e in page.items}
    # Field labels and formatted values of what the mask left (riecycle/audit_labels.py).
    words = AuditFormatter(g.org.id)
    return render_template(
        "audit/index.html",
        page=page,
        shown=shown,
        changes={e.id: words.changes(e.entity, shown[e.id].changes, e.action) for e in page.items},
        entity_label=entity_label,
        record_label=record_label,
        users=users,
        entities=entities,
        members=members,
        args=request.args,
    )
