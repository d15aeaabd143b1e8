"""Scenario: meetings through signed requests to a running bot and the Slack double, on SQLite and
PostgreSQL. The secretariat schedules a meeting of the framework consultation; the channel gets the
invitation and the .ics, each focal point a DM; entities answer; the meeting moves, then is cancelled.
The last test runs its own bot with the clock set to February 2014 (tests/frozen_clock.py): the
chemicals IMG's first meeting on 14 February 2014."""

from __future__ import annotations

import itertools
import json
import re
import sys
import time as clock
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import update
from sqlmodel import Session, select

from storage.models import (Decision, Document, DocumentVersion, Meeting, Poll, PollSlot, PollStatus, Reminder,
                            ReminderStatus, Role, Rsvp)
from storage.types import utcnow
from tests.bot_process import BotProcess, consultbot
from tests.conftest import BOT_TOKEN, SECRETARIAT
from tests.reminder_fixtures import wait_for_status
from tests.slack_double import SlackDouble
from tests.slack_requests import SlackSender, sign, state

UTC = timezone.utc
_n = itertools.count(1)


def _text(call) -> str:
    return json.dumps(call.params, ensure_ascii=False)


def _values(day: date, start: str = "14:00", end: str = "16:00", zone: str = "Europe/Zurich", **overrides) -> dict:
    values = {"title": state("plain_text_input", "Retreat on the framework's implementation"),
              "kind": state("static_select", "retreat"),
              "meeting_date": state("datepicker", day.isoformat()),
              "meeting_start": {"type": "timepicker", "selected_time": start},
              "meeting_end": {"type": "timepicker", "selected_time": end},
              "meeting_end_date": state("datepicker", None),
              "timezone": state("plain_text_input", zone),
              "meeting_place": state("plain_text_input", "Palais des Nations, Room XII, Geneva"),
              "meeting_link": state("plain_text_input", "https://meet.example.org/framework-retreat"),
              "chairs": state("multi_users_select", []),
              "entities": state("multi_static_select", ["UNIDO", "WMO", "WFP", "UNEP"]),
              "meeting_agenda": state("plain_text_input", "Opening\nInterim guidance [doc interim-guidance]\nAOB"),
              "reminders": state("checkboxes", ["T-7d", "T-1d", "T-1h"])}
    values.update(overrides)
    return values


def _open_modal(sender, slack, handle: str, user: str = SECRETARIAT) -> dict:
    sender.command(user, f"meeting new {handle}")
    return slack.wait_for("views.open", lambda c: c.params["view"]["callback_id"] == "meeting.new")[-1].params["view"]


def _meetings(engine, handle: str) -> list[Meeting]:
    from bot.processes.service import get_process

    with Session(engine) as s:
        return list(s.exec(select(Meeting).where(Meeting.process_id == get_process(s, handle).id)
                           .order_by(Meeting.id)).all())


def _schedule(sender, slack, engine, consultation, day: date | None = None, **overrides) -> Meeting:
    view = _open_modal(sender, slack, consultation["handle"])
    day = day or (utcnow() + timedelta(days=30)).date()
    response = sender.submit_view(SECRETARIAT, view, _values(day, **overrides))
    assert not response.content, response.text
    for focal in consultation["focal"].values():  # every invitation is out before the test goes on
        slack.wait_for("chat.postMessage", lambda c, f=focal: c.params.get("channel") == f
                       and "meeting.attending" in _text(c))
    slack.wait_for("files.completeUploadExternal")
    return _meetings(engine, consultation["handle"])[-1]



def _event(data: bytes):
    calendar = Calendar.from_ical(data)
    [event] = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), event


def _rows(engine, meeting_id: int) -> list[Reminder]:
    with Session(engine) as s:
        return list(s.exec(select(Reminder).where(Reminder.subject_id == meeting_id,
                                                  Reminder.kind.like("meeting.%")).order_by(Reminder.id)).all())



def test_scheduling_invites_the_channel_and_each_focal_point_with_the_calendar_file(sender, slack, consultation,
                                                                                      engine):
    view = _open_modal(sender, slack, consultation["handle"])
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert [o["value"] for o in blocks["entities"]["element"]["initial_options"]] == [
        "CBD", "ILO", "UNCTAD", "UNDP", "UNEP", "UNESCO", "UNIDO", "UNOPS", "WFP", "WMO"]
    assert [o["value"] for o in blocks["reminders"]["element"]["initial_options"]] == ["T-7d", "T-1d", "T-1h"]
    assert blocks["timezone"]["element"]["initial_value"] == "Europe/Zurich"
    assert blocks["kind"]["element"]["initial_option"]["value"] == "other"  # a consultation's meeting

    meeting = _schedule(sender, slack, engine, consultation)
    announced = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "C0FRAMEWORK")[0]
    text = _text(announced)
    assert "Retreat on the framework" in text and f"Meeting {meeting.id}" in text
    assert f"<!date^{int(meeting.start.timestamp())}^" in text and "Europe/Zurich" in text
    assert "2. Interim guidance _(document interim-guidance)_" in text
    assert "Geneva" in text and "Nairobi" in text and "Vienna" in text  # local times at the duty stations
    [ics] = slack.uploads_to("C0FRAMEWORK")
    assert ics["filename"] == f"{consultation['handle']}-meeting-{meeting.id}.ics"
    method, event = _event(ics["bytes"])
    assert (method, str(event["UID"]), int(event["SEQUENCE"])) == ("REQUEST", meeting.uid, 0)
    assert event.decoded("DTSTART") == meeting.start
    assert sorted(a.params["CN"] for a in event["ATTENDEE"]) == [
        "UNIDO focal point", "WFP focal point", "WMO focal point"]  # CN: the name; UNEP has no focal point here

    wfp = consultation["focal"]["WFP"]
    dm = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == wfp)[0]
    assert "*WFP* is invited to" in _text(dm) and f"<!date^{int(meeting.start.timestamp())}^" in _text(dm)
    rows = _rows(engine, meeting.id)
    assert {r.recipient for r in rows if r.kind == "meeting.reminder"} == set(consultation["focal"].values())
    assert SECRETARIAT in {r.recipient for r in rows if r.kind == "meeting.outcomes"}


def test_bad_input_is_a_field_error_and_nothing_is_created(sender, slack, consultation, engine):
    view = _open_modal(sender, slack, consultation["handle"])
    soon = (utcnow() + timedelta(days=30)).date()
    cases = [
        (_values(soon, start="16:00", end="15:00"), "meeting_end", "must end after it starts"),
        (_values(date(2027, 3, 28), start="02:30", end="04:00"), "meeting_start", "does not exist in Europe/Zurich"),
        (_values(date(2027, 11, 7), start="01:30", end="03:00", zone="America/New_York"), "meeting_start",
         "happens twice in America/New_York"),
        (_values(soon, zone="Europe/Geneva"), "timezone", "Try Europe/Zurich"),
        (_values(date(2020, 1, 6)), "meeting_date", "already past"),
        (_values(soon, entities=state("multi_static_select", ["UNIDO", "ESCAP"])), "entities",
         "*ESCAP* is not a member"),
        (_values(soon, meeting_agenda=state("plain_text_input", "Opening\nIndicators [round 9]")), "meeting_agenda",
         "Agenda line 2"),
        (_values(soon, meeting_place=state("plain_text_input", ""), meeting_link=state("plain_text_input", "")),
         "meeting_place", "a place, an online link or both"),
    ]
    for values, block, message in cases:
        errors = sender.submit_view(SECRETARIAT, view, values).json()["errors"]
        assert message in errors[block], (block, errors)
    everything = _values(soon, start="16:00", end="15:00", zone="Europe/Zurich",
                         title=state("plain_text_input", ""),
                         meeting_link=state("plain_text_input", "not a link"))
    assert set(sender.submit_view(SECRETARIAT, view, everything).json()["errors"]) == {
        "title", "meeting_end", "meeting_link"}
    assert _meetings(engine, consultation["handle"]) == []
    assert not slack.calls_to("files.completeUploadExternal")

    slack.reset()
    sender.command(consultation["focal"]["WMO"], f"meeting new {consultation['handle']}")
    assert "secretariat / chair" in _text(slack.wait_for("response_url")[0])
    assert not slack.calls_to("views.open")


def test_entities_answer_and_the_secretariat_sees_who_comes(sender, slack, consultation, engine, new_user):
    meeting = _schedule(sender, slack, engine, consultation)
    unido, wmo, wfp = (consultation["focal"][c] for c in ("UNIDO", "WMO", "WFP"))
    slack.reset()

    sender.click(wmo, "meeting.attending", str(meeting.id))
    modal = slack.wait_for("views.open")[0].params["view"]
    assert modal["callback_id"] == "meeting.attend" and "*WMO*" in json.dumps(modal)
    empty = sender.submit_view(wmo, modal, {"meeting_delegates": state("plain_text_input", " ")})
    assert "Name at least one delegate" in empty.json()["errors"]["meeting_delegates"]
    names = state("plain_text_input", "Lars Peterson\nAnna Berg")
    assert not sender.submit_view(wmo, modal, {"meeting_delegates": names}, view_id="V0ATTEND").content
    sender.submit_view(wmo, modal, {"meeting_delegates": names}, view_id="V0ATTEND")  # a double click
    slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == wmo and "Recorded" in _text(c))

    sender.click(wfp, "meeting.tentative", str(meeting.id))
    assert "*WFP* — Tentative" in _text(slack.wait_for("response_url", lambda c: "WFP" in _text(c))[0])
    sender.click(unido, "meeting.not_attending", str(meeting.id))
    slack.wait_for("response_url", lambda c: "*UNIDO* — Not attending" in _text(c))  # clicks a person makes in turn
    sender.click(unido, "meeting.tentative", str(meeting.id))  # answering again replaces
    slack.wait_for("response_url", lambda c: "*UNIDO* — Tentative" in _text(c))
    outsider = new_user("Someone else", tz="Asia/Bangkok")
    sender.click(outsider, "meeting.tentative", str(meeting.id))
    refused = _text(slack.wait_for("response_url", lambda c: "Only a focal point" in _text(c))[0])
    assert f"<@{SECRETARIAT}>" in refused and "UNEP, UNIDO, WFP, WMO" in refused

    with Session(engine) as s:
        answers = {r.by: (r.attendance, r.delegates) for r in s.exec(select(Rsvp).where(Rsvp.meeting_id == meeting.id))}
    assert answers == {wmo: ("attending", "Lars Peterson, Anna Berg"), wfp: ("tentative", ""),
                       unido: ("tentative", "")}

    slack.reset()
    sender.command(SECRETARIAT, f"meeting {meeting.id}")
    shown = _text(slack.wait_for("response_url")[0])
    assert "1 attending, 2 tentative, 0 not attending, 1 not answered (of 4 invited)" in shown
    assert "*Not answered:* UNEP" in shown and "Lars Peterson, Anna Berg" in shown
    sender.command(wfp, f"meeting show {meeting.id}")
    mine = _text(slack.wait_for("response_url", count=2)[1])
    assert "*WFP*: Tentative" in mine and "not answered (of" not in mine


def test_someone_speaking_for_two_invited_entities_picks_the_one_answering(sender, slack, consultation, engine):
    from bot.entities.service import get_entity
    from bot.processes.service import get_process
    from bot.roles.service import grant
    from storage.db import session_scope

    unido = consultation["focal"]["UNIDO"]
    with session_scope(engine) as s:
        grant(s, SECRETARIAT, unido, Role.FOCAL_POINT, get_process(s, consultation["handle"]), get_entity(s, "UNEP"))
    meeting = _schedule(sender, slack, engine, consultation)
    invitation = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == unido)[0]
    assert "*UNEP, UNIDO* is invited" in _text(invitation)
    slack.reset()
    sender.click(unido, "meeting.not_attending", str(meeting.id))
    choice = slack.wait_for("response_url")[0].params
    buttons = [e for b in choice["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        ("meeting.not_attending", f"{meeting.id}:UNEP"), ("meeting.not_attending", f"{meeting.id}:UNIDO")]
    sender.click(unido, "meeting.not_attending", buttons[0]["value"])
    assert "*UNEP* — Not attending" in _text(slack.wait_for("response_url", count=2)[1])
    sender.click(unido, "meeting.attending", f"{meeting.id}:UNIDO")
    modal = slack.wait_for("views.open")[0].params["view"]
    assert "*UNIDO*" in json.dumps(modal)
    sender.submit_view(unido, modal, {"meeting_delegates": state("plain_text_input", "Petra")})
    slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == unido
                   and "*UNIDO* — Attending" in _text(c))
    with Session(engine) as s:
        rows = s.exec(select(Rsvp).where(Rsvp.meeting_id == meeting.id)).all()
    assert sorted((r.attendance, r.delegates) for r in rows) == [("attending", "Petra"), ("not_attending", "")]


def test_without_a_channel_the_creator_gets_the_invitation_and_a_polls_slot_is_marked_scheduled(sender, slack,
                                                                                                 engine):
    from bot.entities.service import get_entity
    from bot.meetings.render import meeting_modal
    from bot.people.service import find_person
    from bot.processes.service import NewProcess, create_process, member_codes
    from bot.roles.service import grant
    from storage.db import session_scope
    from storage.models import Poll

    handle, focal = f"peer-review-{next(_n)}", f"U0PR{next(_n)}WMO"
    slack.add_user(focal, "Lars", tz="Europe/Zurich")
    start = (utcnow() + timedelta(days=10)).replace(hour=8, minute=0, second=0, microsecond=0)
    with session_scope(engine) as s:
        process = create_process(s, find_person(s, SECRETARIAT), NewProcess(
            handle=handle, kind="consultation", title="Peer reviews", timezone="Europe/Zurich",
            members=["WMO", "UNIDO", "UNEP"]))
        grant(s, SECRETARIAT, focal, Role.FOCAL_POINT, process, get_entity(s, "WMO"))
        poll = Poll(process_id=process.id, title="Peer-review body", duration_minutes=90, timezone="Europe/Zurich",
                    created_by=SECRETARIAT)
        s.add(poll)
        s.flush()
        view = meeting_modal(process, member_codes(s, process), None, {
            "title": poll.title, "start": start, "end": start + timedelta(minutes=90), "timezone": "Europe/Zurich",
            "entities": ["WMO", "UNIDO"], "poll_id": poll.id, "slot_id": 1})
        poll_id = poll.id
    blocks = {b["block_id"]: b["element"] for b in view["blocks"]}
    local = start.astimezone(ZoneInfo("Europe/Zurich"))
    assert (blocks["meeting_date"]["initial_date"], blocks["meeting_start"]["initial_time"]) == (
        local.date().isoformat(), f"{local:%H:%M}")
    assert [o["value"] for o in blocks["entities"]["initial_options"]] == ["UNIDO", "WMO"]
    values = _values(local.date(), start=f"{local:%H:%M}", end=f"{local + timedelta(minutes=90):%H:%M}",
                     title=state("plain_text_input", "Peer-review body"), meeting_agenda=state("plain_text_input", ""),
                     entities=state("multi_static_select", ["WMO", "UNIDO"]))
    assert not sender.submit_view(SECRETARIAT, view, values).content
    slack.wait_for("files.completeUploadExternal")
    invitation = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == SECRETARIAT
                                and "Peer-review body" in _text(c))[0]
    assert "meeting.attending" in _text(invitation)
    [ics] = slack.uploads_to(f"D{SECRETARIAT}")
    assert ics["filename"].startswith(f"{handle}-meeting-")
    slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == focal and "*WMO* is invited" in _text(c))
    [meeting] = _meetings(engine, handle)
    with Session(engine) as s:
        poll = s.get(Poll, poll_id)
    assert (poll.status, poll.meeting_id) == ("scheduled", meeting.id)


def test_the_calendar_file_in_slack_is_the_one_the_command_line_writes(sender, slack, consultation, engine, bot_env,
                                                                         tmp_path):
    meeting = _schedule(sender, slack, engine, consultation)
    unido = consultation["focal"]["UNIDO"]
    slack.reset()
    sender.command(unido, f"meeting ics {meeting.id}")
    assert "in your direct messages" in _text(slack.wait_for("response_url")[0])
    [sent] = slack.uploads_to(f"D{unido}")
    out = tmp_path / "m.ics"
    consultbot("export", "ics", str(meeting.id), "--out", str(out), env=bot_env)
    assert out.read_bytes() == sent["bytes"]
    sender.command(unido, "meeting ics 987654")
    assert "There is no meeting 987654" in _text(slack.wait_for("response_url", count=2)[1])


def test_a_move_tells_everyone_and_moves_the_reminders_then_a_cancel_cancels_them(sender, slack, consultation,
                                                                                    engine):
    meeting = _schedule(sender, slack, engine, consultation)
    before = {r.key for r in _rows(engine, meeting.id) if r.status == ReminderStatus.PENDING}
    new_day = meeting.start.date() + timedelta(days=3)
    slack.reset()
    sender.command(consultation["focal"]["WMO"], f"meeting move {meeting.id} {new_day} 10:00")
    assert "Only the secretariat or a chair" in _text(slack.wait_for("response_url")[0])
    sender.command(SECRETARIAT, f"meeting move {meeting.id} {new_day} 10:00 11:30 Europe/Zurich")
    assert "is moved to" in _text(slack.wait_for("response_url", lambda c: "moved" in _text(c))[0])
    for focal in consultation["focal"].values():
        slack.wait_for("chat.postMessage", lambda c, f=focal: c.params.get("channel") == f and "has moved" in _text(c))
    slack.wait_for("files.completeUploadExternal")
    [ics] = slack.uploads_to("C0FRAMEWORK")
    method, event = _event(ics["bytes"])
    assert (method, str(event["UID"]), int(event["SEQUENCE"])) == ("REQUEST", meeting.uid, 1)
    moved = _meetings(engine, consultation["handle"])[-1]
    assert event.decoded("DTSTART") == moved.start and moved.end - moved.start == timedelta(minutes=90)
    rows = _rows(engine, meeting.id)
    assert {r.key for r in rows if r.status == ReminderStatus.CANCELLED} == before
    assert all(f"@{moved.start:%Y%m%dT%H%M}:" in r.key for r in rows
               if r.status == ReminderStatus.PENDING and r.kind == "meeting.reminder")

    slack.reset()
    sender.command(SECRETARIAT, f"meeting cancel {meeting.id}")
    assert "is cancelled" in _text(slack.wait_for("response_url")[0])
    for focal in consultation["focal"].values():
        slack.wait_for("chat.postMessage", lambda c, f=focal: c.params.get("channel") == f and "cancelled" in _text(c))
    slack.wait_for("files.completeUploadExternal")
    [ics] = slack.uploads_to("C0FRAMEWORK")
    method, event = _event(ics["bytes"])
    assert (method, str(event["STATUS"]), int(event["SEQUENCE"]), str(event["UID"])) == (
        "CANCEL", "CANCELLED", 2, meeting.uid)
    assert not [r for r in _rows(engine, meeting.id) if r.status == ReminderStatus.PENDING]
    sender.click(consultation["focal"]["WFP"], "meeting.tentative", str(meeting.id))
    assert "is cancelled" in _text(slack.wait_for("response_url", lambda c: "WFP" not in _text(c)
                                                  and "cancelled" in _text(c), count=2)[-1])


def test_due_reminders_reach_focal_points_and_the_secretariat_is_asked_for_outcomes(sender, slack, consultation,
                                                                                     engine):
    meeting = _schedule(sender, slack, engine, consultation)
    wfp = consultation["focal"]["WFP"]
    sender.click(consultation["focal"]["UNIDO"], "meeting.not_attending", str(meeting.id))
    slack.wait_for("response_url", lambda c: "Not attending" in _text(c))
    rows = {(r.recipient, r.offset, r.kind): r for r in _rows(engine, meeting.id)}
    due = [rows[(wfp, "T-1d", "meeting.reminder")], rows[(consultation["focal"]["UNIDO"], "T-1d", "meeting.reminder")],
           rows[(SECRETARIAT, "T+1d", "meeting.outcomes")]]
    with Session(engine) as s:  # time passes: these rows are due now
        s.execute(update(Reminder).where(Reminder.id.in_([r.id for r in due]))
                  .values(send_at=utcnow() - timedelta(seconds=1)))
        s.commit()
    reminder = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == wfp
                              and "consultbot_reminder" in _text(c))[0]
    assert "Reminder:" in _text(reminder) and "*WFP* has not answered yet" in _text(reminder)
    assert wait_for_status(engine, due[1].id, ReminderStatus.SKIPPED).outcome == "not attending"
    asked = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == SECRETARIAT
                           and "no outcomes are recorded" in _text(c))[0]
    assert f"meeting {meeting.id}" in _text(asked)
    assert wait_for_status(engine, due[2].id, ReminderStatus.SENT).ts == asked.response["ts"]


# ---- February 2014, on a clock set back by time-machine


class FrozenSender(SlackSender):
    """Signs requests with the bot's clock (Bolt refuses a signature more than 5 minutes off)."""

    def __init__(self, bot_url: str, response_base: str, offset: float) -> None:
        super().__init__(bot_url, response_base)
        self.offset = offset

    def post(self, body: str, content_type: str, headers: dict | None = None, signed: bool = True):
        all_headers = {"Content-Type": content_type, **sign(body, timestamp=int(clock.time() + self.offset)),
                       **(headers or {})}
        return self.http.post(self.url, content=body.encode(), headers=all_headers)


FEB_7_2014 = datetime(2014, 2, 7, 9, 0, tzinfo=UTC)
STATIONS = {"WHO": ("Europe/Zurich", "Lars"), "UNDP": ("America/New_York", "Maria"),
            "UNEP": ("Africa/Nairobi", "Hiroshi"), "ESCAP": ("Asia/Bangkok", "Somchai")}


@pytest.fixture
def frozen_bot(private_database_url, tmp_path):
    """A bot of its own, on its own database and Slack double, whose clock reads 7 February 2014."""
    from bot.entities.service import get_entity
    from bot.people.service import ensure_person
    from bot.processes.service import NewProcess, create_process
    from bot.roles.service import grant, sync_secretariat
    from storage.db import make_engine, session_scope

    engine = make_engine(private_database_url)
    focal = {}
    with SlackDouble(bot_token=BOT_TOKEN) as double:
        double.add_user(SECRETARIAT, "Amina (EMG secretariat)", tz="Europe/Zurich")
        with session_scope(engine) as s:
            sync_secretariat(s, [SECRETARIAT])
            process = create_process(s, ensure_person(s, SECRETARIAT), NewProcess(
                handle="chemicals", kind="img", title="Chemicals and Waste Issue Management Group",
                timezone="Europe/Zurich", channel_id="C0CHEMICALS",
                members=["UNEP", "UNDP", "UNIDO", "WHO", "ILO", "FAO", "UNITAR", "BRS", "ESCAP"]))
            for code, (zone, name) in STATIONS.items():
                user = f"U0F{code}"
                double.add_user(user, name, tz=zone)
                grant(s, SECRETARIAT, user, Role.FOCAL_POINT, process, get_entity(s, code))
                person = ensure_person(s, user)
                person.display_name, person.timezone = name, zone
                focal[code] = user
            tor = Document(process_id=process.id, slug="terms-of-reference", title="Terms of reference")
            s.add(tor)
            s.flush()
            tor_version = DocumentVersion(document_id=tor.id, number=1, source_name="tor.md", source_sha256="1" * 64,
                                          imported_by=SECRETARIAT)
            s.add(tor_version)
            s.flush()
            tor_version_id = tor_version.id
        env = {"DATABASE_URL": private_database_url, "SLACK_API_URL": double.api_url, "SLACK_BOT_TOKEN": BOT_TOKEN,
               "SLACK_SIGNING_SECRET": "test-signing-secret", "SECRETARIAT_USERS": SECRETARIAT,
               "LOG_LEVEL": "warning", "QUIET_HOURS": "off", "QUIET_DAYS": "", "REMINDER_TICK_SECONDS": "0.5"}
        running = {}

        def start_at(instant: datetime) -> FrozenSender:
            """(Re)start the bot with its clock at `instant`; a sender signing with that clock."""
            if running.get("bot"):
                running["bot"].stop()
            running["bot"] = BotProcess(env, tmp_path / f"frozen-{instant:%m%d}.log", command=[
                sys.executable, "tests/frozen_clock.py", instant.isoformat(), "serve"]).start()
            return FrozenSender(running["bot"].url, double.base_url, instant.timestamp() - clock.time())

        try:
            sender = start_at(FEB_7_2014)
            yield {"bot": running["bot"], "slack": double, "engine": engine, "focal": focal, "sender": sender,
                   "start_at": start_at, "tor_version_id": tor_version_id}
        finally:
            running["bot"].stop()
            engine.dispose()


def test_the_chemicals_img_schedules_its_first_meeting_in_february_2014(frozen_bot):
    sender, slack, engine, focal = (frozen_bot[k] for k in ("sender", "slack", "engine", "focal"))
    sender.command(SECRETARIAT, "meeting new chemicals", channel="C0CHEMICALS")
    view = slack.wait_for("views.open")[0].params["view"]
    assert next(b for b in view["blocks"] if b["block_id"] == "kind")["element"]["initial_option"]["value"] == "img"
    values = _values(date(2014, 2, 14), start="09:00", end="12:00",
                     title=state("plain_text_input", "First meeting of the chemicals IMG"),
                     kind=state("static_select", "img"),
                     meeting_place=state("plain_text_input", "International Environment House, Geneva"),
                     entities=state("multi_static_select", ["WHO", "UNDP", "UNEP", "ESCAP"]),
                     meeting_agenda=state("plain_text_input", "Terms of reference\nWorking modalities"))
    yesterday = sender.submit_view(SECRETARIAT, view, {**values, "meeting_date": state("datepicker", "2014-02-06")})
    assert "already past" in yesterday.json()["errors"]["meeting_date"]  # the bot's today is 7 February 2014
    assert not sender.submit_view(SECRETARIAT, view, values).content  # 14 February 2014 is ahead of it
    for user in focal.values():
        slack.wait_for("chat.postMessage", lambda c, u=user: c.params.get("channel") == u and "invited" in _text(c))
    with Session(engine) as s:
        meeting = s.exec(select(Meeting)).one()
    assert meeting.start == datetime(2014, 2, 14, 8, 0, tzinfo=UTC)  # 09:00 in Geneva, CET
    assert meeting.created_at.year == 2014  # written by a process whose clock reads 2014
    [ics] = slack.uploads_to("C0CHEMICALS")
    method, event = _event(ics["bytes"])
    assert (method, int(event["SEQUENCE"]), event.decoded("DTSTAMP").year) == ("REQUEST", 0, 2014)
    local = {code: _text(slack.wait_for("chat.postMessage", lambda c, u=user: c.params.get("channel") == u)[0])
             for code, user in focal.items()}
    assert "Geneva Fri 09:00" in local["UNDP"] and "New York Fri 03:00 :warning:" in local["UNDP"]
    assert "Nairobi Fri 11:00" in local["WHO"] and "Bangkok Fri 15:00" in local["WHO"]

    rows = [r for r in _rows(engine, meeting.id) if r.kind == "meeting.reminder"]
    assert {r.offset for r in rows} == {"T-1d", "T-1h"}  # 7 days before was this morning: not planned

    sender.click(focal["WHO"], "meeting.attending", str(meeting.id))
    modal = slack.wait_for("views.open", lambda c: c.params["view"]["callback_id"] == "meeting.attend")[0]
    sender.submit_view(focal["WHO"], modal.params["view"],
                       {"meeting_delegates": state("plain_text_input", "Dr Neira, Dr Ivanov")})
    sender.click(focal["UNEP"], "meeting.attending", str(meeting.id))
    modal = slack.wait_for("views.open", lambda c: c.params["view"]["callback_id"] == "meeting.attend", count=2)[1]
    sender.submit_view(focal["UNEP"], modal.params["view"], {"meeting_delegates": state("plain_text_input", "Tim")})
    sender.click(focal["UNDP"], "meeting.tentative", str(meeting.id))
    slack.wait_for("response_url", lambda c: "*UNDP* — Tentative" in _text(c))
    for user in (focal["WHO"], focal["UNEP"]):
        slack.wait_for("chat.postMessage", lambda c, u=user: c.params.get("channel") == u and "Recorded" in _text(c))

    slack.reset()
    sender.command(SECRETARIAT, f"meeting move {meeting.id} 2014-02-14 13:00", channel="C0CHEMICALS")
    slack.wait_for("response_url", lambda c: "is moved to" in _text(c))
    for user in focal.values():
        slack.wait_for("chat.postMessage", lambda c, u=user: c.params.get("channel") == u and "has moved" in _text(c))
    slack.wait_for("files.completeUploadExternal")
    [ics] = slack.uploads_to("C0CHEMICALS")
    method, event = _event(ics["bytes"])
    assert (method, int(event["SEQUENCE"]), str(event["UID"])) == ("REQUEST", 1, meeting.uid)
    assert event.decoded("DTSTART") == datetime(2014, 2, 14, 12, 0, tzinfo=UTC)  # 13:00 Geneva: 07:00 in New York
    partstat = {a.params["CN"]: a.params["PARTSTAT"] for a in event["ATTENDEE"]}
    assert partstat == {"Lars": "ACCEPTED", "Hiroshi": "ACCEPTED", "Maria": "TENTATIVE", "Somchai": "NEEDS-ACTION"}

    rows = _rows(engine, meeting.id)
    reminders = [r for r in rows if r.kind == "meeting.reminder"]
    assert {r.status for r in reminders if "@20140214T0800:" in r.key} == {ReminderStatus.CANCELLED}
    pending = [r for r in reminders if r.status == ReminderStatus.PENDING]
    assert pending and all("@20140214T1200:" in r.key for r in pending)
    assert {r.recipient for r in pending} == set(focal.values())
    bangkok_day_before = next(r for r in pending if r.recipient == focal["ESCAP"] and r.offset == "T-1d")
    assert bangkok_day_before.send_at == datetime(2014, 2, 13, 12, 0, tzinfo=UTC)  # quiet hours are off here

    with Session(engine) as s:  # a day passes, on the bot's clock: ESCAP's reminder is due
        s.execute(update(Reminder).where(Reminder.id == bangkok_day_before.id)
                  .values(send_at=FEB_7_2014 - timedelta(minutes=1)))
        s.commit()
    reminder = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == focal["ESCAP"]
                              and "consultbot_reminder" in _text(c), timeout=10)[0]
    assert "*ESCAP* has not answered yet" in _text(reminder)
    assert re.search(r"<!date\^1392379200\^", _text(reminder))  # 2014-02-14 12:00 UTC


def test_the_chemicals_img_polls_three_slots_schedules_the_best_and_approves_its_terms_of_reference(frozen_bot):
    """7 February 2014: the IMG is established and polls three slots; Geneva, New York, Nairobi and
    Bangkok answer; the best slot becomes the first meeting on 14 February; the bot is restarted on
    the afternoon of the 14th and the secretariat records: terms of reference approved."""
    from tests.slack_requests import initial_state

    sender, slack, engine, focal = (frozen_bot[k] for k in ("sender", "slack", "engine", "focal"))
    sender.command(SECRETARIAT, "poll chemicals", channel="C0CHEMICALS")
    view = slack.wait_for("views.open", lambda c: c.params["view"]["callback_id"] == "poll.new")[0].params["view"]
    assert not sender.submit_view(SECRETARIAT, view, {
        "title": state("plain_text_input", "First meeting of the chemicals IMG"),
        "poll_duration": state("static_select", "60"), "timezone": state("plain_text_input", "Europe/Zurich"),
        "poll_slots": state("plain_text_input", "2014-02-13 17:00\n2014-02-14 09:00\n2014-02-17 14:00"),
        "entities": state("multi_static_select", list(STATIONS))}).content
    for user in focal.values():
        slack.wait_for("chat.postMessage", lambda c, u=user: c.params.get("channel") == u and "poll.answer.open" in _text(c))
    with Session(engine) as s:
        poll = s.exec(select(Poll)).one()
        slots = list(s.exec(select(PollSlot).where(PollSlot.poll_id == poll.id).order_by(PollSlot.position)).all())
    assert poll.created_at.year == 2014 and [x.start.day for x in slots] == [13, 14, 17]

    answers = {"WHO": ["yes", "yes", "if_need_be"], "UNDP": ["if_need_be", "yes", "yes"],
               "UNEP": ["yes", "yes", "no"], "ESCAP": ["no", "yes", "no"]}  # 17:00 Geneva is 23:00 in Bangkok
    for code, choices in answers.items():
        sender.click(focal[code], "poll.answer.open", f"{poll.id}:{code}")
        modal = slack.wait_for("views.open", lambda c, k=code: c.params["view"]["callback_id"] == "poll.answer"
                               and f'"entity": "{k}"' in c.params["view"]["private_metadata"])[0].params["view"]
        blocks = [b["block_id"] for b in modal["blocks"] if b["type"] == "input"]
        assert not sender.submit_view(focal[code], modal, {b: state("static_select", a)
                                                            for b, a in zip(blocks, choices)}).content
    slack.wait_for("chat.update", lambda c: "4 of 4" in _text(c) or "4/4" in _text(c), timeout=10)

    sender.click(SECRETARIAT, "poll.schedule", f"{poll.id}:{slots[1].id}")
    view = slack.wait_for("views.open", lambda c: c.params["view"]["callback_id"] == "meeting.new")[0].params["view"]
    assert not sender.submit_view(SECRETARIAT, view, {
        **initial_state(view), "meeting_place": state("plain_text_input", "International Environment House, Geneva"),
        "meeting_agenda": state("plain_text_input", "Terms of reference [doc terms-of-reference]")}).content
    for user in focal.values():  # the invitation, with its RSVP buttons
        slack.wait_for("chat.postMessage", lambda c, u=user: c.params.get("channel") == u
                       and "meeting.attending" in _text(c))
    with Session(engine) as s:
        meeting = s.exec(select(Meeting)).one()
        assert s.get(Poll, poll.id).status == PollStatus.SCHEDULED
    assert (meeting.start, meeting.end) == (datetime(2014, 2, 14, 8, 0, tzinfo=UTC), datetime(2014, 2, 14, 9, 0, tzinfo=UTC))
    sender.click(focal["UNDP"], "meeting.tentative", str(meeting.id))
    slack.wait_for("response_url", lambda c: "*UNDP* — Tentative" in _text(c))

    slack.reset()  # the meeting is over: the bot runs on, its clock now the afternoon of 14 February 2014
    sender = frozen_bot["start_at"](datetime(2014, 2, 14, 14, 0, tzinfo=UTC))
    sender.click(SECRETARIAT, "outcomes.open", str(meeting.id))
    view = slack.wait_for("views.open", lambda c: c.params["view"]["callback_id"] == "outcomes.record")[0].params["view"]
    response = sender.submit_view(SECRETARIAT, view, {
        "outcome_minutes": state("plain_text_input", "The IMG approved its terms of reference."),
        "outcome_kind": state("static_select", "document_approved"),
        "version": state("static_select", str(frozen_bot["tor_version_id"])),
        "outcome_owner": {"type": "static_select", "selected_option": None},
        "mandate_end": {"type": "datepicker", "selected_date": None},
        "outcome_due": {"type": "datepicker", "selected_date": None},
        "outcome_text": state("plain_text_input", None)})
    assert response.status_code == 200 and not response.content, response.text
    announced = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "C0CHEMICALS"
                               and "Terms of reference" in _text(c))[0]
    assert "approved" in _text(announced)
    with Session(engine) as s:
        version = s.get(DocumentVersion, frozen_bot["tor_version_id"])
        [decision] = s.exec(select(Decision).where(Decision.meeting_id == meeting.id)).all()
        recorded = s.get(Meeting, meeting.id)
    assert (decision.kind, decision.version_id) == ("document_approved", version.id)
    assert version.approved_at.date() == date(2014, 2, 14) and recorded.outcomes_at.date() == date(2014, 2, 14)
