"""Comment rounds: open, extend, close, reopen for named entities; who answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlmodel import Session, select

from bot import audit
from bot.entities.service import get_entity
from bot.errors import Conflict, Invalid, NotFound
from bot.processes.service import get_process, member_codes, require_active
from bot.reminders.plan import DEFAULT_OFFSETS, parse_offsets
from bot.rounds.reminder_plan import plan_round
from bot.roles.service import require_manager
from bot.timezones import LocalTimeError, is_timezone, suggest_timezones, to_utc
from storage.models import (DocumentVersion, Document, Entity, Membership, Person, Process, Role, Round,
                            RoundEntity, RoundStatus)
from storage.types import utcnow

INSTRUCTIONS_MAX = 3000


class OpenRound(BaseModel):
    """What the secretariat or a chair asks for when opening a round."""

    process: str
    version_id: int | None = None
    deadline_date: date | None = None
    deadline_time: time = time(17, 0)
    timezone: str = ""
    entities: list[str] = Field(default_factory=list)
    instructions: str = ""
    refuse_late: bool = False
    reminders: list[str] = Field(default_factory=lambda: list(DEFAULT_OFFSETS))


@dataclass(frozen=True)
class Recipient:
    """A focal point to tell about a round, with their entity."""

    slack_user_id: str
    entity_code: str
    locale: str | None
    team_id: str | None = None  # their workspace: with slack_user_id, who they are


def deadline_utc(request: OpenRound, default_timezone: str, now: datetime) -> datetime:
    """The deadline as UTC, or Invalid naming the field at fault."""
    zone_name = request.timezone.strip() or default_timezone
    if not is_timezone(zone_name):
        hint = ", ".join(suggest_timezones(zone_name)) or "Europe/Zurich"
        raise Invalid("errors.timezone_unknown", field="timezone", value=zone_name, hint=hint)
    if request.deadline_date is None:
        raise Invalid("errors.field_empty", field="deadline_date")
    try:
        deadline = to_utc(datetime.combine(request.deadline_date, request.deadline_time), zone_name)
    except LocalTimeError as exc:
        raise Invalid(f"errors.time_{exc.kind}", field="deadline_time", timezone=zone_name) from None
    if deadline <= now:
        raise Invalid("errors.deadline_past", field="deadline_date")
    return deadline


def latest_version_id(session: Session, process: Process) -> int:
    version = session.exec(
        select(DocumentVersion).join(Document, DocumentVersion.document_id == Document.id)
        .where(Document.process_id == process.id).order_by(DocumentVersion.imported_at.desc(),
                                                             DocumentVersion.id.desc())).first()
    if version is None:
        raise Invalid("errors.round_no_document", field="version", process=process.handle)
    return version.id


def validate_open(session: Session, request: OpenRound, now: datetime) -> tuple[Process, int, datetime, list[Entity]]:
    process = get_process(session, request.process)
    require_active(process)
    version_id = request.version_id or latest_version_id(session, process)
    version = session.get(DocumentVersion, version_id)
    document = session.get(Document, version.document_id) if version else None
    if document is None or document.process_id != process.id:
        raise Invalid("errors.round_version_unknown", field="version", process=process.handle)
    deadline = deadline_utc(request, process.timezone, now)
    if len(request.instructions) > INSTRUCTIONS_MAX:
        raise Invalid("errors.field_too_long", field="instructions", limit=INSTRUCTIONS_MAX)
    try:
        parse_offsets(",".join(request.reminders))
    except ValueError:
        raise Invalid("errors.reminder_offsets", field="reminders") from None
    members = member_codes(session, process)
    codes = [c.upper() for c in request.entities] or members
    entities = []
    for code in dict.fromkeys(codes):
        entity = get_entity(session, code)
        if entity.code not in members:
            raise Invalid("errors.entity_not_member", field="entities", entity=entity.code, process=process.handle)
        entities.append(entity)
    return process, version_id, deadline, entities


def open_round(session: Session, actor: Person, request: OpenRound, now: datetime | None = None) -> Round:
    now = now or utcnow()
    process, version_id, deadline, entities = validate_open(session, request, now)
    require_manager(session, actor, process)
    number = (session.exec(select(func.max(Round.number)).where(Round.process_id == process.id)).one() or 0) + 1
    round_ = Round(process_id=process.id, number=number, version_id=version_id, deadline=deadline,
                   timezone=request.timezone.strip() or process.timezone, instructions=request.instructions.strip(),
                   refuse_late=request.refuse_late, opened_by=actor.slack_user_id, opened_at=now,
                   reminder_offsets=",".join(parse_offsets(",".join(request.reminders))))
    session.add(round_)
    session.flush()
    for entity in entities:
        session.add(RoundEntity(round_id=round_.id, entity_id=entity.id))
    audit.record(session, actor.slack_user_id, "round.open", round_)
    plan_round(session, round_, now)
    return round_


def get_round(session: Session, process_handle: str, number: int | None = None) -> Round:
    """The round of that number, else the process's latest."""
    process = get_process(session, process_handle)
    query = select(Round).where(Round.process_id == process.id)
    query = query.where(Round.number == number) if number is not None else query.order_by(Round.number.desc())
    round_ = session.exec(query).first()
    if round_ is None:
        raise NotFound("errors.round_unknown", process=process.handle, number=number or "—")
    return round_


def asked(session: Session, round_: Round) -> list[tuple[RoundEntity, Entity]]:
    return list(session.exec(
        select(RoundEntity, Entity).join(Entity, RoundEntity.entity_id == Entity.id)
        .where(RoundEntity.round_id == round_.id).order_by(Entity.code)).all())


def entity_deadline(round_: Round, link: RoundEntity | None) -> datetime:
    return link.deadline if link is not None and link.deadline is not None else round_.deadline


def is_open_for(round_: Round, link: RoundEntity | None, now: datetime) -> bool:
    """Open rounds take inputs (late ones marked, or refused); a closed round only where reopened."""
    if round_.status == RoundStatus.OPEN:
        return True
    return link is not None and link.deadline is not None and link.deadline > now


def recipients(session: Session, round_: Round, codes: list[str] | None = None) -> list[Recipient]:
    """The focal points of the entities asked (or of `codes`), to announce or remind."""
    rows = session.exec(
        select(Person, Entity).join(Membership, Membership.person_id == Person.id)
        .join(Entity, Membership.entity_id == Entity.id)
        .join(RoundEntity, (RoundEntity.entity_id == Entity.id) & (RoundEntity.round_id == round_.id))
        .where(Membership.process_id == round_.process_id, Membership.role == Role.FOCAL_POINT)
        .order_by(Entity.code, Person.slack_user_id)).all()
    return [Recipient(p.slack_user_id, e.code, p.reads_in, p.team_id) for p, e in rows
            if codes is None or e.code in codes]


def extend_round(session: Session, actor: Person, round_: Round, request: OpenRound,
                 now: datetime | None = None) -> Round:
    now = now or utcnow()
    process = session.get(Process, round_.process_id)
    require_manager(session, actor, process)
    if round_.status != RoundStatus.OPEN:
        raise Conflict("errors.round_closed", number=round_.number, process=process.handle)
    deadline = deadline_utc(request, round_.timezone, now)
    if deadline <= round_.deadline:
        raise Invalid("errors.deadline_not_later", field="deadline_date")
    before = audit.snapshot(round_)
    round_.deadline = deadline
    session.add(round_)
    audit.record(session, actor.slack_user_id, "round.extend", round_, before=before)
    plan_round(session, round_, now)
    return round_


def close_round(session: Session, actor: Person, round_: Round, now: datetime | None = None) -> Round:
    now = now or utcnow()
    process = session.get(Process, round_.process_id)
    require_manager(session, actor, process)
    if round_.status == RoundStatus.CLOSED:
        raise Conflict("errors.round_closed", number=round_.number, process=process.handle)
    before = audit.snapshot(round_)
    round_.status, round_.closed_at = RoundStatus.CLOSED, now
    session.add(round_)
    audit.record(session, actor.slack_user_id, "round.close", round_, before=before)
    plan_round(session, round_, now)
    return round_


def validate_reopen(session: Session, round_: Round, codes: list[str], request: OpenRound,
                    now: datetime) -> tuple[datetime, list[tuple[Entity, RoundEntity]]]:
    """The new deadline and the links to change, or Invalid naming the field at fault."""
    deadline = deadline_utc(request, round_.timezone, now)
    links = {e.code: link for link, e in asked(session, round_)}
    found = []
    for code in codes:
        entity = get_entity(session, code)
        link = links.get(entity.code)
        if link is None:
            raise Invalid("errors.round_entity_not_asked", field="entities", entity=entity.code,
                          number=round_.number)
        found.append((entity, link))
    return deadline, found


def reopen_for(session: Session, actor: Person, round_: Round, codes: list[str], request: OpenRound,
               now: datetime | None = None) -> list[str]:
    """Give named entities their own later deadline (the round may be closed)."""
    now = now or utcnow()
    process = session.get(Process, round_.process_id)
    require_manager(session, actor, process)
    deadline, found = validate_reopen(session, round_, codes, request, now)
    reopened = []
    for entity, link in found:
        before = audit.snapshot(link)
        link.deadline = deadline
        session.add(link)
        audit.record(session, actor.slack_user_id, "round.reopen", link, before=before)
        reopened.append(entity.code)
    plan_round(session, round_, now)
    return reopened


@dataclass(frozen=True)
class RoundInfo:
    """A round with the names its messages need."""

    round: Round
    process: Process
    document_title: str
    version_number: int
    entity_codes: list[str]


def describe(session: Session, round_: Round) -> RoundInfo:
    version = session.get(DocumentVersion, round_.version_id)
    document = session.get(Document, version.document_id)
    return RoundInfo(round_, session.get(Process, round_.process_id), document.title, version.number,
                     [e.code for _, e in asked(session, round_)])


def versions_of(session: Session, process: Process) -> list[tuple[DocumentVersion, Document]]:
    return list(session.exec(
        select(DocumentVersion, Document).join(Document, DocumentVersion.document_id == Document.id)
        .where(Document.process_id == process.id)
        .order_by(Document.title, DocumentVersion.number.desc())).all())


def open_rounds_for(session: Session, person: Person, now: datetime) -> list[tuple[RoundInfo, list[str]]]:
    """Rounds still taking inputs from an entity this person speaks for, with those entities' codes."""
    rows = session.exec(
        select(Round, Entity.code, RoundEntity).join(RoundEntity, RoundEntity.round_id == Round.id)
        .join(Entity, RoundEntity.entity_id == Entity.id)
        .join(Membership, (Membership.entity_id == Entity.id) & (Membership.process_id == Round.process_id))
        .where(Membership.person_id == person.id, Membership.role == Role.FOCAL_POINT)
        .order_by(Round.deadline)).all()
    waiting: dict[int, tuple[Round, list[str]]] = {}
    for round_, code, link in rows:
        if is_open_for(round_, link, now):
            waiting.setdefault(round_.id, (round_, []))[1].append(code)
    return [(describe(session, r), codes) for r, codes in waiting.values()]
