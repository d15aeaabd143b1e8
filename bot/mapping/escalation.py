"""The escalation of a mapping survey: when an entity's deadline passes with nothing submitted (the last
reminder, on the day, went unheeded), each secretariat member gets the list of the silent entities with
"Extend the deadline" for each and for all of them (bot/slack/mapping_extend.py). One row per secretariat member
and deadline (the mapping's, and each one extended for an entity), planned with the reminders
(bot/mapping/reminders.py: plan_mapping); who is silent is decided when it is sent."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.mapping import extension_render
from bot.mapping.service import SILENT, deadline_of, process_of, responses, survey_of
from bot.people.service import find_person
from bot.reminders import policy, store
from bot.reminders.outcomes import Message, Skip
from bot.reminders.plan import next_open, stamp
from bot.reminders.registry import register_kind
from bot.roles.service import is_secretariat, secretariat_people
from storage.models import Entity, Mapping, MappingStatus, Reminder

ESCALATION = "mapping.escalation"


def escalation_key(mapping: Mapping, deadline: datetime, user_id: str) -> str:
    return f"mapping:{mapping.id}@{stamp(deadline)}:escalation:{user_id}"


def silent_at(session: Session, mapping: Mapping, deadline: datetime) -> list[Entity]:
    """The entities whose deadline is `deadline` and that have submitted nothing."""
    return [e for e, r in responses(session, mapping) if r.status in SILENT and deadline_of(mapping, r) == deadline]


def plan_escalations(session: Session, mapping: Mapping, now: datetime) -> None:
    """Open: a row per secretariat member at each deadline ahead that a silent entity has; a row already due
    (held back by quiet hours) stays. Closed: the pending ones cancelled."""
    scope = [Reminder.kind == ESCALATION, Reminder.subject_id == mapping.id]
    if mapping.status != MappingStatus.OPEN:
        store.reconcile(session, scope, [])
        return
    deadlines = sorted({deadline_of(mapping, r) for _, r in responses(session, mapping) if r.status in SILENT})
    quiet = policy.quiet_hours()
    wanted = []
    for deadline in (d for d in deadlines if d > now):
        for person in secretariat_people(session):
            zone_name = person.timezone or mapping.timezone
            wanted.append(store.Wanted(
                key=escalation_key(mapping, deadline, person.slack_user_id), kind=ESCALATION, offset="deadline",
                recipient=person.slack_user_id, timezone=zone_name, due_at=deadline,
                send_at=next_open(deadline, zone_name, quiet), stale_at=None, subject_id=mapping.id))
    store.reconcile(session, scope, wanted, keep=lambda row: row.due_at <= now)


def escalation_message(session: Session, row: Reminder, now: datetime) -> Message | Skip:
    person = find_person(session, row.recipient)
    if not is_secretariat(session, person):
        return Skip("not secretariat")
    mapping = session.get(Mapping, row.subject_id) if row.subject_id is not None else None
    if mapping is None or mapping.status != MappingStatus.OPEN:
        return Skip("replanned" if mapping is None else "closed")
    silent = silent_at(session, mapping, row.due_at)
    if not silent:
        return Skip("all answered")
    text, blocks = extension_render.escalation(mapping, process_of(session, mapping).handle, survey_of(mapping),
                                               silent, len(responses(session, mapping)), row.due_at,
                                               person.reads_in)
    return Message(row.recipient, text, blocks)


register_kind(ESCALATION, escalation_message)
