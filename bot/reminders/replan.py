"""After a change of who is reminded (a role granted or revoked, a person's new time zone): every planner
registered for it (bot/reminders/registry.py) rewrites its pending rows. Roles and people say what changed;
which areas plan is the registry's business, so this imports no area."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from bot.reminders import registry
from storage.models import Membership, Person, Role


def replan_process(session: Session, process_id: int, now: datetime) -> None:
    """Who speaks for an entity of the process changed: its rounds, polls, meetings, action items..., and what
    focal points are asked in any process (the data call, the mapping surveys)."""
    for plan in registry.process_planners():
        plan(session, process_id, now)
    for plan in registry.focal_point_planners():
        plan(session, now)


def replan_everything_of_secretariat(session: Session, now: datetime) -> None:
    """Escalations and "record the outcomes" go to the secretariat: everything still ahead that it is told of."""
    for plan in registry.secretariat_planners():
        plan(session, now)


def role_changed(session: Session, role: Role, process_id: int | None, now: datetime) -> None:
    """Who is reminded follows who holds the role: focal points and chairs for their process, the secretariat
    for escalations and outcomes reminders."""
    if role in (Role.FOCAL_POINT, Role.CHAIR) and process_id is not None:
        replan_process(session, process_id, now)
    elif role is Role.SECRETARIAT:
        replan_everything_of_secretariat(session, now)


def replan_person(session: Session, person: Person, now: datetime) -> None:
    """After a person's time zone changed: their reminders move to their new mornings."""
    roles = session.exec(select(Membership.role, Membership.process_id).where(Membership.person_id == person.id)).all()
    if any(role == Role.SECRETARIAT for role, _ in roles):
        replan_everything_of_secretariat(session, now)
    for process_id in sorted({p for role, p in roles if role in (Role.FOCAL_POINT, Role.CHAIR) and p is not None}):
        replan_process(session, process_id, now)
