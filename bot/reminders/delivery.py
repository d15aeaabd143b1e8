"""The database side of sending: claim due rows and decide, per row, what goes out now.

One transaction claims a batch and settles every row that needs no message (stale, held back by
quiet hours, answered, muted, superseded); the sender gets back only messages to post, and
confirms each in its own transaction once Slack has answered (bot/scheduler/sender.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from bot.reminders import policy, registry, store
from bot.reminders.outcomes import Message, Skip
from bot.reminders.plan import decide
from storage.models import Process, Reminder, ReminderStatus

log = logging.getLogger(__name__)

KINDS = registry.handlers()  # each kind's message, as the areas registered them (bot/reminders/registry.py)


@dataclass(frozen=True)
class Job:
    """A claimed row with the message to post for it."""

    reminder_id: int
    key: str
    attempts: int
    message: Message
    kind: str = ""
    team_id: str | None = None  # the recipient's workspace (Reminder.recipient_team; None: a channel, or not known)
    # a person's reminder about a process with a channel: where it goes, mentioning them, when their workspace
    # has no installation (a Slack Connect channel shared with their organisation), and in which language
    process_channel: str | None = None
    process_language: str | None = None


Settled = list[tuple[str, str, str]]  # (kind, "failed" | "skipped" | "deferred", reason) of rows not posted


def _settle(session: Session, row: Reminder, owner: str, now: datetime, settled: Settled) -> Message | None:
    if row.attempts > store.MAX_ATTEMPTS:
        store.finish(session, row.id, owner, ReminderStatus.FAILED, "too many attempts", now)
        log.warning("reminder %s failed: claimed %d times without being confirmed", row.key, row.attempts)
        settled.append((row.kind, "failed", "too many attempts"))
        return None
    decision = decide(row.send_at, row.stale_at, row.quiet, row.timezone, now, policy.quiet_hours())
    if decision.action == "drop":
        store.finish(session, row.id, owner, ReminderStatus.SKIPPED, decision.reason, now)
        log.info("reminder %s dropped: %s (due %s, stale at %s)", row.key, decision.reason,
                 row.due_at.isoformat(), row.stale_at.isoformat() if row.stale_at else "-")
        settled.append((row.kind, "skipped", decision.reason))
        return None
    if decision.action == "defer":
        store.release(session, row.id, owner, decision.until, "quiet hours", now, failed_attempt=False)
        settled.append((row.kind, "deferred", "quiet hours"))
        return None
    prepare = registry.handler(row.kind)
    outcome = prepare(session, row, now) if prepare else Skip("unknown kind")
    if isinstance(outcome, Skip):
        store.finish(session, row.id, owner, ReminderStatus.SKIPPED, outcome.reason, now)
        settled.append((row.kind, "skipped", outcome.reason))
        return None
    return outcome


def claim_jobs(session: Session, owner: str, now: datetime, limit: int, lease: timedelta,
               busy: frozenset[str], settled: Settled | None = None) -> tuple[list[Job], int]:
    """Claim up to `limit` due rows; returns the messages to post and how many rows were claimed.
    The rows settled without a message are added to `settled` (counted once the caller's
    transaction has committed)."""
    rows = store.claim(session, owner, now, limit, lease, busy)
    jobs = []
    settled = settled if settled is not None else []
    channels = {p.id: p for p in session.exec(select(Process).where(Process.id.in_(
        sorted({row.process_id for row in rows if row.process_id and row.recipient_team is not None}))))}
    for row in rows:
        message = _settle(session, row, owner, now, settled)
        if message is not None:
            process = channels.get(row.process_id) if row.recipient_team is not None else None
            jobs.append(Job(row.id, row.key, row.attempts, message, row.kind, row.recipient_team or None,
                            process.channel_id if process else None, process.language if process else None))
    return jobs, len(rows)
