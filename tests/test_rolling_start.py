"""Scenario: a rolling start on PostgreSQL. Three `consultbot serve` replicas start at the same
instant on an empty database: all come up ready, the schema is migrated once, the secretariat of
SECRETARIAT_USERS is granted once, and no replica logs an error."""

from __future__ import annotations

import json
import time

import httpx
from sqlalchemy import func, text
from sqlmodel import select

from storage.db import make_engine, session_scope
from storage.migrate import head_revision
from storage.models import AuditEntry, Membership, Person, Role
from tests.bot_process import BotProcess
from tests.conftest import BOT_TOKEN, SECRETARIAT
from tests.slack_requests import SIGNING_SECRET


def test_three_replicas_started_together_on_an_empty_database_all_come_up_and_migrate_once(
        postgres, slack, tmp_path):
    url = postgres.create_database("consultbot_rolling_start")
    env = {"DATABASE_URL": url, "SLACK_API_URL": slack.api_url, "SLACK_BOT_TOKEN": BOT_TOKEN,
           "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SECRETARIAT_USERS": f"{SECRETARIAT},U0SEC2",
           "LOG_LEVEL": "info", "REMINDER_TICK_SECONDS": "0.5"}
    replicas = [BotProcess(env, tmp_path / f"replica-{n}.log") for n in (1, 2, 3)]
    try:
        for replica in replicas:  # no waiting in between: the three race for the empty database
            replica.start_without_http()
        deadline = time.monotonic() + 60
        waiting = list(replicas)
        while waiting and time.monotonic() < deadline:
            for replica in list(waiting):
                assert replica.proc.poll() is None, f"a replica exited:\n{replica.output()}"
                try:
                    if httpx.get(replica.url + "/readyz", timeout=3).status_code == 200:
                        waiting.remove(replica)
                except httpx.HTTPError:
                    pass
            time.sleep(0.1)
        assert not waiting, "\n".join(r.output() for r in waiting)

        engine = make_engine(url)
        try:
            with session_scope(engine) as s:
                assert s.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head_revision()]
                for user in (SECRETARIAT, "U0SEC2"):
                    assert s.exec(select(func.count()).select_from(Person)
                                  .where(Person.slack_user_id == user)).one() == 1
                    person = s.exec(select(Person).where(Person.slack_user_id == user)).one()
                    assert s.exec(select(func.count()).select_from(Membership).where(
                        Membership.person_id == person.id, Membership.role == Role.SECRETARIAT)).one() == 1
                grants = s.exec(select(func.count()).select_from(AuditEntry)
                                .where(AuditEntry.action == "membership.grant")).one()
                assert grants == 2, "each SECRETARIAT_USERS grant audited once, not once per replica"
        finally:
            engine.dispose()

        for replica in replicas:
            lines = [json.loads(line) for line in replica.output().splitlines() if line.strip()]
            assert not [line for line in lines if line["level"] in ("error", "critical") or "error" in line], \
                replica.output()
    finally:
        for replica in replicas:
            replica.stop()
