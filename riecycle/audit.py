"""Field-level audit entries written for every flush of an audited record."""

import contextvars
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from riecycle.models.audit import AuditContent, AuditEntry
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


_SCALARS = frozenset({str, int, bool, float})


def _plain(value):
    if value is None or type(value) in _SCALARS:
        return value
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if hasattr(value, "__table__"):
        return getattr(value, "label", None) or f"#{getattr(value, 'id', '?')}"
    return value


_AUDITED_ATTRS: dict[type, tuple] = {}


def _audited_attrs(obj) -> tuple:
    """The class's audited attributes in mapper order: (key, is a many-to-many collection)."""
    cls = type(obj)
    if cls not in _AUDITED_ATTRS:
        excluded = set(getattr(obj, "__audit_exclude__", ())) | {"updated_at", "created_at", "version_id"}
        attrs = [a for a in inspect(cls).attrs if a.key not in excluded and _is_audited(a)]
        _AUDITED_ATTRS[cls] = tuple((a.key, hasattr(a, "direction")) for a in attrs)
    return _AUDITED_ATTRS[cls]


def _is_audited(attr) -> bool:
    """Columns and many-to-many collections; a many-to-one relationship is covered by its FK column."""
    if hasattr(attr, "direction"):
        return attr.secondary is not None
    return hasattr(attr, "columns")


def _created(obj) -> dict:
    """Every audited value of a new record, as [None, value] (what its history would say)."""
    loaded = inspect(obj).dict
    result = {}
    for key, collection in _audited_attrs(obj):
        if key in loaded:
            value = list(loaded[key]) if collection else loaded[key]
        else:
            value = [] if collection else getattr(obj, key)
        result[key] = [None, _plain(value)]
    return result


def _changes(obj, only_changed: bool) -> dict:
    if not only_changed:
        return _created(obj)
    state = inspect(obj)
    result = {}
    for key, collection in _audited_attrs(obj):
        if key not in state.committed_state:
            continue  # SQLAlchemy keeps the old value of every changed attribute there
        hist = state.attrs[key].history
        if not hist.has_changes():
            continue
        if collection:
            old = _plain(list(hist.unchanged) + list(hist.deleted))
            new = _plain(list(hist.unchanged) + list(hist.added))
        else:
            old = _plain(hist.deleted[0]) if hist.deleted else None
            new = _plain(hist.added[0]) if hist.added else _plain(getattr(obj, key))
        if old != new:
            result[key] = [old, new]
    return result


def _action(obj, changes: dict) -> str:
    if "deleted_at" in changes:
        return "delete" if changes["deleted_at"][1] else "restore"
    return "update"


def _row(obj, action: str, changes: dict, actor: int | None) -> dict:
    org_id = getattr(obj, "organisation_id", None)
    return {
        "created_at": utcnow(),
        "user_id": actor,
        "organisation_id": org_id,
        "entity": obj.__audit_label__ or type(obj).__name__,
        "entity_id": obj.id,
        "action": action,
        "label": str(getattr(obj, "label", "") or "")[:300],
        "changes": changes,  # label and changes go to audit_content (see write_rows)
        # Whether the record concerns an individual measure (see audit_personal on the models).
        "personal": bool(getattr(obj, "audit_personal", False)),
    }


def collect(session: Session) -> list[dict]:
    """Audit rows for the pending changes of one flush."""
    actor = current_actor_id()
    with session.no_autoflush:
        rows = [
            _row(obj, "create", _changes(obj, only_changed=False), actor)
            for obj in session.new
            if getattr(obj, "__audited__", False)
        ]
        for obj in session.dirty:
            if getattr(obj, "__audited__", False) and session.is_modified(obj):
                changes = _changes(obj, only_changed=True)
                if changes:
                    rows.append(_row(obj, _action(obj, changes), changes, actor))
        for obj in session.deleted:
            if getattr(obj, "__audited__", False):
                rows.append(_row(obj, "delete", {"hard_delete": [None, True]}, actor))
    return rows


def write_rows(connection, rows: list[dict]) -> list[int]:
    """Insert audit entries and their content rows (label, changes); returns the entry ids."""
    if not rows:
        return []
    from riecycle.services.records import _next_ids

    # The ids first (one statement), so both inserts are batched however many rows there are.
    ids = _next_ids(connection, AuditEntry.__table__, len(rows))
    entries = [
        {"id": i, **{k: v for k, v in row.items() if k not in ("label", "changes")}}
        for i, row in zip(ids, rows, strict=True)
    ]
    connection.execute(insert(AuditEntry), entries)
    connection.execute(
        insert(AuditContent),
        [
            {"entry_id": i, "label": row.get("label"), "changes": row.get("changes") or {}}
            for i, row in zip(ids, rows, strict=True)
        ],
    )
    return list(ids)


def _after_flush(session, flush_context):
    from riecycle import changes

    changes.note_flush(session)  # the organisation's change counter (riecycle/changes.py)
    rows = collect(session)
    if rows:
        write_rows(session.connection(), rows)


def entity_labels() -> list[str]:
    """The names audit entries give their records (every audited model), sorted."""
    from riecycle.models.base import Base

    return sorted(
        {
            m.class_.__audit_label__ or m.class_.__name__
            for m in Base.registry.mappers
            if getattr(m.class_, "__audited__", False)
        }
    )


def install(session_class) -> None:
    """Write audit rows in the same transaction as the change they record (once per process)."""
    if not event.contains(session_class, "after_flush", _after_flush):
        event.listen(session_class, "after_flush", _after_flush)
