"""A meeting as an iCalendar file (RFC 5545), sent as an iTIP message (RFC 5546).

- ``METHOD:REQUEST`` for an invitation and for every change (a move): same UID, SEQUENCE up by one.
- ``METHOD:CANCEL`` with ``STATUS:CANCELLED`` for a cancellation: same UID, SEQUENCE up by one.

Times are written in UTC (``DTSTART:20140214T083000Z``), which every calendar reads without a
VTIMEZONE. The organizer and the attendees are ``mailto:`` their e-mail address from Slack
(users.info ``profile.email``, scope ``users:read.email``), which Outlook and Google Calendar match
attendees and route replies by; ``urn:slack:<team>:<user>`` only for someone Slack gave no address
for. ``CN`` is the person's name.
DTSTAMP is the meeting's last change, so exporting the same meeting twice gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from icalendar import Calendar, Event, vCalAddress, vText

from bot.texts import t_plain

PRODID = "-//UN Environment Management Group//consultbot//EN"
PARTSTAT = {"attending": "ACCEPTED", "tentative": "TENTATIVE", "not_attending": "DECLINED", None: "NEEDS-ACTION"}


@dataclass(frozen=True)
class CalendarPerson:
    slack_user_id: str
    team_id: str | None
    name: str
    email: str | None = None

    @property
    def address(self) -> str:
        if self.email:
            return f"mailto:{self.email}"
        return f"urn:slack:{self.team_id}:{self.slack_user_id}" if self.team_id else f"urn:slack:{self.slack_user_id}"


@dataclass(frozen=True)
class Attendee:
    person: CalendarPerson
    entity_codes: tuple[str, ...]  # empty for a chair who speaks for no invited entity
    attendance: str | None  # the entity's RSVP (the first entity's, for someone speaking for several)
    chair: bool = False


@dataclass(frozen=True)
class CalendarMeeting:
    """What the file says: plain values, gathered by bot/meetings/service.py `calendar_data`."""

    uid: str
    sequence: int
    cancelled: bool
    title: str
    kind_label: str
    process_handle: str
    process_title: str
    start: datetime
    end: datetime
    created: datetime
    changed: datetime
    place: str
    online_link: str
    agenda: list[str]
    organizer: CalendarPerson
    organizer_is_secretariat: bool
    attendees: list[Attendee] = field(default_factory=list)
    meeting_id: int = 0

    @property
    def method(self) -> str:
        return "CANCEL" if self.cancelled else "REQUEST"


def _address(person: CalendarPerson, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(person.address)
    address.params["cn"] = vText(name)
    for key, value in params.items():
        address.params[key.replace("_", "-")] = value
    return address


def description(meeting: CalendarMeeting, locale: str | None = None) -> str:
    lines = [t_plain("meetings.ics_description_process", locale, kind=meeting.kind_label,
                     process=meeting.process_title, handle=meeting.process_handle)]
    if meeting.online_link:
        lines.append(t_plain("meetings.ics_description_online", locale, link=meeting.online_link))
    if meeting.agenda:
        lines += ["", t_plain("meetings.ics_description_agenda", locale), *meeting.agenda]
    return "\n".join(lines)


def render_calendar(meeting: CalendarMeeting, locale: str | None = None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", meeting.method)
    event = Event()
    event.add("uid", meeting.uid)
    event.add("dtstamp", meeting.changed)
    event.add("created", meeting.created)
    event.add("last-modified", meeting.changed)
    event.add("sequence", meeting.sequence)
    event.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
    event.add("dtstart", meeting.start)
    event.add("dtend", meeting.end)
    event.add("summary", meeting.title)
    event.add("categories", [meeting.kind_label])
    event.add("transp", "OPAQUE")
    if meeting.place or meeting.online_link:
        event.add("location", meeting.place or meeting.online_link)
    if meeting.online_link:
        event.add("url", meeting.online_link)
    event.add("description", description(meeting, locale))
    event.add("organizer", _address(meeting.organizer, meeting.organizer.name), encode=0)
    for attendee in meeting.attendees:
        name = attendee.person.name
        partstat = PARTSTAT[attendee.attendance] if attendee.entity_codes else "ACCEPTED"
        params = {"cutype": "INDIVIDUAL", "role": "CHAIR" if attendee.chair else "REQ-PARTICIPANT",
                  "partstat": partstat}
        if not meeting.cancelled and attendee.entity_codes:
            params["rsvp"] = "TRUE"
        event.add("attendee", _address(attendee.person, name, **params), encode=0)
    calendar.add_component(event)
    return calendar.to_ical()


def file_name(meeting: CalendarMeeting) -> str:
    suffix = "-cancelled" if meeting.cancelled else ""
    return f"{meeting.process_handle}-meeting-{meeting.meeting_id}{suffix}.ics"
