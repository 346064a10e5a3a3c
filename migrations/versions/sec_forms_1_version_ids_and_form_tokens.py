"""Optimistic locking on the edit forms, one-time tokens on the create forms

Revision ID: sec_forms_1
Revises: sec_audit_1
Create Date: 2026-12-03 09:15:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "sec_forms_1"
down_revision = 'sec_audit_1'
branch_labels = None
depends_on = None

VERSIONED = (
    "risks",
    "voorlichting_sessions",
    "evaluations",
    "policy_instruments",
    "incidents",
    "teams",
    "employees",
)


def upgrade():
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("version_id", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "used_form_tokens",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("result_url", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_used_form_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_used_form_tokens")),
    )
    with op.batch_alter_table("used_form_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_used_form_tokens_created_at"), ["created_at"], unique=False)


def downgrade():
    with op.batch_alter_table("used_form_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_used_form_tokens_created_at"))
    op.drop_table("used_form_tokens")
    for table in reversed(VERSIONED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version_id")
