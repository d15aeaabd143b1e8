"""Read models for the Slack surface of inputs: what a person may answer, and the lists."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from bot.errors import NotAllowed, NotFound
from bot.inputs.service import speaks_for
from bot.roles.service import secretariat_mentions
from bot.rounds.service import asked
from storage.models import Entity, Input, Person, Response, Round, Section


@dataclass(frozen=True)
class InputRow:
    input: Input
    entity_code: str
    section: Section | None
    response: Response | None
    can_edit: bool


def answerable(session: Session, person: Person, round_id: int) -> tuple[Round, list[Entity], list[Section]]:
    """The round, the entities this person may answer for in it, and the version's sections."""
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise NotFound("errors.round_unknown", process="—", number=round_id)
    mine = {e.code for e in speaks_for(session, person, round_.process_id)}
    entities = [e for _, e in asked(session, round_) if e.code in mine]
    if not entities:
        raise NotAllowed("errors.not_focal_point_any",
                         granted_by=secretariat_mentions(session))
    sections = session.exec(select(Section).where(Section.version_id == round_.version_id)
                            .order_by(Section.position)).all()
    return round_, entities, list(sections)


def response_of(session: Session, input_id: int) -> Response | None:
    return session.exec(select(Response).where(Response.input_id == input_id)).first()


def round_by_id(session: Session, round_id: int) -> Round:
    round_ = session.get(Round, round_id) if round_id else None
    if round_ is None:
        raise NotFound("errors.round_unknown", process="—", number=round_id)
    return round_


def entity_code(session: Session, entity_id: int) -> str:
    return session.get(Entity, entity_id).code


def section_numbers(session: Session, round_: Round) -> dict[int, str]:
    """Section id → number in the round's version (for an input's revisions)."""
    return dict(session.exec(select(Section.id, Section.number).where(Section.version_id == round_.version_id)).all())
