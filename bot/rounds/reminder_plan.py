"""Which reminder rows a round should have, rewritten in the transaction of every change to it:
open, extend, reopen for an entity, close, a focal point added or removed.

- ``round.deadline``: each focal point of each entity asked, at the round's offsets before that
  entity's deadline (its own after a reopen). Whether the entity has answered is checked at send
  time, not here: an entity can withdraw its only input.
- ``round.escalation``: each secretariat member, at the round's deadline (or at once when the
  round is closed earlier): the entities that never answered.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from bot.people.service import zone_of
from bot.reminders import policy, store
from bot.reminders.plan import deadline_schedule, next_open, parse_offsets, stamp
from bot.reminders.registry import register_process_planner, register_secretariat_planner
from bot.roles.service import secretariat_people
from storage.models import Entity, Membership, Person, Reminder, Role, Round, RoundEntity, RoundStatus

DEADLINE = "round.deadline"
ESCALATION = "round.escalation"
SNOOZE = "snooze"


def deadline_key(round_: Round, deadline: datetime, offset: str, entity_code: str, user_id: str) -> str:
    return f"round:{round_.id}@{stamp(deadline)}:{offset}:{entity_code}:{user_id}"


def _focal_points(session: Session, round_: Round) -> list[tuple[RoundEntity, Entity, Person]]:
    return list(session.exec(
        select(RoundEntity, Entity, Person).join(Entity, RoundEntity.entity_id == Entity.id)
        .join(Membership, (Membership.entity_id == Entity.id) & (Membership.process_id == round_.process_id)
              & (Membership.role == Role.FOCAL_POINT))
        .join(Person, Membership.person_id == Person.id)
        .where(RoundEntity.round_id == round_.id).order_by(Entity.code, Person.slack_user_id)).all())


def entity_deadline(round_: Round, link: RoundEntity) -> datetime | None:
    """The deadline reminders chase for that entity; None when the round is closed for it."""
    if link.deadline is not None:
        return link.deadline
    return round_.deadline if round_.status == RoundStatus.OPEN else None


def wanted_deadline_rows(session: Session, round_: Round, now: datetime) -> tuple[list[store.Wanted], set]:
    """The rows to plan now, and the (entity, deadline, recipient) triples still chased: a pending
    row of one of those stays even when its time has passed (it is due, not obsolete)."""
    quiet = policy.quiet_hours()
    offsets = parse_offsets(round_.reminder_offsets)
    wanted, chased = [], set()
    for link, entity, person in _focal_points(session, round_):
        deadline = entity_deadline(round_, link)
        if deadline is None or deadline <= now:
            continue
        chased.add((entity.id, deadline, person.slack_user_id))
        zone_name = zone_of(person.timezone, entity.timezone, round_.timezone)
        for planned in deadline_schedule(deadline, round_.timezone, zone_name, offsets, now, quiet):
            wanted.append(store.Wanted(
                key=deadline_key(round_, deadline, planned.offset, entity.code, person.slack_user_id),
                kind=DEADLINE, offset=planned.offset, recipient=person.slack_user_id, recipient_team=person.team_id,
                timezone=zone_name, due_at=planned.due_at, send_at=planned.send_at, stale_at=planned.stale_at, quiet=planned.quiet,
                process_id=round_.process_id, subject_id=round_.id, entity_id=entity.id))
    return wanted, chased


def escalation_deadlines(session: Session, round_: Round, now: datetime) -> list[datetime]:
    """The deadlines the secretariat hears about: the round's while it is open, and each later deadline
    entities were given when the round was reopened for them (those still ahead)."""
    own = session.exec(select(RoundEntity.deadline).where(RoundEntity.round_id == round_.id,
                                                           RoundEntity.deadline > now).distinct()).all()
    return sorted({*own, *([round_.deadline] if round_.status == RoundStatus.OPEN else [])})


def wanted_escalations(session: Session, round_: Round, deadlines: list[datetime]) -> list[store.Wanted]:
    """One row per secretariat member and deadline; at send time it names the entities of that deadline
    that never answered (bot/rounds/reminder_messages.escalation_message)."""
    quiet = policy.quiet_hours()
    wanted = []
    for person in secretariat_people(session):
        zone_name = person.timezone or round_.timezone
        wanted += [store.Wanted(
            key=f"round:{round_.id}@{stamp(deadline)}:escalation:{person.slack_user_id}",
            kind=ESCALATION, offset="deadline", recipient=person.slack_user_id, recipient_team=person.team_id,
            timezone=zone_name, due_at=deadline, send_at=next_open(deadline, zone_name, quiet), stale_at=None,
            process_id=round_.process_id, subject_id=round_.id) for deadline in deadlines]
    return wanted


def plan_round(session: Session, round_: Round, now: datetime) -> None:
    """Rewrite the round's pending reminders to match its state now."""
    session.flush()
    wanted, chased = wanted_deadline_rows(session, round_, now)

    def still_chased(row: Reminder) -> bool:  # overdue rows and "remind me tomorrow" live while their deadline does
        return (row.entity_id, row.stale_at, row.recipient) in chased

    scope = [Reminder.subject_id == round_.id, Reminder.kind == DEADLINE]
    store.reconcile(session, scope, wanted, keep=still_chased)
    escalation_scope = [Reminder.subject_id == round_.id, Reminder.kind == ESCALATION]
    if round_.status != RoundStatus.OPEN:  # closed before its deadline: the secretariat hears at once
        store.bring_forward(session, [*escalation_scope, Reminder.due_at == round_.deadline], now)
        escalation_scope.append(Reminder.due_at != round_.deadline)

    def overdue(row: Reminder) -> bool:  # an entity's deadline just passed: its escalation is due, not obsolete
        return row.due_at <= now

    store.reconcile(session, escalation_scope,
                    wanted_escalations(session, round_, escalation_deadlines(session, round_, now)), keep=overdue)


def _chasing(session: Session, process_id: int | None, now: datetime) -> list[Round]:
    """Rounds still open, or reopened for an entity whose own deadline is ahead."""
    reopened = select(RoundEntity.round_id).where(RoundEntity.deadline > now)
    query = select(Round).where((Round.status == RoundStatus.OPEN) | Round.id.in_(reopened))
    if process_id is not None:
        query = query.where(Round.process_id == process_id)
    return list(session.exec(query.order_by(Round.id)).all())


def plan_process(session: Session, process_id: int, now: datetime) -> None:
    """After a change of who speaks for an entity: replan the process's rounds still chasing."""
    for round_ in _chasing(session, process_id, now):
        plan_round(session, round_, now)


def plan_all(session: Session, now: datetime) -> None:
    """After a change in the secretariat: every round still chasing (escalations go to them)."""
    for round_ in _chasing(session, None, now):
        plan_round(session, round_, now)


register_process_planner("rounds", plan_process, (DEADLINE, ESCALATION))
register_secretariat_planner("rounds", plan_all, (ESCALATION,))
