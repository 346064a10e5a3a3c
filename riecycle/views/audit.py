"""The audit trail page: filterable, read-only."""

from datetime import datetime, time, timedelta

from flask import g, render_template, request
from sqlalchemy import select

from riecycle.access import current_viewer
from riecycle.access.audit import audit_mask
from riecycle.audit import entity_labels
from riecycle.audit_labels import AuditFormatter, entity_label
from riecycle.clock import AMSTERDAM
from riecycle.extensions import db
from riecycle.inputs import arg_id, as_date
from riecycle.models import AuditEntry, User
from riecycle.pagination import paginate
from riecycle.permissions import requires
from riecycle.services import accounts
from riecycle.views.orgbp import org_blueprint

bp = org_blueprint("audit", __name__, "audit")


def _parse_day(value):
    """A day of the period filter: malformed is ignored, implausible (year 1, 9999) a clear 400."""
    return as_date(value)


def filtered_audit_query(args):
    """The audit entries of this organisation matching the page's filters."""
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.organisation_id == g.org.id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )
    if args.get("entity"):
        stmt = stmt.where(AuditEntry.entity == args["entity"])
    if args.get("action"):
        stmt = stmt.where(AuditEntry.action == args["action"])
    if arg_id("user", source=args):
        stmt = stmt.where(AuditEntry.user_id == arg_id("user", source=args))
    start, end = _parse_day(args.get("van")), _parse_day(args.get("tot"))
    if start:
        stmt = stmt.where(AuditEntry.created_at >= datetime.combine(start, time(), AMSTERDAM))
    if end:
        limit = datetime.combine(end + timedelta(days=1), time(), AMSTERDAM)
        stmt = stmt.where(AuditEntry.created_at < limit)
    return stmt


@bp.get("/")
@requires("view_audit")
def index():
    """Who changed what, when: every create, update, delete and restore."""
    page = paginate(filtered_audit_query(request.args), per_page=50)
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
        users=users,
        entities=entities,
        members=members,
        args=request.args,
    )
