"""Processes: consultations and issue management groups, with their member entities."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import func
from sqlmodel import Session, select

from bot import audit
from bot.entities.service import get_entity
from bot.errors import Conflict, Invalid, NotFound, title_problems
from bot.roles.service import grant, require_secretariat
from bot.texts import BASE_LOCALE, languages
from bot.timezones import is_timezone, suggest_timezones
from storage.models import Entity, Membership, Person, Process, ProcessEntity, ProcessKind, Role
from storage.types import utcnow

HANDLE = re.compile(r"^[a-z][a-z0-9-]{1,31}$")
TITLE_MAX = 200
DESCRIPTION_MAX = 3000


class NewProcess(BaseModel):
    """What the secretariat typed in the new-process modal (or the CLI, or the demo seed)."""

    handle: str = ""
    kind: str = ""
    title: str = ""
    description: str = ""
    channel_id: str | None = None
    timezone: str = ""
    mandate_end: date | None = None
    chairs: list[str] = Field(default_factory=list)
    members: list[str] = Field(default_factory=list)
    language: str = ""  # of its channel messages; blank: English

    @field_validator("timezone")
    @classmethod
    def _no_surrounding_spaces(cls, value: str) -> str:
        return value.strip()


@dataclass(frozen=True)
class ProcessSummary:
    process: Process
    member_codes: list[str]
    chairs: list[str]
    focal_points: int


def validate_new_process(session: Session, request: NewProcess, today: date | None = None) -> list[Invalid]:
    """Every problem at once, each tied to its field, so a modal can show them all."""
    problems: list[Invalid] = []
    handle = request.handle.strip().lower()
    if not HANDLE.match(handle):
        problems.append(Invalid("errors.process_handle_format", field="handle"))
    elif session.exec(select(Process.id).where(Process.handle == handle)).first() is not None:
        problems.append(Invalid("errors.process_handle_taken", field="handle", handle=handle))
    if request.kind not in {k.value for k in ProcessKind}:
        problems.append(Invalid("errors.process_kind", field="kind"))
    problems += title_problems(request.title, TITLE_MAX)
    if len(request.description) > DESCRIPTION_MAX:
        problems.append(Invalid("errors.field_too_long", field="description", limit=DESCRIPTION_MAX))
    if not is_timezone(request.timezone):
        hint = ", ".join(suggest_timezones(request.timezone)) or "Europe/Zurich"
        problems.append(Invalid("errors.timezone_unknown", field="timezone", value=request.timezone, hint=hint))
    if request.language and request.language not in languages():
        problems.append(Invalid("language.unknown", field="language", value=request.language[:20],
                                choices=", ".join(languages())))
    if request.mandate_end is not None and request.mandate_end < (today or utcnow().date()):
        problems.append(Invalid("errors.date_in_past", field="mandate_end"))
    if not request.members:
        problems.append(Invalid("errors.members_empty", field="members"))
    for code in request.members:
        try:
            get_entity(session, code)
        except NotFound as exc:
            problems.append(Invalid(exc.key, field="members", **exc.params))
    return problems


def create_process(session: Session, actor: Person, request: NewProcess) -> Process:
    require_secretariat(session, actor)
    problems = validate_new_process(session, request)
    if problems:
        raise problems[0]
    process = Process(handle=request.handle.strip().lower(), kind=ProcessKind(request.kind),
                      title=request.title.strip(), description=request.description.strip(),
                      channel_id=request.channel_id or None, timezone=request.timezone,
                      mandate_end=request.mandate_end, language=request.language or BASE_LOCALE)
    session.add(process)
    session.flush()
    audit.record(session, actor.slack_user_id, "process.create", process)
    for code in dict.fromkeys(c.upper() for c in request.members):
        add_member(session, actor.slack_user_id, process, get_entity(session, code))
    for chair in dict.fromkeys(request.chairs):
        grant(session, actor.slack_user_id, chair, Role.CHAIR, process, if_missing=True)
    return process


def add_member(session: Session, actor: str, process: Process, entity: Entity) -> ProcessEntity | None:
    exists = session.exec(select(ProcessEntity).where(ProcessEntity.process_id == process.id,
                                                      ProcessEntity.entity_id == entity.id)).first()
    if exists is not None:
        return None
    link = ProcessEntity(process_id=process.id, entity_id=entity.id)
    session.add(link)
    audit.record(session, actor, "process.add_member", link,
                 after={"process": process.handle, "entity": entity.code})
    return link


def get_process(session: Session, handle: str) -> Process:
    wanted = handle.strip().lower()
    process = session.exec(select(Process).where(Process.handle == wanted)).first()
    if process is None:
        handles = list(session.exec(select(Process.handle)).all())
        close = difflib.get_close_matches(wanted, handles, n=3, cutoff=0.4) or handles[:5]
        raise NotFound("errors.unknown_process", handle=handle[:40], suggestions=", ".join(close) or "—")
    return process


def require_active(process: Process) -> None:
    if process.status != "active":
        raise Conflict("errors.process_closed", handle=process.handle)


def named_members(session: Session, process: Process, codes: list[str], problems: list[Invalid]) -> list[Entity]:
    """The entities named (every member when none is), each checked to be a member of the process;
    what is wrong is added to `problems` as field errors on "entities"."""
    members = member_codes(session, process)
    entities = []
    for code in dict.fromkeys(c.strip().upper() for c in codes or members if c.strip()):
        try:
            entity = get_entity(session, code)
        except NotFound as exc:
            problems.append(Invalid(exc.key, field="entities", **exc.params))
            continue
        if entity.code not in members:
            problems.append(Invalid("errors.entity_not_member", field="entities", entity=entity.code,
                                    process=process.handle))
            continue
        entities.append(entity)
    return entities


def member_codes(session: Session, process: Process) -> list[str]:
    return list(session.exec(
        select(Entity.code).join(ProcessEntity, ProcessEntity.entity_id == Entity.id)
        .where(ProcessEntity.process_id == process.id, Entity.retired_at.is_(None)).order_by(Entity.code)
    ).all())


def summaries(session: Session) -> list[ProcessSummary]:
    processes = session.exec(select(Process).order_by(Process.status, Process.handle)).all()
    result = []
    for process in processes:
        chairs = list(session.exec(
            select(Person.slack_user_id).join(Membership, Membership.person_id == Person.id)
            .where(Membership.process_id == process.id, Membership.role == Role.CHAIR)
            .order_by(Person.slack_user_id)).all())
        focal = session.exec(select(func.count()).select_from(Membership).where(
            Membership.process_id == process.id, Membership.role == Role.FOCAL_POINT)).one()
        result.append(ProcessSummary(process, member_codes(session, process), chairs, focal))
    return result
