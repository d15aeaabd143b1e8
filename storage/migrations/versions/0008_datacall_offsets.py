"""datacall offsets: the reminder offsets chosen when a data call was opened, kept on the call

NULL for the calls opened before (their offsets are read back from their reminder rows); "" for a call opened
with no reminders at all.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 09:10:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('hlcm_data_calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_offsets', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('hlcm_data_calls', schema=None) as batch_op:
        batch_op.drop_column('reminder_offsets')
