"""mapping extensions: an entity's own deadline in a mapping survey, when the secretariat extended it

NULL: the mapping's deadline applies (every row before this revision).

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-06 04:30:00.000000
"""

from alembic import op
import sqlalchemy as sa

import storage.types


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('mapping_responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deadline', storage.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('mapping_responses', schema=None) as batch_op:
        batch_op.drop_column('deadline')
