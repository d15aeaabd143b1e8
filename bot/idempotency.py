"""Keys of deliveries already handled, so retries and double submits act once."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage.models import ProcessedRequest


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
