"""In-app notifications, the reminder log, and the secret calendar feed."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select, update

from riecycle import changes, clock
from riecycle.access import current_viewer, viewer_for
from riecycle.access import reminders as reminder_access
from riecycle.extensions import db
from riecycle.models import Notification, ReminderLedger
from riecycle.models.reminders import LEDGER_STATUSES
from riecycle.pagination import paginate
from riecycle.permissions import requires
from riecycle.services import calendar as calendar_service
from riecycle.tenancy import scoped
from riecycle.views.orgbp import org_blueprint
from riecycle.views.safety import safe_next

bp = Blueprint("notifications", __name__, url_prefix="/meldingen")
log_bp = org_blueprint("herinneringen", __name__, "herinneringen")
calendar_bp = Blueprint("calendar", __name__)


def _mine(notification_id) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404)
    return notification


@bp.get("/")
@login_required
def index():
    """The current user's notifications, newest first (?ongelezen=1 for unread only)."""
    stmt = select(Notification).where(Notification.user_id == current_user.id)
    unread_only = request.args.get("ongelezen") == "1"
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    page = paginate(stmt.order_by(Notification.created_at.desc(), Notification.id.desc()), per_page=30)
    shown = {
        n.id: reminder_access.shown_notification(
            viewer_for(current_user, n.organisation_id) if n.organisation_id else None, n
        )
        for n in page.items
    }
    return render_template(
        "notifications/index.html", page=page, unread_only=unread_only, form=FlaskForm(), shown=shown
    )


@bp.get("/<int:notification_id>")
@login_required
def open_notification(notification_id):
    """Mark a notification read and go to the object it is about."""
    notification = _mine(notification_id)
    if notification.read_at is None:
        notification.read_at = clock.now()
        db.session.commit()
    return redirect(safe_next(notification.link) or url_for("notifications.index"))


@bp.post("/<int:notification_id>/gelezen")
@login_required
def mark_read(notification_id):
    """Mark one notification read."""
    notification = _mine(notification_id)
    if notification.read_at is None:
        notification.read_at = clock.now()
        db.session.commit()
    return redirect(url_for("notifications.index"))


@bp.post("/alles-gelezen")
@login_required
def mark_all_read():
    """Mark all of the user's notifications read."""
    unread = (Notification.user_id == current_user.id, Notification.read_at.is_(None))
    changes.touch(db.session.scalars(select(Notification.organisation_id).where(*unread).distinct()).all())
    db.session.execute(update(Notification).where(*unread).values(read_at=clock.now()))
    db.session.commit()
    flash(_("Alle meldingen zijn gelezen."), "success")
    return redirect(url_for("notifications.index"))


@log_bp.get("/", endpoint="index")
@requires("view_reminders")
def ledger():
    """The log of every reminder sent in this organisation (the ledger)."""
    stmt = scoped(ReminderLedger)
    status = request.args.get("status")
    if status in LEDGER_STATUSES:
        stmt = stmt.where(ReminderLedger.status == status)
    page = paginate(stmt.order_by(ReminderLedger.claimed_at.desc(), ReminderLedger.id.desc()), per_page=50)
    viewer = current_viewer()
    subjects = {r.id: reminder_access.shown_subject(viewer, r) for r in page.items}
    return render_template(
        "notifications/ledger.html", page=page, status=status, statuses=LEDGER_STATUSES, subjects=subjects
    )


@calendar_bp.get("/agenda/<token>.ics")
def feed(token):
    """The secret iCalendar feed of one user (no login: the token is the key)."""
    user = calendar_service.user_for_token(token)
    if user is None:
        abort(404)
    return Response(
        calendar_service.user_feed(user),
        mimetype="text/calendar",
        headers={
            "Content-Disposition": 'inline; filename="riecycle.ics"',
            "Cache-Control": "private, max-age=900",
        },
    )


@calendar_bp.post("/account/agenda/nieuw-adres")
@login_required
def regenerate():
    """Give the user a new secret feed address; the old one stops working."""
    calendar_service.regenerate_token(current_user)
    db.session.commit()
    flash(_("Uw agenda-adres is vernieuwd. Het oude adres werkt niet meer."), "success")
    return redirect(url_for("account.settings") + "#agenda")
