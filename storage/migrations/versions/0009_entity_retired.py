"""entity retired: when the secretariat retired an entity (NULL while it is active)

A retired entity keeps its inputs, figures and memberships; new rounds, data calls and polls leave it out.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 01:20:00.000000
"""

from alembic import op
import sqlalchemy as sa

import storage.types


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('entities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', storage.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('entities', schema=None) as batch_op:
        batch_op.drop_column('retired_at')
