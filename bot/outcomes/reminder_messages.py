"""What a due action item reminder says, decided at send time: an item done since, a muted
process, a person no longer focal point of the owner entity, or a later reminder already due,
means no message."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from bot.outcomes import render
from bot.outcomes.reminder_plan import DUE, due_moment
from bot.people.service import recipient_of
from bot.reminders.outcomes import Message, Skip
from bot.reminders.registry import register_kind
from bot.reminders.service import is_muted
from bot.reminders.store import superseded
from bot.roles.service import speaks_for
from storage.models import ActionItem, ActionStatus, Decision, Entity, Meeting, Process, Reminder






def action_due_message(session: Session, row: Reminder, now: datetime) -> Message | Skip:
    item = session.get(ActionItem, row.subject_id) if row.subject_id else None
    if item is None:
        return Skip("replanned")
    if item.status == ActionStatus.DONE:
        return Skip("done")
    process = session.get(Process, item.process_id)
    if row.entity_id != item.owner_entity_id or due_moment(item.due, process.timezone) != row.stale_at:
        return Skip("replanned")
    if is_muted(session, item.process_id, row.recipient, row.recipient_team):
        return Skip("muted")
    if not speaks_for(session, recipient_of(session, row), item.process_id, item.owner_entity_id):
        return Skip("not focal point")
    if superseded(session, row, now):
        return Skip("superseded")
    meeting = session.exec(select(Meeting).join(Decision, Decision.meeting_id == Meeting.id)
                           .where(Decision.id == item.decision_id)).one()
    person = recipient_of(session, row)
    entity = session.get(Entity, item.owner_entity_id)
    text, blocks = render.action_reminder(item, entity.code, meeting, process, row.id, person.reads_in)
    return Message(row.recipient, text, blocks)


register_kind(DUE, action_due_message)
