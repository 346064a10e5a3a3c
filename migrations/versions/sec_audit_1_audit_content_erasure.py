"""Audit content in its own table (erasable by tombstone), append-only triggers on SQLite too

Revision ID: sec_audit_1
Revises: sec_auth_1
Create Date: 2026-12-03 09:30:00

The label and the old and new values of every audit entry move to audit_content, one row per
entry, so the right to erasure (AVG art. 17) can replace them with a tombstone while the entries
stay append-only. SQLite gets the triggers PostgreSQL has.
"""

import sqlalchemy as sa
from alembic import op

from riecycle.models.audit import (
    AUDIT_CONTENT_TRIGGER_SQL,
    AUDIT_CONTENT_TRIGGER_SQLITE,
    AUDIT_TRIGGER_SQLITE,
)

# revision identifiers, used by Alembic.
revision = "sec_audit_1"
down_revision = 'sec_auth_1'
branch_labels = None
depends_on = None


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_table(
        "audit_content",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=True),
        sa.Column("erased_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["audit_entries.id"], name=op.f("fk_audit_content_entry_id_audit_entries")
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_audit_content")),
    )
    op.execute("INSERT INTO audit_content (entry_id, label, changes) SELECT id, label, changes FROM audit_entries")
    # Plain ALTER TABLE (SQLite 3.35+ too): a batch copy would DELETE the rows the content refers to.
    op.execute("ALTER TABLE audit_entries DROP COLUMN label")
    op.execute("ALTER TABLE audit_entries DROP COLUMN changes")
    if dialect == "postgresql":
        op.execute(AUDIT_CONTENT_TRIGGER_SQL)
    else:
        for statement in AUDIT_TRIGGER_SQLITE + AUDIT_CONTENT_TRIGGER_SQLITE:
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_content_erase_only ON audit_content")
        op.execute("DROP FUNCTION IF EXISTS audit_content_erase_only()")
        op.execute("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_no_change")
    else:
        for name in ("audit_entries_no_update", "audit_entries_no_delete", "audit_content_erase_only", "audit_content_no_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.add_column("audit_entries", sa.Column("label", sa.String(length=300), nullable=True))
    op.add_column("audit_entries", sa.Column("changes", sa.JSON(), nullable=True))
    op.execute(
        "UPDATE audit_entries SET "
        "label = (SELECT c.label FROM audit_content c WHERE c.entry_id = audit_entries.id), "
        "changes = (SELECT c.changes FROM audit_content c WHERE c.entry_id = audit_entries.id)"
    )
    op.drop_table("audit_content")
    if dialect == "postgresql":
        op.execute("ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_no_change")
