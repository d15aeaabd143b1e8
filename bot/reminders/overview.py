"""What the secretariat sees of reminders: scheduled, sent, failed and why, skipped, who muted."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from bot.processes.service import get_process
from bot.reminders.service import DIGEST, weekly_of
from bot.roles.service import require_secretariat
from storage.models import Entity, Person, Process, Recurrence, Reminder, ReminderMute, ReminderStatus, Round

SHOWN = {"scheduled": 15, "sent": 10, "failed": 20}


@dataclass(frozen=True)
class Row:
    reminder: Reminder
    entity_code: str | None
    round_number: int | None


@dataclass(frozen=True)
class Overview:
    process: Process
    counts: dict[str, int]  # by status
    scheduled: list[Row]
    sent: list[Row]
    failed: list[Row]
    skipped: dict[str, int]  # by reason
    muted: list[str]  # Slack user ids
    weekly: Recurrence | None
    weekly_digest: Recurrence | None = None


@dataclass(frozen=True)
class Totals:
    handle: str  # "" for the reminders of no process: the HLCM data calls'
    counts: dict[str, int]
    muted: int


def _rows(session: Session, query, limit: int) -> list[Row]:
    found = session.exec(query.limit(limit)).all()
    entities = {e.id: e.code for e in session.exec(select(Entity).where(
        Entity.id.in_({r.entity_id for r in found if r.entity_id}))).all()} if found else {}
    rounds = {r.id: r.number for r in session.exec(select(Round).where(
        Round.id.in_({r.subject_id for r in found if r.subject_id and r.kind.startswith("round.")}))).all()} \
        if found else {}
    return [Row(r, entities.get(r.entity_id), rounds.get(r.subject_id) if r.kind.startswith("round.") else None)
            for r in found]


def _counts(session: Session, process_id: int) -> dict[str, int]:
    return dict(session.exec(select(Reminder.status, func.count()).where(Reminder.process_id == process_id)
                             .group_by(Reminder.status)).all())


def overview(session: Session, actor: Person, handle: str) -> Overview:
    require_secretariat(session, actor)
    process = get_process(session, handle)
    of_process = select(Reminder).where(Reminder.process_id == process.id)
    open_ = (ReminderStatus.PENDING, ReminderStatus.SENDING)
    skipped = Counter(dict(session.exec(
        select(Reminder.outcome, func.count()).where(Reminder.process_id == process.id,
                                                     Reminder.status == ReminderStatus.SKIPPED)
        .group_by(Reminder.outcome)).all()))
    muted = list(session.exec(select(ReminderMute.slack_user_id).where(ReminderMute.process_id == process.id)
                              .order_by(ReminderMute.at)).all())
    return Overview(
        process=process, counts=_counts(session, process.id),
        scheduled=_rows(session, of_process.where(Reminder.status.in_(open_)).order_by(Reminder.send_at),
                        SHOWN["scheduled"]),
        sent=_rows(session, of_process.where(Reminder.status == ReminderStatus.SENT)
                   .order_by(Reminder.sent_at.desc()), SHOWN["sent"]),
        failed=_rows(session, of_process.where(Reminder.status == ReminderStatus.FAILED)
                     .order_by(Reminder.updated_at.desc()), SHOWN["failed"]),
        skipped={k or "—": v for k, v in skipped.items()}, muted=muted, weekly=weekly_of(session, process),
        weekly_digest=weekly_of(session, process, DIGEST))


def totals(session: Session, actor: Person) -> list[Totals]:
    require_secretariat(session, actor)
    processes = session.exec(select(Process).order_by(Process.handle)).all()
    counts: dict[int, dict[str, int]] = {}
    for process_id, status, n in session.exec(select(Reminder.process_id, Reminder.status, func.count())
                                              .group_by(Reminder.process_id, Reminder.status)).all():
        counts.setdefault(process_id, {})[status] = n
    muted = dict(session.exec(select(ReminderMute.process_id, func.count()).group_by(ReminderMute.process_id)).all())
    rows = [Totals(p.handle, counts.get(p.id, {}), muted.get(p.id, 0)) for p in processes
            if p.id in counts or p.id in muted]
    return rows + ([Totals("", counts[None], 0)] if None in counts else [])


def failed_since(session: Session, since) -> list[tuple[str, int]]:
    """Processes with reminders Slack refused for good since then, for the secretariat's App Home."""
    return list(session.exec(
        select(Process.handle, func.count()).join(Reminder, Reminder.process_id == Process.id)
        .where(Reminder.status == ReminderStatus.FAILED, Reminder.updated_at >= since)
        .group_by(Process.handle).order_by(Process.handle)).all())
