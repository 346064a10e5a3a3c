"""Second factor (TOTP): the user's encrypted secret, recovery codes, and the organisation's rule

Revision ID: mfa_1
Revises: lay_enums_1
Create Date: 2026-12-03 14:40:00

Existing organisations get the same rule as new ones, "beheerders": their beheerders are sent to
enrolment at their next login (a step they take themselves, nobody is locked out), as OWASP ASVS
level 2 asks for administrative accounts. The demo organisation is set back to "uit" by its seed
(`flask seed demo`, run by `make run`).
"""

import sqlalchemy as sa
from alembic import op

revision = "mfa_1"
down_revision = "sso_1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("mfa_policy", sa.String(length=20), nullable=False, server_default="beheerders")
        )
        batch_op.add_column(sa.Column("mfa_with_sso", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_check_constraint(
            op.f("ck_organisations_mfa_policy"), "mfa_policy IN ('uit', 'beheerders', 'iedereen')"
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("totp_enabled_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_recovery_codes_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_codes_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_codes_user_id"))
    op.drop_table("recovery_codes")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_enabled_at")
        batch_op.drop_column("totp_secret")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_organisations_mfa_policy"), type_="check")
        batch_op.drop_column("mfa_with_sso")
        batch_op.drop_column("mfa_policy")
