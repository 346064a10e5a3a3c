"""The change counter per organisation, the key of the cached aggregates

Revision ID: perf_1
Revises: lay_enums_1
Create Date: 2026-12-03 14:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "perf_1"
down_revision = "rep_1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "organisation_changes",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("counter", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_organisation_changes_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_organisation_changes")),
    )
    op.execute("INSERT INTO organisation_changes (organisation_id, counter) SELECT id, 0 FROM organisations")


def downgrade():
    op.drop_table("organisation_changes")
