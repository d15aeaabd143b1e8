"""The meeting's iCalendar file, parsed back with `icalendar` and checked field by field (RFC 5545/5546):
an invitation is METHOD:REQUEST, a move sends SEQUENCE+1 with the same UID, a cancellation METHOD:CANCEL.
Each file is also read by a second, strict parser (`ical`, pydantic-validated RFC 5545): organizer and
attendees are `mailto:` their Slack e-mail (`urn:slack:` only where Slack has none), CN their name."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timezone

import pytest
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar

from bot.entities.service import get_entity
from bot.meetings.service import (MoveMeeting, NewMeeting, calendar_file, cancel_meeting, create_meeting,
                                  move_meeting, rsvp)
from bot.people.service import ensure_person
from bot.processes.service import NewProcess, create_process
from bot.roles.service import grant, sync_secretariat
from bot.seed import seed
from storage.db import session_scope
from storage.models import Document, Meeting, Role
from tests.bot_process import consultbot

UTC = timezone.utc
NOW = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
_n = itertools.count(1)


@pytest.fixture
def engine(offline_engine):
    return offline_engine


@pytest.fixture
def meeting(engine) -> dict:
    """A chemicals IMG meeting: four entities in four duty stations, a chair, an agenda; three answers."""
    n = next(_n)
    with session_scope(engine) as s:
        seed(s)
        secretariat = f"U0ISEC{n}"
        sync_secretariat(s, [secretariat])
        amina = ensure_person(s, secretariat)
        amina.display_name, amina.timezone, amina.team_id = "Amina", "Europe/Zurich", "T0EMG"
        amina.email = f"amina{n}@unemg.org"
        process = create_process(s, amina, NewProcess(
            handle=f"chem-ics-{n}", kind="img", title="Chemicals and Waste Issue Management Group",
            timezone="Europe/Zurich", members=["UNEP", "UNDP", "WHO", "ESCAP"]))
        s.add(Document(process_id=process.id, slug="tor", title="Terms of reference"))
        focal = {}
        for code, name in (("UNEP", "Hiroshi"), ("UNDP", "Maria"), ("WHO", "Lars"), ("ESCAP", "Somchai")):
            user = f"U0I{code}{n}"
            grant(s, secretariat, user, Role.FOCAL_POINT, process, get_entity(s, code))
            person = ensure_person(s, user)
            person.display_name, person.team_id = name, "T0EMG"
            person.email = None if code == "ESCAP" else f"{name.lower()}{n}@{code.lower()}.org"  # Slack has none
            focal[code] = user
        chair = f"U0ICHAIR{n}"
        inger = ensure_person(s, chair, "T0EMG")
        inger.display_name = "Inger"
        meeting = create_meeting(s, amina, NewMeeting(
            process=process.handle, title="First meeting; terms of reference, modalities", kind="img",
            start_date=date(2026, 3, 10), start_time=time(14, 0), end_time=time(16, 0), timezone="Europe/Zurich",
            place="WMO, Salle C2, Geneva", online_link="https://meet.example.org/img?id=1&pw=x",
            entities=["UNEP", "UNDP", "WHO", "ESCAP"], chairs=[chair],
            agenda=["Opening", "Terms of reference [doc tor]", "Working modalities, including the mapping " * 3]),
            now=NOW)
        for code, answer, names in (("UNDP", "attending", "Maria Ortiz"), ("WHO", "tentative", ""),
                                    ("ESCAP", "not_attending", "")):
            rsvp(s, ensure_person(s, focal[code]), meeting.id, answer, delegates=names, now=NOW)
        ids = {"id": meeting.id, "uid": meeting.uid}
    return {**ids, "focal": focal, "chair": chair, "secretariat": secretariat, "handle": process.handle, "n": n}


def _calendar(engine, meeting_id) -> tuple[Calendar, bytes, str]:
    with session_scope(engine) as s:
        data, name, _ = calendar_file(s, meeting_id)
    _strict(data)
    return Calendar.from_ical(data), data, name


def _strict(data: bytes):
    """The second parser: raises on anything RFC 5545 does not allow; returns its one event."""
    [event] = IcsCalendarStream.calendar_from_ics(data.decode("utf-8")).events
    return event


def _event(calendar: Calendar):
    [event] = calendar.walk("VEVENT")
    return event


def test_an_invitation_is_a_request_with_every_field(engine, meeting):
    calendar, data, name = _calendar(engine, meeting["id"])
    assert name == f"{meeting['handle']}-meeting-{meeting['id']}.ics"
    assert (str(calendar["METHOD"]), str(calendar["VERSION"]), str(calendar["CALSCALE"])) == (
        "REQUEST", "2.0", "GREGORIAN")
    assert "consultbot" in str(calendar["PRODID"])
    event = _event(calendar)
    assert str(event["UID"]) == meeting["uid"] and meeting["uid"].endswith("@consultbot")
    assert int(event["SEQUENCE"]) == 0 and str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTART") == datetime(2026, 3, 10, 13, 0, tzinfo=UTC)  # 14:00 Geneva, in UTC
    assert event.decoded("DTEND") == datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    assert b"DTSTART:20260310T130000Z" in data and b"DTEND:20260310T150000Z" in data
    with session_scope(engine) as s:
        changed = s.get(Meeting, meeting["id"]).updated_at
    assert event.decoded("DTSTAMP") == changed and event.decoded("LAST-MODIFIED") == changed
    assert str(event["SUMMARY"]) == "First meeting; terms of reference, modalities"  # escaped, and back
    assert b"SUMMARY:First meeting\\; terms of reference\\, modalities" in data
    assert str(event["LOCATION"]) == "WMO, Salle C2, Geneva"
    assert str(event["URL"]) == "https://meet.example.org/img?id=1&pw=x"
    description = str(event["DESCRIPTION"])
    assert "IMG meeting of Chemicals and Waste Issue Management Group" in description
    assert "Online: https://meet.example.org/img?id=1&pw=x" in description
    assert "1. Opening\n2. Terms of reference (document tor)\n3. Working modalities" in description
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))  # folded, RFC 5545 §3.1

    n = meeting["n"]
    organizer = event["ORGANIZER"]
    assert str(organizer) == f"mailto:amina{n}@unemg.org" and organizer.params["CN"] == "Amina"
    attendees = {str(a): a.params for a in event["ATTENDEE"]}
    focal = meeting["focal"]
    expected = {f"mailto:hiroshi{n}@unep.org": ("Hiroshi", "NEEDS-ACTION"),
                f"mailto:maria{n}@undp.org": ("Maria", "ACCEPTED"), f"mailto:lars{n}@who.org": ("Lars", "TENTATIVE"),
                f"urn:slack:T0EMG:{focal['ESCAP']}": ("Somchai", "DECLINED")}  # Slack gave no e-mail
    for address, (cn, partstat) in expected.items():
        params = attendees.pop(address)
        assert (params["CN"], params["PARTSTAT"], params["ROLE"], params["RSVP"], params["CUTYPE"]) == (
            cn, partstat, "REQ-PARTICIPANT", "TRUE", "INDIVIDUAL")
    chair = attendees.pop(f"urn:slack:T0EMG:{meeting['chair']}")
    assert (chair["CN"], chair["ROLE"], chair["PARTSTAT"]) == ("Inger", "CHAIR", "ACCEPTED")
    assert attendees == {}

    strict = _strict(data)  # the strict parser reads the same people and times
    assert (strict.organizer.uri, strict.organizer.common_name) == (f"mailto:amina{n}@unemg.org", "Amina")
    assert {(a.uri, a.common_name) for a in strict.attendees} == {
        *((address, cn) for address, (cn, _) in expected.items()), (f"urn:slack:T0EMG:{meeting['chair']}", "Inger")}
    assert strict.dtstart == datetime(2026, 3, 10, 13, 0, tzinfo=UTC) and strict.sequence == 0


def test_the_same_meeting_gives_the_same_bytes(engine, meeting):
    assert _calendar(engine, meeting["id"])[1] == _calendar(engine, meeting["id"])[1]


def test_a_move_sends_the_same_uid_with_the_next_sequence_and_a_cancel_method_cancel(engine, meeting):
    with session_scope(engine) as s:
        move_meeting(s, ensure_person(s, meeting["secretariat"]), meeting["id"],
                     MoveMeeting(start_date=date(2026, 3, 12), start_time=time(9, 0), end_time=time(11, 30),
                                 timezone="America/New_York"), now=NOW)
    calendar, _, _ = _calendar(engine, meeting["id"])
    event = _event(calendar)
    assert (str(calendar["METHOD"]), str(event["UID"]), int(event["SEQUENCE"]), str(event["STATUS"])) == (
        "REQUEST", meeting["uid"], 1, "CONFIRMED")
    assert event.decoded("DTSTART") == datetime(2026, 3, 12, 13, 0, tzinfo=UTC)  # 09:00 New York, EDT
    assert event.decoded("DTEND") == datetime(2026, 3, 12, 15, 30, tzinfo=UTC)

    with session_scope(engine) as s:
        cancel_meeting(s, ensure_person(s, meeting["secretariat"]), meeting["id"], now=NOW)
    calendar, data, name = _calendar(engine, meeting["id"])
    event = _event(calendar)
    assert name.endswith("-cancelled.ics")
    assert (str(calendar["METHOD"]), str(event["UID"]), int(event["SEQUENCE"]), str(event["STATUS"])) == (
        "CANCEL", meeting["uid"], 2, "CANCELLED")
    assert event.decoded("DTSTART") == datetime(2026, 3, 12, 13, 0, tzinfo=UTC)
    assert len(event["ATTENDEE"]) == 5 and all("RSVP" not in a.params for a in event["ATTENDEE"])
    assert b"METHOD:CANCEL" in data and b"STATUS:CANCELLED" in data


def test_the_command_line_writes_the_same_file(engine, meeting, tmp_path):
    env = {"DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    out = tmp_path / "meeting.ics"
    result = consultbot("export", "ics", str(meeting["id"]), "--out", str(out), env=env)
    assert "METHOD:REQUEST, SEQUENCE:0" in result.stdout
    assert out.read_bytes() == _calendar(engine, meeting["id"])[1]
    missing = consultbot("export", "ics", "999999", env=env, check=False)
    assert missing.returncode == 1 and "There is no meeting 999999" in missing.stderr
