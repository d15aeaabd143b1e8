"""languages: the language a person chose and the language of a process's channel messages

people.language: set by `/consult language xx`, NULL for `auto` (their Slack locale's language).
processes.language: the language its channel messages are written in; existing processes keep English.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 02:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))
    with op.batch_alter_table('processes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False,
                                      server_default='en'))


def downgrade() -> None:
    with op.batch_alter_table('processes', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('language')
