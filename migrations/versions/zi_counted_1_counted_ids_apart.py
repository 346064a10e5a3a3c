"""A self-inspection run keeps the ids behind its counts apart from its items.

The report page parses the items on every view; a large organisation's run held 780 KB of
counted ids in them, which only the page listing one count's records needs.

Revision ID: zi_counted_1
Revises: risk_checks_1
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "zi_counted_1"
down_revision = "risk_checks_1"
branch_labels = None
depends_on = None

runs = sa.table(
    "checklist_runs",
    sa.column("id", sa.Integer),
    sa.column("items", sa.JSON),
    sa.column("counted_ids", sa.JSON),
)


def _split(items):
    kept, counted = [], {}
    for entry in items or []:
        counts = entry.get("counts") or []
        ids = {c["key"]: c["ids"] for c in counts if isinstance(c, dict) and "ids" in c}
        if ids:
            counted[entry.get("id")] = ids
        kept.append({**entry, "counts": [{k: v for k, v in c.items() if k != "ids"} for c in counts]})
    return kept, counted


def _join(items, counted):
    joined = []
    for entry in items or []:
        ids = (counted or {}).get(entry.get("id")) or {}
        counts = [
            {**c, "ids": ids[c["key"]]} if c.get("key") in ids else c for c in entry.get("counts") or []
        ]
        joined.append({**entry, "counts": counts})
    return joined


def _rewrite(convert):
    conn = op.get_bind()
    for run_id in conn.scalars(sa.select(runs.c.id).order_by(runs.c.id)).all():
        row = conn.execute(sa.select(runs.c["items"], runs.c.counted_ids).where(runs.c.id == run_id)).one()
        items = json.loads(row[0]) if isinstance(row[0], str) else row[0]
        counted = json.loads(row[1]) if isinstance(row[1], str) else row[1]
        new_items, new_counted = convert(items, counted)
        conn.execute(
            runs.update()
            .where(runs.c.id == run_id)
            .values({runs.c["items"]: new_items, runs.c.counted_ids: new_counted})
        )


def upgrade():
    with op.batch_alter_table("checklist_runs") as batch_op:
        batch_op.add_column(sa.Column("counted_ids", sa.JSON(), nullable=True))
    _rewrite(lambda items, _counted: _split(items))
    with op.batch_alter_table("checklist_runs") as batch_op:
        batch_op.alter_column("counted_ids", existing_type=sa.JSON(), nullable=False)


def downgrade():
    _rewrite(lambda items, counted: (_join(items, counted), counted))
    with op.batch_alter_table("checklist_runs") as batch_op:
        batch_op.drop_column("counted_ids")
