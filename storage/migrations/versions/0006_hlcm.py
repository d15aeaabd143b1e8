"""hlcm: the annual data call, the entities asked, and submissions kept revision by revision

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 07:54:50.190874
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('hlcm_data_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('deadline', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('opened_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('hlcm_data_calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hlcm_data_calls_year'), ['year'], unique=True)

    op.create_table('hlcm_data_call_entities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('data_call_id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['data_call_id'], ['hlcm_data_calls.id'], ),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('data_call_id', 'entity_id')
    )
    with op.batch_alter_table('hlcm_data_call_entities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hlcm_data_call_entities_data_call_id'), ['data_call_id'], unique=False)

    op.create_table('hlcm_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('data_call_id', sa.Integer(), nullable=True),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('question', sa.Text(), nullable=True),
    sa.Column('returned_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('returned_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('saved_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('submitted_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['data_call_id'], ['hlcm_data_calls.id'], ),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('entity_id', 'year', 'revision')
    )
    with op.batch_alter_table('hlcm_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hlcm_submissions_entity_id'), ['entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hlcm_submissions_year'), ['year'], unique=False)
        batch_op.create_index('uq_hlcm_draft', ['entity_id', 'year'], unique=True, sqlite_where=sa.text("status = 'draft'"), postgresql_where=sa.text("status = 'draft'"))



def downgrade() -> None:
    with op.batch_alter_table('hlcm_submissions', schema=None) as batch_op:
        batch_op.drop_index('uq_hlcm_draft', sqlite_where=sa.text("status = 'draft'"), postgresql_where=sa.text("status = 'draft'"))
        batch_op.drop_index(batch_op.f('ix_hlcm_submissions_year'))
        batch_op.drop_index(batch_op.f('ix_hlcm_submissions_entity_id'))

    op.drop_table('hlcm_submissions')
    with op.batch_alter_table('hlcm_data_call_entities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hlcm_data_call_entities_data_call_id'))

    op.drop_table('hlcm_data_call_entities')
    with op.batch_alter_table('hlcm_data_calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hlcm_data_calls_year'))

    op.drop_table('hlcm_data_calls')
