"""The weekly digest: a Recurrence (kind `process.weekly_digest`, its own key beside the weekly
status) whose occurrences become reminder rows (bot/reminders/recurring.py); at send time each
composes the digest and logs it, so the next one covers what changed since.

Setting it up is bot/reminders/service.set_weekly with its own key and kind (`DIGEST`), so a
process may have both the weekly status and the weekly digest.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from bot.digests.blocks import summary
from bot.digests.files import digest_file
from bot.digests.service import DEFAULT_WINDOW, Since, compose, last_digest, record
from bot.reminders.outcomes import Message, Skip
from bot.reminders.registry import register_kind
from bot.reminders.service import DIGEST, WEEKLY_DIGEST, set_weekly, weekly_off
from bot.texts import t
from storage.models import DigestKind, DigestLog, Person, Process, ProcessStatus, Recurrence, Reminder

__all__ = ["WEEKLY_DIGEST", "set_weekly_digest", "weekly_digest_off", "weekly_digest_message"]

FORMAT = "docx"


def set_weekly_digest(session: Session, actor: Person, handle: str, days: str, at: str,
                      now: datetime | None = None) -> Recurrence:
    """Every `days` at `at` (HH:MM in the process's zone), the digest to the process channel."""
    return set_weekly(session, actor, handle, days, at, now, what=DIGEST)


def weekly_digest_off(session: Session, actor: Person, handle: str) -> Process:
    return weekly_off(session, actor, handle, what=DIGEST)


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
    data, name = digest_file(digest, FORMAT, process.language)
    text, blocks = summary(digest, process.language, t("digests.slack.attached", process.language, file=name))
    return Message(row.recipient, text, blocks, files=((name, data),))


register_kind(WEEKLY_DIGEST, weekly_digest_message)
