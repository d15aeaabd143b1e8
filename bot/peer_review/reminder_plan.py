"""The chase of a peer review's evidence: `peer_review.evidence` to each focal point of the entity reviewed (in the
review's process) at OFFSETS before the deadline, until the evidence is submitted (bot/reminders/chase.py, as the
data call and the mapping surveys). Written in the transaction that opens the review, rewritten when who speaks for
the entity changes (bot/reminders/replan.py) and when the evidence is submitted.

What a due reminder says is decided when it is sent: evidence submitted since, a closed process, a moved deadline
or a person no longer focal point means no message."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from bot.hlcm.service import focal_points
from bot.peer_review import render
from bot.peer_review.service import NewReview, open_review, submit_evidence
from bot.reminders.chase import chase_rows, reconcile_chase, still_chased
from bot.reminders.outcomes import Message, Skip
from bot.reminders.plan import stamp
from bot.reminders.registry import register_kind, register_process_planner
from storage.models import Entity, PeerReview, Person, Process, ProcessStatus, Reminder, ResponseStatus
from storage.types import utcnow

REMINDER = "peer_review.evidence"
OFFSETS = ["T-7d", "T-2d", "T-0"]


def reminder_key(review: PeerReview, offset: str, entity_code: str, user_id: str) -> str:
    return f"peer_review:{review.id}@{stamp(review.deadline)}:{offset}:{entity_code}:{user_id}"


def plan_review(session: Session, review: PeerReview, process: Process, now: datetime) -> None:
    """Rewrite the review's pending reminders to match its state now (submitted, closed or past: none)."""
    session.flush()
    pairs = []
    if (process.status == ProcessStatus.ACTIVE and review.status != ResponseStatus.SUBMITTED
            and review.deadline > now):
        pairs = focal_points(session, [review.entity_id], review.process_id)
    wanted, chased = chase_rows(pairs, review.deadline, process.timezone, OFFSETS, now, REMINDER,
                                lambda offset, code, user: reminder_key(review, offset, code, user), review.id)
    reconcile_chase(session, REMINDER, review.id, review.deadline, wanted, chased)


def plan_process_reviews(session: Session, process_id: int, now: datetime) -> None:
    """The planner of a process's reviews (a peer review process has one; any other none)."""
    process = session.get(Process, process_id)
    if process is None:
        return
    for review in session.exec(select(PeerReview).where(PeerReview.process_id == process.id)).all():
        plan_review(session, review, process, now)


def open_with_reminders(session: Session, actor: Person, request: NewReview, now: datetime | None = None) -> PeerReview:
    now = now or utcnow()
    review = open_review(session, actor, request, now)
    plan_review(session, review, session.get(Process, review.process_id), now)
    return review


def submit_with_reminders(session: Session, actor: Person, review: PeerReview,
                          now: datetime | None = None) -> PeerReview:
    now = now or utcnow()
    submit_evidence(session, actor, review, now)
    plan_review(session, review, session.get(Process, review.process_id), now)
    return review


def reminder_message(session: Session, row: Reminder, now: datetime) -> Message | Skip:
    review = session.get(PeerReview, row.subject_id) if row.subject_id is not None else None
    entity = session.get(Entity, row.entity_id) if row.entity_id is not None else None
    if review is None or entity is None or review.deadline != row.stale_at:
        return Skip("replanned")
    process = session.get(Process, review.process_id)
    if process.status != ProcessStatus.ACTIVE:
        return Skip("closed")
    if review.status == ResponseStatus.SUBMITTED:
        return Skip("submitted")
    person = still_chased(session, row, now)
    if isinstance(person, Skip):
        return person
    text, blocks = render.reminder(review, process, entity.code, person.reads_in)
    return Message(row.recipient, text, blocks)


register_process_planner("peer_review", plan_process_reviews, (REMINDER,))  # the evidence of a peer review
register_kind(REMINDER, reminder_message)
