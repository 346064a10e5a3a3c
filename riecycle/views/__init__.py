"""All blueprints, in registration order."""

from riecycle.views.account import bp as account_bp
from riecycle.views.admin import bp as admin_bp
from riecycle.views.audit import bp as audit_bp
from riecycle.views.auth import bp as auth_bp
from riecycle.views.dashboard import bp as dashboard_bp
from riecycle.views.documents import bp as documents_bp
from riecycle.views.evaluations import bp as evaluatie_bp
from riecycle.views.export import bp as export_bp
from riecycle.views.mfa import bp as mfa_bp
from riecycle.views.notifications import bp as notifications_bp
from riecycle.views.notifications import calendar_bp
from riecycle.views.notifications import log_bp as reminder_log_bp
from riecycle.views.organisation import bp as beheer_bp
from riecycle.views.plan import bp as plan_bp
from riecycle.views.policy import bp as beleid_bp
from riecycle.views.pulse import bp as pulse_bp
from riecycle.views.pulse import public_bp as pulse_public_bp
from riecycle.views.report import bp as report_bp
from riecycle.views.rie import bp as rie_bp
from riecycle.views.sso import admin_bp as sso_admin_bp
from riecycle.views.sso import beheer_bp as sso_beheer_bp
from riecycle.views.sso import bp as sso_bp
from riecycle.views.system import bp as system_bp
from riecycle.views.voorlichting import bp as voorlichting_bp
from riecycle.views.wegwijzer import bp as wegwijzer_bp
from riecycle.views.zelfinspectie import bp as zelfinspectie_bp

BLUEPRINTS = [
    system_bp,
    auth_bp,
    mfa_bp,
    account_bp,
    admin_bp,
    dashboard_bp,
    beheer_bp,
    audit_bp,
    documents_bp,
    rie_bp,
    plan_bp,
    zelfinspectie_bp,
    beleid_bp,
    voorlichting_bp,
    evaluatie_bp,
    pulse_bp,
    pulse_public_bp,
    wegwijzer_bp,
    notifications_bp,
    reminder_log_bp,
    calendar_bp,
    export_bp,
    sso_bp,
    sso_beheer_bp,
    sso_admin_bp,
    report_bp,
]
