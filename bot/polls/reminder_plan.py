"""Which reminder rows a poll should have, written in the transaction that opens it and rewritten
when it closes or becomes a meeting (or when who speaks for an invited entity changes).

``poll.reminder``: each focal point of each invited entity, in their working hours (their own zone,
else their entity's duty station):
- ``P+2d``: two days after the poll opened;
- ``S-1d``: 09:00 on the last working day before the first slot (in their zone).
Both are stale at the first slot. Two within 12 hours of each other: only the later is kept.
Whether the entity has answered every slot is checked at send time, not here.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from bot.reminders import policy, store
from bot.reminders.plan import DAY_OF_REMINDER, MIN_GAP, QuietHours, next_open
from bot.reminders.registry import register_process_planner
from bot.timezones import zone
from storage.models import Entity, Membership, Person, Poll, PollInvitee, PollSlot, PollStatus, Reminder, Role

POLL_REMINDER = "poll.reminder"
AFTER_OPENING = timedelta(days=2)


def reminder_key(poll: Poll, offset: str, entity_code: str, user_id: str) -> str:
    return f"poll:{poll.id}:{offset}:{entity_code}:{user_id}"


def focal_points(session: Session, poll: Poll) -> list[tuple[Entity, Person]]:
    return list(session.exec(
        select(Entity, Person).join(PollInvitee, PollInvitee.entity_id == Entity.id)
        .join(Membership, (Membership.entity_id == Entity.id) & (Membership.process_id == poll.process_id)
              & (Membership.role == Role.FOCAL_POINT))
        .join(Person, Membership.person_id == Person.id)
        .where(PollInvitee.poll_id == poll.id).order_by(Entity.code, Person.slack_user_id)).all())


def first_slot(session: Session, poll_id: int) -> datetime | None:
    return session.exec(select(func.min(PollSlot.start)).where(PollSlot.poll_id == poll_id)).one()


def day_before(first: datetime, zone_name: str, quiet: QuietHours) -> datetime:
    """09:00 (their zone) on the last working day before the first slot's day there."""
    tz = zone(zone_name)
    day = first.astimezone(tz).date() - timedelta(days=1)
    for _ in range(7):
        if day.weekday() not in quiet.days:
            break
        day -= timedelta(days=1)
    return datetime.combine(day, DAY_OF_REMINDER, tzinfo=tz).astimezone(first.tzinfo)


def schedule(opened: datetime, first: datetime, zone_name: str, now: datetime,
             quiet: QuietHours) -> list[tuple[str, datetime, datetime]]:
    """(offset, due, send) for one recipient, as planned at `now`."""
    planned = []
    for offset, due in (("P+2d", opened + AFTER_OPENING), ("S-1d", day_before(first, zone_name, quiet))):
        send = next_open(due, zone_name, quiet)
        if due > now and send < first:
            planned.append((offset, due, send))
    planned.sort(key=lambda p: p[2])
    return [p for p, later in zip(planned, planned[1:] + [None]) if later is None or later[2] - p[2] >= MIN_GAP]


def wanted_rows(session: Session, poll: Poll, now: datetime) -> tuple[list[store.Wanted], set[tuple[int, str]]]:
    """The rows to plan now, and the (entity, recipient) pairs still chased: a pending row of one of
    those stays even when its time has passed (it is due, not obsolete)."""
    first = first_slot(session, poll.id)
    if first is None or poll.status != PollStatus.OPEN:
        return [], set()
    quiet = policy.quiet_hours()
    wanted, chased = [], set()
    for entity, person in focal_points(session, poll):
        chased.add((entity.id, person.slack_user_id))
        zone_name = person.timezone or entity.timezone
        for offset, due, send in schedule(poll.created_at, first, zone_name, now, quiet):
            wanted.append(store.Wanted(
                key=reminder_key(poll, offset, entity.code, person.slack_user_id), kind=POLL_REMINDER,
                offset=offset, recipient=person.slack_user_id, recipient_team=person.team_id, timezone=zone_name,
                due_at=due, send_at=send,
                stale_at=first, quiet=True, process_id=poll.process_id, subject_id=poll.id, entity_id=entity.id))
    return wanted, chased


def plan_poll(session: Session, poll: Poll, now: datetime) -> None:
    """Rewrite the poll's pending reminders to match its state now: none once closed or scheduled."""
    session.flush()
    scope = [Reminder.subject_id == poll.id, Reminder.kind == POLL_REMINDER]
    if poll.status != PollStatus.OPEN:
        store.cancel(session, scope, f"poll {poll.status}")
        return
    wanted, chased = wanted_rows(session, poll, now)

    def still_chased(row: Reminder) -> bool:  # overdue rows and "remind me tomorrow" of a focal point still
        return (row.entity_id, row.recipient) in chased and (row.due_at <= now or row.offset.startswith("snooze"))

    store.reconcile(session, scope, wanted, keep=still_chased)


def plan_process(session: Session, process_id: int, now: datetime) -> None:
    """After a change of who speaks for an entity: replan the process's open polls."""
    for poll in session.exec(select(Poll).where(Poll.process_id == process_id, Poll.status == PollStatus.OPEN)
                             .order_by(Poll.id)).all():
        plan_poll(session, poll, now)


register_process_planner("polls", plan_process, (POLL_REMINDER,))
