"""The current organisation (tenant) and queries scoped to it."""

from flask import abort, g
from sqlalchemy import select

from riecycle.extensions import db


def current_org():
    """The organisation of this request (set from the /o/<slug>/ URL)."""
    return g.org


def scoped(model, *, include_deleted: bool = False):
    """A select() of model limited to the current organisation."""
    stmt = select(model).where(model.organisation_id == g.org.id)
    if not include_deleted and hasattr(model, "deleted_at"):
        stmt = stmt.where(model.deleted_at.is_(None))
    return stmt


def get_or_404(model, object_id, *, include_deleted: bool = False):
    """Load one record of the current organisation, or 404 (never another tenant's)."""
    try:
        object_id = int(object_id)
    except (TypeError, ValueError):
        abort(404)
    obj = db.session.get(model, object_id)
    if obj is None or obj.organisation_id != g.org.id:
        abort(404)
    if not include_deleted and getattr(obj, "deleted_at", None) is not None:
        abort(404)
    return obj
