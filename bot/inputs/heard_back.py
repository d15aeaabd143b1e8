"""Focal points hear back: the secretariat's responses to an entity's inputs, one DM per entity per batch.

A batch is one sitting or one Excel import. Each response schedules (or pushes back) one delayed
row of the reminders table per focal point of the entity, `inputs.responses`, keyed by round,
entity, person and the batch's first response: a response given in Slack pushes the rows of its
entity's open batch to SITTING after it, so responses given within SITTING of each other (one
person answering a list, or two colleagues at once) go out together, SITTING after the last one;
an import's responses are one transaction and go at once. At send time the row gathers every
response to the entity's inputs in that round given since the batch began (a response changed
within the batch counts once, as it stands).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from bot.inputs import render_heard_back
from bot.people.service import recipient_of, zone_of
from bot.reminders.outcomes import Message, Skip
from bot.reminders.registry import register_kind
from bot.roles.service import speaks_for
from storage.models import (Entity, Input, InputStatus, Membership, Person, Process, Reminder, ReminderStatus,
                            Response, Role, Round, Section)

KIND = "inputs.responses"
SITTING = timedelta(minutes=10)
AT_ONCE = timedelta(0)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S%f")


def gather(session: Session, item: Input, response: Response, now: datetime, wait: timedelta = SITTING) -> None:
    """After a response to `item`: the entity's focal points hear of it `wait` from now, with the others
    of the same batch. Rows already claimed by the sender are left alone: a new batch begins."""
    round_ = session.get(Round, item.round_id)
    entity = session.get(Entity, item.entity_id)
    open_rows = {r.recipient: r for r in session.exec(select(Reminder).where(
        Reminder.kind == KIND, Reminder.subject_id == round_.id, Reminder.entity_id == entity.id,
        Reminder.status == ReminderStatus.PENDING, Reminder.lease_owner.is_(None))).all()}
    begun = min([r.due_at for r in open_rows.values()], default=response.at)
    send_at = now + wait
    focal = session.exec(select(Person).join(Membership, Membership.person_id == Person.id)
                         .where(Membership.process_id == round_.process_id, Membership.entity_id == entity.id,
                                Membership.role == Role.FOCAL_POINT).order_by(Person.slack_user_id)).all()
    for person in focal:
        row = open_rows.get(person.slack_user_id)
        if row is None:
            row = Reminder(key=f"responses:{round_.id}:{entity.code}:{person.slack_user_id}@{_stamp(begun)}",
                           kind=KIND, offset="responses", process_id=round_.process_id, subject_id=round_.id,
                           entity_id=entity.id, recipient=person.slack_user_id, recipient_team=person.team_id,
                           timezone=zone_of(person.timezone, entity.timezone, round_.timezone), due_at=begun,
                           send_at=send_at, stale_at=None, quiet=True)
        else:
            row.send_at, row.updated_at = max(row.send_at, send_at), now
        session.add(row)


def responses_since(session: Session, round_id: int, entity_id: int, since: datetime
                    ) -> list[tuple[Input, Section | None, Response]]:
    return list(session.exec(
        select(Input, Section, Response).join(Response, Response.input_id == Input.id)
        .join(Section, Input.section_id == Section.id, isouter=True)
        .where(Input.round_id == round_id, Input.entity_id == entity_id, Input.status == InputStatus.ACTIVE,
               Response.at >= since).order_by(Input.id)).all())


def heard_back_message(session: Session, row: Reminder, now: datetime) -> Message | Skip:
    round_ = session.get(Round, row.subject_id) if row.subject_id else None
    if round_ is None or row.entity_id is None:
        return Skip("replanned")
    person = recipient_of(session, row)
    if not speaks_for(session, person, round_.process_id, row.entity_id):
        return Skip("not focal point")
    found = responses_since(session, round_.id, row.entity_id, row.due_at)
    if not found:
        return Skip("nothing new")
    entity = session.get(Entity, row.entity_id)
    process = session.get(Process, round_.process_id)
    text, blocks = render_heard_back.message(process.handle, round_.number, entity.code, found,
                                             person.reads_in if person else None)
    return Message(row.recipient, text, blocks)


register_kind(KIND, heard_back_message)
