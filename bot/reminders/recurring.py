"""Recurring messages: each occurrence of a Recurrence becomes one Reminder row, keyed by its time.

Every replica may run `generate`; the unique key makes each occurrence exist once, and the
sender's claim makes it go out once. APScheduler's CronTrigger computes the times (bot/reminders/plan.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from bot.reminders import store
from bot.reminders.plan import occurrences, stamp
from storage.models import Recurrence

HORIZON = timedelta(hours=24)  # occurrences are written up to a day ahead
STALE_AFTER = timedelta(hours=12)  # an occurrence missed by more than this (the bot was down) is dropped


def generate(session: Session, now: datetime, horizon: timedelta = HORIZON) -> int:
    """Write the occurrences of every active recurrence up to `now + horizon`; returns rows added."""
    until = now + horizon
    added = 0
    for rec in session.exec(select(Recurrence).where(Recurrence.active, Recurrence.generated_until < until)).all():
        times = occurrences(rec.day_of_week, rec.hour, rec.minute, rec.timezone, rec.generated_until, until)
        added += store.insert_new(session, [store.Wanted(
            key=f"{rec.key}:{stamp(at)}", kind=rec.kind, offset="weekly", recipient=rec.recipient,
            recipient_team=rec.recipient_team,
            timezone=rec.timezone, due_at=at, send_at=at, stale_at=at + STALE_AFTER, quiet=False,
            process_id=rec.process_id, subject_id=rec.id) for at in times])
        rec.generated_until = until
        session.add(rec)
    return added
