"""The chase of a mapping survey: `mapping.reminder` to each focal point of each entity asked, at OFFSETS before
the deadline (bot/reminders/chase.py, as the data call). Written in the transaction that opens the mapping,
cancelled in the one that closes it, rewritten when who speaks for an entity changes (bot/reminders/replan.py)
and when the secretariat extends a deadline (bot/mapping/extension.py): each entity towards its own deadline.

What a due reminder says is decided when it is sent: an entity that has submitted since, a closed mapping, a
moved deadline or a person no longer focal point means no message; answers returned with a question are chased
with the question."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlmodel import Session, select

from bot.hlcm.service import focal_points
from bot.mapping import render
from bot.mapping.escalation import ESCALATION, plan_escalations
from bot.mapping.service import close_mapping, deadline_of, open_mapping, process_of, responses, survey_of
from bot.reminders import store
from bot.reminders.chase import chase_rows, still_chased
from bot.reminders.outcomes import Message, Skip
from bot.reminders.plan import stamp
from bot.reminders.registry import register_focal_point_planner, register_kind
from storage.models import Entity, Mapping, MappingResponse, MappingStatus, Person, Reminder, ResponseStatus
from storage.types import utcnow

REMINDER = "mapping.reminder"
OFFSETS = ["T-7d", "T-2d", "T-0"]


def reminder_key(mapping: Mapping, offset: str, entity_code: str, user_id: str,
                 deadline: datetime | None = None) -> str:
    """`deadline`: the entity's own, when extended (bot/mapping/extension.py); else the mapping's."""
    return f"mapping:{mapping.id}@{stamp(deadline or mapping.deadline)}:{offset}:{entity_code}:{user_id}"


def plan_mapping(session: Session, mapping: Mapping, now: datetime) -> None:
    """Rewrite the mapping's pending reminders to match its state now (closed or past: none): each entity is
    chased towards its own deadline (the mapping's unless extended for it); then the escalations."""
    session.flush()
    by_deadline: dict[datetime, list] = defaultdict(list)
    if mapping.status == MappingStatus.OPEN:
        rows = {e.id: r for e, r in responses(session, mapping)}
        for entity, person in focal_points(session, list(rows), mapping.process_id):
            deadline = deadline_of(mapping, rows[entity.id])
            if deadline > now:
                by_deadline[deadline].append((entity, person))
    wanted, chased = [], set()
    for deadline, pairs in by_deadline.items():
        rows_wanted, pairs_chased = chase_rows(
            pairs, deadline, mapping.timezone, OFFSETS, now, REMINDER,
            lambda offset, code, user, d=deadline: reminder_key(mapping, offset, code, user, d), mapping.id)
        wanted += rows_wanted
        chased |= {(entity_id, user, deadline) for entity_id, user in pairs_chased}
    store.reconcile(session, [Reminder.kind == REMINDER, Reminder.subject_id == mapping.id], wanted,
                    keep=lambda row: (row.entity_id, row.recipient, row.stale_at) in chased)
    plan_escalations(session, mapping, now)


def plan_open_mappings(session: Session, now: datetime) -> None:
    for mapping in session.exec(select(Mapping).where(Mapping.status == MappingStatus.OPEN, Mapping.deadline > now)
                                .order_by(Mapping.id)).all():
        plan_mapping(session, mapping, now)


def open_with_reminders(session: Session, actor: Person, handle: str, survey: str, deadline: datetime, timezone: str,
                        codes: list[str] | None, now: datetime | None = None) -> Mapping:
    now = now or utcnow()
    mapping = open_mapping(session, actor, handle, survey, deadline, timezone, codes, now)
    plan_mapping(session, mapping, now)
    return mapping


def close_with_reminders(session: Session, actor: Person, mapping: Mapping, now: datetime | None = None) -> Mapping:
    now = now or utcnow()
    close_mapping(session, actor, mapping, now)
    plan_mapping(session, mapping, now)
    return mapping


def reminder_message(session: Session, row: Reminder, now: datetime) -> Message | Skip:
    mapping = session.get(Mapping, row.subject_id) if row.subject_id is not None else None
    entity = session.get(Entity, row.entity_id) if row.entity_id is not None else None
    answer = session.exec(select(MappingResponse).where(MappingResponse.mapping_id == mapping.id,
                                                        MappingResponse.entity_id == entity.id)).first() \
        if mapping is not None and entity is not None else None
    if answer is None or deadline_of(mapping, answer) != row.stale_at:
        return Skip("replanned")
    if mapping.status != MappingStatus.OPEN:
        return Skip("closed")
    if answer.status == ResponseStatus.SUBMITTED:
        return Skip("submitted")
    person = still_chased(session, row, now)
    if isinstance(person, Skip):
        return person
    question = answer.question if answer.status == ResponseStatus.RETURNED else None
    text, blocks = render.reminder(mapping, process_of(session, mapping).handle, survey_of(mapping), entity.code,
                                   answer.draft is not None, person.reads_in, question, row.stale_at)
    return Message(row.recipient, text, blocks)


register_focal_point_planner("mapping", plan_open_mappings, (REMINDER, ESCALATION))  # likewise, for the mapping surveys
register_kind(REMINDER, reminder_message)
