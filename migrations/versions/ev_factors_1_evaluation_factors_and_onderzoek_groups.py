"""Effect measurements record the factors they asked (E22); onderzoek results per group of teams
or for the whole organisation, with the teams below the threshold (A3)

Revision ID: ev_factors_1
Revises: ev_records_1
Create Date: 2026-12-03 12:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "ev_factors_1"
down_revision = "ev_records_1"
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

    with op.batch_alter_table("onderzoek_teams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.String(length=20), nullable=False, server_default="team"))
        batch_op.add_column(sa.Column("group_name", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("group_kind", sa.String(length=20), nullable=True))
        batch_op.alter_column("team_id", existing_type=sa.Integer(), nullable=True)
    op.create_table(
        "onderzoek_result_teams",
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("respondents", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["result_id"], ["onderzoek_teams.id"], name=op.f("fk_onderzoek_result_teams_result_id_onderzoek_teams")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_onderzoek_result_teams_team_id_teams")),
        sa.PrimaryKeyConstraint("result_id", "team_id", name=op.f("pk_onderzoek_result_teams")),
    )
    with op.batch_alter_table("onderzoek_result_teams", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_onderzoek_result_teams_team_id"), ["team_id"], unique=False)


def downgrade():
    with op.batch_alter_table("onderzoek_result_teams", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_onderzoek_result_teams_team_id"))
    op.drop_table("onderzoek_result_teams")
    with op.batch_alter_table("onderzoek_teams", schema=None) as batch_op:
        batch_op.alter_column("team_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("group_kind")
        batch_op.drop_column("group_name")
        batch_op.drop_column("scope")
    op.drop_table("evaluation_factor_scores")
