"""What a due round reminder says, decided at send time: an entity that has answered since, a
muted process, a person no longer focal point, or a later reminder already due, means no message."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from bot.people.service import recipient_of
from bot.reminders.outcomes import Message, Skip
from bot.reminders.registry import register_kind
from bot.reminders.service import WEEKLY_STATUS, is_muted
from bot.reminders.store import superseded
from bot.roles.service import is_secretariat, speaks_for
from bot.rounds import render
from bot.rounds.reminder_plan import DEADLINE, ESCALATION, entity_deadline
from bot.rounds.service import describe
from bot.rounds.status import Answer, board
from storage.models import Entity, Input, InputStatus, NilReturn, Process, Reminder, Round, RoundEntity, RoundStatus


def answered(session: Session, round_id: int, entity_id: int) -> bool:
    has_input = session.exec(select(Input.id).where(Input.round_id == round_id, Input.entity_id == entity_id,
                                                    Input.status == InputStatus.ACTIVE)).first()
    has_nil = session.exec(select(NilReturn.id).where(NilReturn.round_id == round_id, NilReturn.entity_id == entity_id,
                                                      NilReturn.withdrawn_at.is_(None))).first()
    return has_input is not None or has_nil is not None






def deadline_message(session: Session, row: Reminder, now: datetime) -> Message | Skip:
    round_ = session.get(Round, row.subject_id)
    link = session.exec(select(RoundEntity).where(RoundEntity.round_id == row.subject_id,
                                                  RoundEntity.entity_id == row.entity_id)).first()
    if round_ is None or link is None or entity_deadline(round_, link) != row.stale_at:
        return Skip("replanned")
    if answered(session, round_.id, row.entity_id):
        return Skip("answered")
    if is_muted(session, round_.process_id, row.recipient, row.recipient_team):
        return Skip("muted")
    if not speaks_for(session, recipient_of(session, row), round_.process_id, row.entity_id):
        return Skip("not focal point")
    if superseded(session, row, now):
        return Skip("superseded")
    person = recipient_of(session, row)
    entity = session.get(Entity, row.entity_id)
    text, blocks = render.reminder(describe(session, round_), entity.code, row, person.reads_in if person else None)
    return Message(row.recipient, text, blocks)


def escalation_message(session: Session, row: Reminder, now: datetime) -> Message | Skip:
    round_ = session.get(Round, row.subject_id)
    person = recipient_of(session, row)
    if round_ is None:
        return Skip("replanned")
    if not is_secretariat(session, person):
        return Skip("not secretariat")
    if is_muted(session, round_.process_id, row.recipient, row.recipient_team):
        return Skip("muted")
    missing = [e.code for e in board(session, round_, now).entities  # those whose deadline this row is for
               if e.answer in (Answer.PENDING, Answer.LATE) and e.deadline == row.due_at]
    if not missing:
        return Skip("all answered")
    text, blocks = render.escalation(describe(session, round_), missing, person.reads_in)
    return Message(row.recipient, text, blocks)


def weekly_status_message(session: Session, row: Reminder, now: datetime) -> Message | Skip:
    """The process channel's weekly look at its open rounds: who answered, who has not."""
    process = session.get(Process, row.process_id) if row.process_id else None
    if process is None:
        return Skip("replanned")
    rounds = session.exec(select(Round).where(Round.process_id == process.id, Round.status == RoundStatus.OPEN)
                          .order_by(Round.number)).all()
    if not rounds:
        return Skip("nothing open")
    text, blocks = render.weekly_status(process, [(describe(session, r), board(session, r, now)) for r in rounds],
                                        process.language)
    return Message(row.recipient, text, blocks)


register_kind(DEADLINE, deadline_message)
register_kind(ESCALATION, escalation_message)
register_kind(WEEKLY_STATUS, weekly_status_message)
