"""Run the Alembic migrations from code (start-up and `consultbot db upgrade`).

Replicas on PostgreSQL may start at the same instant: the migrations (and whatever else start-up
writes, bot/startup.py) run on one connection holding a PostgreSQL advisory lock on a fixed key,
so the first replica migrates and the others wait, then find the schema at head. SQLite needs no
such lock: one `consultbot serve` per file (bot/scheduler/instance_lock.py), and SQLite's own
write lock serialises `consultbot db upgrade` run beside it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
STARTUP_LOCK_KEY = 0x636F6E73756C74  # "consult": the advisory lock of migrations and start-up writes


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@contextmanager
def startup_lock(engine: Engine) -> Iterator[Connection]:
    """A connection that holds the start-up lock until the block ends (PostgreSQL; SQLite: no lock).
    The lock is per session, so it survives the commits made on the connection."""
    postgres = engine.dialect.name == "postgresql"
    with engine.connect() as connection:
        if postgres:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": STARTUP_LOCK_KEY})
            connection.commit()
        try:
            yield connection
        finally:
            if postgres:
                connection.rollback()  # whatever failed in the block must not keep the unlock from running
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": STARTUP_LOCK_KEY})
                connection.commit()


def upgrade_on(connection: Connection, revision: str = "head") -> None:
    """Migrate through `connection` (one holding the start-up lock) and commit."""
    config = alembic_config(connection.engine.url.render_as_string(hide_password=False))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
    connection.commit()


def upgrade(engine: Engine, revision: str = "head") -> None:
    with startup_lock(engine) as connection:
        upgrade_on(connection, revision)


def head_revision() -> str | None:
    """The revision this code's migrations end at."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at (None: never migrated)."""
    if not connection.dialect.has_table(connection, "alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
