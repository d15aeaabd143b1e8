"""What a due data-call reminder says, decided at send time: an entity that has submitted since, a closed call,
a moved deadline, a person no longer focal point, or a later reminder already due, means no message. An entity
whose figures were returned with a question is chased like one that has not submitted, with the question.

The escalation to the secretariat at the deadline lists the entities that still owe figures; none: no message."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.hlcm import render
from bot.hlcm.reminder_plan import ESCALATION, REMINDER
from bot.hlcm.service import asked_entities, current, draft, owing
from bot.people.service import recipient_of
from bot.reminders.chase import still_chased
from bot.reminders.outcomes import Message, Skip
from bot.reminders.registry import register_kind
from bot.roles.service import is_secretariat
from storage.models import DataCall, DataCallStatus, Entity, Reminder, SubmissionStatus


def reminder_message(session: Session, row: Reminder, now: datetime) -> Message | Skip:
    call = session.get(DataCall, row.subject_id) if row.subject_id is not None else None
    entity = session.get(Entity, row.entity_id) if row.entity_id is not None else None
    if call is None or entity is None or call.deadline != row.stale_at:
        return Skip("replanned")
    if call.status != DataCallStatus.OPEN:
        return Skip("closed")
    latest = current(session, entity.id, call.year)
    if latest is not None and latest.status == SubmissionStatus.SUBMITTED:
        return Skip("submitted")
    person = still_chased(session, row, now)
    if isinstance(person, Skip):
        return person
    question = latest.question if latest is not None and latest.status == SubmissionStatus.RETURNED else None
    text, blocks = render.reminder(call, entity.code, row.stale_at, draft(session, entity.id, call.year) is not None,
                                   person.reads_in, question=question)
    return Message(row.recipient, text, blocks)


def escalation_message(session: Session, row: Reminder, now: datetime) -> Message | Skip:
    call = session.get(DataCall, row.subject_id) if row.subject_id is not None else None
    if call is None or call.deadline != row.due_at:
        return Skip("replanned")
    if call.status != DataCallStatus.OPEN:
        return Skip("closed")
    person = recipient_of(session, row)
    if not is_secretariat(session, person):
        return Skip("not secretariat")
    missing, returned = owing(session, call)
    if not missing and not returned:
        return Skip("all submitted")
    text, blocks = render.escalation(call, missing, [e for e, _ in returned], len(asked_entities(session, call)),
                                     person.reads_in)
    return Message(row.recipient, text, blocks)


register_kind(REMINDER, reminder_message)
register_kind(ESCALATION, escalation_message)
