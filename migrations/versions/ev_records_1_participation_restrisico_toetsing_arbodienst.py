"""Participation per plan version, vertrouwenspersoon and preventiemedewerker details, restrisico and
grondoorzaak, the toetsing type and the arbodienst basiscontract

Revision ID: ev_records_1
Revises: sec_forms_1
Create Date: 2026-12-03 11:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "ev_records_1"
down_revision = "sec_forms_1"
branch_labels = None
depends_on = None


def _columns() -> dict:
    """Fresh Column objects: a Column can belong to one table only, and upgrade may run twice."""
    return {
        "policy_instruments": [
            sa.Column("trained_on", sa.Date(), nullable=True),
            sa.Column("annual_report_year", sa.Integer(), nullable=True),
            sa.Column("annual_report_on", sa.Date(), nullable=True),
        ],
        "preventiemedewerker_appointments": [
            sa.Column("training", sa.String(length=300), nullable=True),
            sa.Column("trained_on", sa.Date(), nullable=True),
        ],
        "risks": [
            sa.Column("grondoorzaak", sa.Text(), nullable=True),
            sa.Column("restrisico", sa.String(length=10), nullable=True),
        ],
        "toetsingen": [sa.Column("toets_type", sa.String(length=20), nullable=True)],
    }


def _domain_columns(table: str) -> list:
    return [
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f(f"fk_{table}_organisation_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade():
    for table, columns in _columns().items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.add_column(column)
    op.create_table(
        "plan_participations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_version_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_version_id"],
            ["plan_versions.id"],
            name=op.f("fk_plan_participations_plan_version_id_plan_versions"),
        ),
        *_domain_columns("plan_participations"),
    )
    op.create_table(
        "arbodienst_contracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        *_domain_columns("arbodienst_contracts"),
    )
    for table, extra in (("plan_participations", ["plan_version_id"]), ("arbodienst_contracts", [])):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in ["deleted_at", "organisation_id", *extra]:
                batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def downgrade():
    for table, extra in (("plan_participations", ["plan_version_id"]), ("arbodienst_contracts", [])):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in ["deleted_at", "organisation_id", *extra]:
                batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
        op.drop_table(table)
    for table, columns in reversed(_columns().items()):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in reversed(columns):
                batch_op.drop_column(column.name)
