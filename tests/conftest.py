"""Fixtures: the suite runs once on SQLite and once on a throwaway PostgreSQL server."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

import bot.areas  # noqa: F401 - tests calling services in this process plan and send like the bot (bot/areas.py)
from storage.db import make_engine, session_scope
from tests.bot_process import BotProcess, consultbot
from tests.pg_server import ThrowawayPostgres
from tests.slack_double import SlackDouble
from tests.slack_requests import SIGNING_SECRET, SlackSender

SECRETARIAT = "U0SEC1"
BOT_TOKEN = "xoxb-test"
_users = itertools.count(1)


def pytest_collection_modifyitems(config, items) -> None:
    """CONSULTBOT_TEST_DB=sqlite (or postgresql) runs one database's half only, for a quick local loop."""
    only = os.environ.get("CONSULTBOT_TEST_DB")
    if not only:
        return
    keep, drop = [], []
    for item in items:
        param = getattr(getattr(item, "callspec", None), "params", {}).get("database_url")
        (drop if param not in (None, only) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def postgres() -> Iterator[ThrowawayPostgres]:
    server = ThrowawayPostgres().start()
    yield server
    server.stop()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'consultbot.sqlite3'}"
    server = request.getfixturevalue("postgres")
    name = f"consultbot_{next(_users)}"
    server.create_database(name)
    return server.url(name)


@pytest.fixture(scope="session")
def engine(database_url) -> Iterator[Engine]:
    from storage.migrate import upgrade

    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def default_quiet_hours() -> Iterator[None]:
    """The reminder policy of a fresh deployment (nothing but a last call between 20:00 and 08:00 or
    at a weekend, in each person's zone), whatever another test set; put back afterwards."""
    from bot.reminders import policy
    from bot.reminders.plan import QuietHours

    before = policy.quiet_hours()
    policy.configure(QuietHours())
    yield
    policy.configure(before)


@pytest.fixture(scope="session")
def offline_engine(database_url, tmp_path_factory, request) -> Iterator[Engine]:
    """A second shared database of the same kind that no bot process serves, for domain tests that
    set the clock by hand: reminder rows they write must not be sent by the `bot` fixture's sender."""
    from storage.migrate import upgrade

    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path_factory.mktemp('offline') / 'offline.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres").create_database(f"consultbot_offline_{next(_users)}")
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def private_database_url(database_url, tmp_path, request) -> str:
    """A fresh, migrated and seeded database of the same kind as `database_url`, that no running
    bot process touches (the `bot` fixture's reminder sender works on the shared one)."""
    from bot.seed import seed
    from storage.migrate import upgrade

    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'private.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres").create_database(f"consultbot_private_{next(_users)}")
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as s:
        seed(s)
    engine.dispose()
    return url


@pytest.fixture
def private_engine(private_database_url) -> Iterator[Engine]:
    engine = make_engine(private_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine) -> Iterator[Session]:
    """A unit of work on the test database, committed at the end of the test."""
    with session_scope(engine) as s:
        yield s


@pytest.fixture(scope="session")
def slack() -> Iterator[SlackDouble]:
    with SlackDouble(bot_token=BOT_TOKEN) as double:
        yield double


@pytest.fixture
def own_slack() -> Iterator[SlackDouble]:
    """A Slack double for this test alone: its recorded calls and faults are this test's."""
    with SlackDouble(bot_token=BOT_TOKEN) as double:
        yield double


@pytest.fixture(scope="session")
def bot_env(database_url, slack) -> dict[str, str]:
    return {"DATABASE_URL": database_url, "SLACK_API_URL": slack.api_url, "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SECRETARIAT_USERS": SECRETARIAT, "LOG_LEVEL": "warning",
            # reminders made due by a test go out at once, whatever the hour and day the suite runs
            "QUIET_HOURS": "off", "QUIET_DAYS": "", "REMINDER_TICK_SECONDS": "0.5", "CHAT_RATE_PER_CHANNEL": "20"}


@pytest.fixture(scope="session")
def bot(bot_env, tmp_path_factory, slack) -> Iterator[BotProcess]:
    """`consultbot seed`, then `consultbot serve` on the test database, talking to the Slack double."""
    slack.add_user(SECRETARIAT, "Amina (EMG secretariat)", tz="Europe/Zurich")
    consultbot("seed", env=bot_env)
    process = BotProcess(bot_env, tmp_path_factory.mktemp("bot") / "serve.log").start()
    yield process
    process.stop()


@pytest.fixture
def sender(bot, slack) -> SlackSender:
    slack.reset()
    return SlackSender(bot.url, slack.base_url)


@pytest.fixture
def new_user(slack):
    """A Slack user the bot has never met, in a given time zone."""
    def make(name: str = "Focal point", tz: str = "Europe/Vienna", locale: str = "en-US") -> str:
        user_id = f"U{next(_users):04d}T{os.getpid() % 1000:03d}"
        slack.add_user(user_id, name, tz=tz, locale=locale)
        return user_id
    return make


@pytest.fixture
def framework(bot, engine) -> str:
    """A fresh consultation (its own short name) with ten member entities, made by the secretariat."""
    from bot.people.service import find_person
    from bot.processes.service import NewProcess, create_process

    handle = f"framework-{next(_users)}"
    with session_scope(engine) as s:
        create_process(s, find_person(s, SECRETARIAT), NewProcess(
            handle=handle, kind="consultation", title="Consultation on the sustainability framework",
            timezone="Europe/Zurich", channel_id="C0FRAMEWORK",
            members=["UNEP", "UNDP", "WMO", "UNIDO", "WFP", "UNCTAD", "UNESCO", "ILO", "UNOPS", "CBD"]))
    return handle


@pytest.fixture
def consultation(bot, engine, framework, slack) -> dict:
    """`framework` with a two-section draft of the interim guidance and a focal point for UNIDO, WMO and WFP."""
    from bot.entities.service import get_entity
    from bot.processes.service import get_process
    from bot.roles.service import grant
    from storage.models import Document, DocumentVersion, Role, Section

    focal = {}
    with session_scope(engine) as s:
        process = get_process(s, framework)
        document = Document(process_id=process.id, slug="interim-guidance", title="Interim guidance")
        s.add(document)
        s.flush()
        version = DocumentVersion(document_id=document.id, number=1, source_name="interim-guidance.md",
                                  source_sha256="0" * 64, imported_by=SECRETARIAT)
        s.add(version)
        s.flush()
        for position, (number, heading) in enumerate([("1", "Purpose"), ("3.2", "Scope of application")]):
            s.add(Section(version_id=version.id, position=position, number=number, heading=heading, text="…",
                          identity=f"{framework}-{position}"))
        for code, zone in (("UNIDO", "Europe/Vienna"), ("WMO", "Europe/Zurich"), ("WFP", "America/New_York")):
            user = f"U{next(_users):04d}{code}"
            slack.add_user(user, f"{code} focal point", tz=zone)
            grant(s, SECRETARIAT, user, Role.FOCAL_POINT, process, get_entity(s, code))
            focal[code] = user
        version_id = version.id
    return {"handle": framework, "version_id": version_id, "focal": focal}
