"""The probes: `GET /healthz` (liveness: the process answers, no database needed) and `GET /readyz`
(readiness: the database answers, its schema is at head, the reminder clock shows progress)."""

from __future__ import annotations

import itertools
import threading
import time

import httpx
import psycopg
import pytest
from sqlalchemy import text

from storage.db import make_engine
from storage.migrate import head_revision
from tests.bot_process import BotProcess
from tests.conftest import BOT_TOKEN, SECRETARIAT
from tests.slack_requests import SIGNING_SECRET

_databases = itertools.count(1)


@pytest.fixture
def pg_database(postgres) -> tuple[str, str]:
    """A fresh PostgreSQL database (these tests need PostgreSQL's locks or a server to lose): (name, URL)."""
    name = f"consultbot_probe_{next(_databases)}"
    return name, postgres.create_database(name)


@pytest.fixture
def pg_env(pg_database, slack) -> dict[str, str]:
    return {"DATABASE_URL": pg_database[1], "SLACK_API_URL": slack.api_url, "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SECRETARIAT_USERS": SECRETARIAT, "LOG_LEVEL": "warning",
            "QUIET_HOURS": "off", "QUIET_DAYS": "", "REMINDER_TICK_SECONDS": "0.5"}


def wait_for_status(url: str, status: int, timeout: float = 15) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        response = httpx.get(url, timeout=5)
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


def test_a_started_bot_is_alive_and_ready(bot):
    assert httpx.get(bot.url + "/healthz").json() == {"status": "alive"}
    response = httpx.get(bot.url + "/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "schema": "ok", "clock": "ok"}}


def test_not_ready_while_the_schema_is_behind_this_code_ready_again_once_migrated(
        bot_env, private_database_url, tmp_path):
    server = BotProcess({**bot_env, "DATABASE_URL": private_database_url}, tmp_path / "serve.log").start()
    engine = make_engine(private_database_url)
    head = head_revision()
    try:
        with engine.begin() as connection:  # another replica rolled the schema back one migration
            connection.execute(text("UPDATE alembic_version SET version_num = '0007'"))
        response = httpx.get(server.url + "/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["schema"] == f"at 0007, expected {head}"
        assert response.json()["reason"] == f"the schema is at revision 0007, this code needs {head}"
        assert httpx.get(server.url + "/healthz").status_code == 200, "alive all the same: no restart wanted"

        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})
        assert httpx.get(server.url + "/readyz").status_code == 200
    finally:
        server.stop()
        engine.dispose()


def test_not_ready_when_the_reminder_clock_is_stuck_ready_again_once_it_moves(
        postgres, pg_database, pg_env, tmp_path):
    """Another session holds the reminders table: the clock's tick waits on it, shows no progress for
    three ticks and the replica says so; the database itself still answers."""
    server = BotProcess(pg_env, tmp_path / "serve.log").start()
    release = threading.Event()
    locked = threading.Event()

    def hold_the_table() -> None:
        with psycopg.connect(postgres.dsn(pg_database[0])) as connection:
            connection.execute("LOCK TABLE reminders IN ACCESS EXCLUSIVE MODE")
            locked.set()
            release.wait(30)

    holder = threading.Thread(target=hold_the_table)
    holder.start()
    try:
        assert locked.wait(10)
        response = wait_for_status(server.url + "/readyz", 503)
        assert response.status_code == 503, response.text
        body = response.json()
        assert body["checks"]["database"] == "ok" and body["checks"]["schema"] == "ok"
        assert body["checks"]["clock"].startswith("no progress for ")
        assert "the reminder clock has shown no progress" in body["reason"]
        assert httpx.get(server.url + "/healthz").status_code == 200

        release.set()
        holder.join(10)
        assert wait_for_status(server.url + "/readyz", 200).status_code == 200
    finally:
        release.set()
        holder.join(10)
        server.stop()


def test_not_ready_when_postgresql_goes_away_but_still_alive(postgres, pg_database, pg_env, tmp_path):
    name = pg_database[0]
    server = BotProcess(pg_env, tmp_path / "serve.log").start()
    try:
        assert httpx.get(server.url + "/readyz").status_code == 200
        with psycopg.connect(postgres.dsn("postgres"), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
            admin.execute(f"DROP DATABASE {name}")
        response = wait_for_status(server.url + "/readyz", 503)
        assert response.status_code == 503
        assert response.json()["checks"] == {"database": "unreachable", "clock": "ok"}
        assert response.json()["reason"].startswith("the database is unreachable (")
        assert httpx.get(server.url + "/healthz").json() == {"status": "alive"}
    finally:
        server.stop()
