"""Migration 0015 (people by workspace) on a database that already holds people, reminders, mutes, chairs and
answers written before it, on SQLite and PostgreSQL: a single-workspace deployment's people all take its one
workspace, and everything naming them by user id takes theirs; the same user id may then be two people;
the audit log stays append-only. With several workspaces already known, a person whose workspace was never
recorded is left "not known" (''), to be set by their first request. Down and up again."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from storage.db import make_engine
from storage.migrate import alembic_config, upgrade

_n = itertools.count(1)
T = "2026-11-01 09:00:00+00:00"


@pytest.fixture
def engine_at_0013(database_url, tmp_path, request) -> Iterator:
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'm0015.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres").create_database(f"consultbot_m0015_{next(_n)}")
    engine = make_engine(url)
    upgrade(engine, "0013")
    yield engine
    engine.dispose()


def _people(connection, *rows: tuple[str, str | None]) -> None:
    for user, team in rows:
        connection.execute(text("INSERT INTO people (slack_user_id, team_id, display_name, created_at, updated_at) "
                                "VALUES (:u, :t, :u, :at, :at)"), {"u": user, "t": team, "at": T})


def _before_0015(engine) -> None:
    """What a single-workspace consultbot wrote: the secretariat met through Slack (its team known), two focal
    points granted by `consultbot grant` (no team), a reminder to each and one to a channel, a mute, a chair,
    an answer, an audit entry."""
    with engine.begin() as c:
        _people(c, ("U0SEC1", "T0EMG"), ("U0FP1", None), ("U0FP2", None))
        c.execute(text("INSERT INTO processes (handle, kind, title, description, timezone, status, language, "
                       "created_at) VALUES ('fw', 'consultation', 'Framework', '', 'Europe/Zurich', 'active', 'en', "
                       ":at)"), {"at": T})
        c.execute(text("INSERT INTO entities (code, name, duty_station, timezone, created_at) "
                       "VALUES ('UNIDO', 'UNIDO', 'Vienna', 'Europe/Vienna', :at)"), {"at": T})
        for key, recipient in (("r1", "U0FP1"), ("r2", "U0FP2"), ("r3", "C0FRAMEWORK")):
            c.execute(text("INSERT INTO reminders (key, kind, \"offset\", recipient, timezone, due_at, send_at, quiet, "
                           "status, attempts, created_at, updated_at) VALUES (:k, 'round.deadline', 'T-7d', :r, "
                           "'Europe/Zurich', :at, :at, true, 'pending', 0, :at, :at)"), {"k": key, "r": recipient,
                                                                                         "at": T})
        c.execute(text("INSERT INTO reminder_mutes (process_id, slack_user_id, at) VALUES (1, 'U0FP1', :at)"),
                  {"at": T})
        c.execute(text("INSERT INTO meetings (process_id, title, kind, start, \"end\", timezone, place, online_link, "
                       "status, uid, sequence, reminder_offsets, minutes, created_by, created_at, updated_at) VALUES "
                       "(1, 'Retreat', 'retreat', :at, :at, 'Europe/Zurich', 'Geneva', '', 'scheduled', 'm1', 0, "
                       "'T-7d', '', 'U0SEC1', :at, :at)"), {"at": T})
        c.execute(text("INSERT INTO meeting_chairs (meeting_id, slack_user_id) VALUES (1, 'U0FP2')"))
        c.execute(text("INSERT INTO rsvps (meeting_id, entity_id, attendance, delegates, by, at) "
                       "VALUES (1, 1, 'tentative', '', 'U0FP1', :at)"), {"at": T})
        c.execute(text("INSERT INTO audit_log (at, actor, action, subject_type) VALUES (:at, 'U0FP1', 'x', 'y')"),
                  {"at": T})


def _rows(engine, sql: str) -> list[tuple]:
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(text(sql)).all()]


def test_a_single_workspace_deployments_people_and_what_names_them_take_its_one_workspace(engine_at_0013):
    engine = engine_at_0013
    _before_0015(engine)
    upgrade(engine)

    assert _rows(engine, "SELECT slack_user_id, team_id FROM people ORDER BY id") == [
        ("U0SEC1", "T0EMG"), ("U0FP1", "T0EMG"), ("U0FP2", "T0EMG")]
    assert _rows(engine, "SELECT key, recipient_team FROM reminders ORDER BY key") == [
        ("r1", "T0EMG"), ("r2", "T0EMG"), ("r3", None)]  # a channel has no workspace of its own
    assert _rows(engine, "SELECT slack_user_id, team_id FROM reminder_mutes") == [("U0FP1", "T0EMG")]
    assert _rows(engine, "SELECT slack_user_id, team_id FROM meeting_chairs") == [("U0FP2", "T0EMG")]
    assert _rows(engine, "SELECT by, by_team FROM rsvps") == [("U0FP1", "T0EMG")]
    assert _rows(engine, "SELECT actor, actor_team FROM audit_log") == [("U0FP1", None)]

    with engine.begin() as c:  # the same user id in another workspace is someone else
        _people(c, ("U0FP1", "T0UNIDO"))
        c.execute(text("INSERT INTO reminder_mutes (process_id, slack_user_id, team_id, at) "
                       "VALUES (1, 'U0FP1', 'T0UNIDO', :at)"), {"at": T})
    with pytest.raises(IntegrityError), engine.begin() as c:  # but once in one workspace
        _people(c, ("U0FP1", "T0UNIDO"))
    with pytest.raises(DBAPIError), engine.begin() as c:  # and the audit log is still append-only
        c.execute(text("UPDATE audit_log SET actor_team = 'T0EMG'"))


def test_with_several_workspaces_known_a_person_never_met_stays_not_known_and_down_and_up_again(engine_at_0013):
    engine = engine_at_0013
    with engine.begin() as c:
        _people(c, ("U0SEC1", "T0EMG"), ("U0UNIDO1", "T0UNIDO"), ("U0FP9", None))
    upgrade(engine)
    assert _rows(engine, "SELECT slack_user_id, team_id FROM people ORDER BY id") == [
        ("U0SEC1", "T0EMG"), ("U0UNIDO1", "T0UNIDO"), ("U0FP9", "")]

    with engine.connect() as connection:  # as storage.migrate.upgrade_on does, through one connection
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = connection
        command.downgrade(config, "0013")
        connection.commit()
    assert _rows(engine, "SELECT slack_user_id, team_id FROM people ORDER BY id")[:2] == [
        ("U0SEC1", "T0EMG"), ("U0UNIDO1", "T0UNIDO")]
    with pytest.raises(IntegrityError), engine.begin() as c:  # 0013's schema: one person per user id
        _people(c, ("U0SEC1", "T0OTHER"))
    upgrade(engine)
    assert _rows(engine, "SELECT count(*) FROM people") == [(3,)]
