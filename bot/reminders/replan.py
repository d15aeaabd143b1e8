"""After a change of who is reminded (a role granted or revoked, a person's new time zone): every
planner of the process rewrites its pending rows. Imported when needed, as each planner imports
services that import this area."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from storage.models import Membership, Person, Process, Role


def replan_process(session: Session, process_id: int, now: datetime) -> None:
    from bot.meetings.reminder_plan import plan_process_meetings
    from bot.outcomes.reminder_plan import plan_process_actions
    from bot.polls.reminder_plan import plan_process as plan_process_polls
    from bot.rounds.reminder_plan import plan_process as plan_process_rounds

    plan_process_rounds(session, process_id, now)
    plan_process_polls(session, process_id, now)
    plan_process_meetings(session, process_id, now)
    plan_process_actions(session, process_id, now)
    from bot.hlcm.reminder_plan import plan_open_calls  # focal points report for their entity in any process

    plan_open_calls(session, now)
    from bot.mapping.reminders import plan_open_mappings  # likewise, for the mapping surveys

    plan_open_mappings(session, now)
    from bot.peer_review.reminder_plan import plan_process_reviews  # the evidence of a peer review

    plan_process_reviews(session, session.get(Process, process_id), now)


def replan_everything_of_secretariat(session: Session, now: datetime) -> None:
    """Escalations and "record the outcomes" go to the secretariat: every round and meeting still ahead."""
    from bot.meetings.reminder_plan import plan_all_meetings
    from bot.rounds.reminder_plan import plan_all

    plan_all(session, now)
    plan_all_meetings(session, now)
    from bot.hlcm.reminder_plan import plan_open_calls  # datacall.escalation goes to the secretariat

    plan_open_calls(session, now)


def replan_person(session: Session, person: Person, now: datetime) -> None:
    """After a person's time zone changed: their reminders move to their new mornings."""
    roles = session.exec(select(Membership.role, Membership.process_id).where(Membership.person_id == person.id)).all()
    if any(role == Role.SECRETARIAT for role, _ in roles):
        replan_everything_of_secretariat(session, now)
    for process_id in sorted({p for role, p in roles if role in (Role.FOCAL_POINT, Role.CHAIR) and p is not None}):
        replan_process(session, process_id, now)
