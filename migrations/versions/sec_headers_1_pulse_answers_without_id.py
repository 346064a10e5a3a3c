"""Pulse answers without a sequential id: the key is (response_id, item_key).

A sequential answer id ordered the answers by submission, which together with other traces
could tie answers to people. Existing answers keep their values; only the id goes.

Revision ID: sec_headers_1
Revises: d33a3bc4debd
"""

import sqlalchemy as sa
from alembic import op

revision = "sec_headers_1"
down_revision = "d33a3bc4debd"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("pulse_answers") as batch_op:
        batch_op.drop_constraint("uq_pulse_answers_response_item", type_="unique")
        batch_op.drop_constraint("pk_pulse_answers", type_="primary")
        batch_op.drop_column("id")
        batch_op.create_primary_key("pk_pulse_answers", ["response_id", "item_key"])


def downgrade():
    with op.batch_alter_table("pulse_answers") as batch_op:
        batch_op.drop_constraint("pk_pulse_answers", type_="primary")
        batch_op.add_column(sa.Column("id", sa.Integer(), autoincrement=True, nullable=True))
        batch_op.create_unique_constraint("uq_pulse_answers_response_item", ["response_id", "item_key"])
    # Number the existing answers (in key order, which says nothing about submission).
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT response_id, item_key FROM pulse_answers ORDER BY response_id, item_key"))
    for number, (response_id, item_key) in enumerate(list(rows), start=1):
        bind.execute(
            sa.text("UPDATE pulse_answers SET id = :n WHERE response_id = :r AND item_key = :k"),
            {"n": number, "r": response_id, "k": item_key},
        )
    with op.batch_alter_table("pulse_answers") as batch_op:
        batch_op.alter_column("id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_primary_key("pk_pulse_answers", ["id"])
