"""What the App Home says of the open rounds of a focal point's entities: waiting for an answer, or answered."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from bot.rounds.service import RoundInfo, describe, entity_deadline, is_open_for
from storage.models import Entity, Input, InputStatus, Membership, NilReturn, Person, Role, Round, RoundEntity


@dataclass(frozen=True)
class Answered:
    code: str
    inputs: int  # active inputs; 0 with a "no comments"
    can_add: bool  # the entity's deadline is still ahead


@dataclass
class HomeRound:
    info: RoundInfo
    waiting: list[str] = field(default_factory=list)  # entity codes that have not answered
    answered: list[Answered] = field(default_factory=list)


def home_rounds(session: Session, person: Person, now: datetime) -> list[HomeRound]:
    """Rounds still taking inputs from an entity this person speaks for, by deadline: for each entity
    whether it answered (its active inputs counted, or "no comments") and whether it may still add."""
    rows = session.exec(
        select(Round, Entity, RoundEntity).join(RoundEntity, RoundEntity.round_id == Round.id)
        .join(Entity, RoundEntity.entity_id == Entity.id)
        .join(Membership, (Membership.entity_id == Entity.id) & (Membership.process_id == Round.process_id))
        .where(Membership.person_id == person.id, Membership.role == Role.FOCAL_POINT)
        .order_by(Round.deadline, Entity.code)).all()
    rows = [(r, e, link) for r, e, link in rows if is_open_for(r, link, now)]
    if not rows:
        return []
    round_ids = sorted({r.id for r, _, _ in rows})
    counts = dict(((round_id, entity_id), n) for round_id, entity_id, n in session.exec(
        select(Input.round_id, Input.entity_id, func.count(Input.id))
        .where(Input.round_id.in_(round_ids), Input.status == InputStatus.ACTIVE)
        .group_by(Input.round_id, Input.entity_id)).all())
    nil = set(session.exec(select(NilReturn.round_id, NilReturn.entity_id)
                           .where(NilReturn.round_id.in_(round_ids), NilReturn.withdrawn_at.is_(None))).all())
    found: dict[int, HomeRound] = {}
    for round_, entity, link in rows:
        entry = found.get(round_.id) or found.setdefault(round_.id, HomeRound(describe(session, round_)))
        count = counts.get((round_.id, entity.id), 0)
        if count or (round_.id, entity.id) in nil:
            deadline = entity_deadline(round_, link)
            entry.answered.append(Answered(entity.code, count, deadline > now))
        else:
            entry.waiting.append(entity.code)
    return list(found.values())
