"""Which reminder rows the year's data call should have, rewritten in the transaction of each change to it:
opened, closed, a focal point added or removed (bot/reminders/replan.py).

``datacall.reminder``: each focal point of each entity asked (in any process), at the call's offsets before its
deadline, in the recipient's zone and working hours. Whether the entity has submitted is checked at send time
(bot/hlcm/reminder_messages.py). The data call is not a process: the rows have no process_id; their subject is
the call's id.

``datacall.escalation``: each secretariat member, at the call's deadline (in their working hours): the entities
that have not submitted. Closing the call cancels it: whoever closes is answered with the entities missing, and
the escalation's remedy (`/consult datacall extend`) no longer applies to a closed year.

The offsets chosen when the call was opened are stored on it (`reminder_offsets`, "" for none) and reused by
every replan; a call opened before they were stored (NULL) has them read back from its rows, DEFAULT_OFFSETS
when it has none."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from bot.hlcm.service import asked_entities, focal_points
from bot.reminders import policy, store
from bot.reminders.chase import chase_rows, reconcile_chase
from bot.reminders.plan import next_open, parse_offsets, stamp
from bot.reminders.registry import register_focal_point_planner, register_secretariat_planner
from bot.roles.service import secretariat_people
from storage.models import DataCall, DataCallStatus, Reminder

REMINDER = "datacall.reminder"
ESCALATION = "datacall.escalation"
DEFAULT_OFFSETS = ("T-14d", "T-7d", "T-2d", "T-0")


def reminder_key(call: DataCall, offset: str, entity_code: str, user_id: str) -> str:
    return f"datacall:{call.year}@{stamp(call.deadline)}:{offset}:{entity_code}:{user_id}"


def escalation_key(call: DataCall, user_id: str) -> str:
    return f"datacall:{call.year}@{stamp(call.deadline)}:escalation:{user_id}"


def offsets_of(session: Session, call: DataCall) -> list[str]:
    """The offsets the call was opened with: stored on it; for an older call, read back from its rows."""
    if call.reminder_offsets is not None:
        return parse_offsets(call.reminder_offsets)
    found = session.exec(select(Reminder.offset).where(Reminder.kind == REMINDER, Reminder.subject_id == call.id)
                         .distinct()).all()
    return parse_offsets(",".join(found or DEFAULT_OFFSETS))


def wanted_rows(session: Session, call: DataCall, offsets: list[str], now: datetime
                ) -> tuple[list[store.Wanted], set]:
    if call.status != DataCallStatus.OPEN or call.deadline <= now:
        return [], set()
    pairs = focal_points(session, [e.id for e in asked_entities(session, call)])
    return chase_rows(pairs, call.deadline, call.timezone, offsets, now, REMINDER,
                      lambda offset, code, user: reminder_key(call, offset, code, user), call.id)


def wanted_escalations(session: Session, call: DataCall) -> list[store.Wanted]:
    quiet = policy.quiet_hours()
    wanted = []
    for person in secretariat_people(session):
        zone_name = person.timezone or call.timezone
        wanted.append(store.Wanted(
            key=escalation_key(call, person.slack_user_id), kind=ESCALATION, offset="deadline",
            recipient=person.slack_user_id, recipient_team=person.team_id, timezone=zone_name,
            due_at=call.deadline,
            send_at=next_open(call.deadline, zone_name, quiet), stale_at=None, process_id=None, subject_id=call.id))
    return wanted


def plan_escalations(session: Session, call: DataCall, now: datetime) -> None:
    """Open and ahead: one row per secretariat member at the deadline. Closed: the pending ones cancelled.
    Open with its deadline passed: left alone (a row due, or held back by quiet hours, still goes)."""
    scope = [Reminder.kind == ESCALATION, Reminder.subject_id == call.id]
    if call.status != DataCallStatus.OPEN:
        store.reconcile(session, scope, [])
    elif call.deadline > now:
        store.reconcile(session, scope, wanted_escalations(session, call))


def plan_call(session: Session, call: DataCall, now: datetime, offsets: list[str] | None = None) -> None:
    """Rewrite the call's pending reminders to match its state now (closed: every pending one cancelled)."""
    session.flush()
    chosen = parse_offsets(",".join(offsets)) if offsets is not None else offsets_of(session, call)
    wanted, chased = wanted_rows(session, call, chosen, now)
    reconcile_chase(session, REMINDER, call.id, call.deadline, wanted, chased)
    plan_escalations(session, call, now)


def plan_open_calls(session: Session, now: datetime) -> None:
    """After a change of who speaks for an entity, or in the secretariat: every open call still ahead."""
    calls = session.exec(select(DataCall).where(DataCall.status == DataCallStatus.OPEN, DataCall.deadline > now)
                         .order_by(DataCall.year)).all()
    for call in calls:
        plan_call(session, call, now)


register_focal_point_planner("datacall", plan_open_calls, (REMINDER,))  # focal points report in any process
register_secretariat_planner("datacall", plan_open_calls, (ESCALATION,))
