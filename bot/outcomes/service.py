"""Meeting outcomes: minutes and decisions, recorded after a meeting by the secretariat or a chair.

Typed decisions act on the process in the transaction that records them: *mandate extended*
moves the mandate's end, *group closed* closes the process and its open rounds, *document
approved* marks a version approved, *action item* creates a tracked item with reminders to the
owner entity's focal points. Every change is audited with its before and after.

Meetings themselves (created, moved, cancelled, RSVPs) belong to bot/meetings; this module only
reads them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, select

from bot import audit
from bot.entities.service import get_entity
from bot.errors import Conflict, Invalid, NotAllowed, NotFound
from bot.outcomes.reminder_plan import due_moment, plan_action
from bot.outcomes.reminder_plan import owners as owner_people
from bot.processes.service import get_process, member_codes
from bot.roles.service import is_secretariat, require_manager, secretariat_mentions, speaks_for
from bot.rounds.service import close_round
from bot.timezones import zone
from storage.models import (ActionItem, ActionStatus, Attendance, Decision, DecisionKind, Document, DocumentVersion,
                            Entity, Meeting, MeetingInvitee, MeetingStatus, Membership, Person, Process, ProcessStatus,
                            Role, Round, RoundStatus, Rsvp)
from storage.types import utcnow

TEXT_MAX = 3000
MINUTES_MAX = 3000  # a Slack plain_text_input holds at most 3,000 characters
LIST_LIMIT = 20  # upcoming, and past, meetings in one `/consult meetings` answer
HOME_LIMIT = 5


class OutcomeRequest(BaseModel):
    """What the outcomes modal carries: the minutes (None: leave them as they are) and at most one
    decision, with the fields its kind needs."""

    minutes: str | None = None
    kind: str = ""
    text: str = ""
    mandate_end: date | None = None
    version_id: int | None = None
    owner: str = ""
    due: date | None = None


@dataclass(frozen=True)
class DecisionView:
    """A decision with the names its line needs."""

    decision: Decision
    document_title: str | None = None
    version_number: int | None = None
    action: ActionItem | None = None
    owner_code: str | None = None
    process_timezone: str = "UTC"


@dataclass(frozen=True)
class Recorded:
    """What one submission of the outcomes modal changed."""

    meeting: Meeting
    process: Process
    decision: DecisionView | None
    minutes_changed: bool
    closed_rounds: int = 0
    owners: list[tuple[str, str | None, str | None]] = field(default_factory=list)  # (user id, workspace, locale)
    left: tuple[int, int] = (0, 0)  # a group closed: its upcoming meetings and open action items, left to decide on


@dataclass(frozen=True)
class RsvpCounts:
    attending: int = 0
    tentative: int = 0
    not_attending: int = 0
    no_answer: int = 0


@dataclass(frozen=True)
class MeetingView:
    meeting: Meeting
    process_handle: str
    counts: RsvpCounts
    decisions: list[DecisionView]
    can_record: bool = False
    answers: list[tuple[str, Attendance | None]] = field(default_factory=list)  # the viewer's entities


@dataclass(frozen=True)
class MeetingList:
    process: Process | None  # None: every process the caller takes part in
    upcoming: list[MeetingView]
    past: list[MeetingView]
    upcoming_total: int
    past_total: int
    takes_part: bool = True  # False: the caller holds no role anywhere


# ---- reading meetings


def get_meeting(session: Session, meeting_id: int) -> Meeting:
    meeting = session.get(Meeting, meeting_id) if meeting_id else None
    if meeting is None:
        raise NotFound("outcomes.errors.meeting_unknown", id=meeting_id or "—")
    return meeting


def require_recordable(session: Session, person: Person, meeting: Meeting, now: datetime) -> Process:
    """The secretariat or a chair of the process, on a meeting that took place and has ended."""
    process = session.get(Process, meeting.process_id)
    require_manager(session, person, process)
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict("outcomes.errors.meeting_cancelled", title=meeting.title)
    if meeting.end > now:
        raise Conflict("outcomes.errors.meeting_not_ended", title=meeting.title, ends=meeting.end)
    return process


def process_versions(session: Session, process: Process) -> list[tuple[DocumentVersion, Document]]:
    return list(session.exec(
        select(DocumentVersion, Document).join(Document, DocumentVersion.document_id == Document.id)
        .where(Document.process_id == process.id)
        .order_by(Document.title, DocumentVersion.number.desc())).all())


def decisions_of(session: Session, meeting_ids: list[int]) -> dict[int, list[DecisionView]]:
    """Each meeting's decisions in the order they were recorded, with their documents and items."""
    if not meeting_ids:
        return {}
    decisions = session.exec(select(Decision).where(Decision.meeting_id.in_(meeting_ids))
                             .order_by(Decision.at, Decision.id)).all()
    if not decisions:
        return {}
    ids = [d.id for d in decisions]
    versions = {v.id: (v, d) for v, d in session.exec(
        select(DocumentVersion, Document).join(Document, DocumentVersion.document_id == Document.id)
        .where(DocumentVersion.id.in_({d.version_id for d in decisions if d.version_id}))).all()}
    items = {a.decision_id: (a, code) for a, code in session.exec(
        select(ActionItem, Entity.code).join(Entity, ActionItem.owner_entity_id == Entity.id)
        .where(ActionItem.decision_id.in_(ids))).all()}
    zones = dict(session.exec(select(Meeting.id, Process.timezone).join(Process, Meeting.process_id == Process.id)
                              .where(Meeting.id.in_(meeting_ids))).all())
    found: dict[int, list[DecisionView]] = {}
    for d in decisions:
        version, document = versions.get(d.version_id, (None, None))
        item, code = items.get(d.id, (None, None))
        found.setdefault(d.meeting_id, []).append(DecisionView(
            d, document.title if document else None, version.number if version else None, item, code,
            zones.get(d.meeting_id, "UTC")))
    return found


def rsvp_counts(session: Session, meeting_ids: list[int]) -> dict[int, RsvpCounts]:
    """Invited entities by answer; an answer from an entity no longer invited is not counted."""
    if not meeting_ids:
        return {}
    invited = Counter(session.exec(select(MeetingInvitee.meeting_id)
                                   .where(MeetingInvitee.meeting_id.in_(meeting_ids))).all())
    answers: dict[int, Counter] = {}
    for meeting_id, attendance in session.exec(
            select(Rsvp.meeting_id, Rsvp.attendance).join(
                MeetingInvitee, (MeetingInvitee.meeting_id == Rsvp.meeting_id)
                & (MeetingInvitee.entity_id == Rsvp.entity_id))
            .where(Rsvp.meeting_id.in_(meeting_ids))).all():
        answers.setdefault(meeting_id, Counter())[Attendance(attendance)] += 1
    counts = {}
    for meeting_id in meeting_ids:
        c = answers.get(meeting_id, Counter())
        counts[meeting_id] = RsvpCounts(c[Attendance.ATTENDING], c[Attendance.TENTATIVE], c[Attendance.NOT_ATTENDING],
                                        invited[meeting_id] - sum(c.values()))
    return counts


def _views(session: Session, meetings: list[Meeting], managed: set[int] | None,
           entity_ids: list[int] = ()) -> list[MeetingView]:
    ids = [m.id for m in meetings]
    counts, decisions = rsvp_counts(session, ids), decisions_of(session, ids)
    handles = dict(session.exec(select(Process.id, Process.handle)
                                .where(Process.id.in_({m.process_id for m in meetings}))).all()) if meetings else {}
    answers: dict[int, list[tuple[str, Attendance | None]]] = {}
    if entity_ids and ids:
        given = {(r.meeting_id, r.entity_id): Attendance(r.attendance) for r in session.exec(
            select(Rsvp).where(Rsvp.meeting_id.in_(ids), Rsvp.entity_id.in_(entity_ids))).all()}
        for meeting_id, entity_id, code in session.exec(
                select(MeetingInvitee.meeting_id, MeetingInvitee.entity_id, Entity.code)
                .join(Entity, MeetingInvitee.entity_id == Entity.id)
                .where(MeetingInvitee.meeting_id.in_(ids), MeetingInvitee.entity_id.in_(entity_ids))
                .order_by(Entity.code)).all():
            answers.setdefault(meeting_id, []).append((code, given.get((meeting_id, entity_id))))
    return [MeetingView(m, handles.get(m.process_id, "—"), counts.get(m.id, RsvpCounts()), decisions.get(m.id, []),
                        managed is None or m.process_id in managed, answers.get(m.id, []))
            for m in meetings]


def _role_processes(session: Session, person: Person) -> set[int]:
    return set(session.exec(select(Membership.process_id).where(Membership.person_id == person.id,
                                                                Membership.process_id.is_not(None))).all())


def _chaired(session: Session, person: Person) -> set[int]:
    return set(session.exec(select(Membership.process_id).where(Membership.person_id == person.id,
                                                                Membership.role == Role.CHAIR)).all())


def _count(session: Session, query) -> int:
    return session.exec(select(func.count()).select_from(query.subquery())).one()


def list_meetings(session: Session, person: Person, handle: str | None, now: datetime | None = None,
                  limit: int = LIST_LIMIT) -> MeetingList:
    """Upcoming meetings (soonest first; one under way counts as upcoming) and past ones (latest
    first) of one process, or of every process the caller takes part in (all for the secretariat)."""
    now = now or utcnow()
    secretariat = is_secretariat(session, person)
    process = get_process(session, handle) if handle else None
    scope = select(Meeting)
    if process is not None:
        scope = scope.where(Meeting.process_id == process.id)
    elif not secretariat:
        mine = _role_processes(session, person)
        if not mine:
            return MeetingList(None, [], [], 0, 0, takes_part=False)
        scope = scope.where(Meeting.process_id.in_(sorted(mine)))
    upcoming_q = scope.where(Meeting.end > now)
    past_q = scope.where(Meeting.end <= now)
    upcoming = list(session.exec(upcoming_q.order_by(Meeting.start, Meeting.id).limit(limit)).all())
    past = list(session.exec(past_q.order_by(Meeting.start.desc(), Meeting.id.desc()).limit(limit)).all())
    managed = None if secretariat else _chaired(session, person)
    return MeetingList(process, _views(session, upcoming, managed), _views(session, past, managed),
                       _count(session, upcoming_q), _count(session, past_q))


def next_meetings(session: Session, person: Person, now: datetime | None = None,
                  limit: int = HOME_LIMIT) -> list[MeetingView]:
    """The viewer's next meetings: of the processes where they hold a role, or inviting an entity
    they speak for (every meeting for the secretariat). Cancelled ones are left out."""
    now = now or utcnow()
    entity_ids = sorted(set(session.exec(select(Membership.entity_id).where(
        Membership.person_id == person.id, Membership.role == Role.FOCAL_POINT,
        Membership.entity_id.is_not(None))).all()))
    query = select(Meeting).where(Meeting.end > now, Meeting.status == MeetingStatus.SCHEDULED)
    if not is_secretariat(session, person):
        processes = _role_processes(session, person)
        if not processes and not entity_ids:
            return []
        inviting = select(MeetingInvitee.meeting_id).where(MeetingInvitee.entity_id.in_(entity_ids or [-1]))
        query = query.where(Meeting.process_id.in_(sorted(processes) or [-1]) | Meeting.id.in_(inviting))
    meetings = list(session.exec(query.order_by(Meeting.start, Meeting.id).limit(limit)).all())
    return _views(session, meetings, set(), entity_ids)


# ---- recording outcomes


@dataclass(frozen=True)
class _Checked:
    process: Process
    kind: DecisionKind | None
    version: DocumentVersion | None = None
    document: Document | None = None
    owner: Entity | None = None


def _today(process: Process, now: datetime) -> date:
    return now.astimezone(zone(process.timezone)).date()


def _need_text(request: OutcomeRequest) -> None:
    if not request.text.strip():
        raise Invalid("errors.field_empty", field="text")


def validate(session: Session, person: Person, meeting: Meeting, request: OutcomeRequest, now: datetime) -> _Checked:
    """Everything a submission needs, or the first problem tied to its field; nothing is written."""
    process = require_recordable(session, person, meeting, now)
    if request.minutes is not None and len(request.minutes) > MINUTES_MAX:
        raise Invalid("errors.field_too_long", field="minutes", limit=MINUTES_MAX)
    if len(request.text) > TEXT_MAX:
        raise Invalid("errors.field_too_long", field="text", limit=TEXT_MAX)
    if not request.kind:
        if request.minutes is None or request.minutes.strip() == meeting.minutes:
            raise Invalid("outcomes.errors.nothing", field="kind")
        return _Checked(process, None)
    try:
        kind = DecisionKind(request.kind)
    except ValueError:
        raise Invalid("outcomes.errors.kind_unknown", field="kind") from None
    if kind in (DecisionKind.MANDATE_EXTENDED, DecisionKind.GROUP_CLOSED) and process.status != ProcessStatus.ACTIVE:
        raise Invalid("outcomes.errors.process_closed", field="kind", process=process.handle)
    if kind == DecisionKind.MANDATE_EXTENDED:
        if request.mandate_end is None:
            raise Invalid("errors.field_empty", field="mandate_end")
        if request.mandate_end <= _today(process, now):
            raise Invalid("outcomes.errors.mandate_not_future", field="mandate_end")
        if process.mandate_end is not None and request.mandate_end <= process.mandate_end:
            raise Invalid("outcomes.errors.mandate_not_later", field="mandate_end",
                          current=process.mandate_end.isoformat())
    elif kind == DecisionKind.DOCUMENT_APPROVED:
        if not process_versions(session, process):
            raise Invalid("outcomes.errors.no_documents", field="kind", process=process.handle)
        if request.version_id is None:
            raise Invalid("errors.field_empty", field="version")
        version = session.get(DocumentVersion, request.version_id)
        document = session.get(Document, version.document_id) if version else None
        if document is None or document.process_id != process.id:
            raise Invalid("outcomes.errors.version_unknown", field="version", process=process.handle)
        if version.approved_at is not None:
            raise Invalid("outcomes.errors.version_approved", field="version", number=version.number,
                          title=document.title)
        return _Checked(process, kind, version, document)
    elif kind == DecisionKind.ACTION_ITEM:
        if not request.owner.strip():
            raise Invalid("errors.field_empty", field="owner")
        try:
            owner = get_entity(session, request.owner.strip())
        except NotFound as exc:
            raise Invalid(exc.key, field="owner", **exc.params) from None
        if owner.code not in member_codes(session, process):
            raise Invalid("errors.entity_not_member", field="owner", entity=owner.code, process=process.handle)
        if request.due is None:
            raise Invalid("errors.field_empty", field="due")
        if due_moment(request.due, process.timezone) <= now:
            raise Invalid("outcomes.errors.due_past", field="due")
        _need_text(request)
        return _Checked(process, kind, owner=owner)
    elif kind == DecisionKind.OTHER:
        _need_text(request)
    return _Checked(process, kind)


def _close_group(session: Session, actor: Person, process: Process, now: datetime) -> int:
    """The process closes, and its open rounds with it (their reminders are cancelled, the
    secretariat's escalations come at once)."""
    rounds = session.exec(select(Round).where(Round.process_id == process.id, Round.status == RoundStatus.OPEN)
                          .order_by(Round.number)).all()
    for round_ in rounds:
        close_round(session, actor, round_, now)
    before = audit.snapshot(process)
    process.status = ProcessStatus.CLOSED
    session.add(process)
    audit.record(session, actor.slack_user_id, "process.close", process, before=before)
    return len(rounds)


def _still_on_the_books(session: Session, process: Process, now: datetime) -> tuple[int, int]:
    """A closed group's meetings still ahead and action items still open: not cancelled by the decision
    (calling off a meeting tells its invitees), but named to whoever recorded it."""
    meetings = session.exec(select(func.count()).select_from(Meeting).where(
        Meeting.process_id == process.id, Meeting.status == MeetingStatus.SCHEDULED, Meeting.start > now)).one()
    actions = session.exec(select(func.count()).select_from(ActionItem).where(
        ActionItem.process_id == process.id, ActionItem.status == ActionStatus.OPEN)).one()
    return meetings, actions


def record_outcome(session: Session, actor: Person, meeting_id: int, request: OutcomeRequest,
                   now: datetime | None = None) -> Recorded:
    """Save the minutes and/or one decision, and let the decision act, in one transaction."""
    now = now or utcnow()
    meeting = get_meeting(session, meeting_id)
    checked = validate(session, actor, meeting, request, now)
    process, kind = checked.process, checked.kind
    meeting_before = audit.snapshot(meeting)
    minutes_changed = request.minutes is not None and request.minutes.strip() != meeting.minutes
    if minutes_changed:
        meeting.minutes = request.minutes.strip()
    meeting.outcomes_at = now
    session.add(meeting)
    audit.record(session, actor.slack_user_id, "meeting.outcomes", meeting, before=meeting_before)
    if kind is None:
        return Recorded(meeting, process, None, minutes_changed)

    decision = Decision(meeting_id=meeting.id, kind=kind, text=request.text.strip(), by=actor.slack_user_id, at=now,
                        mandate_end=request.mandate_end if kind == DecisionKind.MANDATE_EXTENDED else None,
                        version_id=checked.version.id if checked.version else None)
    session.add(decision)
    session.flush()
    audit.record(session, actor.slack_user_id, "decision.record", decision)
    closed_rounds, item, owners, left = 0, None, [], (0, 0)
    if kind == DecisionKind.MANDATE_EXTENDED:
        before = audit.snapshot(process)
        process.mandate_end = request.mandate_end
        session.add(process)
        audit.record(session, actor.slack_user_id, "process.mandate_extend", process, before=before)
    elif kind == DecisionKind.GROUP_CLOSED:
        closed_rounds = _close_group(session, actor, process, now)
        left = _still_on_the_books(session, process, now)
    elif kind == DecisionKind.DOCUMENT_APPROVED:
        before = audit.snapshot(checked.version)
        checked.version.approved_at = now
        session.add(checked.version)
        audit.record(session, actor.slack_user_id, "document.approve", checked.version, before=before)
    elif kind == DecisionKind.ACTION_ITEM:
        item = ActionItem(decision_id=decision.id, process_id=process.id, owner_entity_id=checked.owner.id,
                          text=decision.text, due=request.due, created_at=now)
        session.add(item)
        session.flush()
        audit.record(session, actor.slack_user_id, "action.create", item)
        plan_action(session, item, now)
        owners = [(p.slack_user_id, p.team_id or None, p.reads_in) for p, _ in owner_people(session, item)]
    view = DecisionView(decision, checked.document.title if checked.document else None,
                        checked.version.number if checked.version else None, item,
                        checked.owner.code if checked.owner else None, process.timezone)
    return Recorded(meeting, process, view, minutes_changed, closed_rounds, owners, left)


def outcomes_form(session: Session, person: Person, meeting_id: int, now: datetime | None = None):
    """What the outcomes modal shows: the meeting, what it decided so far, the process's document
    versions and member entities."""
    now = now or utcnow()
    meeting = get_meeting(session, meeting_id)
    process = require_recordable(session, person, meeting, now)
    return (meeting, process, decisions_of(session, [meeting.id]).get(meeting.id, []),
            process_versions(session, process), member_codes(session, process))


# ---- action items


@dataclass(frozen=True)
class Done:
    item: ActionItem
    process: Process
    entity_code: str




def mark_done(session: Session, actor: Person, item_id: int, now: datetime | None = None) -> Done:
    """A focal point of the owner entity, or the secretariat, marks the item done; its pending
    reminders are cancelled (and any still in flight is skipped at send time)."""
    now = now or utcnow()
    item = session.get(ActionItem, item_id) if item_id else None
    if item is None:
        raise NotFound("outcomes.errors.action_unknown", id=item_id or "—")
    process = session.get(Process, item.process_id)
    entity = session.get(Entity, item.owner_entity_id)
    if not (is_secretariat(session, actor) or speaks_for(session, actor, item.process_id, item.owner_entity_id)):
        raise NotAllowed("outcomes.errors.action_not_yours", entity=entity.code, process=process.handle,
                         granted_by=secretariat_mentions(session))
    if item.status == ActionStatus.DONE:
        raise Conflict("outcomes.errors.action_done_already", id=item.id,
                       when=item.done_at)
    before = audit.snapshot(item)
    item.status, item.done_at = ActionStatus.DONE, now
    session.add(item)
    audit.record(session, actor.slack_user_id, "action.done", item, before=before)
    plan_action(session, item, now)
    return Done(item, process, entity.code)
