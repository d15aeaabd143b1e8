"""mappings: mapping surveys opened on a process and each asked entity's response (issue 18, part 1)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 02:10:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('survey', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('deadline', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('opened_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['process_id'], ['processes.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('process_id', 'survey')
    )
    with op.batch_alter_table('mappings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mappings_process_id'), ['process_id'], unique=False)

    op.create_table('mapping_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mapping_id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=True),
    sa.Column('draft', sa.JSON(), nullable=True),
    sa.Column('question', sa.Text(), nullable=True),
    sa.Column('returned_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('returned_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('saved_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('submitted_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], ),
    sa.ForeignKeyConstraint(['mapping_id'], ['mappings.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('mapping_id', 'entity_id')
    )
    with op.batch_alter_table('mapping_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mapping_responses_mapping_id'), ['mapping_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('mapping_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mapping_responses_mapping_id'))
    op.drop_table('mapping_responses')
    with op.batch_alter_table('mappings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mappings_process_id'))
    op.drop_table('mappings')
