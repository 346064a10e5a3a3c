"""Handed-over copies of the RI&E and Plan van Aanpak report

Revision ID: rep_1
Revises: lay_enums_1
Create Date: 2026-12-03 14:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'rep_1'
down_revision = 'start_1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_copies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=10), nullable=False),
    sa.Column('lang', sa.String(length=5), nullable=False),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=True),
    sa.Column('report_date', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('made_by_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('annex_filename', sa.String(length=255), nullable=True),
    sa.Column('annex_sha256', sa.String(length=64), nullable=True),
    sa.Column('annex_data', sa.LargeBinary(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("format IN ('pdf', 'docx')", name=op.f('ck_report_copies_format')),
    sa.CheckConstraint("audience IN ('inspectie', 'or', 'intern')", name=op.f('ck_report_copies_audience')),
    sa.CheckConstraint("state IN ('wachtend', 'klaar', 'mislukt')", name=op.f('ck_report_copies_state')),
    sa.CheckConstraint("lang IN ('nl', 'en')", name=op.f('ck_report_copies_lang')),
    sa.ForeignKeyConstraint(['made_by_id'], ['users.id'], name=op.f('fk_report_copies_made_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_report_copies_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_copies'))
    )
    with op.batch_alter_table('report_copies', schema=None) as batch_op:
        batch_op.create_index('ix_report_copies_state', ['state', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_copies_made_by_id'), ['made_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_copies_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_copies_deleted_at'), ['deleted_at'], unique=False)


def downgrade():
    with op.batch_alter_table('report_copies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_copies_deleted_at'))
        batch_op.drop_index(batch_op.f('ix_report_copies_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_report_copies_made_by_id'))
        batch_op.drop_index('ix_report_copies_state')
    op.drop_table('report_copies')
