"""A process's digest: mandate, comment rounds, meetings, decisions, open action items, and what
changed since the last digest. Read-only but for the digest log (`record`); knows nothing of Slack.

The queries are the services' own where they exist (the round status board, the meetings' RSVP
counts and decisions); what is new here are the aggregates a digest needs and nobody else did:
inputs per section by disposition, and the changes stamped after `since`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_
from sqlmodel import Session, select

from bot.errors import NotAllowed
from bot.outcomes.service import RsvpCounts, decisions_of, rsvp_counts
from bot.processes.service import get_process
from bot.roles.service import is_secretariat, secretariat_mentions
from bot.rounds.service import describe
from bot.rounds.status import Answer, board
from bot.timezones import zone
from storage.models import (ActionItem, ActionStatus, Decision, DigestKind, DigestLog, Disposition, Entity, Input,
                            InputStatus, Meeting, MeetingStatus, Membership, NilReturn, Person, Process, Response,
                            Round, RoundStatus, Section)
from storage.types import utcnow

DEFAULT_WINDOW = timedelta(days=7)  # "since" when the process never had a digest
UPCOMING_LIMIT = 10  # upcoming meetings listed; the rest are counted


class Since:
    """Where a digest's `since` came from (the document says it)."""

    GIVEN = "given"
    LAST_DIGEST = "last_digest"
    DEFAULT = "default"


@dataclass(frozen=True)
class SectionTally:
    """Active inputs on one section (number "" = general comments) by disposition so far."""

    number: str
    heading: str
    inputs: int
    dispositions: dict[str, int]  # Disposition value -> count, every disposition present
    unanswered: int


@dataclass(frozen=True)
class RoundDigest:
    number: int
    document_title: str
    version_number: int
    status: str  # RoundStatus value
    deadline: datetime
    timezone: str
    closed_at: datetime | None
    asked: int
    submitted: list[str]  # entity codes with at least one active input
    nil: list[str]  # "no comments"
    late: list[str]  # no answer and past their deadline
    pending: list[str]  # no answer, still in time
    late_inputs: int
    sections: list[SectionTally]

    @property
    def answered(self) -> int:
        return len(self.submitted) + len(self.nil)

    @property
    def inputs(self) -> int:
        return sum(s.inputs for s in self.sections)

    @property
    def unanswered(self) -> int:
        return sum(s.unanswered for s in self.sections)

    @property
    def dispositions(self) -> dict[str, int]:
        total = {d.value: 0 for d in Disposition}
        for tally in self.sections:
            for key, n in tally.dispositions.items():
                total[key] += n
        return total


@dataclass(frozen=True)
class MeetingDigest:
    id: int
    title: str
    kind: str
    start: datetime
    end: datetime
    timezone: str
    place: str
    counts: RsvpCounts


@dataclass(frozen=True)
class DecisionDigest:
    meeting_title: str
    kind: str  # DecisionKind value
    text: str
    at: datetime
    mandate_end: date | None = None
    document_title: str | None = None
    version_number: int | None = None
    owner: str | None = None
    due: date | None = None


@dataclass(frozen=True)
class ActionDigest:
    id: int
    text: str
    owner: str
    due: date
    overdue: bool
    done_at: datetime | None = None


@dataclass(frozen=True)
class Changes:
    """Everything stamped after `since`."""

    rounds_opened: list[int] = field(default_factory=list)
    rounds_closed: list[int] = field(default_factory=list)
    inputs: list[tuple[int, str, int]] = field(default_factory=list)  # (round number, entity code, new inputs)
    nil_returns: list[tuple[int, str]] = field(default_factory=list)  # (round number, entity code)
    responses: int = 0  # inputs given a disposition
    responded: list[tuple[int, str, str, int]] = field(default_factory=list)  # (round, entity, disposition, inputs)
    decisions: int = 0
    meetings_held: int = 0
    meetings_scheduled: int = 0
    items_done: list[ActionDigest] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.rounds_opened or self.rounds_closed or self.inputs or self.nil_returns or self.responses
                    or self.decisions or self.meetings_held or self.meetings_scheduled or self.items_done)


@dataclass(frozen=True)
class Digest:
    handle: str
    title: str
    kind: str  # ProcessKind value
    status: str  # ProcessStatus value
    timezone: str
    channel_id: str | None
    mandate_end: date | None
    days_left: int | None  # negative once the mandate has ended
    since: datetime
    since_source: str  # a Since value
    now: datetime
    rounds: list[RoundDigest]
    meetings_held: list[MeetingDigest]
    meetings_upcoming: list[MeetingDigest]
    upcoming_total: int
    decisions: list[DecisionDigest]
    open_actions: list[ActionDigest]
    changes: Changes


# ---- who may read it, and since when


def require_reader(session: Session, person: Person, process: Process) -> None:
    """The secretariat, and anyone holding a role in the process (chair, focal point, observer)."""
    if is_secretariat(session, person):
        return
    member = person.id is not None and session.exec(select(Membership.id).where(
        Membership.person_id == person.id, Membership.process_id == process.id)).first() is not None
    if not member:
        raise NotAllowed("digests.errors.not_member", process=process.handle,
                         granted_by=secretariat_mentions(session))


def process_of_channel(session: Session, channel_id: str | None) -> Process | None:
    if not channel_id:
        return None
    return session.exec(select(Process).where(Process.channel_id == channel_id).order_by(Process.id)).first()


def last_digest(session: Session, process: Process, before: datetime | None = None,
                kinds: tuple[str, ...] | None = None, by: str | None = None) -> DigestLog | None:
    """The latest digest logged for the process (of these kinds, or by this person, before a time)."""
    query = select(DigestLog).where(DigestLog.process_id == process.id)
    if before is not None:
        query = query.where(DigestLog.generated_at < before)
    if kinds is not None and by is not None:
        query = query.where(or_(DigestLog.kind.in_(kinds), DigestLog.generated_by == by))
    elif kinds is not None:
        query = query.where(DigestLog.kind.in_(kinds))
    elif by is not None:
        query = query.where(DigestLog.generated_by == by)
    return session.exec(query.order_by(DigestLog.generated_at.desc(), DigestLog.id.desc())).first()


def default_since(process: Process, now: datetime, previous: DigestLog | None) -> tuple[datetime, str]:
    if previous is not None:
        return previous.generated_at, Since.LAST_DIGEST
    return now - DEFAULT_WINDOW, Since.DEFAULT


def record(session: Session, process: Process, since: datetime, kind: DigestKind, by: str,
           now: datetime | None = None) -> DigestLog:
    row = DigestLog(process_id=process.id, generated_at=now or utcnow(), since=since, kind=kind, generated_by=by)
    session.add(row)
    session.flush()
    return row


# ---- the parts


def _today(process: Process, now: datetime) -> date:
    return now.astimezone(zone(process.timezone)).date()


def _tallies(session: Session, round_: Round) -> list[SectionTally]:
    """One aggregate: active inputs by section and disposition (None: no response yet), document order,
    general comments last."""
    rows = session.exec(
        select(Section.number, Section.heading, Section.position, Response.disposition, func.count(Input.id))
        .select_from(Input).join(Section, Input.section_id == Section.id, isouter=True)
        .join(Response, Response.input_id == Input.id, isouter=True)
        .where(Input.round_id == round_.id, Input.status == InputStatus.ACTIVE)
        .group_by(Section.number, Section.heading, Section.position, Response.disposition)).all()
    found: dict[tuple[bool, int, str], dict] = {}
    for number, heading, position, disposition, count in rows:
        key = (number is None, position or 0, number or "")
        tally = found.setdefault(key, {"heading": heading or "", "dispositions": {d.value: 0 for d in Disposition},
                                       "unanswered": 0, "inputs": 0})
        tally["inputs"] += count
        if disposition is None:
            tally["unanswered"] += count
        else:
            tally["dispositions"][Disposition(disposition).value] += count
    return [SectionTally(key[2], v["heading"], v["inputs"], v["dispositions"], v["unanswered"])
            for key, v in sorted(found.items())]


def _round(session: Session, round_: Round, now: datetime) -> RoundDigest:
    info, status = describe(session, round_), board(session, round_, now)
    codes = {answer: [e.code for e in status.entities if e.answer == answer] for answer in Answer}
    return RoundDigest(
        number=round_.number, document_title=info.document_title, version_number=info.version_number,
        status=RoundStatus(round_.status).value, deadline=round_.deadline, timezone=round_.timezone,
        closed_at=round_.closed_at, asked=len(status.entities), submitted=codes[Answer.SUBMITTED],
        nil=codes[Answer.NIL], late=codes[Answer.LATE], pending=codes[Answer.PENDING],
        late_inputs=sum(e.late_inputs for e in status.entities), sections=_tallies(session, round_))


def _meeting(meeting: Meeting, counts: dict[int, RsvpCounts]) -> MeetingDigest:
    return MeetingDigest(meeting.id, meeting.title, meeting.kind, meeting.start, meeting.end, meeting.timezone,
                         meeting.place, counts.get(meeting.id, RsvpCounts()))


def _decisions(session: Session, process: Process, since: datetime) -> list[DecisionDigest]:
    meetings = dict(session.exec(
        select(Meeting.id, Meeting.title).join(Decision, Decision.meeting_id == Meeting.id)
        .where(Meeting.process_id == process.id, Decision.at > since)).all())
    views = [v for found in decisions_of(session, sorted(meetings)).values() for v in found if v.decision.at > since]
    views.sort(key=lambda v: (v.decision.at, v.decision.id))
    return [DecisionDigest(
        meeting_title=meetings[v.decision.meeting_id], kind=v.decision.kind, text=v.decision.text, at=v.decision.at,
        mandate_end=v.decision.mandate_end, document_title=v.document_title, version_number=v.version_number,
        owner=v.owner_code, due=v.action.due if v.action else None) for v in views]


def _actions(session: Session, process: Process, today: date, *where) -> list[ActionDigest]:
    rows = session.exec(select(ActionItem, Entity.code).join(Entity, ActionItem.owner_entity_id == Entity.id)
                        .where(ActionItem.process_id == process.id, *where)
                        .order_by(ActionItem.due, ActionItem.id)).all()
    return [ActionDigest(a.id, a.text, code, a.due, a.status == ActionStatus.OPEN and a.due < today, a.done_at)
            for a, code in rows]


def _changes(session: Session, process: Process, rounds: list[Round], since: datetime, now: datetime,
             held: int, today: date) -> Changes:
    numbers = {r.id: r.number for r in rounds}
    ids = sorted(numbers) or [-1]
    inputs = session.exec(
        select(Input.round_id, Entity.code, func.count(Input.id)).join(Entity, Input.entity_id == Entity.id)
        .where(Input.round_id.in_(ids), Input.status == InputStatus.ACTIVE, Input.created_at > since)
        .group_by(Input.round_id, Entity.code)).all()
    nil = session.exec(
        select(NilReturn.round_id, Entity.code).join(Entity, NilReturn.entity_id == Entity.id)
        .where(NilReturn.round_id.in_(ids), NilReturn.withdrawn_at.is_(None), NilReturn.at > since)).all()
    responded = session.exec(
        select(Input.round_id, Entity.code, Response.disposition, func.count(Response.id))
        .join(Input, Response.input_id == Input.id).join(Entity, Input.entity_id == Entity.id)
        .where(Input.round_id.in_(ids), Input.status == InputStatus.ACTIVE, Response.at > since)
        .group_by(Input.round_id, Entity.code, Response.disposition)).all()
    responses = sum(n for *_, n in responded)
    decisions = session.exec(
        select(func.count(Decision.id)).join(Meeting, Decision.meeting_id == Meeting.id)
        .where(Meeting.process_id == process.id, Decision.at > since)).one()
    scheduled = session.exec(
        select(func.count(Meeting.id)).where(Meeting.process_id == process.id, Meeting.created_at > since,
                                             Meeting.status == MeetingStatus.SCHEDULED)).one()
    return Changes(
        rounds_opened=sorted(r.number for r in rounds if r.opened_at > since),
        rounds_closed=sorted(r.number for r in rounds if r.closed_at is not None and r.closed_at > since),
        inputs=sorted((numbers[round_id], code, n) for round_id, code, n in inputs),
        nil_returns=sorted((numbers[round_id], code) for round_id, code in nil),
        responses=responses, responded=sorted((numbers[r], code, str(d), n) for r, code, d, n in responded),
        decisions=decisions, meetings_held=held, meetings_scheduled=scheduled,
        items_done=_actions(session, process, today, ActionItem.status == ActionStatus.DONE,
                            ActionItem.done_at > since))


def compose(session: Session, process_handle: str, since: datetime | None = None, now: datetime | None = None,
            *, source: str = Since.GIVEN) -> Digest:
    """The digest of a process at `now`, with the changes after `since` (by default: since the last
    digest logged for the process, else the last 7 days). `source` says where a given `since` came from."""
    now = now or utcnow()
    process = get_process(session, process_handle)
    if since is None:
        since, source = default_since(process, now, last_digest(session, process, before=now))
    today = _today(process, now)
    rounds = list(session.exec(select(Round).where(Round.process_id == process.id).order_by(Round.number)).all())
    shown = [r for r in rounds if r.status == RoundStatus.OPEN or (r.closed_at is not None and r.closed_at > since)]
    scheduled = select(Meeting).where(Meeting.process_id == process.id, Meeting.status == MeetingStatus.SCHEDULED)
    held = list(session.exec(scheduled.where(Meeting.end > since, Meeting.end <= now)
                             .order_by(Meeting.start, Meeting.id)).all())
    upcoming_q = scheduled.where(Meeting.end > now)
    upcoming = list(session.exec(upcoming_q.order_by(Meeting.start, Meeting.id).limit(UPCOMING_LIMIT)).all())
    upcoming_total = session.exec(select(func.count()).select_from(upcoming_q.subquery())).one()
    counts = rsvp_counts(session, [m.id for m in held + upcoming])
    days_left = (process.mandate_end - today).days if process.mandate_end else None
    return Digest(
        handle=process.handle, title=process.title, kind=process.kind, status=process.status,
        timezone=process.timezone, channel_id=process.channel_id, mandate_end=process.mandate_end,
        days_left=days_left, since=since, since_source=source, now=now,
        rounds=[_round(session, r, now) for r in shown],
        meetings_held=[_meeting(m, counts) for m in held], meetings_upcoming=[_meeting(m, counts) for m in upcoming],
        upcoming_total=upcoming_total, decisions=_decisions(session, process, since),
        open_actions=_actions(session, process, today, ActionItem.status == ActionStatus.OPEN),
        changes=_changes(session, process, rounds, since, now, len(held), today))


def generate(session: Session, person: Person | None, process_handle: str, kind: DigestKind,
             since: datetime | None = None, now: datetime | None = None, log: bool = True) -> Digest:
    """Compose and (unless `log` is False: the caller logs it once delivered) log a digest. Without `since`: a person's digest covers what changed since the
    later of their own last digest and the last weekly one (what the channel was shown); the CLI's,
    since the last digest of any kind."""
    now = now or utcnow()
    process = get_process(session, process_handle)
    by = person.slack_user_id if person is not None else kind.value
    if person is not None:
        require_reader(session, person, process)
    if since is None:
        if kind == DigestKind.MANUAL:
            previous = last_digest(session, process, before=now, kinds=(DigestKind.WEEKLY,), by=by)
        else:
            previous = last_digest(session, process, before=now)
        since, source = default_since(process, now, previous)
    else:
        source = Since.GIVEN
    digest = compose(session, process.handle, since, now, source=source)
    if log:
        record(session, process, since, kind, by, now)
    return digest
