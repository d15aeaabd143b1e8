"""More time for a mapping survey: the secretariat extends one entity's deadline (its own, kept on its response
row) or the whole mapping's. The reminders and escalations are planned again in the same transaction
(bot/mapping/reminders.py: plan_mapping), each entity chased towards its own deadline. Nothing here knows Slack."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot import audit
from bot.entities.service import get_entity
from bot.errors import Conflict, Invalid
from bot.mapping.reminders import plan_mapping
from bot.mapping.service import SILENT, deadline_of, process_of, responses
from bot.roles.service import require_secretariat
from storage.models import Entity, Mapping, MappingResponse, MappingStatus, Person, ResponseStatus
from storage.types import utcnow

STILL_TO_ANSWER = (*SILENT, ResponseStatus.RETURNED)  # those a new deadline concerns


def extend_mapping(session: Session, actor: Person, mapping: Mapping, deadline: datetime, timezone: str,
                   code: str | None = None, now: datetime | None = None) -> list[tuple[Entity, datetime]]:
    """The entity `code` (or, without one, the whole mapping) answers by `deadline`, which must be ahead and
    after the deadline it replaces. Returns the entities still to answer that the new deadline concerns."""
    now = now or utcnow()
    require_secretariat(session, actor)
    if mapping.status != MappingStatus.OPEN:
        raise Conflict("mapping.closed", process=process_of(session, mapping).handle, survey=mapping.survey)
    if deadline <= now:
        raise Invalid("mapping.deadline_past", field="deadline")
    rows = responses(session, mapping)
    if code is None:
        if deadline <= mapping.deadline:
            raise Invalid("mapping.extend_not_later", field="deadline")
        before = audit.snapshot(mapping)
        mapping.deadline, mapping.timezone = deadline, timezone
        for _, row in rows:
            if row.deadline is not None and row.deadline <= deadline:
                row.deadline = None  # the whole mapping's new deadline reaches past its own
                session.add(row)
        session.add(mapping)
        audit.record(session, actor.slack_user_id, "mapping.extended", mapping, before=before)
        moved = [(e, r) for e, r in rows if r.status in STILL_TO_ANSWER]
    else:
        entity, row = _asked(session, mapping, rows, code)
        if row.status not in STILL_TO_ANSWER:
            raise Conflict("mapping.extend_answered", entity=entity.code)
        if deadline <= deadline_of(mapping, row):
            raise Invalid("mapping.extend_not_later", field="deadline")
        before = audit.snapshot(row)
        row.deadline = deadline
        session.add(row)
        audit.record(session, actor.slack_user_id, "mapping.extended_for", row, before=before)
        moved = [(entity, row)]
    plan_mapping(session, mapping, now)
    return [(e, deadline_of(mapping, r)) for e, r in moved]


def check_extendable(session: Session, actor: Person, mapping: Mapping, code: str | None) -> str | None:
    """Before the modal: the secretariat, an open mapping, and an entity (its code returned) still to answer."""
    require_secretariat(session, actor)
    if mapping.status != MappingStatus.OPEN:
        raise Conflict("mapping.closed", process=process_of(session, mapping).handle, survey=mapping.survey)
    if code is None:
        return None
    entity, row = _asked(session, mapping, responses(session, mapping), code)
    if row.status not in STILL_TO_ANSWER:
        raise Conflict("mapping.extend_answered", entity=entity.code)
    return entity.code


def _asked(session: Session, mapping: Mapping, rows: list[tuple[Entity, MappingResponse]],
           code: str) -> tuple[Entity, MappingResponse]:
    entity = get_entity(session, code)
    for asked, row in rows:
        if asked.id == entity.id:
            return asked, row
    raise Invalid("mapping.not_asked", field="entity", entity=entity.code, survey=mapping.survey)
