"""What people do with reminders: mute a process, "remind me tomorrow", a weekly message to a process channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from sqlmodel import Session, select

from bot import audit
from bot.errors import Conflict, Invalid, NotAllowed, NotFound
from bot.processes.service import get_process
from bot.reminders import policy, store
from bot.reminders.plan import cron_days, snooze_until, stamp
from bot.roles.service import require_secretariat
from bot.timezones import zone
from storage.models import Person, Process, Recurrence, Reminder, ReminderMute
from storage.types import utcnow

WEEKLY_STATUS = "process.weekly_status"
WEEKLY_DIGEST = "process.weekly_digest"  # composed by bot/digests/weekly.py


def is_muted(session: Session, process_id: int | None, slack_user_id: str, team_id: str | None = None) -> bool:
    """Whether that person (user id in workspace `team_id`; None: a row planned before 0015) muted the process."""
    if process_id is None:
        return False
    query = select(ReminderMute.id).where(ReminderMute.process_id == process_id,
                                          ReminderMute.slack_user_id == slack_user_id)
    if team_id is not None:
        query = query.where(ReminderMute.team_id == team_id)
    return session.exec(query).first() is not None


def mute(session: Session, person: Person, handle: str) -> Process:
    process = get_process(session, handle)
    if is_muted(session, process.id, person.slack_user_id, person.team_id):
        raise Conflict("errors.already_muted", process=process.handle)
    row = ReminderMute(process_id=process.id, slack_user_id=person.slack_user_id, team_id=person.team_id)
    session.add(row)
    session.flush()
    audit.record(session, person.slack_user_id, "reminders.mute", row)
    return process


def unmute(session: Session, person: Person, handle: str) -> Process:
    process = get_process(session, handle)
    row = session.exec(select(ReminderMute).where(ReminderMute.process_id == process.id,
                                                  ReminderMute.slack_user_id == person.slack_user_id,
                                                  ReminderMute.team_id == person.team_id)).first()
    if row is None:
        raise NotFound("errors.not_muted", process=process.handle)
    before = audit.snapshot(row)
    session.delete(row)
    audit.record(session, person.slack_user_id, "reminders.unmute", subject_type="reminder_mutes",
                 subject_id=row.id, before=before, after=None)
    return process


@dataclass(frozen=True)
class Snoozed:
    at: datetime
    created: bool  # False: a second click, the same reminder was already set


def snooze(session: Session, person: Person, reminder_id: int, now: datetime | None = None) -> Snoozed:
    """"Remind me tomorrow" on a reminder this person received: one more, tomorrow morning in their
    zone, if that is still before the deadline. A double click sets it once."""
    now = now or utcnow()
    row = session.get(Reminder, reminder_id)
    if row is None or row.recipient != person.slack_user_id or row.recipient_team not in (None, person.team_id):
        raise NotAllowed("errors.snooze_not_yours")
    zone_name = person.timezone or row.timezone
    at = snooze_until(now, zone_name, policy.quiet_hours())
    if row.stale_at is not None and at >= row.stale_at:
        raise Invalid("errors.snooze_after_deadline")
    base = row.key.split(":snooze:")[0]
    key = f"{base}:snooze:{stamp(at)}"
    created = store.insert_new(session, [store.Wanted(
        key=key, kind=row.kind, offset=f"snooze {at:%Y-%m-%d}", recipient=row.recipient, recipient_team=row.recipient_team,
        timezone=zone_name,
        due_at=at, send_at=at, stale_at=row.stale_at, quiet=True, process_id=row.process_id,
        subject_id=row.subject_id, entity_id=row.entity_id)]) > 0
    return Snoozed(at, created)


@dataclass(frozen=True)
class Weekly:
    """A message a process channel gets every week (a `recurrences` row of this kind): the weekly status of
    the open rounds here, the weekly digest in bot/digests/weekly.py. Both may be set for one process."""

    kind: str
    name: str  # the key's last part: process:<id>:<name>
    audit: str  # the audit action's prefix
    texts: str  # where its error texts are: <texts>.weekly_no_channel, <texts>.weekly_none


STATUS = Weekly(WEEKLY_STATUS, "weekly-status", "reminders.weekly", "errors")
DIGEST = Weekly(WEEKLY_DIGEST, "weekly-digest", "digests.weekly", "digests.errors")


def weekly_key(process: Process, what: Weekly = STATUS) -> str:
    return f"process:{process.id}:{what.name}"


def _recurrence(session: Session, process: Process, what: Weekly) -> Recurrence | None:
    return session.exec(select(Recurrence).where(Recurrence.key == weekly_key(process, what))).first()


def set_weekly(session: Session, actor: Person, handle: str, days: str, at: str, now: datetime | None = None,
               what: Weekly = STATUS) -> Recurrence:
    """Every `days` at `at` (HH:MM in the process's zone), `what` to the process channel."""
    now = now or utcnow()
    require_secretariat(session, actor)
    process = get_process(session, handle)
    if not process.channel_id:
        raise Invalid(f"{what.texts}.weekly_no_channel", process=process.handle)
    try:
        day_of_week = cron_days(days)
    except ValueError:
        raise Invalid("errors.weekly_days", value=days) from None
    try:
        clock = time.fromisoformat(at.zfill(5))
    except ValueError:
        raise Invalid("errors.weekly_time", value=at) from None
    zone(process.timezone)
    rec = _recurrence(session, process, what)
    before = audit.snapshot(rec) if rec else None
    if rec is None:
        rec = Recurrence(key=weekly_key(process, what), kind=what.kind, process_id=process.id,
                         recipient=process.channel_id, day_of_week=day_of_week, hour=clock.hour,
                         minute=clock.minute, timezone=process.timezone, generated_until=now,
                         created_by=actor.slack_user_id)
    else:
        rec.day_of_week, rec.hour, rec.minute, rec.active = day_of_week, clock.hour, clock.minute, True
        rec.recipient, rec.timezone, rec.generated_until = process.channel_id, process.timezone, now
        store.cancel(session, [Reminder.subject_id == rec.id, Reminder.kind == what.kind], "rescheduled")
    session.add(rec)
    session.flush()
    audit.record(session, actor.slack_user_id, what.audit, rec, before=before)
    return rec


def weekly_off(session: Session, actor: Person, handle: str, what: Weekly = STATUS) -> Process:
    require_secretariat(session, actor)
    process = get_process(session, handle)
    rec = _recurrence(session, process, what)
    if rec is None or not rec.active:
        raise NotFound(f"{what.texts}.weekly_none", process=process.handle)
    before = audit.snapshot(rec)
    rec.active = False
    session.add(rec)
    store.cancel(session, [Reminder.subject_id == rec.id, Reminder.kind == what.kind], "switched off")
    audit.record(session, actor.slack_user_id, f"{what.audit}_off", rec, before=before)
    return process


def weekly_of(session: Session, process: Process, what: Weekly = STATUS) -> Recurrence | None:
    rec = _recurrence(session, process, what)
    return rec if rec is not None and rec.active else None

