"""Meetings: schedule (with chairs, invited entities and an agenda), move, cancel; RSVPs by entity.

Every change writes its reminder rows in the same transaction (bot/meetings/reminder_plan.py) and
moves the meeting's iCalendar SEQUENCE on when attendees must be told (move, cancel).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot import audit
from bot.errors import Conflict, Invalid, NotAllowed, NotFound, title_problems
from bot.exports.ics import Attendee, CalendarMeeting, CalendarPerson, file_name, render_calendar
from bot.meetings.invitees import chairs, chairs_of, invited, recipients
from bot.meetings.reminder_plan import plan_meeting
from bot.mrkdwn import Raw, mention
from bot.people.service import find_person
from bot.processes.service import get_process, named_members, require_active
from bot.reminders.plan import parse_offsets
from bot.roles.service import is_chair, is_secretariat, secretariat_mentions
from bot.texts import Ref, t_plain
from bot.timezones import LocalTimeError, is_timezone, local_text, suggest_timezones, to_utc, zone
from storage.models import (AgendaItem, Attendance, Document, Entity, Meeting, MeetingChair, MeetingInvitee,
                            MeetingKind, MeetingStatus, Membership, Person, Process, Role, Round, Rsvp)
from storage.types import utcnow

REMINDER_CHOICES = ("T-7d", "T-1d", "T-1h")  # what the modal offers; all three by default
TITLE_MAX = 200
PLACE_MAX = 300
LINK_MAX = 500
AGENDA_LINE_MAX = 300
AGENDA_ITEMS_MAX = 40
CHAIRS_MAX = 10
DELEGATES_MAX = 500
LONGEST = timedelta(days=14)
LINK = re.compile(r"^https?://[^\s<>|\"]+$", re.IGNORECASE)
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
REFERENCE = re.compile(r"^(?P<title>.*?)\s*\[\s*(?P<what>round|doc|document)\s+(?P<ref>[^\]]+?)\s*\]\s*$",
                       re.IGNORECASE)
MEETING_ID = re.compile(r"^#?[Mm]?(\d{1,9})$")


class NewMeeting(BaseModel):
    """What the secretariat or a chair asks for (the modal, a poll's "Schedule this slot", the CLI).

    Times are wall-clock times in `timezone` (the process's when empty); `end_date` is the last
    day of a meeting over several days (the start date when empty)."""

    process: str
    title: str = ""
    kind: str = ""
    start_date: date | None = None
    start_time: time | None = None
    end_time: time | None = None
    end_date: date | None = None
    timezone: str = ""
    place: str = ""
    online_link: str = ""
    chairs: list[str] = Field(default_factory=list)
    entities: list[str] = Field(default_factory=list)  # entity codes; empty: every member entity
    agenda: list[str] = Field(default_factory=list)  # one item a line, optionally ending "[round 2]" / "[doc slug]"
    reminders: list[str] = Field(default_factory=lambda: list(REMINDER_CHOICES))

    @classmethod
    def at(cls, process: str, start: datetime, end: datetime, timezone: str, **fields) -> "NewMeeting":
        """A request for a slot given as two aware datetimes, as wall-clock times in `timezone`."""
        tz = zone(timezone)
        local_start, local_end = start.astimezone(tz), end.astimezone(tz)
        return cls(process=process, start_date=local_start.date(), start_time=local_start.time().replace(tzinfo=None),
                   end_date=local_end.date() if local_end.date() != local_start.date() else None,
                   end_time=local_end.time().replace(tzinfo=None), timezone=timezone, **fields)


class MoveMeeting(BaseModel):
    """A new time: the end time keeps the meeting's length when not given."""

    start_date: date
    start_time: time
    end_time: time | None = None
    timezone: str = ""


@dataclass(frozen=True)
class AgendaLine:
    title: str
    round_id: int | None = None
    document_id: int | None = None


@dataclass(frozen=True)
class Checked:
    """A request that passed every check, with what it resolved to."""

    process: Process
    start: datetime
    end: datetime
    timezone: str
    entities: list[Entity]
    chairs: list[str]
    agenda: list[AgendaLine]
    offsets: list[str]


def agenda_lines(text: str) -> list[str]:
    """The agenda field as items: one a line, blank lines dropped, list markers ("1.", "-") kept off."""
    items = []
    for line in (text or "").splitlines():
        line = re.sub(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+", "", line).strip()
        if line:
            items.append(line)
    return items


def get_meeting(session: Session, meeting_id: int | str, for_update: bool = False) -> Meeting:
    """The meeting numbered so ("12", "#12", "M12"); `for_update` locks its row (PostgreSQL) so two
    changes at once are made one after the other, each seeing the other's SEQUENCE."""
    match = MEETING_ID.match(str(meeting_id).strip())
    meeting = session.get(Meeting, int(match.group(1)), with_for_update=for_update) if match else None
    if meeting is None:
        raise NotFound("meetings.error_unknown", id=str(meeting_id)[:20])
    return meeting


def _local(day: date, at: time, zone_name: str, field: str, problems: list[Invalid]) -> datetime | None:
    """A wall-clock time as UTC; a time that does not exist or happens twice (DST) is a problem of `field`."""
    try:
        return to_utc(datetime.combine(day, at), zone_name)
    except LocalTimeError as exc:
        problems.append(Invalid(f"errors.time_{exc.kind}", field=field, timezone=zone_name))
        return None


def _span(start: datetime, end: datetime, zone_name: str, now: datetime, problems: list[Invalid]) -> None:
    if end <= start:
        problems.append(Invalid("meetings.error_end_before_start", field="end_time",
                                start=local_text(start, zone_name)))
    elif end - start > LONGEST:
        problems.append(Invalid("meetings.error_too_long", field="end_time", days=LONGEST.days))
    if start <= now:
        problems.append(Invalid("meetings.error_in_past", field="date", now=local_text(now, zone_name)))


def _times(day: date | None, start_time: time | None, end_day: date | None, end_time: time | None,
           zone_name: str, now: datetime, problems: list[Invalid]) -> tuple[datetime | None, datetime | None]:
    """Start and end in UTC; every problem found is added to `problems`, tied to its field."""
    if day is None:
        problems.append(Invalid("errors.field_empty", field="date"))
    if start_time is None:
        problems.append(Invalid("errors.field_empty", field="start_time"))
    if end_time is None:
        problems.append(Invalid("errors.field_empty", field="end_time"))
    if day is None or start_time is None or end_time is None or not is_timezone(zone_name):
        return None, None
    start = _local(day, start_time, zone_name, "start_time", problems)
    end = _local(end_day or day, end_time, zone_name, "end_time", problems)
    if start is None or end is None:
        return None, None
    _span(start, end, zone_name, now, problems)
    return start, end


def _zone_name(requested: str, default: str, problems: list[Invalid]) -> str:
    name = (requested or "").strip() or default
    if not is_timezone(name):
        hint = ", ".join(suggest_timezones(name)) or "Europe/Zurich"
        problems.append(Invalid("errors.timezone_unknown", field="timezone", value=name[:64], hint=hint))
    return name


def _agenda(session: Session, process: Process, lines: list[str], problems: list[Invalid]) -> list[AgendaLine]:
    if len(lines) > AGENDA_ITEMS_MAX:
        problems.append(Invalid("meetings.error_agenda_items", field="agenda", limit=AGENDA_ITEMS_MAX))
        return []
    rounds = {r.number: r.id for r in session.exec(select(Round).where(Round.process_id == process.id)).all()}
    documents = {d.slug: d.id for d in session.exec(select(Document).where(Document.process_id == process.id)).all()}
    items = []
    for number, line in enumerate(lines, start=1):
        match = REFERENCE.match(line)
        title, round_id, document_id = line.strip(), None, None
        if match and match.group("title").strip():
            title, what, ref = match.group("title").strip(), match.group("what").lower(), match.group("ref")
            if what == "round":
                digits = ref.strip().lstrip("Rr")
                round_id = rounds.get(int(digits)) if digits.isdigit() else None
                if round_id is None:
                    problems.append(Invalid("meetings.error_agenda_reference", field="agenda", line=number,
                                            reference=f"[{what} {ref}]", what=Ref("meetings.agenda_what_round"),
                                            process=process.handle,
                                            known=", ".join(str(n) for n in sorted(rounds)) or "—"))
            else:
                document_id = documents.get(ref.strip().lower())
                if document_id is None:
                    problems.append(Invalid("meetings.error_agenda_reference", field="agenda", line=number,
                                            reference=f"[{what} {ref}]", what=Ref("meetings.agenda_what_document"),
                                            process=process.handle,
                                            known=", ".join(sorted(documents)) or "—"))
        if len(title) > AGENDA_LINE_MAX:
            problems.append(Invalid("meetings.error_agenda_line", field="agenda", line=number, limit=AGENDA_LINE_MAX))
        items.append(AgendaLine(title, round_id, document_id))
    return items


def _invited(session: Session, process: Process, codes: list[str], problems: list[Invalid]) -> list[Entity]:
    entities = named_members(session, process, codes, problems)
    if not entities and not problems:
        problems.append(Invalid("errors.members_empty", field="entities"))
    return entities


def validate_new(session: Session, request: NewMeeting, now: datetime) -> tuple[Checked | None, list[Invalid]]:
    """Every problem at once, each tied to its field, so the modal can show them all."""
    process = get_process(session, request.process)
    require_active(process)
    problems: list[Invalid] = []
    problems += title_problems(request.title, TITLE_MAX)
    if request.kind not in {k.value for k in MeetingKind}:
        problems.append(Invalid("meetings.error_kind", field="kind"))
    zone_name = _zone_name(request.timezone, process.timezone, problems)
    start, end = _times(request.start_date, request.start_time, request.end_date, request.end_time, zone_name, now,
                        problems)
    place, link = request.place.strip(), request.online_link.strip()
    if len(place) > PLACE_MAX:
        problems.append(Invalid("errors.field_too_long", field="place", limit=PLACE_MAX))
    if link and (len(link) > LINK_MAX or not LINK.match(link)):
        problems.append(Invalid("meetings.error_link", field="online_link"))
    if not place and not link:
        problems.append(Invalid("meetings.error_where", field="place"))
    chairs = list(dict.fromkeys(c.strip() for c in request.chairs if c.strip()))
    if len(chairs) > CHAIRS_MAX:
        problems.append(Invalid("meetings.error_chairs", field="chairs", limit=CHAIRS_MAX))
    for chair in chairs:
        if not USER_ID.match(chair):
            problems.append(Invalid("errors.not_a_user", field="chairs", value=chair[:40]))
    entities = _invited(session, process, request.entities, problems)
    agenda = _agenda(session, process, request.agenda, problems)
    offsets = [o.strip() for o in request.reminders if o.strip()]
    if any(o not in REMINDER_CHOICES for o in offsets):
        problems.append(Invalid("meetings.error_reminders", field="reminders"))
    if problems:
        return None, problems
    return Checked(process, start, end, zone_name, entities, chairs, agenda, parse_offsets(",".join(offsets))), []


def require_meeting_manager(session: Session, person: Person, process: Process, meeting: Meeting | None = None
                            ) -> None:
    """The secretariat, a chair of the process, or (for an existing meeting) one of its chairs."""
    if is_secretariat(session, person) or is_chair(session, person, process):
        return
    if meeting is None:
        raise NotAllowed("errors.not_allowed", role=Ref("roles.secretariat_or_chair"),
                         granted_by=secretariat_mentions(session))
    if not chairs(session, person, meeting):
        raise NotAllowed("meetings.error_not_manager", process=process.handle, id=meeting.id,
                         ask=whom_to_ask(session, meeting))


def check_new(session: Session, actor: Person, request: NewMeeting, now: datetime) -> list[Invalid]:
    """The problems with a request, after checking the actor may schedule for that process."""
    process = get_process(session, request.process)
    require_meeting_manager(session, actor, process)
    return validate_new(session, request, now)[1]


def create_meeting(session: Session, actor: Person, request: NewMeeting, now: datetime | None = None) -> Meeting:
    """Schedule a meeting: its chairs, invited entities, agenda and reminders, in one transaction."""
    now = now or utcnow()
    process = get_process(session, request.process)
    require_meeting_manager(session, actor, process)
    checked, problems = validate_new(session, request, now)
    if problems:
        raise problems[0]
    meeting = Meeting(process_id=process.id, title=request.title.strip(), kind=MeetingKind(request.kind),
                      start=checked.start, end=checked.end, timezone=checked.timezone, place=request.place.strip(),
                      online_link=request.online_link.strip(), uid=f"new-{secrets.token_hex(16)}",
                      reminder_offsets=",".join(checked.offsets), created_by=actor.slack_user_id,
                      created_at=now, updated_at=now)
    session.add(meeting)
    session.flush()
    meeting.uid = f"meeting-{meeting.id}-{secrets.token_hex(4)}@consultbot"
    for chair in checked.chairs:  # picked in the actor's workspace: theirs, unless the bot knows them already
        known = find_person(session, chair, actor.team_id)
        session.add(MeetingChair(meeting_id=meeting.id, slack_user_id=chair,
                                 team_id=known.team_id if known else actor.team_id))
    for entity in checked.entities:
        session.add(MeetingInvitee(meeting_id=meeting.id, entity_id=entity.id))
    for position, item in enumerate(checked.agenda, start=1):
        session.add(AgendaItem(meeting_id=meeting.id, position=position, title=item.title, round_id=item.round_id,
                               document_id=item.document_id))
    audit.record(session, actor.slack_user_id, "meeting.create", meeting)
    plan_meeting(session, meeting, now)
    return meeting


def require_changeable(meeting: Meeting, now: datetime) -> None:
    """Conflict when the meeting is cancelled, or has started: nothing about it changes then."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict("meetings.error_cancelled", id=meeting.id, title=meeting.title)
    if meeting.start <= now:
        raise Conflict("meetings.error_over", id=meeting.id, title=meeting.title)


def validate_move(session: Session, meeting: Meeting, request: MoveMeeting, now: datetime
                  ) -> tuple[datetime, datetime, str]:
    """The new start, end and zone, or the first problem (Invalid naming its field). Without an
    end time the meeting keeps its length."""
    problems: list[Invalid] = []
    zone_name = _zone_name(request.timezone, meeting.timezone, problems)
    if problems:
        raise problems[0]
    start = _local(request.start_date, request.start_time, zone_name, "start_time", problems)
    if request.end_time is None:
        end = start + (meeting.end - meeting.start) if start else None
    else:
        end = _local(request.start_date, request.end_time, zone_name, "end_time", problems)
    if start is not None and end is not None:
        _span(start, end, zone_name, now, problems)
    if problems:
        raise problems[0]
    if (start, end) == (meeting.start, meeting.end):
        raise Invalid("meetings.error_same_time", field="date")
    return start, end, zone_name


def _change(session: Session, meeting: Meeting, now: datetime, **values) -> None:
    """Write a change attendees must be told of: the SEQUENCE goes up by one, only if nobody changed
    the meeting since it was read (two secretariat members at once: the second gets a Conflict, on
    SQLite too, where the row lock of `get_meeting(for_update=True)` does not exist)."""
    result = session.execute(
        update(Meeting).where(Meeting.id == meeting.id, Meeting.sequence == meeting.sequence,
                              Meeting.status == MeetingStatus.SCHEDULED)
        .values(sequence=meeting.sequence + 1, updated_at=now, **values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise Conflict("meetings.error_changed", id=meeting.id, title=meeting.title)
    session.refresh(meeting)


def move_meeting(session: Session, actor: Person, meeting_id: int | str, request: MoveMeeting,
                 now: datetime | None = None) -> tuple[Meeting, datetime]:
    """Reschedule: the SEQUENCE goes up, the reminders follow. Returns the meeting and its old start."""
    now = now or utcnow()
    meeting = get_meeting(session, meeting_id, for_update=True)
    require_meeting_manager(session, actor, session.get(Process, meeting.process_id), meeting)
    require_changeable(meeting, now)
    start, end, zone_name = validate_move(session, meeting, request, now)
    before = audit.snapshot(meeting)
    old_start = meeting.start
    _change(session, meeting, now, start=start, end=end, timezone=zone_name)
    audit.record(session, actor.slack_user_id, "meeting.move", meeting, before=before)
    plan_meeting(session, meeting, now)
    return meeting, old_start


def cancel_meeting(session: Session, actor: Person, meeting_id: int | str, now: datetime | None = None) -> Meeting:
    """Cancel: the SEQUENCE goes up (the METHOD:CANCEL file), every pending reminder is cancelled."""
    now = now or utcnow()
    meeting = get_meeting(session, meeting_id, for_update=True)
    require_meeting_manager(session, actor, session.get(Process, meeting.process_id), meeting)
    require_changeable(meeting, now)
    before = audit.snapshot(meeting)
    _change(session, meeting, now, status=MeetingStatus.CANCELLED)
    audit.record(session, actor.slack_user_id, "meeting.cancel", meeting, before=before)
    plan_meeting(session, meeting, now)
    return meeting


# ---- who is invited, who answers


def whom_to_ask(session: Session, meeting: Meeting) -> Raw | str:
    """The meeting's chairs and the secretariat, as mentions ("—" when nobody holds either role)."""
    people = [mention(c) for c in chairs_of(session, meeting)]
    secretariat = secretariat_mentions(session)
    if secretariat != "—":
        people.append(secretariat)
    return Raw(" ".join(dict.fromkeys(people))) if people else "—"


def answerable(session: Session, person: Person, meeting: Meeting) -> list[Entity]:
    """The invited entities this person speaks for; NotAllowed naming whom to ask when none."""
    mine = list(session.exec(
        select(Entity).join(Membership, Membership.entity_id == Entity.id)
        .where(Membership.person_id == person.id, Membership.process_id == meeting.process_id,
               Membership.role == Role.FOCAL_POINT).order_by(Entity.code)).all())
    invited_ids = {e.id for e in invited(session, meeting)}
    entities = [e for e in mine if e.id in invited_ids]
    if entities:
        return entities
    process = session.get(Process, meeting.process_id)
    if mine:
        raise NotAllowed("meetings.error_not_invited", entity=mine[0].code, title=meeting.title,
                         ask=whom_to_ask(session, meeting))
    raise NotAllowed("meetings.error_not_focal_point", entities=", ".join(e.code for e in invited(session, meeting)),
                     ask=secretariat_mentions(session), process=process.handle)


def rsvp(session: Session, person: Person, meeting_id: int | str, attendance: str, entity_code: str | None = None,
         delegates: str = "", now: datetime | None = None) -> tuple[Meeting, Entity, Rsvp]:
    """Record an entity's answer (answering again replaces it). With several entities to answer
    for and no `entity_code`, the first is not guessed: Invalid asks which (see `answerable`)."""
    now = now or utcnow()
    meeting = get_meeting(session, meeting_id)
    require_changeable(meeting, now)
    try:
        answer = Attendance(attendance)
    except ValueError:
        raise Invalid("meetings.error_attendance", field="attendance") from None
    entities = answerable(session, person, meeting)
    if entity_code:
        entity = next((e for e in entities if e.code == entity_code.strip().upper()), None)
        if entity is None:
            raise NotAllowed("errors.not_focal_point", entity=entity_code.strip().upper()[:20],
                             granted_by=secretariat_mentions(session))
    elif len(entities) == 1:
        entity = entities[0]
    else:
        raise Invalid("meetings.rsvp_which", field="entity")
    names = ", ".join(n.strip() for n in re.split(r"[\n;,]+", delegates or "") if n.strip())
    if answer == Attendance.ATTENDING and not names:
        raise Invalid("meetings.error_delegates", field="delegates")
    if len(names) > DELEGATES_MAX:
        raise Invalid("errors.field_too_long", field="delegates", limit=DELEGATES_MAX)
    names = names if answer == Attendance.ATTENDING else ""
    row = _current(session, meeting.id, entity.id)
    if row is None:
        try:
            with session.begin_nested():  # two focal points of one entity answering at once
                row = Rsvp(meeting_id=meeting.id, entity_id=entity.id, attendance=answer, delegates=names,
                           by=person.slack_user_id, by_team=person.team_id, at=now)
                session.add(row)
                session.flush()
            audit.record(session, person.slack_user_id, "meeting.rsvp", row)
            return meeting, entity, row
        except IntegrityError:
            row = _current(session, meeting.id, entity.id)
    before = audit.snapshot(row)
    row.attendance, row.delegates, row.by, row.at = answer, names, person.slack_user_id, now
    row.by_team = person.team_id
    session.add(row)
    audit.record(session, person.slack_user_id, "meeting.rsvp", row, before=before)
    return meeting, entity, row


def _current(session: Session, meeting_id: int, entity_id: int) -> Rsvp | None:
    return session.exec(select(Rsvp).where(Rsvp.meeting_id == meeting_id, Rsvp.entity_id == entity_id)).first()


def answers(session: Session, meeting: Meeting) -> dict[int, Rsvp]:
    """The current answer of each entity that answered, by entity id."""
    return {r.entity_id: r for r in session.exec(select(Rsvp).where(Rsvp.meeting_id == meeting.id)).all()}


@dataclass(frozen=True)
class BoardLine:
    entity_code: str
    attendance: Attendance | None
    delegates: str
    by: str | None


@dataclass(frozen=True)
class Board:
    lines: list[BoardLine]

    def count(self, attendance: Attendance | None) -> int:
        return sum(1 for line in self.lines if line.attendance == attendance)

    @property
    def pending(self) -> list[str]:
        return [line.entity_code for line in self.lines if line.attendance is None]


def board(session: Session, meeting: Meeting) -> Board:
    got = answers(session, meeting)
    lines = []
    for entity in invited(session, meeting):
        row = got.get(entity.id)
        lines.append(BoardLine(entity.code, Attendance(row.attendance) if row else None,
                               row.delegates if row else "", row.by if row else None))
    return Board(lines)


# ---- what messages and files need


@dataclass(frozen=True)
class AgendaView:
    position: int
    title: str
    ref: tuple[str, str] | None  # ("round", "2") or ("document", "interim-guidance")


@dataclass(frozen=True)
class MeetingInfo:
    meeting: Meeting
    process: Process
    chairs: list[str]
    entities: list[Entity]
    agenda: list[AgendaView]


def agenda_of(session: Session, meeting: Meeting) -> list[AgendaView]:
    items = session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                         .order_by(AgendaItem.position)).all()
    views = []
    for item in items:
        ref = None
        if item.round_id is not None:
            round_ = session.get(Round, item.round_id)
            ref = ("round", str(round_.number)) if round_ else None
        elif item.document_id is not None:
            document = session.get(Document, item.document_id)
            ref = ("document", document.slug) if document else None
        views.append(AgendaView(item.position, item.title, ref))
    return views


def describe(session: Session, meeting: Meeting) -> MeetingInfo:
    return MeetingInfo(meeting, session.get(Process, meeting.process_id), chairs_of(session, meeting),
                       invited(session, meeting), agenda_of(session, meeting))


def can_see_answers(session: Session, person: Person, meeting: Meeting) -> bool:
    """The secretariat, the process's chairs and the meeting's chairs see every entity's answer."""
    process = session.get(Process, meeting.process_id)
    return (is_secretariat(session, person) or is_chair(session, person, process)
            or chairs(session, person, meeting))


def my_answers(session: Session, person: Person, meeting: Meeting) -> list[tuple[str, Attendance | None]]:
    """The invited entities this person speaks for, with their answers (none if not a focal point)."""
    try:
        entities = answerable(session, person, meeting)
    except NotAllowed:
        return []
    got = answers(session, meeting)
    return [(e.code, Attendance(got[e.id].attendance) if e.id in got else None) for e in entities]


# ---- the iCalendar file


def calendar_data(session: Session, meeting: Meeting, locale: str | None = None) -> CalendarMeeting:
    """The meeting as bot/exports/ics.py writes it: the creator as organizer; each focal point of an
    invited entity with that entity's answer; each chair (ROLE=CHAIR)."""
    info = describe(session, meeting)
    got = answers(session, meeting)
    codes = {e.code: e.id for e in info.entities}
    people = {p.slack_user_id: p for p in session.exec(select(Person).where(Person.slack_user_id.in_(
        [r.slack_user_id for r in recipients(session, meeting)] + [meeting.created_by]))).all()}

    def who(user_id: str) -> CalendarPerson:
        person = people.get(user_id)
        return CalendarPerson(user_id, person.team_id if person else None,
                              (person.display_name if person else "") or user_id, person.email if person else None)

    attendees = []
    for invitee in recipients(session, meeting):
        first = codes.get(invitee.entity_codes[0]) if invitee.entity_codes else None
        attendees.append(Attendee(who(invitee.slack_user_id), invitee.entity_codes,
                                  got[first].attendance if first in got else None, invitee.chair))
    creator = people.get(meeting.created_by)
    agenda = []
    for item in info.agenda:
        label = f"{item.position}. {item.title}"
        if item.ref:
            what, value = item.ref
            ref = t_plain("meetings.ref_round", locale, number=value) if what == "round" else \
                t_plain("meetings.ref_document", locale, slug=value)
            label = f"{label} ({ref})"
        agenda.append(label)
    return CalendarMeeting(
        uid=meeting.uid, sequence=meeting.sequence, cancelled=meeting.status == MeetingStatus.CANCELLED,
        title=meeting.title, kind_label=t_plain(f"meetings.kind_{meeting.kind}", locale),
        process_handle=info.process.handle, process_title=info.process.title, start=meeting.start, end=meeting.end,
        created=meeting.created_at, changed=meeting.updated_at, place=meeting.place, online_link=meeting.online_link,
        agenda=agenda, organizer=who(meeting.created_by),
        organizer_is_secretariat=creator is not None and is_secretariat(session, creator),
        attendees=attendees, meeting_id=meeting.id)


def calendar_file(session: Session, meeting_id: int | str, locale: str | None = None
                  ) -> tuple[bytes, str, CalendarMeeting]:
    """The .ics of a meeting as it stands (REQUEST, or CANCEL once cancelled), its file name, and what it says."""
    data = calendar_data(session, get_meeting(session, meeting_id), locale)
    return render_calendar(data, locale), file_name(data), data
