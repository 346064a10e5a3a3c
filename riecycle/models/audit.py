"""The append-only audit trail.

An audit entry says who did what to which record and when (entity, ids, action, actor, time).
What the record held, its label and the old and new values, lives in audit_content, one row per
entry. The entries never change. A content row changes once at most: the right to erasure
(AVG art. 17) replaces it with a tombstone ("gewist op … door …"). Database triggers enforce both
rules on PostgreSQL and on SQLite, whatever the application does.
"""

from datetime import datetime

from sqlalchemy import DDL, JSON, ForeignKey, Index, String, event, false, select
from sqlalchemy.orm import Mapped, column_property, mapped_column
from sqlalchemy.types import TypeDecorator

from riecycle.models.base import Base, utcnow

AUDIT_ACTIONS = ("create", "update", "delete", "restore", "erase")

# Every tombstone starts with this text (the triggers check it).
TOMBSTONE_PREFIX = "gewist op "


class _Changes(TypeDecorator):
    """JSON that reads an erased (NULL) value as an empty dict: entries keep one shape."""

    impl = JSON(none_as_null=True)
    cache_ok = True

    def process_result_value(self, value, dialect):
        return value if value is not None else {}


class AuditContent(Base):
    """The personal part of one audit entry: its label and its changes; erasable, nothing else."""

    __tablename__ = "audit_content"

    entry_id: Mapped[int] = mapped_column(ForeignKey("audit_entries.id"), primary_key=True)
    label: Mapped[str | None] = mapped_column(String(300))
    changes: Mapped[dict | None] = mapped_column(_Changes)
    # Set once, by the erasure, together with the tombstone label and changes NULL.
    erased_at: Mapped[datetime | None]


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_org_created", "organisation_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    entity: Mapped[str] = mapped_column(String(60), index=True)
    entity_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(10))
    # About an individual measure (a named employee, maybe health details): masked for
    # viewers without the see_personal permission (docs/domain.md §9).
    personal: Mapped[bool] = mapped_column(default=False, server_default=false())


# Read-only: the entry's label and changes, from its content row (the tombstone once erased).
# Selectable like columns (select(AuditEntry.changes)) and loaded with the entry, without N+1.
AuditEntry.label = column_property(
    select(AuditContent.label).where(AuditContent.entry_id == AuditEntry.id).scalar_subquery().label("label")
)
AuditEntry.changes = column_property(
    select(AuditContent.changes)
    .where(AuditContent.entry_id == AuditEntry.id)
    .scalar_subquery()
    .label("changes")
)
AuditEntry.erased_at = column_property(
    select(AuditContent.erased_at)
    .where(AuditContent.entry_id == AuditEntry.id)
    .scalar_subquery()
    .label("erased_at")
)


# PostgreSQL rejects any change to the trail, whatever the application does.
AUDIT_TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_entries is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entries_no_change BEFORE UPDATE OR DELETE ON audit_entries
  FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
"""

# The same on SQLite (one statement per trigger: SQLite runs one statement at a time).
AUDIT_TRIGGER_SQLITE = (
    "CREATE TRIGGER IF NOT EXISTS audit_entries_no_update BEFORE UPDATE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_entries_no_delete BEFORE DELETE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END",
)

# A content row may only become a tombstone, once; it is never deleted.
_TOMBSTONE_CONDITION = (
    "OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL AND NEW.entry_id = OLD.entry_id "
    f"AND NEW.changes IS NULL AND substr(NEW.label, 1, {len(TOMBSTONE_PREFIX)}) = '{TOMBSTONE_PREFIX}'"
)

AUDIT_CONTENT_TRIGGER_SQL = f"""
CREATE OR REPLACE FUNCTION audit_content_erase_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND {_TOMBSTONE_CONDITION} THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_content is append-only, except for an erasure';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_content_erase_only BEFORE UPDATE OR DELETE ON audit_content
  FOR EACH ROW EXECUTE FUNCTION audit_content_erase_only();
"""

AUDIT_CONTENT_TRIGGER_SQLITE = (
    "CREATE TRIGGER IF NOT EXISTS audit_content_erase_only BEFORE UPDATE ON audit_content "
    f"WHEN NOT COALESCE(({_TOMBSTONE_CONDITION}), 0) "  # a NULL label must not slip through
    "BEGIN SELECT RAISE(ABORT, 'audit_content is append-only, except for an erasure'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_content_no_delete BEFORE DELETE ON audit_content "
    "BEGIN SELECT RAISE(ABORT, 'audit_content is append-only, except for an erasure'); END",
)

event.listen(
    AuditEntry.__table__,
    "after_create",
    DDL(AUDIT_TRIGGER_SQL).execute_if(dialect="postgresql"),
)
for _statement in AUDIT_TRIGGER_SQLITE:
    event.listen(AuditEntry.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
event.listen(
    AuditContent.__table__,
    "after_create",
    DDL(AUDIT_CONTENT_TRIGGER_SQL).execute_if(dialect="postgresql"),
)
for _statement in AUDIT_CONTENT_TRIGGER_SQLITE:
    event.listen(AuditContent.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
