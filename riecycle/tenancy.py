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


def get_in_org(model, object_id, org=None, *, include_deleted: bool = False):
    """One record of the organisation (default: the current one) by a client-supplied id, or None.

    Every id that comes from the client (path, query, form fields, ids inside hidden JSON) is
    resolved through here: an id that is malformed, out of range, deleted or of another tenant is
    simply "not found". Users belong to an organisation through a membership.
    """
    from riecycle.inputs import as_id
    from riecycle.models import Membership, User

    object_id = as_id(object_id)
    if object_id is None:
        return None
    org_id = org if isinstance(org, int) else (org or g.org).id
    obj = db.session.get(model, object_id)
    if obj is None:
        return None
    if model is User:
        member = db.session.scalar(
            select(Membership.id).where(Membership.user_id == obj.id, Membership.organisation_id == org_id)
        )
        return obj if member is not None else None
    if getattr(obj, "organisation_id", None) != org_id:
        return None
    if not include_deleted and getattr(obj, "deleted_at", None) is not None:
        return None
    return obj


def get_many_in_org(model, ids, org=None, *, include_deleted: bool = False) -> list:
    """The records of the organisation among client-supplied ids (others are left out)."""
    found = (get_in_org(model, i, org, include_deleted=include_deleted) for i in ids or ())
    return [obj for obj in found if obj is not None]


def get_or_404(model, object_id, *, include_deleted: bool = False):
    """Load one record of the current organisation, or 404 (never another tenant's)."""
    obj = get_in_org(model, object_id, include_deleted=include_deleted)
    if obj is None:
        abort(404)
    return obj
