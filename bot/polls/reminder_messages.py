"""What a due poll reminder says, decided at send time: a poll closed or scheduled, an entity that
has answered every slot, a muted process, a person no longer focal point, or a later reminder
already due, means no message."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from bot.people.service import recipient_of
from bot.polls import render
from bot.polls.reminder_plan import POLL_REMINDER, first_slot
from bot.polls.tally import answered_all
from bot.reminders.outcomes import Message, Skip
from bot.reminders.registry import register_kind
from bot.reminders.service import is_muted
from bot.reminders.store import superseded
from bot.roles.service import speaks_for
from storage.models import Entity, Poll, PollInvitee, PollSlot, PollStatus, PollVote, Process, Reminder




def poll_reminder_message(session: Session, row: Reminder, now: datetime) -> Message | Skip:
    poll = session.get(Poll, row.subject_id)
    if poll is None or row.entity_id is None:
        return Skip("replanned")
    if poll.status != PollStatus.OPEN:
        return Skip(f"poll {poll.status}")
    invited = session.exec(select(PollInvitee.id).where(PollInvitee.poll_id == poll.id,
                                                        PollInvitee.entity_id == row.entity_id)).first()
    if invited is None:
        return Skip("not invited")
    slots = session.exec(select(func.count()).select_from(PollSlot).where(PollSlot.poll_id == poll.id)).one()
    answered = session.exec(select(func.count()).select_from(PollVote).where(
        PollVote.poll_id == poll.id, PollVote.entity_id == row.entity_id)).one()
    if answered_all(answered, slots):
        return Skip("answered")
    if is_muted(session, poll.process_id, row.recipient, row.recipient_team):
        return Skip("muted")
    person = recipient_of(session, row)
    if not speaks_for(session, person, poll.process_id, row.entity_id):
        return Skip("not focal point")
    if superseded(session, row, now):
        return Skip("superseded")
    entity = session.get(Entity, row.entity_id)
    text, blocks = render.reminder(poll, session.get(Process, poll.process_id), entity.code, answered, slots,
                                   first_slot(session, poll.id), row, person.reads_in)
    return Message(row.recipient, text, blocks)


register_kind(POLL_REMINDER, poll_reminder_message)
