"""The priority a risk got in an imported RI&E tool, and the "Aan de slag" checklist preference.

Revision ID: start_1
Revises: lay_enums_1
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "start_1"
down_revision = "mfa_1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("risks") as batch:
        batch.add_column(sa.Column("tool_priority", sa.String(length=10), nullable=True))
    with op.batch_alter_table("memberships") as batch:
        batch.add_column(sa.Column("show_start", sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table("memberships") as batch:
        batch.drop_column("show_start")
    with op.batch_alter_table("risks") as batch:
        batch.drop_column("tool_priority")
