"""Effect measurements record the factors they asked (E22)

Revision ID: ev_factors_1
Revises: sec_forms_1
Create Date: 2026-12-03 12:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "ev_factors_1"
down_revision = "sec_forms_1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "evaluation_factor_scores",
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("factor_key", sa.String(length=60), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["evaluations.id"],
            name=op.f("fk_evaluation_factor_scores_evaluation_id_evaluations"),
        ),
        sa.ForeignKeyConstraint(
            ["factor_key"], ["psa_factors.key"], name=op.f("fk_evaluation_factor_scores_factor_key_psa_factors")
        ),
        sa.PrimaryKeyConstraint("evaluation_id", "factor_key", name=op.f("pk_evaluation_factor_scores")),
    )


def downgrade():
    op.drop_table("evaluation_factor_scores")
