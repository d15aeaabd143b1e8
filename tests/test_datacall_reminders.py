"""Reminders chasing the HLCM data call, on a private database with the real sender (ReminderSender.drain(),
posting over HTTP to a Slack double) and the clock moved by time-machine.

The call for 2025 opens on Monday 2 February 2026; deadline Tuesday 31 March 2026 17:00 in Geneva (15:00 UTC,
summer time since the 29th); reminders 7 days before (Tuesday 24 March 17:00 CET, 16:00 UTC) and on the day
(09:00 in each focal point's zone). By the first reminder UNEP has submitted, UNDP has a draft, WMO's figures
were returned with a question; UNDP, WFP and WMO are chased, UNDP told its draft is waiting and WMO reminded of
the question. At the deadline each secretariat member hears which entities have not submitted; the deadline
extended, the chase starts again towards the new one."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta, timezone

import pytest
import time_machine
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import select

from bot.entities.service import get_entity
from bot.errors import Conflict, Invalid, NotAllowed
from bot.hlcm.calls import close_with_reminders, extend_data_call, open_with_reminders
from bot.hlcm.service import return_submission, save_draft, submit
from bot.people.service import Profile, find_person, save_profile
from bot.processes.service import NewProcess, create_process, get_process
from bot.reminders.render import overview as render_overview
from bot.reminders.overview import overview, totals
from bot.roles.service import grant, sync_secretariat
from bot.rounds.service import OpenRound
from bot.scheduler.sender import ReminderSender, SenderConfig
from bot.settings import load_settings
from bot.slack.datacall import home_blocks
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
NEW_DEADLINE = datetime(2026, 4, 30, 15, 0, tzinfo=UTC)  # 17:00 in Geneva, summer time
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


def escalations(engine, *conditions) -> list[Reminder]:
    with session_scope(engine) as s:
        found = s.exec(select(Reminder).where(Reminder.kind == "datacall.escalation", *conditions)
                       .order_by(Reminder.recipient, Reminder.id)).all()
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

    with session_scope(engine) as s:  # the App Home keeps the question in view until it is answered
        home = str(home_blocks(s, find_person(s, "U0WMO"), None))
    assert "returned *WMO*'s figures with a question" in home and "Revise the figures" in home

    with time_machine.travel(datetime(2026, 3, 24, 16, 1, tzinfo=UTC)):
        assert drain(url, engine, slack_double) == 3  # posted; UNEP skipped
    sent = {c.params["channel"]: c for c in slack_double.calls_to("chat.postMessage")}
    assert set(sent) == {"U0UNDP", "U0WFP", "U0WMO"}
    undp = str(sent["U0UNDP"].params)
    assert "*UNDP* has not submitted" in undp and "A draft is saved" in undp and "datacall.fill" in undp
    assert "2025:UNDP" in undp and "<!date^" in undp
    assert "A draft is saved" not in str(sent["U0WFP"].params)
    wmo = str(sent["U0WMO"].params)  # returned: it owes the secretariat an answer, and is told the question
    assert "returned *WMO*'s figures for *2025* with a question" in wmo
    assert "Is air travel really 83 % of travel?" in wmo and "Revise the figures" in wmo
    outcomes = {r.recipient: (r.status, r.outcome) for r in rows(engine, Reminder.offset == "T-7d")}
    assert outcomes["U0UNEP"] == (ReminderStatus.SKIPPED, "submitted")
    assert outcomes["U0UNDP"][0] == outcomes["U0WFP"][0] == outcomes["U0WMO"][0] == ReminderStatus.SENT

    # A new focal point for WFP is chased too (the plan follows role changes); the secretariat's view copes
    # with reminders that belong to no process.
    with time_machine.travel(datetime(2026, 3, 25, 9, 0, tzinfo=UTC)), session_scope(engine) as s:
        save_profile(s, Profile(slack_user_id="U0WFP2", timezone="America/New_York"))
        grant(s, SECRETARIAT, "U0WFP2", Role.FOCAL_POINT, get_process(s, "greening"), get_entity(s, "WFP"))
        secretariat = find_person(s, SECRETARIAT)
        assert overview(s, secretariat, "greening").counts == {}
        assert [r for r in totals(s, secretariat) if r.handle] == []  # no process's; the data call's, if listed
        render_overview(overview(s, secretariat, "greening"), None)
    added = rows(engine, Reminder.recipient == "U0WFP2")
    assert [(r.offset, r.send_at) for r in added] == [("T-0", datetime(2026, 3, 31, 13, 0, tzinfo=UTC))]  # 09:00 NY

    # Closing the year cancels what is still pending.
    with session_scope(engine) as s:
        close_with_reminders(s, find_person(s, SECRETARIAT), 2025, now=datetime(2026, 3, 26, 9, tzinfo=UTC))
        assert s.exec(select(DataCall).where(DataCall.year == 2025)).one().status == "closed"
    pending = rows(engine, Reminder.offset == "T-0")
    assert {r.status for r in pending} == {ReminderStatus.CANCELLED}
    assert [r.status for r in escalations(engine)] == [ReminderStatus.CANCELLED]  # the closer was told who is missing
    with time_machine.travel(datetime(2026, 4, 1, 7, 1, tzinfo=UTC)):
        assert drain(url, engine, slack_double) == 0
    assert len(slack_double.calls_to("chat.postMessage")) == 3


def test_the_offsets_are_kept_on_the_call_and_a_call_opened_with_none_stays_with_none(setup, slack_double):
    url, engine = setup
    with session_scope(engine) as s:
        assert s.exec(select(DataCall).where(DataCall.year == 2025)).one().reminder_offsets == "T-7d,T-0"
        open_with_reminders(s, find_person(s, SECRETARIAT), 2024, DEADLINE, "Europe/Zurich", list(FOCAL), [],
                            now=OPENED)
        quiet = s.exec(select(DataCall).where(DataCall.year == 2024)).one()
        assert quiet.reminder_offsets == ""
        quiet_id = quiet.id
    assert rows(engine, Reminder.subject_id == quiet_id) == []

    # A new focal point for UNDP: both calls are replanned with their own offsets, none for 2024.
    with time_machine.travel(datetime(2026, 2, 10, 9, 0, tzinfo=UTC)), session_scope(engine) as s:
        save_profile(s, Profile(slack_user_id="U0UNDP2", timezone="Africa/Nairobi"))
        grant(s, SECRETARIAT, "U0UNDP2", Role.FOCAL_POINT, get_process(s, "greening"), get_entity(s, "UNDP"))
    assert rows(engine, Reminder.subject_id == quiet_id) == []
    added = rows(engine, Reminder.recipient == "U0UNDP2")
    assert sorted(r.offset for r in added) == ["T-0", "T-7d"] and {r.subject_id for r in added} != {quiet_id}

    # A call from before the offsets were stored (NULL) keeps reading them back from its rows.
    with session_scope(engine) as s:
        older = s.exec(select(DataCall).where(DataCall.year == 2025)).one()
        older.reminder_offsets = None
        s.add(older)
    with time_machine.travel(datetime(2026, 2, 11, 9, 0, tzinfo=UTC)), session_scope(engine) as s:
        save_profile(s, Profile(slack_user_id="U0WFP3", timezone="Europe/Rome"))
        grant(s, SECRETARIAT, "U0WFP3", Role.FOCAL_POINT, get_process(s, "greening"), get_entity(s, "WFP"))
    assert sorted(r.offset for r in rows(engine, Reminder.recipient == "U0WFP3")) == ["T-0", "T-7d"]


def test_at_the_deadline_the_secretariat_hears_which_entities_have_not_submitted(setup, slack_double):
    url, engine = setup
    [planned] = escalations(engine)
    assert (planned.key, planned.recipient, planned.send_at, planned.process_id) == (
        "datacall:2025@20260331T1500:escalation:U0SEC", SECRETARIAT, DEADLINE, None)

    # A second secretariat member (in New York) is added: the escalation follows who holds the role.
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)), session_scope(engine) as s:
        save_profile(s, Profile(slack_user_id="U0SEC2", timezone="America/New_York"))
        grant(s, SECRETARIAT, "U0SEC2", Role.SECRETARIAT)
        submit(s, find_person(s, "U0UNEP"), 2025, "UNEP", FIGURES, now=datetime(2026, 3, 2, 10, tzinfo=UTC))
        save_draft(s, find_person(s, "U0UNDP"), 2025, "UNDP", {"scope1": "4000"},
                   now=datetime(2026, 3, 3, 10, tzinfo=UTC))
        submit(s, find_person(s, "U0WMO"), 2025, "WMO", FIGURES, now=datetime(2026, 3, 4, 10, tzinfo=UTC))
        return_submission(s, find_person(s, SECRETARIAT), 2025, "WMO", "Is air travel really 83 % of travel?",
                          now=datetime(2026, 3, 5, 10, tzinfo=UTC))
    assert [(r.recipient, r.send_at) for r in escalations(engine)] == [(SECRETARIAT, DEADLINE), ("U0SEC2", DEADLINE)]

    with time_machine.travel(DEADLINE + timedelta(minutes=1)):
        drain(url, engine, slack_double)
    told = {c.params["channel"]: str(c.params) for c in slack_double.calls_to("chat.postMessage")
            if c.params["channel"] in (SECRETARIAT, "U0SEC2")}
    assert set(told) == {SECRETARIAT, "U0SEC2"}
    text = told[SECRETARIAT]
    assert "The HLCM data call for 2025 reached its deadline" in text and "2 of 4 entities have not submitted" in text
    assert "• *UNDP* —" in text and "• *WFP* —" in text and "*UNEP*" not in text and "• *WMO*" not in text
    assert "not answered yet:* WMO" in text and "/consult datacall extend 2025 YYYY-MM-DD" in text
    assert {r.status for r in escalations(engine)} == {ReminderStatus.SENT}


def test_no_escalation_when_every_entity_has_submitted(setup, slack_double):
    url, engine = setup
    with session_scope(engine) as s:
        for code, user in FOCAL.items():
            submit(s, find_person(s, user), 2025, code, FIGURES, now=datetime(2026, 3, 2, 10, tzinfo=UTC))
    with time_machine.travel(DEADLINE + timedelta(minutes=1)):
        drain(url, engine, slack_double)
    assert [c for c in slack_double.calls_to("chat.postMessage") if c.params["channel"] == SECRETARIAT] == []
    assert [(r.status, r.outcome) for r in escalations(engine)] == [(ReminderStatus.SKIPPED, "all submitted")]


def test_extending_the_deadline_starts_the_chase_again_towards_the_new_one(setup, slack_double):
    url, engine = setup
    with time_machine.travel(datetime(2026, 3, 24, 16, 1, tzinfo=UTC)):
        assert drain(url, engine, slack_double) == 4  # T-7d to the four entities

    later = OpenRound(process="", deadline_date=date(2026, 4, 30), deadline_time=time(17, 0))
    with time_machine.travel(datetime(2026, 3, 26, 9, 0, tzinfo=UTC)), session_scope(engine) as s:
        secretariat = find_person(s, SECRETARIAT)
        with pytest.raises(NotAllowed):
            extend_data_call(s, find_person(s, "U0UNEP"), 2025, later)
        with pytest.raises(Invalid) as gap:  # the clocks jump forward in Geneva that night
            extend_data_call(s, secretariat, 2025, OpenRound(process="", deadline_date=date(2026, 3, 29),
                                                             deadline_time=time(2, 30)))
        assert gap.value.key == "errors.time_nonexistent"
        with pytest.raises(Invalid) as past:
            extend_data_call(s, secretariat, 2025, OpenRound(process="", deadline_date=date(2026, 3, 20)))
        assert past.value.key == "errors.deadline_past"
        call = extend_data_call(s, secretariat, 2025, later)
        assert (call.deadline, call.timezone) == (NEW_DEADLINE, "Europe/Zurich")
        with pytest.raises(Conflict):  # the same command twice changes nothing
            extend_data_call(s, secretariat, 2025, later)

    sent_before = [r for r in rows(engine) if r.status == ReminderStatus.SENT]
    assert len(sent_before) == 4 and {r.stale_at for r in sent_before} == {DEADLINE}  # history, untouched
    old = [r for r in rows(engine) if r.stale_at == DEADLINE and r.status != ReminderStatus.SENT]
    assert {r.status for r in old} == {ReminderStatus.CANCELLED}
    new = [r for r in rows(engine) if r.status == ReminderStatus.PENDING]
    assert sorted({r.offset for r in new}) == ["T-0", "T-7d"] and len(new) == 8
    assert all(r.stale_at == NEW_DEADLINE and "@20260430T1500:" in r.key for r in new)
    assert [(r.status, r.key) for r in escalations(engine)] == [
        (ReminderStatus.CANCELLED, "datacall:2025@20260331T1500:escalation:U0SEC"),
        (ReminderStatus.PENDING, "datacall:2025@20260430T1500:escalation:U0SEC")]

    with time_machine.travel(datetime(2026, 3, 31, 15, 1, tzinfo=UTC)):  # the old deadline: nothing goes
        assert drain(url, engine, slack_double) == 0
