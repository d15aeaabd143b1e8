"""Retention: the keys of handled Slack deliveries (`processed_requests`, bot/idempotency.py) are
purged by the reminder clock once older than IDEMPOTENCY_RETENTION_DAYS; the audit log is kept."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import select

from bot import idempotency
from storage.db import session_scope
from storage.models import AuditEntry, ProcessedRequest
from storage.types import utcnow
from tests.bot_process import BotProcess
from tests.test_reminder_failures import wait_until


def keys(engine) -> set[str]:
    with session_scope(engine) as s:
        return set(s.exec(select(ProcessedRequest.key)).all())


def record(engine, **ages: timedelta) -> None:
    with session_scope(engine) as s:
        for key, age in ages.items():
            s.add(ProcessedRequest(key=key, at=utcnow() - age))


def test_purge_takes_keys_past_retention_a_batch_at_a_time(private_engine):
    now = utcnow()
    record(private_engine, **{f"event:old{n}": timedelta(days=8, minutes=n) for n in range(5)},
           **{"event:recent": timedelta(days=6), "view:now": timedelta(0)})
    with session_scope(private_engine) as s:
        assert idempotency.purge(s, now - timedelta(days=7), batch=2) == 2
    with session_scope(private_engine) as s:
        assert idempotency.purge(s, now - timedelta(days=7), batch=2) == 2
    with session_scope(private_engine) as s:
        assert idempotency.purge(s, now - timedelta(days=7), batch=2) == 1  # fewer than a batch: done
    assert keys(private_engine) == {"event:recent", "view:now"}


def test_the_clock_purges_old_keys_at_start_and_keeps_the_audit_log(bot_env, private_database_url, private_engine,
                                                                    tmp_path):
    record(private_engine, **{"event:Ev08DAYS": timedelta(days=8), "event:Ev03DAYS": timedelta(days=3),
                              "view:V0TODAY": timedelta(hours=1)})
    with session_scope(private_engine) as s:
        audited = s.exec(select(func.count()).select_from(AuditEntry)).one()
    assert audited > 0  # the seed and grants of the private database

    server = BotProcess({**bot_env, "DATABASE_URL": private_database_url, "IDEMPOTENCY_RETENTION_DAYS": "2"},
                        tmp_path / "serve.log").start()
    try:
        wait_until(lambda: keys(private_engine) == {"view:V0TODAY"}, 15, "keys older than 2 days purged",
                   server.output)
    finally:
        server.stop()
    with session_scope(private_engine) as s:
        assert s.exec(select(func.count()).select_from(AuditEntry)).one() >= audited, "the audit log is kept"
