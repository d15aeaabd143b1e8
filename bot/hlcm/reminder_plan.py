"""Which reminder rows the year's data call should have, rewritten in the transaction of each change to it:
opened, closed, a focal point added or removed (bot/reminders/replan.py).

``datacall.reminder``: each focal point of each entity asked (in any process), at the call's offsets before its
deadline, in the recipient's zone and working hours. Whether the entity has submitted is checked at send time
(bot/hlcm/reminder_messages.py). The data call is not a process: the rows have no process_id; their subject is
the call's id.

The call keeps no list of offsets: the offsets chosen when it was opened are those of its rows (a replan after
a role change reuses them; a call planned with none at all falls back to DEFAULT_OFFSETS)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from bot.hlcm.service import asked_entities, focal_points
from bot.reminders import policy, store
from bot.reminders.plan import deadline_schedule, parse_offsets, stamp
from storage.models import DataCall, DataCallStatus, Reminder

REMINDER = "datacall.reminder"
DEFAULT_OFFSETS = ("T-14d", "T-7d", "T-2d", "T-0")


def reminder_key(call: DataCall, offset: str, entity_code: str, user_id: str) -> str:
    return f"datacall:{call.year}@{stamp(call.deadline)}:{offset}:{entity_code}:{user_id}"


def offsets_of(session: Session, call: DataCall) -> list[str]:
    """The offsets the call was opened with, read back from its rows."""
    found = session.exec(select(Reminder.offset).where(Reminder.kind == REMINDER, Reminder.subject_id == call.id)
                         .distinct()).all()
    return parse_offsets(",".join(found or DEFAULT_OFFSETS))


def wanted_rows(session: Session, call: DataCall, offsets: list[str], now: datetime
                ) -> tuple[list[store.Wanted], set]:
    quiet = policy.quiet_hours()
    wanted, chased = [], set()
    if call.status != DataCallStatus.OPEN or call.deadline <= now:
        return wanted, chased
    entities = asked_entities(session, call)
    for entity, person in focal_points(session, [e.id for e in entities]):
        chased.add((entity.id, person.slack_user_id))
        zone_name = person.timezone or call.timezone
        for planned in deadline_schedule(call.deadline, call.timezone, zone_name, offsets, now, quiet):
            wanted.append(store.Wanted(
                key=reminder_key(call, planned.offset, entity.code, person.slack_user_id), kind=REMINDER,
                offset=planned.offset, recipient=person.slack_user_id, timezone=zone_name, due_at=planned.due_at,
                send_at=planned.send_at, stale_at=planned.stale_at, quiet=planned.quiet, process_id=None,
                subject_id=call.id, entity_id=entity.id))
    return wanted, chased


def plan_call(session: Session, call: DataCall, now: datetime, offsets: list[str] | None = None) -> None:
    """Rewrite the call's pending reminders to match its state now (closed: every pending one cancelled)."""
    session.flush()
    chosen = parse_offsets(",".join(offsets)) if offsets is not None else offsets_of(session, call)
    wanted, chased = wanted_rows(session, call, chosen, now)

    def still_chased(row: Reminder) -> bool:  # a row already due, or snoozed, lives while its chase does
        return (row.entity_id, row.recipient) in chased and row.stale_at == call.deadline

    store.reconcile(session, [Reminder.kind == REMINDER, Reminder.subject_id == call.id], wanted,
                    keep=still_chased)


def plan_open_calls(session: Session, now: datetime) -> None:
    """After a change of who speaks for an entity: every open call still ahead."""
    calls = session.exec(select(DataCall).where(DataCall.status == DataCallStatus.OPEN, DataCall.deadline > now)
                         .order_by(DataCall.year)).all()
    for call in calls:
        plan_call(session, call, now)
