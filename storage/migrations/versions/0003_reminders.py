"""reminders: timed-message rows, mutes, recurrences; per-round reminder offsets

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 06:03:19.104730
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('recurrences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=True),
    sa.Column('recipient', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('day_of_week', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('hour', sa.Integer(), nullable=False),
    sa.Column('minute', sa.Integer(), nullable=False),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('generated_until', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['process_id'], ['processes.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('recurrences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recurrences_process_id'), ['process_id'], unique=False)

    op.create_table('reminder_mutes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('slack_user_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['process_id'], ['processes.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('process_id', 'slack_user_id')
    )
    with op.batch_alter_table('reminder_mutes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_mutes_process_id'), ['process_id'], unique=False)

    op.create_table('reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('offset', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=True),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('recipient', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('due_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('send_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('stale_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('quiet', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('lease_owner', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('lease_until', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('ts', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('sent_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], ),
    sa.ForeignKeyConstraint(['process_id'], ['processes.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_process_id'), ['process_id'], unique=False)
        batch_op.create_index('ix_reminders_status_send_at', ['status', 'send_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_subject_id'), ['subject_id'], unique=False)

    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_offsets', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False,
                                      server_default='T-7d,T-2d,T-0,T-1h'))



def downgrade() -> None:
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('reminder_offsets')

    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminders_subject_id'))
        batch_op.drop_index('ix_reminders_status_send_at')
        batch_op.drop_index(batch_op.f('ix_reminders_process_id'))

    op.drop_table('reminders')
    with op.batch_alter_table('reminder_mutes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_mutes_process_id'))

    op.drop_table('reminder_mutes')
    with op.batch_alter_table('recurrences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recurrences_process_id'))

    op.drop_table('recurrences')
