"""Inputs of entities in a round: submit, edit, withdraw, nil return; the secretariat's responses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlmodel import Session, select

from bot import audit
from bot.documents.service import find_section
from bot.entities.service import get_entity
from bot.errors import Conflict, Invalid, NotAllowed, NotFound
from bot.inputs.heard_back import SITTING, gather
from bot.roles.service import is_secretariat, require_secretariat, secretariat_mentions
from bot.rounds.service import entity_deadline, is_open_for
from storage.models import (Disposition, Entity, Input, InputKind, InputRevision, InputStatus, Membership,
                            NilReturn, Person, Process, Response, Role, Round, RoundEntity, Section)
from storage.types import utcnow

COMMENT_MAX = 3000
TEXT_MAX = 3000


class InputDraft(BaseModel):
    """What a focal point typed in the Submit input modal."""

    entity: str
    section: str = ""  # a section number of the round's version, or "" for general
    kind: str = InputKind.GENERAL
    comment: str = ""
    proposed_text: str = ""
    rationale: str = ""


@dataclass(frozen=True)
class Saved:
    input: Input
    entity_code: str
    revision: int


def speaks_for(session: Session, person: Person, process_id: int) -> list[Entity]:
    """The entities this person is a focal point of in the process."""
    return list(session.exec(
        select(Entity).join(Membership, Membership.entity_id == Entity.id)
        .where(Membership.person_id == person.id, Membership.process_id == process_id,
               Membership.role == Role.FOCAL_POINT).order_by(Entity.code)).all())


def _require_focal_point(session: Session, person: Person, round_: Round, entity: Entity) -> RoundEntity:
    if entity.code not in {e.code for e in speaks_for(session, person, round_.process_id)}:
        raise NotAllowed("errors.not_focal_point", entity=entity.code,
                         granted_by=secretariat_mentions(session))
    link = session.exec(select(RoundEntity).where(RoundEntity.round_id == round_.id,
                                                  RoundEntity.entity_id == entity.id)).first()
    if link is None:
        raise Invalid("errors.round_entity_not_asked", entity=entity.code, number=round_.number)
    return link


def _timing(session: Session, round_: Round, link: RoundEntity, now: datetime) -> bool:
    """Whether a save now is late; raises when the round no longer takes it."""
    process = session.get(Process, round_.process_id)
    if not is_open_for(round_, link, now):
        raise Conflict("errors.round_closed", number=round_.number, process=process.handle)
    late = now > entity_deadline(round_, link)
    if late and round_.refuse_late:
        raise Conflict("errors.round_refuses_late", number=round_.number,
                       ask=secretariat_mentions(session))
    return late


def section_of(session: Session, round_: Round, number: str) -> Section | None:
    """The section a focal point named ("3.2", "para 14", "§3.2"), or None for a general comment."""
    if number.strip().lower() in ("", "general"):
        return None
    try:
        return find_section(session, round_.version_id, number)
    except NotFound as missing:  # shown under the modal's section field
        raise Invalid(missing.key, field="section", **missing.params) from None


def _validate(draft: InputDraft) -> None:
    if draft.kind not in {k.value for k in InputKind}:
        raise Invalid("errors.input_kind", field="kind")
    if not draft.comment.strip():
        raise Invalid("errors.field_empty", field="comment")
    for field, value, limit in (("comment", draft.comment, COMMENT_MAX), ("proposed_text", draft.proposed_text,
                                TEXT_MAX), ("rationale", draft.rationale, TEXT_MAX)):
        if len(value) > limit:
            raise Invalid("errors.field_too_long", field=field, limit=limit)


def _revise(session: Session, item: Input, by: str, now: datetime) -> int:
    number = len(session.exec(select(InputRevision.id).where(InputRevision.input_id == item.id)).all()) + 1
    session.add(InputRevision(input_id=item.id, number=number, section_id=item.section_id, kind=item.kind,
                              comment=item.comment, proposed_text=item.proposed_text, rationale=item.rationale,
                              status=item.status, by=by, at=now))
    return number


def _withdraw_nil_return(session: Session, round_: Round, entity: Entity, by: str, now: datetime) -> None:
    nil = session.exec(select(NilReturn).where(NilReturn.round_id == round_.id, NilReturn.entity_id == entity.id,
                                               NilReturn.withdrawn_at.is_(None))).first()
    if nil is not None:
        before = audit.snapshot(nil)
        nil.withdrawn_at = now
        session.add(nil)
        audit.record(session, by, "nil_return.undo", nil, before=before)


def submit_input(session: Session, person: Person, round_: Round, draft: InputDraft,
                 now: datetime | None = None) -> Saved:
    now = now or utcnow()
    entity = get_entity(session, draft.entity)
    link = _require_focal_point(session, person, round_, entity)
    _validate(draft)
    section = section_of(session, round_, draft.section)
    late = _timing(session, round_, link, now)
    count = len(session.exec(select(Input.id).where(Input.round_id == round_.id, Input.entity_id == entity.id)).all())
    item = Input(round_id=round_.id, entity_id=entity.id, ref=f"R{round_.number}-{entity.code}-{count + 1}",
                 section_id=section.id if section else None, kind=InputKind(draft.kind),
                 comment=draft.comment.strip(), proposed_text=draft.proposed_text.strip(),
                 rationale=draft.rationale.strip(), late=late, submitted_by=person.slack_user_id,
                 created_at=now, updated_at=now)
    session.add(item)
    session.flush()
    _withdraw_nil_return(session, round_, entity, person.slack_user_id, now)
    revision = _revise(session, item, person.slack_user_id, now)
    audit.record(session, person.slack_user_id, "input.submit", item)
    return Saved(item, entity.code, revision)


def _own_input(session: Session, person: Person, input_id: int) -> tuple[Input, Round, Entity, RoundEntity]:
    item = session.get(Input, input_id)
    if item is None:
        raise NotFound("errors.input_unknown")
    round_, entity = session.get(Round, item.round_id), session.get(Entity, item.entity_id)
    link = _require_focal_point(session, person, round_, entity)
    return item, round_, entity, link


def edit_input(session: Session, person: Person, input_id: int, draft: InputDraft,
               now: datetime | None = None) -> Saved:
    """A focal point of the input's entity changes it before the deadline: a new revision."""
    now = now or utcnow()
    item, round_, entity, link = _own_input(session, person, input_id)
    if item.status == InputStatus.WITHDRAWN:
        raise Conflict("errors.input_withdrawn", ref=item.ref)
    if now > entity_deadline(round_, link) or not is_open_for(round_, link, now):
        raise Conflict("errors.input_past_deadline", ref=item.ref)
    _validate(draft)
    section = section_of(session, round_, draft.section)
    before = audit.snapshot(item)
    item.section_id, item.kind = (section.id if section else None), InputKind(draft.kind)
    item.comment, item.proposed_text = draft.comment.strip(), draft.proposed_text.strip()
    item.rationale, item.updated_at = draft.rationale.strip(), now
    session.add(item)
    revision = _revise(session, item, person.slack_user_id, now)
    audit.record(session, person.slack_user_id, "input.edit", item, before=before)
    return Saved(item, entity.code, revision)


def withdraw_input(session: Session, person: Person, input_id: int, now: datetime | None = None) -> Saved:
    now = now or utcnow()
    item, round_, entity, link = _own_input(session, person, input_id)
    if item.status == InputStatus.WITHDRAWN:
        raise Conflict("errors.input_withdrawn", ref=item.ref)
    if now > entity_deadline(round_, link):
        raise Conflict("errors.input_past_deadline", ref=item.ref)
    before = audit.snapshot(item)
    item.status, item.updated_at = InputStatus.WITHDRAWN, now
    session.add(item)
    revision = _revise(session, item, person.slack_user_id, now)
    audit.record(session, person.slack_user_id, "input.withdraw", item, before=before)
    return Saved(item, entity.code, revision)


def nil_return(session: Session, person: Person, round_: Round, entity_code: str,
               now: datetime | None = None) -> NilReturn:
    """"No comments" for the entity. Refused while it has inputs: withdraw them first."""
    now = now or utcnow()
    entity = get_entity(session, entity_code)
    link = _require_focal_point(session, person, round_, entity)
    late = _timing(session, round_, link, now)
    active = session.exec(select(Input.id).where(Input.round_id == round_.id, Input.entity_id == entity.id,
                                                 Input.status == InputStatus.ACTIVE)).all()
    if active:
        raise Conflict("errors.nil_with_inputs", entity=entity.code, count=len(active))
    existing = session.exec(select(NilReturn).where(NilReturn.round_id == round_.id, NilReturn.entity_id == entity.id,
                                                    NilReturn.withdrawn_at.is_(None))).first()
    if existing is not None:
        raise Conflict("errors.nil_already", entity=entity.code)
    nil = NilReturn(round_id=round_.id, entity_id=entity.id, by=person.slack_user_id, late=late, at=now)
    session.add(nil)
    audit.record(session, person.slack_user_id, "nil_return.submit", nil)
    return nil


def history(session: Session, person: Person, input_id: int) -> tuple[Input, list[InputRevision]]:
    """Every revision of an input: for its entity's focal points and the secretariat."""
    item = session.get(Input, input_id)
    if item is None:
        raise NotFound("errors.input_unknown")
    if not is_secretariat(session, person):
        _own_input(session, person, input_id)
    revisions = session.exec(select(InputRevision).where(InputRevision.input_id == item.id)
                             .order_by(InputRevision.number)).all()
    return item, list(revisions)


def respond(session: Session, person: Person, ref_or_id: str | int, disposition: str, text: str,
            round_: Round | None = None, wait: timedelta = SITTING) -> Response:
    """The secretariat's disposition and response text for one input (replaces an earlier one); the
    entity's focal points hear of it with the rest of the batch, `wait` after it (bot/inputs/heard_back.py)."""
    require_secretariat(session, person)
    query = select(Input).where(Input.id == ref_or_id) if isinstance(ref_or_id, int) else \
        select(Input).where(Input.ref == ref_or_id, Input.round_id == (round_.id if round_ else None))
    item = session.exec(query).first()
    if item is None:
        raise NotFound("errors.input_unknown")
    if disposition not in {d.value for d in Disposition}:
        raise Invalid("errors.disposition_unknown", field="disposition",
                      choices=", ".join(d.value for d in Disposition))
    if len(text) > TEXT_MAX:
        raise Invalid("errors.field_too_long", field="response", limit=TEXT_MAX)
    response = session.exec(select(Response).where(Response.input_id == item.id)).first()
    before = audit.snapshot(response)
    if response is None:
        response = Response(input_id=item.id, disposition=Disposition(disposition), text=text.strip(),
                            by=person.slack_user_id)
    else:
        response.disposition, response.text = Disposition(disposition), text.strip()
        response.by, response.at = person.slack_user_id, utcnow()
    session.add(response)
    audit.record(session, person.slack_user_id, "input.respond", response, before=before)
    gather(session, item, response, utcnow(), wait)
    return response
