"""people by workspace: a person is (team_id, slack_user_id)

A Slack user id is unique only within its workspace (or Enterprise Grid org). `people.team_id`
becomes NOT NULL and (team_id, slack_user_id) unique instead of slack_user_id alone; `people`
gains `enterprise_id`. What names a person by bare user id gains its workspace:
`reminders.recipient_team`, `recurrences.recipient_team` (NULL: a channel), `reminder_mutes.team_id`,
`meeting_chairs.team_id`, `rsvps.by_team`, `poll_votes.by_team`, `audit_log.actor_team`.

Existing rows: a person whose workspace was not recorded gets the one workspace of a single-workspace
deployment — the only team id among the people already known, else the only installed workspace —
or, when there is none (or several), '' (not known: set from the first Slack request that names them).
The other tables take the workspace of the person their user id names. The audit log is append-only
(the database refuses UPDATE): its existing entries keep actor_team NULL.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-06 04:40:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

# The unnamed unique constraints of 0003 and 0004: PostgreSQL's own names, and on SQLite (reflected
# without a name) the names this convention gives them.
SQLITE_UQ = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
OLD_UNIQUE = {"reminder_mutes": ("reminder_mutes_process_id_slack_user_id_key", "uq_reminder_mutes_process_id",
                                 ["process_id", "slack_user_id"]),
              "meeting_chairs": ("meeting_chairs_meeting_id_slack_user_id_key", "uq_meeting_chairs_meeting_id",
                                 ["meeting_id", "slack_user_id"])}
NEW_UNIQUE = {"reminder_mutes": ("uq_reminder_mutes_person", ["process_id", "team_id", "slack_user_id"]),
              "meeting_chairs": ("uq_meeting_chairs_person", ["meeting_id", "team_id", "slack_user_id"])}


def _the_one_workspace(bind) -> str:
    teams = [t for (t,) in bind.execute(sa.text(
        "SELECT DISTINCT team_id FROM people WHERE team_id IS NOT NULL AND team_id <> ''")).all()]
    if len(teams) == 1:
        return teams[0]
    if teams:
        return ""
    installed = [t for (t,) in bind.execute(sa.text(
        "SELECT DISTINCT team_id FROM slack_bots WHERE team_id IS NOT NULL")).all()]
    return installed[0] if len(installed) == 1 else ""


def _team_of(column: str) -> str:
    """The workspace of the (pre-0015, unique) person whose user id is in `column`."""
    return f"(SELECT people.team_id FROM people WHERE people.slack_user_id = {column})"


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    workspace = _the_one_workspace(bind)
    bind.execute(sa.text("UPDATE people SET team_id = :team WHERE team_id IS NULL"), {"team": workspace})
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('enterprise_id', sa.String(32), nullable=True))
        batch_op.alter_column('team_id', existing_type=sa.String(32), nullable=False, server_default="")
        batch_op.drop_index('ix_people_slack_user_id')
        batch_op.create_index('ix_people_slack_user_id', ['slack_user_id'], unique=False)
        batch_op.create_unique_constraint('uq_people_team_user', ['team_id', 'slack_user_id'])

    for table in ("reminders", "recurrences"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('recipient_team', sa.String(32), nullable=True))
        bind.execute(sa.text(f"UPDATE {table} SET recipient_team = {_team_of(table + '.recipient')}"))
    for table in ("rsvps", "poll_votes"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('by_team', sa.String(32), nullable=True))
        bind.execute(sa.text(f"UPDATE {table} SET by_team = {_team_of(table + '.by')}"))
    for table, (pg_name, sqlite_name, _) in OLD_UNIQUE.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('team_id', sa.String(32), nullable=False, server_default=""))
        bind.execute(sa.text(f"UPDATE {table} SET team_id = COALESCE({_team_of(table + '.slack_user_id')}, :team)"),
                     {"team": workspace})
        name, columns = NEW_UNIQUE[table]
        with op.batch_alter_table(table, schema=None, naming_convention=SQLITE_UQ if sqlite else None) as batch_op:
            batch_op.drop_constraint(sqlite_name if sqlite else pg_name, type_="unique")
            batch_op.create_unique_constraint(name, columns)
    op.add_column('audit_log', sa.Column('actor_team', sa.String(32), nullable=True))  # no batch: no table copy


def downgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    op.execute("ALTER TABLE audit_log DROP COLUMN actor_team")  # in place (SQLite 3.35+): the triggers stay
    for table, (pg_name, sqlite_name, columns) in OLD_UNIQUE.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(NEW_UNIQUE[table][0], type_="unique")
            batch_op.drop_column('team_id')
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_unique_constraint(sqlite_name if sqlite else pg_name, columns)
    for table in ("rsvps", "poll_votes"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('by_team')
    for table in ("reminders", "recurrences"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('recipient_team')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_constraint('uq_people_team_user', type_="unique")
        batch_op.drop_index('ix_people_slack_user_id')
        batch_op.create_index('ix_people_slack_user_id', ['slack_user_id'], unique=True)
        batch_op.alter_column('team_id', existing_type=sa.String(32), nullable=True, server_default=None)
        batch_op.drop_column('enterprise_id')

