"""The reminder sender in-process: ReminderSender.drain() on a private database, posting over real HTTP to
a Slack double, with the clock moved by time-machine to the instants that matter.

The round: a Geneva consultation with focal points in Geneva (WMO), New York (UNDP), Nairobi (UNEP) and
Bangkok (ESCAP); deadline Thursday 3 December 2026 17:00 in Geneva (16:00 UTC). Its first reminder,
T-7d, falls on Thursday 26 November 17:00 in Geneva (16:00 UTC): 11:00 in New York, 19:00 in Nairobi,
23:00 in Bangkok (so Bangkok's waits for Friday 08:00 ICT, 01:00 UTC).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from datetime import date, datetime, time, timedelta, timezone

import pytest
import time_machine
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import select

from bot.entities.service import get_entity
from bot.inputs.service import InputDraft, nil_return, submit_input
from bot.people.service import Profile, find_person, save_profile
from bot.processes.service import NewProcess, create_process, get_process
from bot.reminders.service import mute
from bot.roles.service import grant, sync_secretariat
from bot.rounds.service import OpenRound, close_round, open_round, reopen_for
from bot.scheduler.sender import ReminderSender, SenderConfig
from bot.settings import load_settings
from bot.slack.runtime import Deps
from storage.db import session_scope
from storage.models import Document, DocumentVersion, Reminder, ReminderStatus, Role, Round
from tests.slack_double import SlackDouble

GENEVA, NEW_YORK, NAIROBI, BANGKOK = "Europe/Zurich", "America/New_York", "Africa/Nairobi", "Asia/Bangkok"
SECRETARIAT = "U0SEC"
FOCAL = {"WMO": ("U0WMO", GENEVA), "UNDP": ("U0UNDP", NEW_YORK), "UNEP": ("U0UNEP", NAIROBI),
         "ESCAP": ("U0ESCAP", BANGKOK)}
BOT_TOKEN = "xoxb-test"
_n = itertools.count(1)


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=timezone.utc)


OPENED = utc(11, 2, 9)  # Monday 2 November
DEADLINE_AT = utc(12, 3, 16)  # Thursday 3 December 17:00 CET
T7 = utc(11, 26, 16)  # Thursday 26 November 17:00 CET


@pytest.fixture
def slack_double():
    with SlackDouble(bot_token=BOT_TOKEN) as double:
        yield double


class Consultation:
    def __init__(self, url: str, engine) -> None:
        self.url, self.engine = url, engine
        self.handle = f"chemicals-{next(_n)}"
        self.round_id: int | None = None

    def session(self):
        return session_scope(self.engine)

    def open_round(self, **overrides) -> Round:
        with self.session() as s:
            request = {"process": self.handle, "deadline_date": date(2026, 12, 3), "deadline_time": time(17, 0),
                       **overrides}
            round_ = open_round(s, find_person(s, SECRETARIAT), OpenRound(**request), now=OPENED)
        self.round_id = round_.id
        return round_

    def row(self, offset: str, code: str) -> Reminder:
        with self.session() as s:
            return s.exec(select(Reminder).where(Reminder.subject_id == self.round_id, Reminder.offset == offset,
                                                 Reminder.entity_id == get_entity(s, code).id)).one()

    def escalation(self) -> Reminder:
        with self.session() as s:
            return s.exec(select(Reminder).where(Reminder.subject_id == self.round_id,
                                                 Reminder.kind == "round.escalation")).one()

    def drain(self, double: SlackDouble) -> int:
        """One pass of the sender, as the bot's clock runs it."""
        deps = Deps(settings=load_settings(env_file=None, database_url=self.url), engine=self.engine)

        async def run() -> int:
            client = AsyncWebClient(token=BOT_TOKEN, base_url=double.api_url, retry_handlers=[])
            return await ReminderSender(deps.db, client, SenderConfig(per_channel_per_second=20)).drain()

        return asyncio.run(run())

    def answer(self, code: str, nil: bool = False) -> None:
        """The entity's focal point answers: an input, or "no comments"."""
        with self.session() as s:
            person, round_ = find_person(s, FOCAL[code][0]), s.get(Round, self.round_id)
            if nil:
                nil_return(s, person, round_, code, now=utc(11, 20, 10))
            else:
                submit_input(s, person, round_, InputDraft(entity=code, comment="Please define 'hazard'."),
                             now=utc(11, 20, 10))


@pytest.fixture
def consultation(private_database_url, private_engine, default_quiet_hours) -> Consultation:
    c = Consultation(private_database_url, private_engine)
    with c.session() as s:
        save_profile(s, Profile(slack_user_id=SECRETARIAT, timezone=GENEVA))
        sync_secretariat(s, [SECRETARIAT])
        process = create_process(s, find_person(s, SECRETARIAT), NewProcess(
            handle=c.handle, kind="consultation", title="Chemicals framework", timezone=GENEVA, channel_id="C0CHEM",
            members=list(FOCAL)))
        document = Document(process_id=process.id, slug="framework", title="Chemicals framework")
        s.add(document)
        s.flush()
        s.add(DocumentVersion(document_id=document.id, number=1, source_name="framework.md", source_sha256="0" * 64,
                              imported_by=SECRETARIAT))
        for code, (user, zone_name) in FOCAL.items():
            save_profile(s, Profile(slack_user_id=user, timezone=zone_name))
            grant(s, SECRETARIAT, user, Role.FOCAL_POINT, process, get_entity(s, code))
    return c


def posted(double: SlackDouble) -> list[tuple[str, str]]:
    """(channel, reminder key) of each message the sender posted, in order."""
    return [(c.params["channel"], c.params["metadata"]["event_payload"]["key"])
            for c in double.calls_to("chat.postMessage")]


def action_ids(call) -> list[str]:
    return [e["action_id"] for b in call.params["blocks"] if b["type"] == "actions" for e in b["elements"]]


def test_at_22_00_in_geneva_the_geneva_reminder_waits_for_the_morning_while_new_york_gets_its_own(
        consultation, slack_double):
    consultation.open_round()
    with time_machine.travel(utc(11, 26, 21)):  # Thursday 22:00 CET; the sender was down since 16:00 UTC
        assert consultation.drain(slack_double) == 1
    assert posted(slack_double) == [("U0UNDP", consultation.row("T-7d", "UNDP").key)]  # 16:00 in New York
    geneva, nairobi, bangkok = (consultation.row("T-7d", code) for code in ("WMO", "UNEP", "ESCAP"))
    assert (geneva.status, geneva.send_at, geneva.outcome, geneva.attempts) == (
        ReminderStatus.PENDING, utc(11, 27, 7), "quiet hours", 0)  # Friday 08:00 CET
    assert (nairobi.status, nairobi.send_at) == (ReminderStatus.PENDING, utc(11, 27, 5))  # midnight: 08:00 EAT
    assert (bangkok.status, bangkok.send_at, bangkok.attempts) == (ReminderStatus.PENDING, utc(11, 27, 1), 0)
    undp = consultation.row("T-7d", "UNDP")
    assert undp.status == ReminderStatus.SENT and undp.ts and undp.channel

    # Friday: each gets theirs in their own morning, once.
    for at, code in ((utc(11, 27, 1), "ESCAP"), (utc(11, 27, 5), "UNEP"), (utc(11, 27, 7), "WMO")):
        with time_machine.travel(at - timedelta(minutes=1)):
            assert consultation.drain(slack_double) == 0
        with time_machine.travel(at):
            assert consultation.drain(slack_double) == 1
        assert posted(slack_double)[-1] == (FOCAL[code][0], consultation.row("T-7d", code).key)
    keys = [key for _, key in posted(slack_double)]
    assert len(keys) == len(set(keys)) == 4


def test_an_entity_that_answered_is_not_reminded(consultation, slack_double):
    consultation.open_round()
    consultation.answer("UNDP")
    consultation.answer("UNEP", nil=True)
    with time_machine.travel(T7 + timedelta(minutes=5)):
        assert consultation.drain(slack_double) == 1
    assert posted(slack_double) == [("U0WMO", consultation.row("T-7d", "WMO").key)]
    for code in ("UNDP", "UNEP"):
        row = consultation.row("T-7d", code)
        assert (row.status, row.outcome) == (ReminderStatus.SKIPPED, "answered")


def test_a_reminder_offers_submit_no_comments_and_remind_me_tomorrow(consultation, slack_double):
    consultation.open_round()
    with time_machine.travel(T7 + timedelta(minutes=5)):
        assert consultation.drain(slack_double) == 3
    [call] = [c for c in slack_double.calls_to("chat.postMessage") if c.params["channel"] == "U0WMO"]
    assert action_ids(call) == ["input.open", "input.nil", "reminder.tomorrow"]
    [tomorrow] = [e for b in call.params["blocks"] if b["type"] == "actions" for e in b["elements"]
                  if e["action_id"] == "reminder.tomorrow"]
    assert tomorrow["value"] == str(consultation.row("T-7d", "WMO").id)
    assert "WMO" in call.params["text"]


def test_a_muted_focal_point_is_not_reminded(consultation, slack_double):
    consultation.open_round()
    with consultation.session() as s:
        mute(s, find_person(s, "U0WMO"), consultation.handle)
    with time_machine.travel(T7 + timedelta(minutes=5)):
        assert consultation.drain(slack_double) == 2
    assert sorted(channel for channel, _ in posted(slack_double)) == ["U0UNDP", "U0UNEP"]
    row = consultation.row("T-7d", "WMO")
    assert (row.status, row.outcome) == (ReminderStatus.SKIPPED, "muted")


def test_at_the_deadline_the_secretariat_learns_who_never_answered(consultation, slack_double):
    consultation.open_round()
    consultation.answer("UNDP")
    consultation.answer("UNEP", nil=True)
    with time_machine.travel(DEADLINE_AT + timedelta(minutes=1)):  # the sender was down all along
        assert consultation.drain(slack_double) == 1
    [call] = slack_double.calls_to("chat.postMessage")
    assert call.params["channel"] == SECRETARIAT
    assert call.params["metadata"]["event_payload"]["key"] == consultation.escalation().key
    assert action_ids(call) == ["escalation.extend"]
    [extend] = [e for b in call.params["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert json.loads(extend["value"]) == {"round": consultation.round_id, "entities": ["ESCAP", "WMO"]}
    assert "ESCAP" in call.params["text"] and "WMO" in call.params["text"]
    assert "UNDP" not in call.params["text"] and "UNEP" not in call.params["text"]
    # Every chase of the focal points was due while the sender was down: at the deadline they are stale.
    with consultation.session() as s:
        chases = s.exec(select(Reminder).where(Reminder.kind == "round.deadline")).all()
    assert len(chases) == 16 and {(r.status, r.outcome) for r in chases} == {(ReminderStatus.SKIPPED, "stale")}
    assert (consultation.escalation().status, consultation.escalation().sent_at is not None) == (
        ReminderStatus.SENT, True)


def test_a_round_closed_early_escalates_at_once(consultation, slack_double):
    consultation.open_round()
    consultation.answer("WMO", nil=True)
    tuesday = utc(12, 1, 10)  # 11:00 CET
    with time_machine.travel(tuesday):
        with consultation.session() as s:
            close_round(s, find_person(s, SECRETARIAT), s.get(Round, consultation.round_id), now=tuesday)
        assert consultation.drain(slack_double) == 1
    [call] = slack_double.calls_to("chat.postMessage")
    assert call.params["channel"] == SECRETARIAT and action_ids(call) == ["escalation.extend"]
    [extend] = [e for b in call.params["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert json.loads(extend["value"])["entities"] == ["ESCAP", "UNDP", "UNEP"]


def test_an_entity_given_its_own_deadline_is_escalated_at_that_deadline_alone(consultation, slack_double):
    consultation.open_round()
    consultation.answer("UNDP")
    consultation.answer("UNEP", nil=True)
    tuesday = utc(12, 1, 10)
    with time_machine.travel(tuesday):
        with consultation.session() as s:
            secretariat, round_ = find_person(s, SECRETARIAT), s.get(Round, consultation.round_id)
            close_round(s, secretariat, round_, now=tuesday)
            reopen_for(s, secretariat, round_, ["ESCAP"],
                       OpenRound(process=consultation.handle, deadline_date=date(2026, 12, 8)), now=tuesday)
        assert consultation.drain(slack_double) == 1
    [closed] = slack_double.calls_to("chat.postMessage")  # at the close: WMO only, ESCAP has a week more
    [extend] = [e for b in closed.params["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert json.loads(extend["value"])["entities"] == ["WMO"]

    slack_double.reset()
    with time_machine.travel(utc(12, 8, 16, 1)):  # Tuesday 8 December 17:00 CET has passed
        assert consultation.drain(slack_double) == 1  # ESCAP's own chase is stale by now: the escalation only
    [own] = slack_double.calls_to("chat.postMessage")
    assert own.params["channel"] == SECRETARIAT
    assert own.params["metadata"]["event_payload"]["key"] == \
        f"round:{consultation.round_id}@20261208T1600:escalation:{SECRETARIAT}"
    [extend] = [e for b in own.params["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert json.loads(extend["value"])["entities"] == ["ESCAP"]


def test_the_last_call_reaches_bangkok_at_04_00(consultation, slack_double):
    """New York round, deadline Tuesday 8 December 17:00 EST (22:00 UTC): the last call at 21:00 UTC is
    04:00 in Bangkok, midnight in Nairobi, 22:00 in Geneva; it is not held back."""
    consultation.open_round(deadline_date=date(2026, 12, 8), timezone=NEW_YORK, reminders=["T-1h"])
    with time_machine.travel(utc(12, 8, 21, 1)):
        assert consultation.drain(slack_double) == 4
    assert sorted(channel for channel, _ in posted(slack_double)) == ["U0ESCAP", "U0UNDP", "U0UNEP", "U0WMO"]
    bangkok = consultation.row("T-1h", "ESCAP")
    assert (bangkok.status, bangkok.quiet, bangkok.send_at) == (ReminderStatus.SENT, False, utc(12, 8, 21))


def test_a_reminder_found_after_its_deadline_is_dropped_not_sent_late(consultation, slack_double):
    consultation.open_round(reminders=["T-2d"])
    with time_machine.travel(DEADLINE_AT + timedelta(hours=2)):
        sent = consultation.drain(slack_double)
    assert sent == 1 and [channel for channel, _ in posted(slack_double)] == [SECRETARIAT]  # the escalation only
    for code in FOCAL:
        row = consultation.row("T-2d", code)
        assert (row.status, row.outcome) == (ReminderStatus.SKIPPED, "stale")


def test_a_focal_point_whose_zone_became_known_after_the_round_opened_is_reminded_in_their_morning(
        consultation, slack_double):
    """Granted before the bot saw their profile, a second ESCAP focal point is planned in Geneva's zone;
    their zone (Bangkok) is learnt later, and the next replan moves the reminder to 08:00 in Bangkok."""
    with consultation.session() as s:
        grant(s, SECRETARIAT, "U0ESCAP2", Role.FOCAL_POINT, get_process(s, consultation.handle),
              get_entity(s, "ESCAP"))
    consultation.open_round()
    with time_machine.travel(utc(11, 3, 9)):
        with consultation.session() as s:
            save_profile(s, Profile(slack_user_id="U0ESCAP2", timezone=BANGKOK))
            save_profile(s, Profile(slack_user_id="U0UNEP2", timezone=NAIROBI))
            grant(s, SECRETARIAT, "U0UNEP2", Role.FOCAL_POINT, get_process(s, consultation.handle),
                  get_entity(s, "UNEP"))
    with time_machine.travel(utc(11, 27, 1)):  # Friday 08:00 in Bangkok, 02:00 in Geneva
        assert consultation.drain(slack_double) == 2
    assert sorted(channel for channel, _ in posted(slack_double)) == ["U0ESCAP", "U0ESCAP2"]
