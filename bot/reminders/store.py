"""Reminder rows: written with the change that causes them, claimed with a lease, confirmed.

Claim, send, confirm: `claim` leases due rows to one sender (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so replicas never take the same row; SQLite has one writer, see
bot/scheduler/instance_lock.py); the sender marks each `sent` with Slack's ts, or `release`s
it for a retry, or records why it `fail`ed. A lease that runs out (a sender killed mid-send)
makes the row claimable again: at most the rows in flight at a kill are sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from storage.models import Reminder, ReminderStatus
from storage.types import utcnow

MAX_ATTEMPTS = 8
OPEN = (ReminderStatus.PENDING, ReminderStatus.SENDING)


@dataclass(frozen=True)
class Wanted:
    """A reminder that should exist, as a change plans it."""

    key: str
    kind: str
    offset: str
    recipient: str
    timezone: str
    due_at: datetime
    send_at: datetime
    stale_at: datetime | None
    quiet: bool = True
    process_id: int | None = None
    subject_id: int | None = None
    entity_id: int | None = None
    recipient_team: str | None = None  # a person's workspace (with `recipient`, who); None: a channel


def insert_new(session: Session, wanted: list[Wanted]) -> int:
    """Insert the rows whose key is new; existing keys are left alone (a second replica, a retry).
    Returns how many were inserted."""
    if not wanted:
        return 0
    now = utcnow()
    rows = [{**w.__dict__, "status": ReminderStatus.PENDING.value, "attempts": 0, "created_at": now,
             "updated_at": now} for w in wanted]
    table = Reminder.__table__
    dialect = session.get_bind().dialect.name
    insert = pg_insert(table) if dialect == "postgresql" else sqlite_insert(table)
    inserted = 0
    for start in range(0, len(rows), 500):
        statement = insert.values(rows[start:start + 500]).on_conflict_do_nothing(index_elements=["key"])
        inserted += len(session.execute(statement.returning(table.c.id)).all())  # rowcount lies here on psycopg
    return inserted


def reconcile(session: Session, scope: list, wanted: list[Wanted], keep=None) -> tuple[int, int]:
    """Make the open rows matching `scope` (SQL conditions) exactly `wanted`: rows no longer wanted
    are cancelled (unless `keep(row)`), new ones inserted, cancelled ones wanted again revived.
    Sent rows are history and never touched. Returns (added or revived, cancelled)."""
    by_key = {w.key: w for w in wanted}
    existing = session.exec(select(Reminder).where(*scope)).all()
    now = utcnow()
    cancelled = revived = 0
    for row in existing:
        want = by_key.pop(row.key, None) if row.key in by_key else None
        if want is None:
            if row.status == ReminderStatus.PENDING and not (keep and keep(row)):
                row.status, row.outcome, row.updated_at = ReminderStatus.CANCELLED, "replanned", now
                session.add(row)
                cancelled += 1
        elif row.status == ReminderStatus.CANCELLED or (
                row.status == ReminderStatus.PENDING
                and (row.send_at, row.stale_at, row.timezone) != (want.send_at, want.stale_at, want.timezone)):
            revived += row.status == ReminderStatus.CANCELLED
            row.status, row.outcome, row.attempts = ReminderStatus.PENDING, None, 0
            row.send_at, row.due_at, row.stale_at, row.updated_at = want.send_at, want.due_at, want.stale_at, now
            row.timezone, row.quiet = want.timezone, want.quiet  # quiet hours are checked in this zone at send time
            session.add(row)
    session.flush()
    return insert_new(session, list(by_key.values())) + revived, cancelled


def cancel(session: Session, scope: list, outcome: str) -> int:
    result = session.execute(update(Reminder).where(Reminder.status == ReminderStatus.PENDING, *scope)
                             .values(status=ReminderStatus.CANCELLED.value, outcome=outcome, updated_at=utcnow()))
    return result.rowcount or 0


def bring_forward(session: Session, scope: list, now: datetime) -> int:
    """Pending rows of `scope` become due now (a round closed before its deadline)."""
    result = session.execute(update(Reminder).where(Reminder.status == ReminderStatus.PENDING,
                                                    Reminder.send_at > now, *scope)
                             .values(send_at=now, updated_at=now))
    return result.rowcount or 0


def claim(session: Session, owner: str, now: datetime, limit: int, lease: timedelta,
          busy: set[str] | frozenset[str] = frozenset()) -> list[Reminder]:
    """Lease up to `limit` due rows (pending and due, or leased by a sender whose lease ran out),
    one per recipient and none for `busy` recipients (their channel is paced)."""
    if limit <= 0:
        return []
    due = or_(and_(Reminder.status == ReminderStatus.PENDING, Reminder.send_at <= now),
              and_(Reminder.status == ReminderStatus.SENDING, Reminder.lease_until < now))
    query = select(Reminder).where(due)
    if busy:
        query = query.where(Reminder.recipient.not_in(sorted(busy)))
    query = query.order_by(Reminder.send_at, Reminder.id).limit(limit * 4)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    picked, seen = [], set()
    for row in session.exec(query).all():
        if row.recipient in seen:
            continue
        seen.add(row.recipient)
        picked.append(row)
        if len(picked) == limit:
            break
    for row in picked:
        row.status, row.lease_owner, row.lease_until = ReminderStatus.SENDING, owner, now + lease
        row.attempts += 1
        row.updated_at = now
        session.add(row)
    session.flush()
    return picked


def _mine(reminder_id: int, owner: str):
    return (Reminder.id == reminder_id, Reminder.lease_owner == owner, Reminder.status == ReminderStatus.SENDING)


def renew(session: Session, reminder_id: int, owner: str, until: datetime) -> bool:
    """Extend a lease still held; False if another sender has taken the row since."""
    result = session.execute(update(Reminder).where(*_mine(reminder_id, owner)).values(lease_until=until))
    return bool(result.rowcount)


def mark_sent(session: Session, reminder_id: int, owner: str, channel: str, ts: str, now: datetime,
              outcome: str | None = None) -> bool:
    """Sent, in `channel` (`outcome`: how, when not as planned, e.g. in the process channel instead of a DM)."""
    result = session.execute(update(Reminder).where(*_mine(reminder_id, owner)).values(
        status=ReminderStatus.SENT.value, channel=channel, ts=ts, sent_at=now, lease_owner=None,
        lease_until=None, outcome=outcome, updated_at=now))
    return bool(result.rowcount)


def finish(session: Session, reminder_id: int, owner: str, status: ReminderStatus, outcome: str,
           now: datetime) -> bool:
    """Close a claimed row without sending: skipped (answered, muted, stale…) or failed (Slack's error)."""
    result = session.execute(update(Reminder).where(*_mine(reminder_id, owner)).values(
        status=status.value, outcome=outcome[:80], lease_owner=None, lease_until=None, updated_at=now))
    return bool(result.rowcount)


def release(session: Session, reminder_id: int, owner: str, not_before: datetime, outcome: str | None,
            now: datetime, failed_attempt: bool = True) -> bool:
    """Give a claimed row back for later: after a rate limit or a transient error (`failed_attempt`),
    or held back by quiet hours (the claim does not count as an attempt then)."""
    attempts = Reminder.attempts if failed_attempt else Reminder.attempts - 1
    result = session.execute(update(Reminder).where(*_mine(reminder_id, owner)).values(
        status=ReminderStatus.PENDING.value, send_at=not_before, outcome=outcome, lease_owner=None,
        lease_until=None, attempts=attempts, updated_at=now))
    return bool(result.rowcount)


def superseded(session: Session, row: Reminder, now: datetime) -> bool:
    """A later reminder of the same chase (kind, subject, entity, recipient) is due too, because the
    bot was down: only the latest goes."""
    return session.exec(select(Reminder.id).where(
        Reminder.kind == row.kind, Reminder.subject_id == row.subject_id, Reminder.entity_id == row.entity_id,
        Reminder.recipient == row.recipient, Reminder.id != row.id, Reminder.due_at > row.due_at,
        Reminder.send_at <= now, Reminder.status.in_(OPEN))).first() is not None


def next_due(session: Session) -> datetime | None:
    return session.exec(select(func.min(Reminder.send_at)).where(Reminder.status == ReminderStatus.PENDING)).one()


def backlog(session: Session, now: datetime) -> tuple[int, datetime | None]:
    """Rows due and not sent yet (pending and due, or claimed by a sender whose lease ran out): how
    many, and the oldest one's send time. Served by ix_reminders_status_send_at."""
    due = or_(and_(Reminder.status == ReminderStatus.PENDING, Reminder.send_at <= now),
              and_(Reminder.status == ReminderStatus.SENDING, Reminder.lease_until < now))
    count, oldest = session.exec(select(func.count(), func.min(Reminder.send_at)).where(due)).one()
    return count, oldest
