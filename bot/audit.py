"""The append-only audit log: who changed what, when, before and after."""

from __future__ import annotations

import contextvars
from typing import Any

from sqlmodel import Session, SQLModel

from storage.models import AuditEntry

SKIP = {"created_at", "updated_at"}
# (user id, workspace) of the person a Slack request came from: their entries record their workspace too
_acting: contextvars.ContextVar[tuple[str, str | None] | None] = contextvars.ContextVar("audit_acting", default=None)


def acting(user_id: str, team_id: str | None) -> None:
    """From here on, in this task and the database work it starts, `user_id` as an actor is of `team_id`."""
    _acting.set((user_id, team_id))


def snapshot(row: SQLModel | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {k: v for k, v in row.model_dump(mode="json", warnings=False).items() if k not in SKIP}


def record(session: Session, actor: str, action: str, subject: SQLModel | None = None, *,
           subject_type: str | None = None, subject_id: Any = None,
           before: dict | None = None, after: dict | None = None) -> AuditEntry:
    """Add an entry to the caller's transaction (it commits with the change itself)."""
    if subject is not None:
        subject_type = subject_type or getattr(subject, "__tablename__", type(subject).__name__)
        session.flush()
        subject_id = subject_id if subject_id is not None else getattr(subject, "id", None)
        after = after if after is not None else snapshot(subject)
    bound = _acting.get()
    entry = AuditEntry(actor=actor, actor_team=bound[1] if bound and bound[0] == actor else None, action=action, subject_type=subject_type or "",
                       subject_id=None if subject_id is None else str(subject_id),
                       before=before, after=after)
    session.add(entry)
    return entry
