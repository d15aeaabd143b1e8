"""Which reminder rows an action item should have, rewritten in the transaction that creates it or
marks it done.

- ``action.due``: each focal point of the owner entity in the item's process, 7 days and 1 day
  before the due date's 17:00 in the process's zone, moved into their working hours. Whether the
  item is done is checked again at send time (bot/outcomes/reminder_messages.py).
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone

from sqlmodel import Session, select

from bot.people.service import zone_of
from bot.reminders import policy, store
from bot.reminders.plan import deadline_schedule, stamp
from bot.reminders.registry import register_process_planner
from bot.timezones import zone
from storage.models import ActionItem, ActionStatus, Entity, Membership, Person, Process, Reminder, Role

DUE = "action.due"
OFFSETS = ("T-7d", "T-1d")
DUE_TIME = time(17, 0)


def due_moment(due: date, timezone_name: str) -> datetime:
    """The end of the due day's work, 17:00 in the process's zone, as UTC (never in a DST gap)."""
    return datetime.combine(due, DUE_TIME, tzinfo=zone(timezone_name)).astimezone(timezone.utc)


def owners(session: Session, item: ActionItem) -> list[tuple[Person, Entity]]:
    """The focal points who speak for the owner entity in the item's process."""
    return list(session.exec(
        select(Person, Entity).join(Membership, Membership.person_id == Person.id)
        .join(Entity, Membership.entity_id == Entity.id)
        .where(Membership.process_id == item.process_id, Membership.entity_id == item.owner_entity_id,
               Membership.role == Role.FOCAL_POINT).order_by(Person.slack_user_id)).all())


def due_key(item: ActionItem, deadline: datetime, offset: str, entity_code: str, user_id: str) -> str:
    return f"action:{item.id}@{stamp(deadline)}:{offset}:{entity_code}:{user_id}"


def wanted_rows(session: Session, item: ActionItem, now: datetime) -> list[store.Wanted]:
    process = session.get(Process, item.process_id)
    deadline = due_moment(item.due, process.timezone)
    quiet = policy.quiet_hours()
    wanted = []
    for person, entity in owners(session, item):
        zone_name = zone_of(person.timezone, entity.timezone, process.timezone)
        for planned in deadline_schedule(deadline, process.timezone, zone_name, list(OFFSETS), now, quiet):
            wanted.append(store.Wanted(
                key=due_key(item, deadline, planned.offset, entity.code, person.slack_user_id), kind=DUE,
                offset=planned.offset, recipient=person.slack_user_id, recipient_team=person.team_id, timezone=zone_name,
                due_at=planned.due_at,
                send_at=planned.send_at, stale_at=planned.stale_at, quiet=planned.quiet,
                process_id=item.process_id, subject_id=item.id, entity_id=entity.id))
    return wanted


def plan_action(session: Session, item: ActionItem, now: datetime) -> None:
    """An open item has its reminders; a done one has none left pending."""
    session.flush()
    scope = [Reminder.subject_id == item.id, Reminder.kind == DUE]
    if item.status == ActionStatus.OPEN:
        speakers = {person.slack_user_id for person, _ in owners(session, item)}

        def still_due(row: Reminder) -> bool:  # overdue, not yet sent: it stays while its owner does
            return row.send_at <= now and row.recipient in speakers and (row.stale_at is None or row.stale_at > now)

        store.reconcile(session, scope, wanted_rows(session, item, now), keep=still_due)
    else:
        store.cancel(session, scope, "done")


def plan_process_actions(session: Session, process_id: int, now: datetime) -> None:
    """After a change of who speaks for an entity: the process's open action items follow."""
    for item in session.exec(select(ActionItem).where(ActionItem.process_id == process_id,
                                                      ActionItem.status == ActionStatus.OPEN)
                             .order_by(ActionItem.id)).all():
        plan_action(session, item, now)


register_process_planner("outcomes", plan_process_actions, (DUE,))
