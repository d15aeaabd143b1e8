"""Chasing the entities asked for something by a deadline (the data call's figures, a mapping survey's answers):
each focal point of each entity, at the chosen offsets before the deadline, in the recipient's zone and working
hours. The planners of bot/hlcm/reminder_plan.py and bot/mapping/reminders.py say who and what; this writes the
rows. Whether the entity has answered is checked at send time, by each kind's message."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session, select

from bot.people.service import recipient_of, zone_of
from bot.reminders import policy, store
from bot.reminders.outcomes import Skip
from bot.reminders.plan import deadline_schedule
from storage.models import Entity, Membership, Person, Reminder, Role


def chase_rows(pairs: list[tuple[Entity, Person]], deadline: datetime, deadline_zone: str, offsets: list[str],
               now: datetime, kind: str, key: Callable[[str, str, str], str],
               subject_id: int) -> tuple[list[store.Wanted], set[tuple[int, str]]]:
    """The rows wanted, and the (entity id, Slack user) chased; `key(offset, entity code, user)` names a row."""
    quiet = policy.quiet_hours()
    wanted, chased = [], set()
    for entity, person in pairs:
        chased.add((entity.id, person.slack_user_id))
        zone_name = zone_of(person.timezone, entity.timezone, deadline_zone)
        for planned in deadline_schedule(deadline, deadline_zone, zone_name, offsets, now, quiet):
            wanted.append(store.Wanted(
                key=key(planned.offset, entity.code, person.slack_user_id), kind=kind, offset=planned.offset,
                recipient=person.slack_user_id, recipient_team=person.team_id, timezone=zone_name,
                due_at=planned.due_at, send_at=planned.send_at,
                stale_at=planned.stale_at, quiet=planned.quiet, process_id=None, subject_id=subject_id,
                entity_id=entity.id))
    return wanted, chased


def reconcile_chase(session: Session, kind: str, subject_id: int, deadline: datetime, wanted: list[store.Wanted],
                    chased: set[tuple[int, str]]) -> None:
    """The subject's pending rows of `kind` become `wanted`; a row already due, or snoozed, lives while its
    chase does (same entity and person, same deadline)."""

    def still_chased(row: Reminder) -> bool:
        return (row.entity_id, row.recipient) in chased and row.stale_at == deadline

    store.reconcile(session, [Reminder.kind == kind, Reminder.subject_id == subject_id], wanted, keep=still_chased)


def still_chased(session: Session, row: Reminder, now: datetime) -> Person | Skip:
    """At send time: the recipient, if still a focal point of the row's entity and no later reminder of the same
    chase is due as well (the bot was down); else why nothing goes."""
    person = recipient_of(session, row)
    if person is None or session.exec(select(Membership.id).where(
            Membership.person_id == person.id, Membership.entity_id == row.entity_id,
            Membership.role == Role.FOCAL_POINT)).first() is None:
        return Skip("not focal point")
    if store.superseded(session, row, now):
        return Skip("superseded")
    return person
