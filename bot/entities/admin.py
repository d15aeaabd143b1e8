"""The secretariat changes the registry: adds an entity, renames one, retires one (its history stays)."""

from __future__ import annotations

from datetime import datetime

from pydantic import ValidationError
from sqlmodel import Session, select

from bot import audit
from bot.entities.service import EntityRecord, get_entity
from bot.errors import Conflict, Invalid
from bot.roles.service import require_secretariat
from storage.models import Entity, Person
from storage.types import utcnow

FIELDS = ("code", "name", "duty_station", "timezone")


def record_problems(values: dict[str, str]) -> tuple[EntityRecord | None, list[Invalid]]:
    """`values` checked as an entity: the record, or one problem per field (`entities.bad_<field>`)."""
    cleaned = {k: (values.get(k) or "").strip() for k in FIELDS}
    cleaned["code"] = cleaned["code"].upper()
    try:
        return EntityRecord.model_validate(cleaned), []
    except ValidationError as exc:
        fields = dict.fromkeys(str(error["loc"][0]) for error in exc.errors())
        return None, [Invalid(f"entities.bad_{f}", field=f, value=cleaned.get(f, "")[:80]) for f in fields]


def add_entity(session: Session, actor: Person, values: dict[str, str]) -> Entity:
    require_secretariat(session, actor)
    record, problems = record_problems(values)
    if problems:
        raise problems[0]
    if session.exec(select(Entity.id).where(Entity.code == record.code)).first() is not None:
        raise Conflict("entities.code_taken", code=record.code)
    entity = Entity(**record.model_dump())
    session.add(entity)
    session.flush()
    audit.record(session, actor.slack_user_id, "entity.create", entity)
    return entity


def rename_entity(session: Session, actor: Person, code: str, name: str) -> tuple[str, Entity]:
    """The entity's official name changes (its code stays, so its history follows); returns the old name."""
    require_secretariat(session, actor)
    entity = get_entity(session, code)
    record, problems = record_problems({**entity.model_dump(include=set(FIELDS)), "name": name})
    if problems:
        raise problems[0]
    old, before = entity.name, audit.snapshot(entity)
    entity.name = record.name
    audit.record(session, actor.slack_user_id, "entity.rename", entity, before=before)
    return old, entity


def retire_entity(session: Session, actor: Person, code: str, now: datetime | None = None) -> Entity:
    """From now on no new round, data call or poll asks the entity; what it answered stays."""
    require_secretariat(session, actor)
    entity = get_entity(session, code)
    if entity.retired_at is not None:
        raise Conflict("entities.already_retired", code=entity.code)
    before = audit.snapshot(entity)
    entity.retired_at = now or utcnow()
    audit.record(session, actor.slack_user_id, "entity.retire", entity, before=before)
    return entity
