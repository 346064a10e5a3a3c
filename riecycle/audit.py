"""Field-level audit entries written for every flush of an audited record."""

import contextvars
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from riecycle.models.audit import AuditEntry
from riecycle.models.base import utcnow

_actor: contextvars.ContextVar[int | None] = contextvars.ContextVar("audit_actor", default=None)


def set_actor(user_id: int | None):
    """Name the acting user for CLI commands and jobs (returns a reset token)."""
    return _actor.set(user_id)


def reset_actor(token) -> None:
    """Undo set_actor."""
    _actor.reset(token)


def current_actor_id() -> int | None:
    """The acting user: the explicit actor, else the logged-in user."""
    explicit = _actor.get()
    if explicit is not None:
        return explicit
    try:
        from flask import has_request_context
        from flask_login import current_user

        if has_request_context() and current_user.is_authenticated:
            return current_user.id
    except Exception:  # noqa: BLE001 - outside Flask there is simply no actor
        return None
    return None


def _plain(value):
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if hasattr(value, "__table__"):
        return getattr(value, "label", None) or f"#{getattr(value, 'id', '?')}"
    return value


def _changes(obj, only_changed: bool) -> dict:
    state = inspect(obj)
    excluded = set(getattr(obj, "__audit_exclude__", ())) | {"updated_at", "created_at", "version_id"}
    result = {}
    for attr in state.mapper.attrs:
        key = attr.key
        if key in excluded or not hasattr(attr, "columns") and not hasattr(attr, "direction"):
            continue
        if hasattr(attr, "direction") and attr.secondary is None:
            continue  # many-to-one relationships are covered by their FK column
        hist = state.attrs[key].history
        if only_changed and not hist.has_changes():
            continue
        if hasattr(attr, "direction"):
            old = _plain(list(hist.unchanged) + list(hist.deleted))
            new = _plain(list(hist.unchanged) + list(hist.added))
        else:
            old = _plain(hist.deleted[0]) if hist.deleted else None
            new = _plain(hist.added[0]) if hist.added else _plain(getattr(obj, key))
        if only_changed and old == new:
            continue
        result[key] = [None, new] if not only_changed else [old, new]
    return result


def _action(obj, changes: dict) -> str:
    if "deleted_at" in changes:
        return "delete" if changes["deleted_at"][1] else "restore"
    return "update"


def _row(obj, action: str, changes: dict) -> dict:
    org_id = getattr(obj, "organisation_id", None)
    return {
        "created_at": utcnow(),
        "user_id": current_actor_id(),
        "organisation_id": org_id,
        "entity": obj.__audit_label__ or type(obj).__name__,
        "entity_id": obj.id,
        "action": action,
        "label": str(getattr(obj, "label", "") or "")[:300],
        "changes": changes,
        "personal": _is_personal(obj),
    }


def _is_personal(obj) -> bool:
    """Whether the record concerns an individual measure (see audit_personal on the models)."""
    session = inspect(obj).session
    if session is None:
        return False
    with session.no_autoflush:
        return bool(getattr(obj, "audit_personal", False))


def collect(session: Session) -> list[dict]:
    """Audit rows for the pending changes of one flush."""
    rows = []
    for obj in session.new:
        if getattr(obj, "__audited__", False):
            rows.append(_row(obj, "create", _changes(obj, only_changed=False)))
    for obj in session.dirty:
        if getattr(obj, "__audited__", False) and session.is_modified(obj):
            changes = _changes(obj, only_changed=True)
            if changes:
                rows.append(_row(obj, _action(obj, changes), changes))
    for obj in session.deleted:
        if getattr(obj, "__audited__", False):
            rows.append(_row(obj, "delete", {"hard_delete": [None, True]}))
    return rows


def _after_flush(session, flush_context):
    rows = collect(session)
    if rows:
        session.connection().execute(insert(AuditEntry), rows)


def install(session_class) -> None:
    """Write audit rows in the same transaction as the change they record (once per process)."""
    if not event.contains(session_class, "after_flush", _after_flush):
        event.listen(session_class, "after_flush", _after_flush)
