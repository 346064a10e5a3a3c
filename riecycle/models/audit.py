"""The append-only audit trail."""

from datetime import datetime

from sqlalchemy import DDL, JSON, ForeignKey, Index, String, event, false
from sqlalchemy.orm import Mapped, mapped_column

from riecycle.models.base import Base, utcnow

AUDIT_ACTIONS = ("create", "update", "delete", "restore")


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
    label: Mapped[str | None] = mapped_column(String(300))
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    # About an individual measure (a named employee, maybe health details): masked for
    # viewers without the see_personal permission (DOMAIN.md §9).
    personal: Mapped[bool] = mapped_column(default=False, server_default=false())


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

event.listen(
    AuditEntry.__table__,
    "after_create",
    DDL(AUDIT_TRIGGER_SQL).execute_if(dialect="postgresql"),
)
