"""Soft delete and restore for every domain record, and helpers for creating many at once."""

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from riecycle.extensions import db
from riecycle.models.base import utcnow
from riecycle.services import ServiceError
from riecycle.services.fields import check_values


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
    """Copy form data onto a record; return whether anything changed.

    Every value is checked first (single-line text, plausible dates: services/fields.py), so a
    refused value leaves the record untouched."""
    check_values(type(obj), {k: v for k, v in data.items() if getattr(obj, k) != v})
    changed = False
    for key, value in data.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


# --- looking up many records at once -------------------------------------------------------

ID_CHUNK = 1000


def chunks(items: list, size: int = ID_CHUNK):
    """Consecutive slices of at most size items (to keep IN lists and flushes bounded)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def clean_ids(ids) -> set[int]:
    """The ids that look like ids (form values may be strings or empty; out-of-range ids are dropped)."""
    from riecycle.inputs import as_id

    found = (as_id(i) for i in ids or ())
    return {i for i in found if i is not None}


class Prefetch:
    """One organisation's live records of a model by id, loaded once per 1,000 ids and kept."""

    def __init__(self, org, model, ids=()):
        self.org, self.model = org, model
        self.found: dict[int, Any] = {}
        self.asked: set[int] = set()
        self.load(ids)

    def load(self, ids) -> None:
        """Fetch the ids not asked for before, in one query per chunk."""
        model, missing = self.model, sorted(clean_ids(ids) - self.asked)
        for part in chunks(missing):
            stmt = select(model).where(
                model.organisation_id == self.org.id, model.id.in_(part), model.deleted_at.is_(None)
            )
            self.found.update((r.id, r) for r in db.session.scalars(stmt))
        self.asked.update(missing)

    def get(self, ids) -> list:
        """The live records among ids, sorted by id (as a query by id would find them)."""
        wanted = clean_ids(ids)
        self.load(wanted)
        return sorted((self.found[i] for i in wanted if i in self.found), key=lambda r: r.id)


def flush_new(rows: list) -> None:
    """Flush the session with these new rows numbered first (see assign_ids), then forget them."""
    assign_ids(rows)
    db.session.flush()
    rows.clear()


def assign_ids(rows: list) -> None:
    """Give new rows their ids before a flush, so it inserts them with one executemany per table.

    Rows whose id the database generates need INSERT ... RETURNING: SQLite then gets one INSERT
    per row (it cannot say which id went to which row of a multi-row INSERT), PostgreSQL one
    INSERT per 1,000 rows whose tens of thousands of parameters psycopg parses slowly."""
    conn = db.session.connection()
    if conn.dialect.name not in ("postgresql", "sqlite"):
        return
    by_model: dict[type, list] = {}
    for row in rows:
        if row.id is None:
            by_model.setdefault(type(row), []).append(row)
    for model, new in by_model.items():
        for row, number in zip(new, _next_ids(conn, model.__table__, len(new)), strict=True):
            row.id = number


def _next_ids(conn, table, n: int) -> list[int]:
    """n new ids: from the table's sequence (PostgreSQL), or max(id) + 1, ... (SQLite, write lock held)."""
    if conn.dialect.name == "postgresql":
        sequence = func.nextval(func.pg_get_serial_sequence(table.name, "id"))
        return sorted(conn.scalars(select(sequence).select_from(func.generate_series(1, n))))
    _sqlite_write_lock(conn)
    last = conn.scalar(select(func.max(table.c.id))) or 0
    return list(range(last + 1, last + 1 + n))


def lock_organisation(organisation_id: int) -> None:
    """Serialise this kind of change within one organisation until the transaction ends.

    A check-then-write (the last beheerder, a cycle in the team tree, a pending import applied
    once) must not pass twice on the same snapshot. PostgreSQL: SELECT ... FOR UPDATE on the
    organisation's row, so a second transaction waits here and then sees the first one's changes.
    SQLite: take the database's write lock now, before anything is read (writers are serialised).
    """
    from riecycle.models import Organisation

    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        db.session.execute(
            select(Organisation.id).where(Organisation.id == organisation_id).with_for_update()
        )
    else:
        _sqlite_write_lock(connection)


def _sqlite_write_lock(conn) -> None:
    """Take SQLite's write lock unless this transaction has written (and so holds it) already."""
    if not conn.connection.dbapi_connection.in_transaction:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
