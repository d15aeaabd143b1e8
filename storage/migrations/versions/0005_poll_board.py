"""poll board: where a poll's live board was posted, so answers can rewrite it

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 07:34:03.638802
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('board_channel', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.add_column(sa.Column('board_ts', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.drop_column('board_ts')
        batch_op.drop_column('board_channel')

