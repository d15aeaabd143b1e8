"""Reminders chasing the HLCM data call, on a private database with the real sender (ReminderSender.drain(),
posting over HTTP to a Slack double) and the clock moved by time-machine.

The call for 2025 opens on Monday 2 February 2026; deadline Tuesday 31 March 2026 17:00 in Geneva (15:00 UTC,
summer time since the 29th); reminders 7 days before (Tuesday 24 March 17:00 CET, 16:00 UTC) and on the day
(09:00 in each focal point's zone). By the first reminder UNEP has submitted, UNDP has a draft, WMO's figures
were returned with a question; only UNDP and WFP are chased, UNDP told its draft is waiting."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest
import time_machine
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import select

from bot.entities.service import get_entity
from bot.hlcm.service import close_with_reminders, open_with_reminders, return_submission, save_draft, submit
from bot.people.service import Profile, find_person, save_profile
from bot.processes.service import NewProcess, create_process, get_process
from bot.reminders.render import overview as render_overview
from bot.reminders.overview import overview, totals
from bot.roles.service import grant, sync_secretariat
from bot.scheduler.sender import ReminderSender, SenderConfig
from bot.settings import load_settings
from bot.slack.runtime import Deps
from storage.db import session_scope
from storage.models import DataCall, Reminder, ReminderStatus, Role
from tests.slack_double import SlackDouble

UTC = timezone.utc
SECRETARIAT = "U0SEC"
BOT_TOKEN = "xoxb-test"
FOCAL = {"UNEP": "U0UNEP", "UNDP": "U0UNDP", "WMO": "U0WMO", "WFP": "U0WFP"}
OPENED = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
DEADLINE = datetime(2026, 3, 31, 15, 0, tzinfo=UTC)
T7 = datetime(2026, 3, 24, 16, 0, tzinfo=UTC)
FIGURES = {"scope1": "1000", "scope2": "2000", "scope3_travel": "3000", "air_travel": "2500", "staff": "1000",
           "offsets": "0", "climate_neutral": "no", "strategy": "approved", "ems": "met", "procurement_policy": "yes"}


@pytest.fixture
def slack_double():
    with SlackDouble(bot_token=BOT_TOKEN) as double:
        yield double


@pytest.fixture
def setup(private_database_url, private_engine, default_quiet_hours):
    with session_scope(private_engine) as s:
        save_profile(s, Profile(slack_user_id=SECRETARIAT, timezone="Europe/Zurich"))
        sync_secretariat(s, [SECRETARIAT])
        process = create_process(s, find_person(s, SECRETARIAT), NewProcess(
            handle="greening", kind="consultation", title="Environmental sustainability management",
            timezone="Europe/Zurich", members=list(FOCAL)))
        for code, user in FOCAL.items():
            save_profile(s, Profile(slack_user_id=user, timezone="Europe/Zurich"))
            grant(s, SECRETARIAT, user, Role.FOCAL_POINT, process, get_entity(s, code))
        open_with_reminders(s, find_person(s, SECRETARIAT), 2025, DEADLINE, "Europe/Zurich", list(FOCAL),
                            ["T-7d", "T-0"], now=OPENED)
    return private_database_url, private_engine


def drain(url, engine, double: SlackDouble) -> int:
    deps = Deps(settings=load_settings(env_file=None, database_url=url), engine=engine)

    async def run() -> int:
        client = AsyncWebClient(token=BOT_TOKEN, base_url=double.api_url, retry_handlers=[])
        return await ReminderSender(deps.db, client, SenderConfig(per_channel_per_second=20)).drain()

    return asyncio.run(run())


def rows(engine, *conditions) -> list[Reminder]:
    with session_scope(engine) as s:
        found = s.exec(select(Reminder).where(Reminder.kind == "datacall.reminder", *conditions)
                       .order_by(Reminder.id)).all()
        s.expunge_all()
        return list(found)


def test_reminders_chase_only_the_entities_that_have_not_submitted(setup, slack_double):
    url, engine = setup
    planned = rows(engine)
    assert len(planned) == 8 and {r.process_id for r in planned} == {None}  # 4 focal points x (T-7d, T-0)
    t7 = {r.recipient: r for r in planned if r.offset == "T-7d"}
    assert t7["U0UNDP"].send_at == T7 and t7["U0UNDP"].stale_at == DEADLINE
    assert t7["U0UNDP"].key == "datacall:2025@20260331T1500:T-7d:UNDP:U0UNDP"
    day = {r.recipient: r for r in planned if r.offset == "T-0"}
    assert day["U0WFP"].send_at == datetime(2026, 3, 31, 7, 0, tzinfo=UTC)  # 09:00 in Geneva, summer time

    with session_scope(engine) as s:
        submit(s, find_person(s, "U0UNEP"), 2025, "UNEP", FIGURES, now=datetime(2026, 3, 2, 10, tzinfo=UTC))
        save_draft(s, find_person(s, "U0UNDP"), 2025, "UNDP", {"scope1": "4000"},
                   now=datetime(2026, 3, 3, 10, tzinfo=UTC))
        submit(s, find_person(s, "U0WMO"), 2025, "WMO", FIGURES, now=datetime(2026, 3, 4, 10, tzinfo=UTC))
        return_submission(s, find_person(s, SECRETARIAT), 2025, "WMO", "Is air travel really 83 % of travel?",
                          now=datetime(2026, 3, 5, 10, tzinfo=UTC))

    with time_machine.travel(datetime(2026, 3, 24, 16, 1, tzinfo=UTC)):
        assert drain(url, engine, slack_double) == 2  # posted; UNEP and WMO skipped
    sent = {c.params["channel"]: c for c in slack_double.calls_to("chat.postMessage")}
    assert set(sent) == {"U0UNDP", "U0WFP"}
    undp = str(sent["U0UNDP"].params)
    assert "*UNDP* has not submitted" in undp and "A draft is saved" in undp and "datacall.fill" in undp
    assert "2025:UNDP" in undp and "<!date^" in undp
    assert "A draft is saved" not in str(sent["U0WFP"].params)
    outcomes = {r.recipient: (r.status, r.outcome) for r in rows(engine, Reminder.offset == "T-7d")}
    assert outcomes["U0UNEP"] == (ReminderStatus.SKIPPED, "submitted")
    assert outcomes["U0WMO"] == (ReminderStatus.SKIPPED, "submitted")  # returned: the question is its chase
    assert outcomes["U0UNDP"][0] == outcomes["U0WFP"][0] == ReminderStatus.SENT

    # A new focal point for WFP is chased too (the plan follows role changes); the secretariat's view copes
    # with reminders that belong to no process.
    with time_machine.travel(datetime(2026, 3, 25, 9, 0, tzinfo=UTC)), session_scope(engine) as s:
        save_profile(s, Profile(slack_user_id="U0WFP2", timezone="America/New_York"))
        grant(s, SECRETARIAT, "U0WFP2", Role.FOCAL_POINT, get_process(s, "greening"), get_entity(s, "WFP"))
        secretariat = find_person(s, SECRETARIAT)
        assert overview(s, secretariat, "greening").counts == {} and totals(s, secretariat) == []
        render_overview(overview(s, secretariat, "greening"), None)
    added = rows(engine, Reminder.recipient == "U0WFP2")
    assert [(r.offset, r.send_at) for r in added] == [("T-0", datetime(2026, 3, 31, 13, 0, tzinfo=UTC))]  # 09:00 NY

    # Closing the year cancels what is still pending.
    with session_scope(engine) as s:
        close_with_reminders(s, find_person(s, SECRETARIAT), 2025, now=datetime(2026, 3, 26, 9, tzinfo=UTC))
        assert s.exec(select(DataCall).where(DataCall.year == 2025)).one().status == "closed"
    pending = rows(engine, Reminder.offset == "T-0")
    assert {r.status for r in pending} == {ReminderStatus.CANCELLED}
    with time_machine.travel(datetime(2026, 3, 31, 7, 1, tzinfo=UTC)):
        assert drain(url, engine, slack_double) == 0
    assert len(slack_double.calls_to("chat.postMessage")) == 2
