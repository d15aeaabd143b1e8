"""Scenario: the secretariat polls the chemicals IMG for its first meeting through Slack; focal points
in Nairobi, New York, Geneva and Bangkok answer in their own time zones; the board ranks the slots;
a focal point of an entity not invited is refused; non-responders are reminded; the poll closes.

(“Schedule this slot” opens bot/meetings' modal: its end-to-end test belongs with the meetings work.)"""

from __future__ import annotations

import itertools
import json
import os
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, update
from sqlmodel import Session, select

from storage.db import session_scope
from storage.models import Poll, PollSlot, PollStatus, PollVote, Reminder, ReminderStatus, Role
from storage.types import utcnow
from tests.conftest import SECRETARIAT
from tests.reminder_fixtures import wait_for_status
from tests.slack_requests import state

_n = itertools.count(1)
ZONES = {"UNEP": "Africa/Nairobi", "UNDP": "America/New_York", "WMO": "Europe/Zurich", "ESCAP": "Asia/Bangkok",
         "UNIDO": "Europe/Vienna"}
INVITED = ["UNEP", "UNDP", "WMO", "ESCAP"]
SLOTS = "2027-02-10 09:00\n2027-02-11 14:00\n2027-02-12 15:00"  # Geneva: 08:00, 13:00 and 14:00 UTC


def _text(call) -> str:
    return json.dumps(call.params, ensure_ascii=False)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture
def chemicals(bot, engine, slack) -> dict:
    """The chemicals IMG (its own short name) with five member entities and a focal point for each,
    each in their duty station's zone."""
    from bot.entities.service import get_entity
    from bot.people.service import find_person
    from bot.processes.service import NewProcess, create_process
    from bot.roles.service import grant

    n = next(_n)
    handle = f"chem-poll-{n}"
    focal = {}
    with session_scope(engine) as s:
        process = create_process(s, find_person(s, SECRETARIAT), NewProcess(
            handle=handle, kind="img", title="Chemicals and Waste Issue Management Group",
            timezone="Europe/Zurich", members=list(ZONES)))
        for code, zone in ZONES.items():
            user = f"U{n:03d}P{os.getpid() % 1000:03d}{code}"
            slack.add_user(user, f"{code} focal point", tz=zone)
            grant(s, SECRETARIAT, user, Role.FOCAL_POINT, process, get_entity(s, code))
            focal[code] = user
        process_id = process.id
    return {"handle": handle, "process_id": process_id, "focal": focal}


def _values(**overrides) -> dict:
    values = {"title": state("plain_text_input", "First meeting of the chemicals IMG"),
              "poll_duration": state("static_select", "60"), "timezone": state("plain_text_input", "Europe/Zurich"),
              "poll_slots": state("plain_text_input", SLOTS), "entities": state("multi_static_select", INVITED)}
    return {**values, **overrides}


def _poll_modal(sender, slack, chemicals, user=SECRETARIAT) -> dict:
    sender.command(user, f"poll {chemicals['handle']}")
    return slack.wait_for("views.open")[0].params["view"]


def _polls(engine, chemicals) -> list[Poll]:
    with Session(engine) as s:
        return list(s.exec(select(Poll).where(Poll.process_id == chemicals["process_id"]).order_by(Poll.id)).all())


def _slots(engine, poll_id: int) -> list[PollSlot]:
    with Session(engine) as s:
        return list(s.exec(select(PollSlot).where(PollSlot.poll_id == poll_id).order_by(PollSlot.position)).all())


def _open_poll(sender, slack, chemicals, engine) -> int:
    view = _poll_modal(sender, slack, chemicals)
    view_id = f"VNEWPOLL{next(_n)}"
    assert not sender.submit_view(SECRETARIAT, view, _values(), view_id=view_id).content
    assert not sender.submit_view(SECRETARIAT, view, _values(), view_id=view_id).content  # a double click
    for code in INVITED:  # every ballot is out before the test goes on
        slack.wait_for("chat.postMessage", lambda c, u=chemicals["focal"][code]: c.params.get("channel") == u)
    slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == SECRETARIAT
                   and "poll.schedule" in _text(c))
    return _polls(engine, chemicals)[-1].id


def _answer(sender, slack, user: str, poll_id: int, code: str, answers: list[str], view_id: str | None = None):
    """Click Answer in the DM, then submit the modal with one answer per slot (in slot order)."""
    sender.click(user, "poll.answer.open", f"{poll_id}:{code}")
    view = slack.wait_for("views.open", lambda c: c.params["view"]["callback_id"] == "poll.answer"
                          and f'"entity": "{code}"' in c.params["view"]["private_metadata"])[-1].params["view"]
    blocks = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    values = {block: state("static_select", answer) for block, answer in zip(blocks, answers) if answer}
    response = sender.submit_view(user, view, values, view_id=view_id)
    assert response.status_code == 200 and not response.content, response.text
    return view


def test_the_secretariats_poll_reaches_each_focal_point_in_their_time_zone_and_ranks_their_answers(
        sender, slack, chemicals, engine):
    view = _poll_modal(sender, slack, chemicals)
    assert [b["block_id"] for b in view["blocks"]] == ["title", "poll_duration", "timezone", "poll_slots", "entities"]
    by_id = {b["block_id"]: b for b in view["blocks"]}
    assert by_id["timezone"]["element"]["initial_value"] == "Europe/Zurich"
    assert [o["value"] for o in by_id["poll_duration"]["element"]["options"]] == ["30", "60", "90", "120", "180"]
    assert [o["value"] for o in by_id["entities"]["element"]["initial_options"]] == sorted(ZONES)

    # bad input: a malformed line and a time the clocks skip (28 March 2027 in Geneva), an unknown zone
    bad = sender.submit_view(SECRETARIAT, view, _values(
        poll_slots=state("plain_text_input", "2027-02-10 09:00\n10 Feb 2027 at 9\n2027-03-28 02:30"))).json()
    assert bad["response_action"] == "errors"
    assert "Line 2" in bad["errors"]["poll_slots"] and "Line 3 (2027-03-28 02:30) does not exist in Europe/Zurich" \
        in bad["errors"]["poll_slots"]
    zone = sender.submit_view(SECRETARIAT, view, _values(timezone=state("plain_text_input", "Geneva"))).json()
    assert "Europe/Zurich" in zone["errors"]["timezone"]
    assert _polls(engine, chemicals) == []  # nothing half-created

    poll_id = _open_poll(sender, slack, chemicals, engine)
    focal = chemicals["focal"]
    ballots = {code: _text(slack.wait_for("chat.postMessage", lambda c, u=focal[code]: c.params.get("channel") == u)[0])
               for code in INVITED}
    tokens = re.findall(r"<!date\^(\d+)\^\{date_short_pretty\} \{time\}\|", ballots["UNDP"])
    assert [int(x) for x in tokens] == [int(utc(2027, 2, 10, 8).timestamp()), int(utc(2027, 2, 11, 13).timestamp()),
                                        int(utc(2027, 2, 12, 14).timestamp())]  # each reader's own zone, in Slack
    lines = ballots["WMO"].split("\\n")
    assert "outside 08:00–19:00 for UNDP" in lines[0]  # 09:00 Geneva is 03:00 in New York
    assert "outside 08:00–19:00 for ESCAP" in lines[1]  # 14:00 Geneva is 20:00 in Bangkok
    assert f'"value": "{poll_id}:WMO"' in ballots["WMO"]
    assert not [c for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == focal["UNIDO"]]
    out = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == SECRETARIAT and "is out" in _text(c))
    assert "4 focal point(s)" in _text(out[0])

    # New York answers: the modal shows the slots in New York time; a double submit saves once
    slot_ids = [s.id for s in _slots(engine, poll_id)]
    modal = _answer(sender, slack, focal["UNDP"], poll_id, "UNDP", ["no", "yes", "yes"], view_id=f"VPOLL{poll_id}")
    labels = [b["label"]["text"] for b in modal["blocks"] if b["type"] == "input"]
    assert labels[0].startswith("1. 2027-02-10 03:00–04:00") and "outside 08:00–19:00 for UNDP" in labels[0]
    sender.submit_view(focal["UNDP"], modal, {f"poll_slot:{slot_ids[0]}": state("static_select", "yes")},
                       view_id=f"VPOLL{poll_id}")  # the same view again: already done
    saved = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == focal["UNDP"]
                           and "Saved for" in _text(c))
    assert "1 no" in _text(saved[0]) and "2 yes" in _text(saved[0])
    _answer(sender, slack, focal["WMO"], poll_id, "WMO", ["yes", "yes", "if_need_be"])
    _answer(sender, slack, focal["UNEP"], poll_id, "UNEP", ["yes", "yes", "no"])
    from bot.entities.service import get_entity

    with Session(engine) as s:
        votes = dict(s.exec(select(PollVote.slot_id, PollVote.answer).where(
            PollVote.poll_id == poll_id, PollVote.entity_id == get_entity(s, "UNDP").id)).all())
    assert votes == {slot_ids[0]: "no", slot_ids[1]: "yes", slot_ids[2]: "yes"}

    assert len(_polls(engine, chemicals)) == 1  # the double submit made one poll, one ballot each
    assert len([c for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == focal["ESCAP"]]) == 1

    # the board the secretariat got follows the answers
    def board_updated(c):
        return c.params.get("channel") == f"D{SECRETARIAT}" and "3 of 4 entities answered" in _text(c)

    slack.wait_for("chat.update", board_updated)
    slack.reset()
    sender.command(SECRETARIAT, f"poll show {poll_id}")
    board = slack.wait_for("response_url")[0].params
    text = _text(slack.calls_to("response_url")[0])
    assert "3 of 4 entities answered" in text and "*Not answered yet* (1): ESCAP" in text
    best = [b["accessory"]["value"] for b in board["blocks"] if b.get("accessory", {}).get("action_id")
            == "poll.schedule"]
    # slot 2 (3 yes) first; then slot 1 (2 yes, outside for UNDP) before slot 3 (1 yes)
    assert best == [f"{poll_id}:{slot_ids[1]}", f"{poll_id}:{slot_ids[0]}", f"{poll_id}:{slot_ids[2]}"]


def test_the_app_home_shows_a_focal_point_the_polls_their_entity_has_not_answered(sender, slack, chemicals, engine):
    poll_id = _open_poll(sender, slack, chemicals, engine)
    escap = chemicals["focal"]["ESCAP"]

    def home_of(event_id: str) -> str:
        slack.reset()
        sender.home_opened(escap, event_id=event_id)
        return _text(slack.wait_for("views.publish", lambda c: c.params.get("user_id") == escap)[0])

    home = home_of(f"EvPollHome{poll_id}a")
    assert "Polls waiting for your answer" in home and "for *ESCAP*: 0 of 3 slots answered" in home
    assert f'"value": "{poll_id}:ESCAP"' in home and "<!date^" in home
    _answer(sender, slack, escap, poll_id, "ESCAP", ["yes", "no", "if_need_be"])
    assert f"{poll_id}:ESCAP" not in home_of(f"EvPollHome{poll_id}b")  # answered in full: gone


def test_a_focal_point_of_an_entity_not_invited_is_refused(sender, slack, chemicals, engine):
    poll_id = _open_poll(sender, slack, chemicals, engine)
    unido = chemicals["focal"]["UNIDO"]
    slack.reset()
    sender.click(unido, "poll.answer.open", f"{poll_id}:UNIDO")
    assert "*UNIDO* is not invited" in _text(slack.wait_for("response_url")[0])
    sender.click(unido, "poll.answer.open", f"{poll_id}:UNEP")
    assert "You are not a focal point of *UNEP*" in _text(slack.wait_for("response_url", count=2)[1])
    sender.command(unido, f"poll show {poll_id}")
    assert "secretariat / chair" in _text(slack.wait_for("response_url", count=3)[2])
    assert not slack.calls_to("views.open")
    # a modal forged for UNEP by someone else saves nothing
    forged = {"type": "modal", "callback_id": "poll.answer", "private_metadata": json.dumps(
        {"poll": poll_id, "entity": "UNEP"}), "blocks": []}
    slot = _slots(engine, poll_id)[0].id
    sender.submit_view(unido, forged, {f"poll_slot:{slot}": state("static_select", "yes")})
    slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == unido and "not a focal point" in _text(c))
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(PollVote).where(PollVote.poll_id == poll_id)).one() == 0
    # and a focal point of an invited entity sees their ballot with /consult poll show
    sender.command(chemicals["focal"]["ESCAP"], f"poll show {poll_id}")
    assert f'"value": "{poll_id}:ESCAP"' in _text(slack.wait_for("response_url", count=4)[3])


def _make_due(engine, poll_id: int, *conditions) -> None:
    with Session(engine) as s:
        s.execute(update(Reminder).where(Reminder.status == ReminderStatus.PENDING, Reminder.subject_id == poll_id,
                                         Reminder.kind == "poll.reminder", *conditions)
                  .values(send_at=utcnow() - timedelta(seconds=1)))
        s.commit()



def test_non_responders_are_reminded_and_closing_the_poll_stops_answers_and_reminders(sender, slack, chemicals,
                                                                                      engine):
    poll_id = _open_poll(sender, slack, chemicals, engine)
    focal = chemicals["focal"]
    _answer(sender, slack, focal["UNEP"], poll_id, "UNEP", ["yes", "no", "no"])
    _answer(sender, slack, focal["UNDP"], poll_id, "UNDP", ["yes", "", ""])  # one slot of three
    slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == focal["UNDP"] and "Saved for" in _text(c))
    with Session(engine) as s:
        rows = list(s.exec(select(Reminder).where(Reminder.subject_id == poll_id,
                                                  Reminder.kind == "poll.reminder")).all())
    assert sorted((r.offset, r.recipient) for r in rows) == sorted(
        (o, focal[c]) for c in INVITED for o in ("P+2d", "S-1d"))
    key = {(r.offset, r.recipient): r.key for r in rows}

    _make_due(engine, poll_id, Reminder.offset == "P+2d")
    for code in ("UNDP", "ESCAP", "WMO"):
        reminder = slack.wait_for("chat.postMessage", lambda c, u=focal[code]: c.params.get("channel") == u
                                  and "consultbot_reminder" in _text(c))[0]
        assert f'"value": "{poll_id}:{code}"' in _text(reminder)
    assert "has answered 1 of the 3 slots" in _text(next(
        c for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == focal["UNDP"]
        and "consultbot_reminder" in _text(c)))
    assert wait_for_status(engine, key[("P+2d", focal["UNEP"])], ReminderStatus.SKIPPED).outcome == "answered"
    wait_for_status(engine, key[("P+2d", focal["ESCAP"])], ReminderStatus.SENT)

    slack.reset()
    sender.command(SECRETARIAT, f"poll close {poll_id}")
    assert "is closed" in _text(slack.wait_for("response_url")[0])
    with Session(engine) as s:
        assert s.get(Poll, poll_id).status == PollStatus.CLOSED
        pending = s.exec(select(Reminder.status).where(Reminder.subject_id == poll_id,
                                                       Reminder.kind == "poll.reminder",
                                                       Reminder.offset == "S-1d")).all()
    assert set(pending) == {ReminderStatus.CANCELLED}
    sender.click(focal["ESCAP"], "poll.answer.open", f"{poll_id}:ESCAP")
    assert "is closed: it takes no more answers" in _text(slack.wait_for("response_url", count=2)[1])
    sender.command(SECRETARIAT, f"poll close {poll_id}")
    assert "is closed" in _text(slack.wait_for("response_url", count=3)[2])


def test_only_the_secretariat_or_a_chair_opens_a_poll(sender, slack, chemicals):
    sender.command(chemicals["focal"]["WMO"], f"poll {chemicals['handle']}")
    assert "secretariat / chair" in _text(slack.wait_for("response_url")[0])
    sender.command(SECRETARIAT, "poll")
    assert "Usage: `/consult poll PROCESS`" in _text(slack.wait_for("response_url", count=2)[1])
    assert not slack.calls_to("views.open")


def test_schedule_this_slot_opens_the_meeting_modal_with_the_slot_and_makes_the_meeting(sender, slack, chemicals,
                                                                                        engine):
    from storage.models import Meeting
    from tests.slack_requests import initial_state

    poll_id = _open_poll(sender, slack, chemicals, engine)
    for code in INVITED:
        _answer(sender, slack, chemicals["focal"][code], poll_id, code, ["no", "yes", "if_need_be"])
    best = _slots(engine, poll_id)[1]  # 11 February 14:00 Geneva: every entity said yes

    sender.click(SECRETARIAT, "poll.schedule", f"{poll_id}:{best.id}")
    view = slack.wait_for("views.open", lambda c: c.params["view"]["callback_id"] == "meeting.new")[0].params["view"]
    prefilled = initial_state(view)
    assert prefilled["meeting_date"]["selected_date"] == "2027-02-11"
    assert prefilled["meeting_start"]["selected_time"] == "14:00" and prefilled["meeting_end"]["selected_time"] == "15:00"
    assert sorted(prefilled["entities"]["selected_options"][i]["value"] for i in range(4)) == sorted(INVITED)

    values = {**prefilled, "meeting_place": state("plain_text_input", "Geneva, Palais des Nations, Room XI")}
    response = sender.submit_view(SECRETARIAT, view, values)
    assert response.status_code == 200 and not response.content, response.text
    for code in INVITED:  # each focal point is invited
        slack.wait_for("chat.postMessage", lambda c, u=chemicals["focal"][code]: c.params.get("channel") == u
                       and "meeting.attending" in _text(c))
    slack.wait_for("chat.update", lambda c: "scheduled" in _text(c).lower())  # the live board says so
    with Session(engine) as s:
        poll = s.get(Poll, poll_id)
        meeting = s.get(Meeting, poll.meeting_id)
    assert poll.status == PollStatus.SCHEDULED
    assert (meeting.start, meeting.end) == (best.start, best.end)

    sender.click(SECRETARIAT, "poll.schedule", f"{poll_id}:{best.id}")  # a second meeting from it: refused
    assert "has become a meeting" in _text(slack.wait_for("response_url", lambda c: "poll" in _text(c).lower())[0])
