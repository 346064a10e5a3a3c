"""Health check, language switch for anonymous visitors, the home redirect and the accessibility statement."""

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from riecycle import accessibility
from riecycle.extensions import db
from riecycle.services import accounts
from riecycle.views.orgbp import CURRENT_ORG_KEY
from riecycle.views.safety import safe_next

bp = Blueprint("system", __name__)


@bp.get("/healthz")
def healthz():
    """Liveness and database check for load balancers."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.get("/")
def home():
    """Send a user to the dashboard of their last (or only) organisation."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    chosen = None
    # This browser's current organisation first, then the one saved at the last login or logout.
    for last in (session.get(CURRENT_ORG_KEY), current_user.last_organisation_id):
        membership = current_user.membership_for(last) if isinstance(last, int) else None
        if membership is not None and membership.organisation.deleted_at is None:
            chosen = membership
            break
    if chosen is None:
        chosen = next(iter(accounts.memberships_of(current_user, limit=1)), None)
    if chosen is None:
        if current_user.is_platform_admin:
            return redirect(url_for("admin.organisations_index"))
        return redirect(url_for("account.no_organisation"))
    return redirect(url_for("dashboard.index", org_slug=chosen.organisation.slug))


@bp.post("/taal")
def set_language():
    """Choose the interface language (stored on the user when logged in)."""
    lang = request.form.get("lang")
    if lang in ("nl", "en"):
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("system.home"))


@bp.get("/toegankelijkheid")
def accessibility_statement():
    """The accessibility statement: the standard met, how and when it was tested. Public."""
    return render_template("system/accessibility.html", test=accessibility.LAST_TEST)
