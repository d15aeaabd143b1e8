"""Which reminder rows a meeting should have, rewritten in the transaction of every change to it:
create, move, cancel.

- ``meeting.reminder``: each focal point of each invited entity, and each chair, one row per person
  at each of the meeting's offsets before its start (T-7d, T-1d: same wall-clock time in the
  meeting's zone, held back by quiet hours in the recipient's; T-1h: a last call, sent whatever
  the hour). An ordinary reminder that quiet hours push out still goes if that is before the start;
  only one pushed to the time of the last call (or later) is dropped.
  Whether the person's entity still comes is checked at send time (bot/meetings/reminder_messages.py).
- ``meeting.outcomes``: each secretariat member, one day after the meeting ended, in their working
  hours; at send time it goes only if no outcomes were recorded.

Keys carry the start (or end) time, so a move writes new rows and cancels the old ones.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from bot.meetings.invitees import invited, recipients
from bot.people.service import zone_of
from bot.reminders import policy, store
from bot.reminders.plan import Planned, QuietHours, deadline_schedule, next_open, parse_offsets, stamp
from bot.reminders.registry import register_process_planner, register_secretariat_planner
from bot.roles.service import secretariat_people
from storage.models import Meeting, MeetingStatus, Reminder

REMINDER = "meeting.reminder"
OUTCOMES = "meeting.outcomes"
KINDS = (REMINDER, OUTCOMES)
OUTCOMES_AFTER = timedelta(days=1)


def reminder_key(meeting: Meeting, offset: str, user_id: str) -> str:
    return f"meeting:{meeting.id}@{stamp(meeting.start)}:{offset}:{user_id}"


def outcomes_key(meeting: Meeting, user_id: str) -> str:
    return f"meeting:{meeting.id}@{stamp(meeting.end)}:outcomes:{user_id}"


def meeting_schedule(start: datetime, meeting_timezone: str, recipient_timezone: str, offsets: list[str],
                     now: datetime, quiet: QuietHours) -> list[Planned]:
    """The reminders one person gets before a meeting: `deadline_schedule` with the start as the
    deadline (stale at the start). A reminder that quiet hours push out still goes when its new time
    is before the meeting (a Monday 10:00 meeting: "1 day before" falls on Sunday and comes at 08:00
    Monday, before the 09:00 last call); only one that would come with or after a last call is
    dropped (a Monday 09:00 meeting: "1 day before" and the last call both at 08:00)."""
    planned = deadline_schedule(start, meeting_timezone, recipient_timezone, offsets, now, quiet)
    calls = [p.send_at for p in planned if not p.quiet]
    return [p for p in planned if not p.quiet or all(p.send_at < call for call in calls)]


def wanted_reminders(session: Session, meeting: Meeting, now: datetime) -> tuple[list[store.Wanted], set[str]]:
    """The rows to plan now, and everyone reminded of the meeting (a due row of theirs stays)."""
    quiet = policy.quiet_hours()
    offsets = parse_offsets(meeting.reminder_offsets)
    entities = {e.code: e for e in invited(session, meeting)}
    wanted = []
    people = recipients(session, meeting)
    for person in people:
        entity = entities.get(person.entity_codes[0]) if person.entity_codes else None
        zone_name = zone_of(person.timezone, entity.timezone if entity else None, meeting.timezone)
        entity_id = entity.id if entity is not None and len(person.entity_codes) == 1 else None
        for planned in meeting_schedule(meeting.start, meeting.timezone, zone_name, offsets, now, quiet):
            wanted.append(store.Wanted(
                key=reminder_key(meeting, planned.offset, person.slack_user_id), kind=REMINDER,
                offset=planned.offset, recipient=person.slack_user_id, recipient_team=person.team_id,
                timezone=zone_name, due_at=planned.due_at,
                send_at=planned.send_at, stale_at=planned.stale_at, quiet=planned.quiet,
                process_id=meeting.process_id, subject_id=meeting.id, entity_id=entity_id))
    return wanted, {person.slack_user_id for person in people}


def wanted_outcomes(session: Session, meeting: Meeting) -> list[store.Wanted]:
    quiet = policy.quiet_hours()
    due = meeting.end + OUTCOMES_AFTER
    wanted = []
    for person in secretariat_people(session):
        zone_name = person.timezone or meeting.timezone
        wanted.append(store.Wanted(
            key=outcomes_key(meeting, person.slack_user_id), kind=OUTCOMES, offset="T+1d",
            recipient=person.slack_user_id, recipient_team=person.team_id, timezone=zone_name, due_at=due,
            send_at=next_open(due, zone_name, quiet),
            stale_at=None, process_id=meeting.process_id, subject_id=meeting.id))
    return wanted


def plan_meeting(session: Session, meeting: Meeting, now: datetime) -> None:
    """Rewrite the meeting's pending reminders to match its state now."""
    session.flush()
    if meeting.status == MeetingStatus.CANCELLED:
        store.cancel(session, [Reminder.subject_id == meeting.id, Reminder.kind.in_(KINDS)], "meeting cancelled")
        return
    wanted, recipients = wanted_reminders(session, meeting, now)

    def still_due(row: Reminder) -> bool:  # a reminder due and not yet sent stays while its meeting does
        return row.stale_at == meeting.start and row.recipient in recipients and row.send_at <= now

    store.reconcile(session, [Reminder.subject_id == meeting.id, Reminder.kind == REMINDER], wanted, keep=still_due)
    store.reconcile(session, [Reminder.subject_id == meeting.id, Reminder.kind == OUTCOMES],
                    wanted_outcomes(session, meeting))


def upcoming_for_process(session: Session, process_id: int, now: datetime) -> list[Meeting]:
    return list(session.exec(select(Meeting).where(Meeting.process_id == process_id,
                                                   Meeting.status == MeetingStatus.SCHEDULED, Meeting.start > now)
                             .order_by(Meeting.start)).all())


def plan_process_meetings(session: Session, process_id: int, now: datetime) -> None:
    """After a change of who speaks for an entity of the process: replan its upcoming meetings."""
    for meeting in upcoming_for_process(session, process_id, now):
        plan_meeting(session, meeting, now)


def plan_all_meetings(session: Session, now: datetime) -> None:
    """After a change in the secretariat: meetings whose reminders or outcomes reminder are still ahead."""
    for meeting in session.exec(select(Meeting).where(Meeting.status == MeetingStatus.SCHEDULED,
                                                      Meeting.end > now - timedelta(days=1))
                                .order_by(Meeting.id)).all():
        plan_meeting(session, meeting, now)


register_process_planner("meetings", plan_process_meetings, KINDS)
register_secretariat_planner("meetings", plan_all_meetings, (OUTCOMES,))
