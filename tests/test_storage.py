"""Storage on SQLite and PostgreSQL alike: UTC timestamps, the append-only audit log, migrations."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError
from sqlmodel import Session, select

from bot import audit
from bot.seed import seed
from storage.db import session_scope
from storage.migrate import alembic_config, upgrade
from storage.models import AuditEntry, Entity, Person


def test_timestamps_come_back_in_utc_and_tz_aware(engine):
    nairobi = datetime(2026, 3, 29, 3, 30, tzinfo=ZoneInfo("Africa/Nairobi"))
    with session_scope(engine) as s:
        person = Person(slack_user_id="U0TZ" + str(id(nairobi))[-6:], updated_at=nairobi)
        s.add(person)
    with Session(engine) as s:
        again = s.get(Person, person.id)
        assert again.updated_at == nairobi
        assert again.updated_at.utcoffset() == timedelta(0)
        assert again.updated_at.hour == 0 and again.created_at.tzinfo is not None


def test_a_naive_datetime_is_refused(engine):
    with pytest.raises(StatementError, match="naive datetime"):
        with session_scope(engine) as s:
            s.add(Person(slack_user_id="U0NAIVE", updated_at=datetime(2026, 1, 1)))


def test_the_audit_log_refuses_updates_and_deletes(engine):
    with session_scope(engine) as s:
        entry = audit.record(s, "U0SEC1", "test.append", subject_type="test", subject_id=1, after={"a": 1})
    for statement in ("UPDATE audit_log SET actor = 'someone else' WHERE id = :id",
                      "DELETE FROM audit_log WHERE id = :id"):
        with pytest.raises((IntegrityError, DBAPIError), match="append-only"):
            with engine.begin() as connection:
                connection.execute(text(statement), {"id": entry.id})
    with Session(engine) as s:
        assert s.get(AuditEntry, entry.id).actor == "U0SEC1"


def test_seeding_twice_changes_nothing(engine):
    with session_scope(engine) as s:
        seed(s)
    with Session(engine) as s:
        entities = s.exec(select(Entity)).all()
        audits = len(s.exec(select(AuditEntry)).all())
    with session_scope(engine) as s:
        assert seed(s) == 0
    with Session(engine) as s:
        assert len(s.exec(select(Entity)).all()) == len(entities) >= 30
        assert len(s.exec(select(AuditEntry)).all()) == audits
    codes = {e.code for e in entities}
    assert {"UNEP", "UNDP", "WMO", "UNIDO", "WFP", "UNCTAD", "UNESCO", "ILO", "UNOPS", "CBD"} <= codes
    geneva = next(e for e in entities if e.code == "WMO")
    assert (geneva.duty_station, geneva.timezone) == ("Geneva", "Europe/Zurich")


def test_migrations_run_twice_without_change(engine):
    upgrade(engine)
    with engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    head = ScriptDirectory.from_config(alembic_config(str(engine.url))).get_current_head()
    assert version == head
