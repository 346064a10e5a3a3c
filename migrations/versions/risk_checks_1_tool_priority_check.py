"""The priority from an imported RI&E tool is one of the stored priorities, like the risk's others.

Revision ID: risk_checks_1
Revises: perf_1
"""

from alembic import op

revision = "risk_checks_1"
down_revision = "perf_1"
branch_labels = None
depends_on = None

NAME = "ck_risks_tool_priority"
CONDITION = "tool_priority IS NULL OR tool_priority IN ('laag', 'middel', 'hoog')"


def upgrade():
    with op.batch_alter_table("risks") as batch_op:
        batch_op.create_check_constraint(op.f(NAME), CONDITION)


def downgrade():
    with op.batch_alter_table("risks") as batch_op:
        batch_op.drop_constraint(op.f(NAME), type_="check")
