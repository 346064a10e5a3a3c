"""Soft delete and restore for every domain record."""

from flask_babel import gettext as _

from riecycle.extensions import db
from riecycle.models.base import utcnow
from riecycle.services import ServiceError


def soft_delete(obj) -> None:
    """Mark a record deleted; it stays in the database and can be restored."""
    if obj.deleted_at is not None:
        raise ServiceError(_("Dit record is al verwijderd."))
    obj.deleted_at = utcnow()
    db.session.flush()


def restore(obj) -> None:
    """Bring a soft-deleted record back."""
    if obj.deleted_at is None:
        raise ServiceError(_("Dit record is niet verwijderd."))
    obj.deleted_at = None
    db.session.flush()


def apply_changes(obj, data: dict) -> bool:
    """Copy form data onto a record; return whether anything changed."""
    changed = False
    for key, value in data.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed
