"""UN entities: the units that submit."""

from __future__ import annotations

import difflib
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session, select

from bot import audit
from bot.errors import NotFound
from bot.timezones import zone
from storage.models import AuditEntry, Entity

ENTITIES_FILE = Path(__file__).resolve().parents[1] / "data" / "entities.yaml"


class EntityRecord(BaseModel):
    code: str = Field(min_length=2, max_length=20, pattern=r"^[A-Z][A-Z0-9-]*$")
    name: str = Field(min_length=2, max_length=200)
    duty_station: str = Field(min_length=2, max_length=80)
    timezone: str

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        zone(value)
        return value


def bundled_entities(path: Path = ENTITIES_FILE) -> list[EntityRecord]:
    return [EntityRecord.model_validate(item) for item in yaml.safe_load(path.read_text("utf-8"))]


def changed_by_people(session: Session) -> set[int]:
    """The entities the secretariat added, renamed or imported (an audit entry by someone other than `system`)."""
    ids = session.exec(select(AuditEntry.subject_id).where(AuditEntry.subject_type == Entity.__tablename__,
                                                           AuditEntry.action.in_(("entity.create", "entity.update",
                                                                                  "entity.rename")),
                                                           AuditEntry.actor != "system")).all()
    return {int(i) for i in ids if i is not None}


def seed_entities(session: Session, records: list[EntityRecord], actor: str = "system",
                  keep_peoples_changes: bool = False) -> int:
    """Insert or update entities by code; returns how many rows changed. With `keep_peoples_changes` (the bundled
    list, `consultbot seed`), an entity the secretariat renamed or imported is left as they made it."""
    existing = {e.code: e for e in session.exec(select(Entity)).all()}
    kept = changed_by_people(session) if keep_peoples_changes else set()
    changed = 0
    for record in records:
        row = existing.get(record.code)
        if row is not None and row.id in kept:
            continue
        if row is None:
            row = Entity(**record.model_dump())
            session.add(row)
            audit.record(session, actor, "entity.create", row)
            changed += 1
            continue
        before = audit.snapshot(row)
        updates = {k: v for k, v in record.model_dump().items() if getattr(row, k) != v}
        if updates:
            for key, value in updates.items():
                setattr(row, key, value)
            audit.record(session, actor, "entity.update", row, before=before)
            changed += 1
    return changed


def list_entities(session: Session) -> list[Entity]:
    """Every entity, the retired ones too (shown as retired)."""
    return list(session.exec(select(Entity).order_by(Entity.code)).all())


def active_entities(session: Session) -> list[Entity]:
    """The entities new rounds, data calls and polls may ask: all but the retired."""
    return list(session.exec(select(Entity).where(Entity.retired_at.is_(None)).order_by(Entity.code)).all())


def matching(entities: list[Entity], query: str, limit: int) -> list[Entity]:
    """Those whose code starts with `query`, then those whose code or name contains it (any case), at most
    `limit`; all (up to `limit`) for an empty query."""
    wanted = (query or "").strip().lower()
    first = [e for e in entities if e.code.lower().startswith(wanted)]
    then = [e for e in entities if e not in first and (wanted in e.code.lower() or wanted in e.name.lower())]
    return (first + then)[:limit]


def closest_codes(session: Session, code: str, limit: int = 3) -> list[str]:
    codes = [e for e in session.exec(select(Entity.code)).all()]
    wanted = code.upper()
    starts = [c for c in codes if c.startswith(wanted[:3])] if len(wanted) >= 3 else []
    close = difflib.get_close_matches(wanted, codes, n=limit, cutoff=0.5)
    return list(dict.fromkeys(close + starts))[:limit]


def get_entity(session: Session, code: str) -> Entity:
    """The entity with this code (any case), or NotFound naming the closest codes."""
    wanted = code.strip().upper()
    entity = session.exec(select(Entity).where(Entity.code == wanted)).first()
    if entity is None:
        suggestions = closest_codes(session, wanted)
        raise NotFound("errors.unknown_entity", code=code[:40],
                       suggestions=", ".join(suggestions) if suggestions else "—")
    return entity
