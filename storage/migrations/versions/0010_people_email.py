"""people email: the e-mail address Slack gives (users:read.email), for calendar invitations

NULL where Slack has none (or the scope was not granted): the invitation then names the person by
their Slack `urn:`.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 01:30:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('email')
