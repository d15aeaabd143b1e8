"""Scenario: after a meeting of the chemicals IMG the secretariat records its outcomes in Slack; the
decisions act on the process, the owner of an action item is told, reminded by the running bot and
marks it done; `/consult meetings` and the App Home show meetings with who comes.

Meetings are written as rows (bot/meetings creates them through Slack); everything else goes through
signed requests to a running `consultbot serve` and the Slack double, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import json
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from bot.outcomes.reminder_plan import DUE
from storage.db import session_scope
from storage.models import (ActionItem, ActionStatus, Attendance, Decision, Document, DocumentVersion, Meeting,
                            MeetingInvitee, MeetingKind, Process, Reminder, ReminderStatus, Rsvp)
from storage.types import utcnow
from tests.conftest import SECRETARIAT
from tests.reminder_fixtures import wait_for_status
from tests.slack_requests import state

_n = itertools.count(1)


def _text(call) -> str:
    return json.dumps(call.params, ensure_ascii=False)


@dataclass
class Group:
    handle: str
    channel: str
    focal: dict[str, str]
    tor_version: int
    past: int  # a meeting that ended yesterday
    upcoming: int  # one in an hour


def _meeting(s: Session, process: Process, title: str, start, invited: dict[str, Attendance | None]) -> int:
    meeting = Meeting(process_id=process.id, title=title, kind=MeetingKind.IMG, start=start,
                      end=start + timedelta(hours=2), timezone="Europe/Zurich", online_link="https://meet.example.org/img",
                      uid=f"meeting-test-{uuid.uuid4().hex}@consultbot", created_by=SECRETARIAT)
    s.add(meeting)
    s.flush()
    from bot.entities.service import get_entity

    for code, answer in invited.items():
        entity = get_entity(s, code)
        s.add(MeetingInvitee(meeting_id=meeting.id, entity_id=entity.id))
        if answer is not None:
            s.add(Rsvp(meeting_id=meeting.id, entity_id=entity.id, attendance=answer, by=SECRETARIAT))
    return meeting.id


@pytest.fixture
def group(bot, engine, slack) -> Group:
    """An IMG with focal points of UNIDO (Vienna), ESCAP (Bangkok) and IMO (London), its terms of
    reference, a meeting that ended yesterday and one starting in an hour."""
    from bot.entities.service import get_entity
    from bot.people.service import find_person
    from bot.processes.service import NewProcess, create_process
    from bot.roles.service import grant
    from storage.models import Role

    n = next(_n)
    handle, channel = f"chemicals-s{n}", f"C0CHEM{n}"
    focal = {}
    with session_scope(engine) as s:
        process = create_process(s, find_person(s, SECRETARIAT), NewProcess(
            handle=handle, kind="img", title="Chemicals and Waste Issue Management Group", timezone="Europe/Zurich",
            channel_id=channel, mandate_end=utcnow().date() + timedelta(days=200),
            members=["UNEP", "UNIDO", "ESCAP", "IMO", "WHO"]))
        for code, zone in (("UNIDO", "Europe/Vienna"), ("ESCAP", "Asia/Bangkok"), ("IMO", "Europe/London")):
            user = f"U0S{code}{n}x{uuid.uuid4().hex[:4].upper()}"
            slack.add_user(user, f"{code} focal point", tz=zone)
            grant(s, SECRETARIAT, user, Role.FOCAL_POINT, process, get_entity(s, code))
            focal[code] = user
        document = Document(process_id=process.id, slug="terms-of-reference", title="Terms of reference")
        s.add(document)
        s.flush()
        version = DocumentVersion(document_id=document.id, number=1, source_name="tor.docx", source_sha256="0" * 64,
                                  imported_by=SECRETARIAT)
        s.add(version)
        s.flush()
        now = utcnow()
        past = _meeting(s, process, "First meeting of the chemicals IMG", now - timedelta(days=1, hours=3),
                        {"UNEP": Attendance.ATTENDING, "UNIDO": Attendance.ATTENDING, "ESCAP": Attendance.TENTATIVE,
                         "WHO": None})
        upcoming = _meeting(s, process, "Second meeting of the chemicals IMG", now + timedelta(hours=1),
                            {"UNIDO": Attendance.NOT_ATTENDING, "ESCAP": Attendance.ATTENDING, "WHO": None})
        return Group(handle, channel, focal, version.id, past, upcoming)


def _open_outcomes(sender, slack, meeting_id: int, user: str = SECRETARIAT) -> dict:
    slack.reset()
    sender.click(user, "outcomes.open", str(meeting_id))
    return slack.wait_for("views.open")[0].params["view"]


def _submit(sender, view, user: str = SECRETARIAT, view_id: str | None = None, **fields):
    values = {"outcome_minutes": state("plain_text_input", fields.pop("minutes", ""))}
    for block, value in fields.items():
        kind = {"outcome_kind": "static_select", "version": "static_select", "outcome_owner": "static_select",
                "mandate_end": "datepicker", "outcome_due": "datepicker"}.get(block, "plain_text_input")
        values[block] = state(kind, value)
    for block in ("outcome_kind", "version", "outcome_owner"):  # Slack sends an empty select as no option
        values.setdefault(block, {"type": "static_select", "selected_option": None})
    for block in ("mandate_end", "outcome_due"):
        values.setdefault(block, {"type": "datepicker", "selected_date": None})
    values.setdefault("outcome_text", state("plain_text_input", None))
    return sender.submit_view(user, view, values, view_id=view_id)


def _decisions(engine, meeting_id: int) -> list[Decision]:
    with Session(engine) as s:
        return list(s.exec(select(Decision).where(Decision.meeting_id == meeting_id).order_by(Decision.id)).all())


def _buttons(call) -> list[tuple[str, str]]:
    return [(e["action_id"], e.get("value", "")) for b in call.params.get("blocks") or [] if b["type"] == "actions"
            for e in b["elements"]]


def test_the_secretariat_records_the_terms_of_reference_approved_then_adds_an_action_item(sender, slack, engine,
                                                                                         group):
    sender.command(SECRETARIAT, f"meetings {group.handle}")
    listing = slack.wait_for("response_url")[0]
    record = [b["accessory"] for b in listing.params["blocks"] if b.get("accessory")]
    assert [(a["action_id"], a["value"]) for a in record] == [("outcomes.open", str(group.past))]

    view = _open_outcomes(sender, slack, group.past)
    versions = next(b for b in view["blocks"] if b.get("block_id") == "version")["element"]["options"]
    assert [(o["text"]["text"], o["value"]) for o in versions] == [("Terms of reference — version 1",
                                                                    str(group.tor_version))]
    owners = next(b for b in view["blocks"] if b.get("block_id") == "outcome_owner")["element"]["options"]
    assert [o["value"] for o in owners] == ["ESCAP", "IMO", "UNEP", "UNIDO", "WHO"]
    assert "Nothing recorded yet." in json.dumps(view)

    answer = _submit(sender, view, view_id=f"V0TOR{group.past}", minutes="Approved the ToR and working modalities.",
                     outcome_kind="document_approved", version=str(group.tor_version))
    assert answer.status_code == 200 and not answer.content  # the modal closes
    reply = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == SECRETARIAT)[0]
    assert "Recorded for *First meeting of the chemicals IMG*" in _text(reply)
    assert "*Terms of reference* (version 1) approved" in _text(reply)
    assert _buttons(reply) == [("outcomes.open", str(group.past))]  # "Add another decision"
    announced = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == group.channel)[0]
    assert "Decision of *First meeting of the chemicals IMG*" in _text(announced) and "<!date^" in _text(announced)
    with Session(engine) as s:
        assert s.get(DocumentVersion, group.tor_version).approved_at is not None
        meeting = s.get(Meeting, group.past)
        assert meeting.outcomes_at is not None and meeting.minutes == "Approved the ToR and working modalities."

    # Slack retries the same submission: recorded once
    _submit(sender, view, view_id=f"V0TOR{group.past}", minutes="Approved the ToR and working modalities.",
            outcome_kind="document_approved", version=str(group.tor_version))
    time.sleep(0.5)
    assert len(_decisions(engine, group.past)) == 1

    view = _open_outcomes(sender, slack, group.past)  # "Add another decision"
    assert "Recorded so far" in json.dumps(view) and "*Terms of reference* (version 1) approved" in json.dumps(view)
    assert not [b for b in view["blocks"] if b.get("block_id") == "version"]  # nothing left to approve
    minutes = next(b for b in view["blocks"] if b.get("block_id") == "outcome_minutes")
    assert minutes["element"]["initial_value"] == "Approved the ToR and working modalities."
    due = (utcnow() + timedelta(days=10)).date().isoformat()
    assert not _submit(sender, view, minutes="Approved the ToR and working modalities.", outcome_kind="action_item",
                       outcome_owner="UNIDO", outcome_due=due,
                       outcome_text="Circulate the mapping template <!channel>").content
    told = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == group.focal["UNIDO"])[0]
    assert "*UNIDO* has an action item from *First meeting of the chemicals IMG*" in _text(told)
    assert "&lt;!channel&gt;" in _text(told) and "<!channel>" not in _text(told)
    with Session(engine) as s:
        item = s.exec(select(ActionItem).join(Decision, ActionItem.decision_id == Decision.id)
                      .where(Decision.meeting_id == group.past)).one()
        rows = s.exec(select(Reminder).where(Reminder.kind == DUE, Reminder.subject_id == item.id)).all()
    assert _buttons(told)[0] == ("action_item.done", str(item.id))
    assert item.due == date.fromisoformat(due)
    assert sorted(r.offset for r in rows) == ["T-1d", "T-7d"] and {r.recipient for r in rows} == {group.focal["UNIDO"]}


def test_bad_outcomes_keep_the_modal_open_with_the_reason_under_the_field(sender, slack, engine, group):
    view = _open_outcomes(sender, slack, group.past)
    with Session(engine) as s:
        mandate_end = s.exec(select(Process.mandate_end).where(Process.handle == group.handle)).one()
    cases = [
        ({}, "outcome_kind", "Pick a decision to add, or write the minutes."),
        ({"outcome_kind": "mandate_extended", "mandate_end": mandate_end.isoformat()}, "mandate_end",
         f"The mandate already runs until {mandate_end.isoformat()}"),
        ({"outcome_kind": "mandate_extended", "mandate_end": "2013-09-19"}, "mandate_end", "later than today"),
        ({"outcome_kind": "action_item", "outcome_due": "2031-01-31", "outcome_text": "Map."}, "outcome_owner",
         "cannot be empty"),
        ({"outcome_kind": "action_item", "outcome_owner": "ESCAP", "outcome_due": "2013-09-19",
          "outcome_text": "Map."}, "outcome_due", "has passed"),
        ({"outcome_kind": "other"}, "outcome_text", "cannot be empty"),
    ]
    for fields, block, message in cases:
        answer = _submit(sender, view, **fields).json()
        assert answer["response_action"] == "errors" and message in answer["errors"][block], (fields, answer)
    assert _decisions(engine, group.past) == []
    with Session(engine) as s:
        assert s.get(Meeting, group.past).outcomes_at is None

    later = mandate_end + timedelta(days=365)
    assert not _submit(sender, view, outcome_kind="mandate_extended", mandate_end=later.isoformat()).content
    slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == SECRETARIAT
                   and f"The mandate of `{group.handle}` now ends on" in _text(c))
    with Session(engine) as s:
        assert s.exec(select(Process.mandate_end).where(Process.handle == group.handle)).one() == later


def test_only_the_secretariat_records_and_only_after_the_meeting(sender, slack, group):
    sender.click(group.focal["UNIDO"], "outcomes.open", str(group.past))
    assert "This needs the *secretariat / chair* role" in _text(slack.wait_for("response_url")[0])
    slack.reset()
    sender.click(SECRETARIAT, "outcomes.open", str(group.upcoming))
    refused = _text(slack.wait_for("response_url")[0])
    assert "*Second meeting of the chemicals IMG* has not ended yet" in refused and "<!date^" in refused
    slack.reset()
    sender.click(SECRETARIAT, "outcomes.open", "987654321")
    assert "There is no meeting 987654321" in _text(slack.wait_for("response_url")[0])
    assert not slack.calls_to("views.open")


def test_meeting_outcomes_id_opens_the_outcomes_modal(sender, slack, group):
    sender.command(SECRETARIAT, f"meeting outcomes {group.past}")
    view = slack.wait_for("views.open")[0].params["view"]
    assert view["callback_id"] == "outcomes.record" and json.loads(view["private_metadata"]) == {"meeting": group.past}


def test_meetings_lists_upcoming_and_past_with_rsvp_counts_for_the_callers_processes(sender, slack, group):
    sender.command(group.focal["ESCAP"], "meetings")
    answer = slack.wait_for("response_url")[0]
    blocks = answer.params["blocks"]
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    upcoming, past = texts.index("*Upcoming*"), texts.index("*Past*")
    assert upcoming < past and len(texts) == 4  # only the group ESCAP takes part in
    assert "*Second meeting of the chemicals IMG*" in texts[upcoming + 1]
    assert "RSVPs: 1 attending, 0 tentative, 1 not attending, 1 no answer" in texts[upcoming + 1]
    assert f"ID {group.upcoming}" in texts[upcoming + 1] and " · online" in texts[upcoming + 1]
    assert "RSVPs: 2 attending, 1 tentative, 0 not attending, 1 no answer" in texts[past + 1]
    assert "No outcomes recorded yet" in texts[past + 1]
    assert not [b for b in blocks if b.get("accessory")]  # a focal point records nothing
    assert len(blocks) <= 50

    slack.reset()
    sender.command(group.focal["ESCAP"], "meetings nosuchgroup")
    assert "I don't know the process `nosuchgroup`" in _text(slack.wait_for("response_url")[0])
    slack.reset()
    sender.command(group.focal["ESCAP"], "meetings a b")
    assert "Usage: `/consult meetings [PROCESS]`" in _text(slack.wait_for("response_url")[0])


def _action_item(sender, slack, engine, group, owner: str = "UNIDO") -> ActionItem:
    view = _open_outcomes(sender, slack, group.past)
    due = (utcnow() + timedelta(days=10)).date().isoformat()
    assert not _submit(sender, view, outcome_kind="action_item", outcome_owner=owner, outcome_due=due,
                       outcome_text="Circulate the mapping template.").content
    slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == group.focal[owner])
    with Session(engine) as s:
        return s.exec(select(ActionItem).join(Decision, ActionItem.decision_id == Decision.id)
                      .where(Decision.meeting_id == group.past)).one()



def test_the_owner_is_reminded_by_the_running_bot_and_marks_the_item_done(sender, slack, engine, group):
    item = _action_item(sender, slack, engine, group)
    unido = group.focal["UNIDO"]
    with Session(engine) as s:
        first = s.exec(select(Reminder.id).where(Reminder.kind == DUE, Reminder.subject_id == item.id,
                                                 Reminder.offset == "T-7d")).one()
        s.execute(update(Reminder).where(Reminder.id == first).values(send_at=utcnow() - timedelta(seconds=1)))
        s.commit()
    reminder = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == unido
                              and "Reminder: the action item of *UNIDO*" in _text(c), timeout=10)[0]
    assert [a for a, _ in _buttons(reminder)] == ["action_item.done", "reminder.tomorrow"]
    assert wait_for_status(engine, first, ReminderStatus.SENT).ts == reminder.response["ts"]

    slack.reset()
    sender.command(group.focal["ESCAP"], f"action done {item.id}")
    assert "Only a focal point of *UNIDO*" in _text(slack.wait_for("response_url")[0])
    sender.click(unido, "action_item.done", str(item.id))
    assert f"Action item `#{item.id}` of *UNIDO* is done" in _text(slack.wait_for("response_url", count=2)[1])
    sender.command(unido, f"action done {item.id}")
    assert "was already marked done" in _text(slack.wait_for("response_url", count=3)[2])
    sender.command(unido, "action finish")
    assert "Usage: `/consult action done ID`" in _text(slack.wait_for("response_url", count=4)[3])
    with Session(engine) as s:
        assert s.get(ActionItem, item.id).status == ActionStatus.DONE
        rest = s.exec(select(Reminder).where(Reminder.kind == DUE, Reminder.subject_id == item.id,
                                             Reminder.offset == "T-1d")).one()
    assert (rest.status, rest.outcome) == (ReminderStatus.CANCELLED, "done")


def test_the_app_home_shows_the_viewers_next_meetings_with_their_entitys_answer(sender, slack, engine, group):
    with session_scope(engine) as s:  # only this test's meetings invite IMO: other tests' cannot come first
        process = s.exec(select(Process).where(Process.handle == group.handle)).one()
        _meeting(s, process, "Briefing for IMO", utcnow() + timedelta(minutes=30), {"IMO": Attendance.ATTENDING})
    sender.home_opened(group.focal["IMO"])
    view = slack.wait_for("views.publish", lambda c: c.params.get("user_id") == group.focal["IMO"])[0].params["view"]
    texts = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]
    start = texts.index("*Your next meetings*")
    briefing, second = texts[start + 1], texts[start + 2]
    assert f"*Briefing for IMO* (`{group.handle}`) — <!date^" in briefing and " · online" in briefing
    assert "RSVPs: 1 attending, 0 tentative, 0 not attending, 0 no answer" in briefing
    assert "Your entity: IMO attending" in briefing
    assert f"*Second meeting of the chemicals IMG* (`{group.handle}`)" in second  # a meeting of their group
    assert "Your entity" not in second  # IMO is not invited to it
    assert "First meeting" not in json.dumps(view)  # past meetings are not "next"
