"""Keys of deliveries already handled, so retries and double submits act once. Slack retries a
delivery within minutes, so keys are kept IDEMPOTENCY_RETENTION_DAYS (default 7) and then purged
by the reminder clock (bot/scheduler/runner.py), a batch per transaction. The audit log is kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.models import ProcessedRequest

PURGE_BATCH = 1000


def claim(session: Session, key: str) -> bool:
    """True the first time a key is seen; False for a repeat. Part of the caller's transaction."""
    if session.get(ProcessedRequest, key) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(ProcessedRequest(key=key[:255]))
            session.flush()
    except IntegrityError:
        return False
    return True


def seen(session: Session, key: str) -> bool:
    """Whether a key was claimed already (without claiming it)."""
    return session.get(ProcessedRequest, key[:255]) is not None


def purge(session: Session, before: datetime, batch: int = PURGE_BATCH) -> int:
    """Delete up to `batch` keys recorded before `before`; returns how many went (fewer than `batch`: done)."""
    keys = select(ProcessedRequest.key).where(ProcessedRequest.at < before).limit(batch)
    if session.get_bind().dialect.name == "postgresql":
        keys = keys.with_for_update(skip_locked=True)  # two replicas purging at once take different rows
    old = list(session.exec(keys).all())
    if old:
        session.execute(delete(ProcessedRequest).where(ProcessedRequest.key.in_(old)))
    return len(old)
