"""All blueprints, in registration order."""

from riecycle.views.account import bp as account_bp
from riecycle.views.admin import bp as admin_bp
from riecycle.views.audit import bp as audit_bp
from riecycle.views.auth import bp as auth_bp
from riecycle.views.beheer import bp as beheer_bp
from riecycle.views.dashboard import bp as dashboard_bp
from riecycle.views.documents import bp as documents_bp
from riecycle.views.placeholders import PLACEHOLDER_BLUEPRINTS
from riecycle.views.system import bp as system_bp

BLUEPRINTS = [
    system_bp,
    auth_bp,
    account_bp,
    admin_bp,
    dashboard_bp,
    beheer_bp,
    audit_bp,
    documents_bp,
    *PLACEHOLDER_BLUEPRINTS,
]
