"""Who answered a round: the status board (four aggregate queries, whatever the number of entities)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func
from sqlmodel import Session, select

from bot.rounds.service import entity_deadline
from storage.models import Entity, Input, InputStatus, NilReturn, Round, RoundEntity, Section


class Answer(StrEnum):
    SUBMITTED = "submitted"
    NIL = "nil"
    PENDING = "pending"
    LATE = "late"  # no answer and past its deadline


@dataclass(frozen=True)
class EntityStatus:
    code: str
    answer: Answer
    inputs: int
    late_inputs: int
    deadline: datetime
    time_left: timedelta


@dataclass(frozen=True)
class Board:
    round: Round
    entities: list[EntityStatus]

    def count(self, answer: Answer) -> int:
        return sum(1 for e in self.entities if e.answer == answer)

    @property
    def answered(self) -> int:
        return self.count(Answer.SUBMITTED) + self.count(Answer.NIL)


def board(session: Session, round_: Round, now: datetime) -> Board:
    asked = session.exec(select(RoundEntity, Entity.code).join(Entity, RoundEntity.entity_id == Entity.id)
                         .where(RoundEntity.round_id == round_.id).order_by(Entity.code)).all()
    counts = dict(session.exec(select(Input.entity_id, func.count()).where(
        Input.round_id == round_.id, Input.status == InputStatus.ACTIVE).group_by(Input.entity_id)).all())
    late = dict(session.exec(select(Input.entity_id, func.count()).where(
        Input.round_id == round_.id, Input.status == InputStatus.ACTIVE, Input.late.is_(True))
        .group_by(Input.entity_id)).all())
    nil = set(session.exec(select(NilReturn.entity_id).where(NilReturn.round_id == round_.id,
                                                            NilReturn.withdrawn_at.is_(None))).all())
    rows = []
    for link, code in asked:
        deadline = entity_deadline(round_, link)
        n = counts.get(link.entity_id, 0)
        if n:
            answer = Answer.SUBMITTED
        elif link.entity_id in nil:
            answer = Answer.NIL
        else:
            answer = Answer.LATE if now > deadline else Answer.PENDING
        rows.append(EntityStatus(code, answer, n, late.get(link.entity_id, 0), deadline,
                                 max(deadline - now, timedelta(0))))
    return Board(round_, rows)


def inputs_per_section(session: Session, round_: Round) -> list[tuple[str, int]]:
    """("3.2", 4), …, ("", 2) for general comments: active inputs, in document order."""
    rows = session.exec(
        select(Section.number, Section.position, func.count(Input.id))
        .select_from(Input).join(Section, Input.section_id == Section.id, isouter=True)
        .where(Input.round_id == round_.id, Input.status == InputStatus.ACTIVE)
        .group_by(Section.number, Section.position).order_by(Section.position)).all()
    return [(number or "", count) for number, _, count in rows]
