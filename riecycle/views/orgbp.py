"""Blueprints under /o/<org_slug>/: they load the tenant and the member's role."""

from flask import Blueprint, abort, g, session
from flask_login import current_user
from sqlalchemy import select

from riecycle.extensions import db, login_manager
from riecycle.models import Organisation

# The organisation this browser worked in last (the signed session cookie, no database write).
# Home goes there; login and logout save it on the user (views/auth.py).
CURRENT_ORG_KEY = "org_id"


def org_blueprint(name: str, import_name: str, area: str = "") -> Blueprint:
    """A blueprint whose routes live under /o/<org_slug>/<area> and need membership."""
    prefix = f"/o/<org_slug>/{area}".rstrip("/")
    bp = Blueprint(name, import_name, url_prefix=prefix)
    bp.url_value_preprocessor(_pull_org)
    bp.url_defaults(_add_org)
    bp.before_request(_require_member)
    return bp


def _pull_org(endpoint, values):
    g.org_slug = (values or {}).pop("org_slug", None)


def _add_org(endpoint, values):
    if "org_slug" not in values and getattr(g, "org", None) is not None:
        values["org_slug"] = g.org.slug


def _require_member():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    org = db.session.scalar(
        select(Organisation).where(Organisation.slug == g.org_slug, Organisation.deleted_at.is_(None))
    )
    membership = current_user.membership_for(org.id) if org else None
    if membership is None:
        abort(404)  # another tenant's pages do not exist for this user
    g.org, g.membership = org, membership
    if session.get(CURRENT_ORG_KEY) != org.id:
        session[CURRENT_ORG_KEY] = org.id
