"""Stable references: a permanent number per risk and measure within its organisation

Revision ID: x_refs_1
Revises: ev_factors_1
Create Date: 2026-12-03 12:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "x_refs_1"
down_revision = "ev_factors_1"
branch_labels = None
depends_on = None

NUMBERED = (("risks", "last_risk_number"), ("measures", "last_measure_number"))


def _number_existing(table: str, counter: str) -> None:
    """Number the existing records per organisation in order of creation (created_at, id),
    deleted ones included (their numbers stay taken), and set the organisation's counter."""
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(f"SELECT id, organisation_id FROM {table} ORDER BY organisation_id, created_at, id")
    ).fetchall()
    last: dict[int, int] = {}
    updates = []
    for record_id, organisation_id in rows:
        last[organisation_id] = last.get(organisation_id, 0) + 1
        updates.append({"n": last[organisation_id], "i": record_id})
    if updates:
        conn.execute(sa.text(f"UPDATE {table} SET number = :n WHERE id = :i"), updates)
    if last:
        conn.execute(
            sa.text(f"UPDATE organisations SET {counter} = :n WHERE id = :o"),
            [{"n": n, "o": organisation_id} for organisation_id, n in last.items()],
        )


def upgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_risk_number", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("last_measure_number", sa.Integer(), nullable=False, server_default="0"))
    for table, counter in NUMBERED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("number", sa.Integer(), nullable=True))
        _number_existing(table, counter)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("number", existing_type=sa.Integer(), nullable=False)
            batch_op.create_unique_constraint(f"uq_{table}_organisation_number", ["organisation_id", "number"])


def downgrade():
    for table, _counter in reversed(NUMBERED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"uq_{table}_organisation_number", type_="unique")
            batch_op.drop_column("number")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("last_measure_number")
        batch_op.drop_column("last_risk_number")
