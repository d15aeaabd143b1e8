"""Availability polls: candidate slots typed in one zone, answered yes / if need be / no by each
invited entity, tallied for the secretariat or the chair (see tally.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import bindparam, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from bot import audit
from bot.errors import Conflict, Invalid, NotAllowed, NotFound, title_problems
from bot.polls.reminder_plan import plan_poll
from bot.polls.tally import InviteeRow, SlotRow, Tally, outside_by_slot, tally
from bot.processes.service import get_process, member_codes, named_members, require_active
from bot.roles.service import is_chair, is_secretariat, require_manager, secretariat_mentions, speaks_for
from bot.timezones import LocalTimeError, is_timezone, suggest_timezones, to_utc
from storage.models import (Entity, Membership, Person, Poll, PollAnswer, PollInvitee, PollSlot,
                            PollStatus, PollVote, Process, Role)
from storage.types import utcnow

SLOTS_MAX = 40
TITLE_MAX = 200
DURATIONS = (30, 60, 90, 120, 180)  # what the modal offers
DURATION_MIN, DURATION_MAX = 15, 12 * 60
SLOT_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T]+(\d{1,2}:\d{2})$")


class NewPoll(BaseModel):
    """What the secretariat or a chair typed in the poll modal."""

    process: str
    title: str = ""
    duration_minutes: int | None = 60
    timezone: str = ""
    slots: str = ""  # one "YYYY-MM-DD HH:MM" a line, in `timezone`
    entities: list[str] = Field(default_factory=list)  # empty: every member entity


@dataclass(frozen=True)
class Checked:
    """A request that passed every check: the rows to write."""

    process: Process
    timezone: str
    slots: list[tuple[datetime, datetime]]  # UTC, in time order
    entities: list[Entity]


def parse_slots(text: str, zone_name: str | None, duration: int | None, now: datetime
                ) -> tuple[list[tuple[datetime, datetime]], list[Invalid]]:
    """The slots as (start, end) in UTC, in time order, and every problem, each naming its line.
    Blank lines are ignored (but counted, so line numbers match what was typed)."""
    lines = [(n, raw.strip()) for n, raw in enumerate(text.splitlines(), start=1) if raw.strip()]
    if not lines:
        return [], [Invalid("polls.slots_empty", field="slots")]
    if len(lines) > SLOTS_MAX:
        return [], [Invalid("polls.slots_too_many", field="slots", count=len(lines), limit=SLOTS_MAX)]
    problems: list[Invalid] = []
    seen: dict[datetime, int] = {}
    slots = []
    for n, line in lines:
        match = SLOT_LINE.match(line)
        try:
            local = datetime.combine(date.fromisoformat(match.group(1)),
                                     time.fromisoformat(match.group(2).zfill(5))) if match else None
        except ValueError:
            local = None
        if local is None:
            problems.append(Invalid("polls.slot_format", field="slots", line=n, text=line[:40]))
            continue
        if zone_name is None:  # the zone is wrong: that field says so
            continue
        try:
            start = to_utc(local, zone_name)
        except LocalTimeError as exc:
            problems.append(Invalid("polls.slot_nonexistent", field="slots", line=n, text=line, timezone=zone_name)
                            if exc.kind == "nonexistent" else
                            Invalid("polls.slot_ambiguous", field="slots", line=n, text=line, timezone=zone_name))
            continue
        if start <= now:
            problems.append(Invalid("polls.slot_past", field="slots", line=n, text=line))
            continue
        if start in seen:
            problems.append(Invalid("polls.slot_duplicate", field="slots", line=n, text=line, first=seen[start]))
            continue
        seen[start] = n
        slots.append((start, start + timedelta(minutes=duration or 60)))
    return sorted(slots), problems


def check_poll(session: Session, request: NewPoll, now: datetime) -> tuple[Checked | None, list[Invalid]]:
    """Every problem at once, each tied to its field, so the modal can show them all. The process
    must exist and be active (else NotFound/Conflict, not a field error)."""
    process = get_process(session, request.process)
    require_active(process)
    problems: list[Invalid] = []
    problems += title_problems(request.title, TITLE_MAX)
    duration = request.duration_minutes
    if duration is None or not DURATION_MIN <= duration <= DURATION_MAX:
        problems.append(Invalid("polls.duration", field="duration", low=DURATION_MIN, high=DURATION_MAX))
        duration = None
    zone_name = request.timezone.strip() or process.timezone
    if not is_timezone(zone_name):
        hint = ", ".join(suggest_timezones(zone_name)) or "Europe/Zurich"
        problems.append(Invalid("errors.timezone_unknown", field="timezone", value=zone_name[:64], hint=hint))
        zone_name = None
    slots, slot_problems = parse_slots(request.slots, zone_name, duration, now)
    problems += slot_problems
    entities = named_members(session, process, request.entities, problems)
    if not entities and not any(p.field == "entities" for p in problems):
        problems.append(Invalid("polls.entities_empty", field="entities", process=process.handle))
    if problems:
        return None, problems
    return Checked(process, zone_name, slots, entities), []


def create_poll(session: Session, actor: Person, request: NewPoll, now: datetime | None = None) -> Poll:
    """The poll, its slots and invitees, and its reminders, in the caller's transaction; or the first
    problem raised (nothing written)."""
    now = now or utcnow()
    require_manager(session, actor, get_process(session, request.process))
    checked, problems = check_poll(session, request, now)
    if problems:
        raise problems[0]
    poll = Poll(process_id=checked.process.id, title=request.title.strip(), duration_minutes=request.duration_minutes,
                timezone=checked.timezone, created_by=actor.slack_user_id, created_at=now)
    session.add(poll)
    session.flush()
    session.add_all([PollSlot(poll_id=poll.id, position=n, start=start, end=end)
                     for n, (start, end) in enumerate(checked.slots, start=1)])
    session.add_all([PollInvitee(poll_id=poll.id, entity_id=e.id) for e in checked.entities])
    audit.record(session, actor.slack_user_id, "poll.create", poll,
                 after={**audit.snapshot(poll), "slots": [s.isoformat() for s, _ in checked.slots],
                        "entities": [e.code for e in checked.entities]})
    plan_poll(session, poll, now)
    return poll


def get_poll(session: Session, poll_id: int) -> Poll:
    poll = session.get(Poll, poll_id) if poll_id else None
    if poll is None:
        raise NotFound("polls.unknown", id=poll_id)
    return poll


# The board's queries, built once: the board is read after every answer (bench/poll.py times it).
_HEAD = (select(Poll.id, Poll.title, Poll.duration_minutes, Poll.timezone, Poll.status, Process.handle,
                PollSlot.id, PollSlot.position, PollSlot.start, PollSlot.end)
         .join(Process, Poll.process_id == Process.id).join(PollSlot, PollSlot.poll_id == Poll.id, isouter=True)
         .where(Poll.id == bindparam("poll_id")).order_by(PollSlot.position))
_SLOTS = (select(PollSlot.id, PollSlot.position, PollSlot.start, PollSlot.end)
          .where(PollSlot.poll_id == bindparam("poll_id")).order_by(PollSlot.position))
_VOTERS = select(PollVote.entity_id).where(PollVote.poll_id == bindparam("poll_id")).distinct().subquery()
_INVITEES = (select(Entity.id, Entity.code, Entity.timezone, _VOTERS.c.entity_id.is_not(None))
             .select_from(PollInvitee).join(Entity, PollInvitee.entity_id == Entity.id)
             .join(_VOTERS, _VOTERS.c.entity_id == PollInvitee.entity_id, isouter=True)
             .where(PollInvitee.poll_id == bindparam("poll_id")))
_COUNTS = (select(PollVote.slot_id, *(func.count().filter(PollVote.answer == answer) for answer in PollAnswer))
           .where(PollVote.poll_id == bindparam("poll_id")).group_by(PollVote.slot_id))
_COUNTED = (select(PollVote.slot_id.label("slot_id"),
                   *(func.count().filter(PollVote.answer == answer).label(answer.value) for answer in PollAnswer))
            .where(PollVote.poll_id == bindparam("poll_id")).group_by(PollVote.slot_id).subquery())
_BOARD = (_HEAD.add_columns(*(_COUNTED.c[answer.value] for answer in PollAnswer))
          .join(_COUNTED, _COUNTED.c.slot_id == PollSlot.id, isouter=True))


def _rows(session: Session, statement, poll_id: int) -> list:
    """Core rows on the session's connection (what this transaction changed is flushed first)."""
    session.flush()
    return session.connection().execute(statement, {"poll_id": poll_id}).all()


def slots_of(session: Session, poll_id: int) -> list[SlotRow]:
    return [SlotRow(*row) for row in _rows(session, _SLOTS, poll_id)]


def invitees_of(session: Session, poll_id: int) -> list[InviteeRow]:
    """The invited entities with their zone and whether each has answered any slot, in one query."""
    return [InviteeRow(*row) for row in _rows(session, _INVITEES, poll_id)]


def vote_counts(session: Session, poll_id: int) -> list[tuple[int, int, int, int]]:
    """(slot_id, yes, if need be, no) rows: one group a slot, each answer counted with a FILTER (less
    sorting than a group per slot and answer)."""
    return [tuple(row) for row in _rows(session, _COUNTS, poll_id)]


@dataclass(frozen=True)
class PollHead:
    """What the board says of the poll itself."""

    id: int
    title: str
    duration_minutes: int
    timezone: str
    status: str
    process_handle: str


@dataclass(frozen=True)
class Board:
    """A poll as its secretariat or chair sees it."""

    poll: PollHead
    tally: Tally


def board(session: Session, poll_id: int) -> Board:
    """Two queries whatever the number of slots, entities and answers: the poll with its slots and
    the answers counted per slot; the invitees (answered or not). bench/poll.py times it."""
    rows = _rows(session, _BOARD, poll_id) if poll_id else []
    if not rows:
        raise NotFound("polls.unknown", id=poll_id)
    head = PollHead(*rows[0][:6])
    slots = [SlotRow(*row[6:10]) for row in rows if row[6] is not None]
    counts = [(row[6], *row[10:13]) for row in rows if row[6] is not None and row[10] is not None]
    return Board(head, tally(slots, invitees_of(session, poll_id), counts))


def may_manage(session: Session, person: Person, process: Process) -> bool:
    return is_secretariat(session, person) or is_chair(session, person, process)


def not_open(poll: Poll) -> Conflict:
    if poll.status == PollStatus.SCHEDULED:
        return Conflict("polls.is_scheduled", title=poll.title)
    return Conflict("polls.is_closed", title=poll.title)


# ---- answering




def _invited_codes(session: Session, poll_id: int) -> list[str]:
    return list(session.exec(select(Entity.code).join(PollInvitee, PollInvitee.entity_id == Entity.id)
                             .where(PollInvitee.poll_id == poll_id).order_by(Entity.code)).all())


@dataclass(frozen=True)
class Ballot:
    """What one focal point answers for one entity: the slots, their flags, the answers so far."""

    poll: Poll
    process: Process
    entity: Entity
    slots: list[SlotRow]
    outside: dict[int, tuple[str, ...]]
    answers: dict[int, str]  # slot id -> answer


def _require_answerer(session: Session, person: Person, poll: Poll, process: Process, code: str) -> Entity:
    """The entity, if this person may answer for it: a focal point of an entity invited to an open poll."""
    entity = session.exec(select(Entity).where(Entity.code == code.strip().upper())).first()
    invited = entity is not None and session.exec(select(PollInvitee.id).where(
        PollInvitee.poll_id == poll.id, PollInvitee.entity_id == entity.id)).first() is not None
    if not invited:
        raise NotAllowed("polls.not_invited", entity=code[:20], title=poll.title,
                         invited=", ".join(_invited_codes(session, poll.id)), ask=secretariat_mentions(session))
    if not speaks_for(session, person, process.id, entity.id):
        raise NotAllowed("polls.not_focal_point", entity=entity.code, process=process.handle,
                         granted_by=secretariat_mentions(session))
    if poll.status != PollStatus.OPEN:
        raise not_open(poll)
    return entity


def ballot(session: Session, person: Person, poll_id: int, code: str) -> Ballot:
    poll = get_poll(session, poll_id)
    process = session.get(Process, poll.process_id)
    entity = _require_answerer(session, person, poll, process, code)
    slots = slots_of(session, poll.id)
    invitees = [InviteeRow(e, c, z) for e, c, z in session.execute(
        select(Entity.id, Entity.code, Entity.timezone).join(PollInvitee, PollInvitee.entity_id == Entity.id)
        .where(PollInvitee.poll_id == poll.id)).all()]
    answers = dict(session.execute(select(PollVote.slot_id, PollVote.answer).where(
        PollVote.poll_id == poll.id, PollVote.entity_id == entity.id)).all())
    return Ballot(poll, process, entity, slots, outside_by_slot(slots, invitees), answers)


def ballots_for(session: Session, person: Person, poll_id: int) -> list[Ballot]:
    """Every invited entity this person speaks for, each with its ballot (for `/consult poll show`)."""
    poll = get_poll(session, poll_id)
    codes = session.exec(select(Entity.code).join(PollInvitee, PollInvitee.entity_id == Entity.id)
                         .join(Membership, (Membership.entity_id == Entity.id)
                               & (Membership.process_id == poll.process_id)
                               & (Membership.role == Role.FOCAL_POINT))
                         .where(PollInvitee.poll_id == poll.id, Membership.person_id == person.id)
                         .order_by(Entity.code)).all()
    return [ballot(session, person, poll.id, code) for code in codes]


@dataclass(frozen=True)
class Answered:
    poll: Poll
    entity_code: str
    yes: int
    if_need_be: int
    no: int
    slots: int


def answer_poll(session: Session, person: Person, poll_id: int, code: str, answers: dict[int, str],
                now: datetime | None = None) -> Answered:
    """Record an entity's answers (slot id -> yes / if_need_be / no); answering again replaces them.
    Two focal points of one entity answering at once: the last write wins, slot by slot."""
    now = now or utcnow()
    poll = get_poll(session, poll_id)
    process = session.get(Process, poll.process_id)
    entity = _require_answerer(session, person, poll, process, code)
    slot_ids = {s.id for s in slots_of(session, poll.id)}
    given = {int(k): str(v) for k, v in answers.items() if v}
    valid = {a.value for a in PollAnswer}
    if any(k not in slot_ids for k in given) or any(v not in valid for v in given.values()):
        raise Invalid("polls.answer_invalid", field="slots")
    if not given:
        raise Invalid("polls.answer_empty", field="slots")
    rows = [{"poll_id": poll.id, "slot_id": slot_id, "entity_id": entity.id, "answer": answer,
             "by": person.slack_user_id, "by_team": person.team_id, "at": now} for slot_id, answer in sorted(given.items())]
    table = PollVote.__table__
    insert = pg_insert(table) if session.get_bind().dialect.name == "postgresql" else sqlite_insert(table)
    statement = insert.values(rows)
    session.execute(statement.on_conflict_do_update(
        index_elements=["slot_id", "entity_id"],
        set_={"answer": statement.excluded.answer, "by": statement.excluded.by, "by_team": statement.excluded.by_team,
              "at": statement.excluded.at}))
    audit.record(session, person.slack_user_id, "poll.answer", subject_type="polls", subject_id=poll.id,
                 after={"entity": entity.code, "answers": {str(k): v for k, v in sorted(given.items())}})
    mine = dict(session.execute(select(PollVote.slot_id, PollVote.answer).where(
        PollVote.poll_id == poll.id, PollVote.entity_id == entity.id)).all())
    values = list(mine.values())
    return Answered(poll, entity.code, values.count(PollAnswer.YES), values.count(PollAnswer.IF_NEED_BE),
                    values.count(PollAnswer.NO), len(slot_ids))


# ---- closing, scheduling


def close_poll(session: Session, actor: Person, poll_id: int, now: datetime | None = None) -> Poll:
    now = now or utcnow()
    poll = get_poll(session, poll_id)
    require_manager(session, actor, session.get(Process, poll.process_id))
    if poll.status != PollStatus.OPEN:
        raise not_open(poll)
    before = audit.snapshot(poll)
    poll.status = PollStatus.CLOSED
    session.add(poll)
    audit.record(session, actor.slack_user_id, "poll.close", poll, before=before)
    plan_poll(session, poll, now)
    return poll


def mark_scheduled(session: Session, actor: str, poll_id: int, meeting_id: int, now: datetime | None = None) -> Poll:
    """For the meeting created from a poll's slot (in that transaction): the poll is scheduled, its
    reminders stop. A poll already scheduled refuses a second meeting."""
    poll = get_poll(session, poll_id)
    if poll.status == PollStatus.SCHEDULED:
        raise not_open(poll)
    before = audit.snapshot(poll)
    poll.status, poll.meeting_id = PollStatus.SCHEDULED, meeting_id
    session.add(poll)
    audit.record(session, actor, "poll.schedule", poll, before=before)
    plan_poll(session, poll, now or utcnow())
    return poll


def schedule_prefill(session: Session, actor: Person, poll_id: int, slot_id: int) -> tuple[Process, list[str], dict]:
    """What "Schedule this slot" opens the meeting modal with: the process, its members, and the slot."""
    poll = get_poll(session, poll_id)
    process = session.get(Process, poll.process_id)
    require_manager(session, actor, process)
    if poll.status == PollStatus.SCHEDULED:
        raise Conflict("polls.is_scheduled", title=poll.title)
    slot = session.get(PollSlot, slot_id)
    if slot is None or slot.poll_id != poll.id:
        raise NotFound("polls.slot_unknown")
    prefill = {"title": poll.title, "start": slot.start, "end": slot.end, "timezone": poll.timezone,
               "entities": _invited_codes(session, poll.id), "poll_id": poll.id, "slot_id": slot.id}
    return process, member_codes(session, process), prefill


# ---- where the live board was posted (the schema has no column for it: an audit entry says)


def record_board(session: Session, poll_id: int, recipient: str, channel: str, ts: str) -> None:
    """Where the live board was posted, so each answer can rewrite it (chat.update)."""
    poll = session.get(Poll, poll_id)
    poll.board_channel, poll.board_ts = channel, ts
    session.add(poll)


def board_location(session: Session, poll_id: int) -> dict | None:
    poll = session.get(Poll, poll_id)
    if poll is None or not poll.board_ts:
        return None
    return {"recipient": poll.created_by, "channel": poll.board_channel, "ts": poll.board_ts}


# ---- who hears of a poll


@dataclass(frozen=True)
class Recipient:
    slack_user_id: str
    entity_code: str
    locale: str | None
    team_id: str | None = None  # their workspace: with slack_user_id, who they are


def recipients(session: Session, poll: Poll) -> list[Recipient]:
    """The focal points of the invited entities, one per (person, entity)."""
    rows = session.exec(
        select(Person, Entity).join(Membership, Membership.person_id == Person.id)
        .join(Entity, Membership.entity_id == Entity.id)
        .join(PollInvitee, (PollInvitee.entity_id == Entity.id) & (PollInvitee.poll_id == poll.id))
        .where(Membership.process_id == poll.process_id, Membership.role == Role.FOCAL_POINT)
        .order_by(Entity.code, Person.slack_user_id)).all()
    return [Recipient(p.slack_user_id, e.code, p.reads_in, p.team_id) for p, e in rows]


def without_focal_point(session: Session, poll: Poll) -> list[str]:
    """Invited entities nobody speaks for in the process: nobody will be asked."""
    reached = {r.entity_code for r in recipients(session, poll)}
    return [code for code in _invited_codes(session, poll.id) if code not in reached]


@dataclass(frozen=True)
class Waiting:
    """An open poll that an entity the person answers for has not answered in full."""

    poll: Poll
    process_handle: str
    code: str
    answered: int
    slots: int
    first: datetime


def waiting_for(session: Session, person: Person | None) -> list[Waiting]:
    """The App Home's "Polls waiting for your answer": open polls inviting an entity the person is focal point of
    in the poll's process, with fewer answers than slots; soonest first slot first."""
    if person is None or person.id is None:
        return []
    invited = session.exec(
        select(Poll, Process.handle, Entity.code, Entity.id)
        .join(PollInvitee, PollInvitee.poll_id == Poll.id).join(Entity, Entity.id == PollInvitee.entity_id)
        .join(Process, Process.id == Poll.process_id)
        .join(Membership, (Membership.process_id == Poll.process_id) & (Membership.entity_id == PollInvitee.entity_id))
        .where(Poll.status == PollStatus.OPEN, Membership.person_id == person.id,
               Membership.role == Role.FOCAL_POINT).distinct()).all()
    if not invited:
        return []
    poll_ids = sorted({poll.id for poll, *_ in invited})
    slots = {pid: (n, first) for pid, n, first in session.exec(
        select(PollSlot.poll_id, func.count(), func.min(PollSlot.start)).where(PollSlot.poll_id.in_(poll_ids))
        .group_by(PollSlot.poll_id)).all()}
    votes = {(pid, eid): n for pid, eid, n in session.exec(
        select(PollVote.poll_id, PollVote.entity_id, func.count()).where(PollVote.poll_id.in_(poll_ids))
        .group_by(PollVote.poll_id, PollVote.entity_id)).all()}
    found = [Waiting(poll, handle, code, votes.get((poll.id, entity_id), 0), *slots.get(poll.id, (0, None)))
             for poll, handle, code, entity_id in invited]
    return sorted((w for w in found if w.slots and w.answered < w.slots), key=lambda w: (w.first, w.poll.id, w.code))
