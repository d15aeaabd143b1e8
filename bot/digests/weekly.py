"""The weekly digest: a Recurrence (kind `process.weekly_digest`, its own key beside the weekly
status) whose occurrences become reminder rows (bot/reminders/recurring.py); at send time each
composes the digest and logs it, so the next one covers what changed since.

Setting it up mirrors bot/reminders/service.set_weekly (same validation, same row shape) with
its own key and kind, so a process may have both the weekly status and the weekly digest.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlmodel import Session, select

from bot import audit
from bot.digests.blocks import summary
from bot.digests.files import digest_file
from bot.digests.service import DEFAULT_WINDOW, Since, compose, last_digest, record
from bot.errors import Invalid, NotFound
from bot.processes.service import get_process
from bot.reminders import store
from bot.reminders.outcomes import Message, Skip
from bot.reminders.plan import cron_days
from bot.roles.service import require_secretariat
from bot.texts import t
from bot.timezones import zone
from storage.models import DigestKind, DigestLog, Person, Process, ProcessStatus, Recurrence, Reminder
from storage.types import utcnow

WEEKLY_DIGEST = "process.weekly_digest"
FORMAT = "docx"


def weekly_key(process: Process) -> str:
    return f"process:{process.id}:weekly-digest"


def _recurrence(session: Session, process: Process) -> Recurrence | None:
    return session.exec(select(Recurrence).where(Recurrence.key == weekly_key(process))).first()


def set_weekly_digest(session: Session, actor: Person, handle: str, days: str, at: str,
                      now: datetime | None = None) -> Recurrence:
    """Every `days` at `at` (HH:MM in the process's zone), the digest to the process channel."""
    now = now or utcnow()
    require_secretariat(session, actor)
    process = get_process(session, handle)
    if not process.channel_id:
        raise Invalid("digests.errors.weekly_no_channel", process=process.handle)
    try:
        day_of_week = cron_days(days)
    except ValueError:
        raise Invalid("errors.weekly_days", value=days) from None
    try:
        clock = time.fromisoformat(at.zfill(5))
    except ValueError:
        raise Invalid("errors.weekly_time", value=at) from None
    zone(process.timezone)
    rec = _recurrence(session, process)
    before = audit.snapshot(rec) if rec else None
    if rec is None:
        rec = Recurrence(key=weekly_key(process), kind=WEEKLY_DIGEST, process_id=process.id,
                         recipient=process.channel_id, day_of_week=day_of_week, hour=clock.hour,
                         minute=clock.minute, timezone=process.timezone, generated_until=now,
                         created_by=actor.slack_user_id)
    else:
        rec.day_of_week, rec.hour, rec.minute, rec.active = day_of_week, clock.hour, clock.minute, True
        rec.recipient, rec.timezone, rec.generated_until = process.channel_id, process.timezone, now
        store.cancel(session, [Reminder.subject_id == rec.id, Reminder.kind == WEEKLY_DIGEST], "rescheduled")
    session.add(rec)
    session.flush()
    audit.record(session, actor.slack_user_id, "digests.weekly", rec, before=before)
    return rec


def weekly_digest_off(session: Session, actor: Person, handle: str) -> Process:
    require_secretariat(session, actor)
    process = get_process(session, handle)
    rec = _recurrence(session, process)
    if rec is None or not rec.active:
        raise NotFound("digests.errors.weekly_none", process=process.handle)
    before = audit.snapshot(rec)
    rec.active = False
    session.add(rec)
    store.cancel(session, [Reminder.subject_id == rec.id, Reminder.kind == WEEKLY_DIGEST], "switched off")
    audit.record(session, actor.slack_user_id, "digests.weekly_off", rec, before=before)
    return process


def weekly_digest_message(session: Session, row: Reminder, now: datetime) -> Message | Skip:
    """The digest for the process channel, with the full document to attach. It covers what changed
    since the previous weekly digest (one logged before this occurrence was due, so a retry of this
    occurrence covers the same span); the digest is logged once per occurrence."""
    process = session.get(Process, row.process_id) if row.process_id else None
    rec = session.get(Recurrence, row.subject_id) if row.subject_id else None
    if process is None or rec is None:
        return Skip("replanned")
    if not rec.active:
        return Skip("switched off")
    if process.status != ProcessStatus.ACTIVE:
        return Skip("process closed")
    previous = last_digest(session, process, before=row.due_at, kinds=(DigestKind.WEEKLY,))
    if previous is not None:
        since, source = previous.generated_at, Since.LAST_DIGEST
    else:
        since, source = row.due_at - DEFAULT_WINDOW, Since.DEFAULT
    digest = compose(session, process.handle, since, now, source=source)
    logged = session.exec(select(DigestLog.id).where(
        DigestLog.process_id == process.id, DigestLog.kind == DigestKind.WEEKLY,
        DigestLog.generated_at >= row.due_at, DigestLog.generated_at <= row.due_at + timedelta(days=1))).first()
    if logged is None:
        record(session, process, since, DigestKind.WEEKLY, WEEKLY_DIGEST, now)
    data, name = digest_file(digest, FORMAT)
    text, blocks = summary(digest, None, t("digests.slack.attached", None, file=name))
    return Message(row.recipient, text, blocks, files=((name, data),))
