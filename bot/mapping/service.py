"""Mapping surveys as the domain sees them: open one on a process, drafts and submissions by the entities'
focal points, a response returned with a question, closing; who has answered. Nothing here knows Slack; every
function takes the session first. The survey itself is data (bot/mapping/survey.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping as MappingType

from sqlmodel import Session, select

from bot import audit
from bot.entities.service import get_entity
from bot.errors import Conflict, Invalid, NotAllowed, NotFound
from bot.hlcm.service import EntityState, may_report_for  # the data call's: code, name, state, revision
from bot.mapping.answers import parse_answers
from bot.mapping.survey import Survey, surveys
from bot.processes.service import get_process, member_codes
from bot.roles.service import require_secretariat
from storage.models import (Entity, Mapping, MappingResponse, MappingStatus, Membership, Person, Process,
                            ResponseStatus, Role)
from storage.types import utcnow

QUESTION_LIMIT = 2000
COUNTED = (ResponseStatus.SUBMITTED, ResponseStatus.RETURNED)  # the answers the matrix and catalogue show
SILENT = (ResponseStatus.PENDING, ResponseStatus.DRAFT)  # nothing submitted yet: chased, then escalated


def get_survey(key: str) -> Survey:
    known = surveys()
    if key not in known:
        raise Invalid("mapping.unknown_survey", field="survey", survey=key[:40], known=", ".join(known))
    return known[key]


def open_mapping(session: Session, actor: Person, handle: str, survey_key: str, deadline: datetime, timezone: str,
                 codes: list[str] | None = None, now: datetime | None = None) -> Mapping:
    """The secretariat asks the process's member entities (or those named) to answer the survey by `deadline`."""
    now = now or utcnow()
    require_secretariat(session, actor)
    process = get_process(session, handle)
    survey = get_survey(survey_key)
    if deadline <= now:
        raise Invalid("mapping.deadline_past", field="deadline")
    if session.exec(select(Mapping.id).where(Mapping.process_id == process.id,
                                             Mapping.survey == survey.id)).first() is not None:
        raise Conflict("mapping.exists", process=process.handle, survey=survey.id)
    entities = [get_entity(session, c) for c in (codes or member_codes(session, process))]
    if not entities:
        raise Invalid("mapping.no_entities", field="entities", process=process.handle)
    mapping = Mapping(process_id=process.id, survey=survey.id, deadline=deadline, timezone=timezone,
                      opened_by=actor.slack_user_id, created_at=now)
    session.add(mapping)
    session.flush()
    for entity in {e.id: e for e in entities}.values():
        session.add(MappingResponse(mapping_id=mapping.id, entity_id=entity.id, updated_at=now))
    audit.record(session, actor.slack_user_id, "mapping.opened", mapping)
    return mapping


def get_mapping(session: Session, handle: str, survey_key: str) -> Mapping:
    process = get_process(session, handle)
    mapping = session.exec(select(Mapping).where(Mapping.process_id == process.id,
                                                 Mapping.survey == survey_key)).first()
    if mapping is None:
        raise NotFound("mapping.not_found", process=process.handle, survey=survey_key[:40])
    return mapping


def survey_of(mapping: Mapping) -> Survey:
    return get_survey(mapping.survey)


def process_of(session: Session, mapping: Mapping) -> Process:
    return session.get(Process, mapping.process_id)


def responses(session: Session, mapping: Mapping) -> list[tuple[Entity, MappingResponse]]:
    """Each entity asked and its response row, by entity code."""
    return list(session.exec(select(Entity, MappingResponse).join(MappingResponse,
                                                                  MappingResponse.entity_id == Entity.id)
                             .where(MappingResponse.mapping_id == mapping.id).order_by(Entity.code)).all())


def _require_open(session: Session, mapping: Mapping) -> None:
    if mapping.status == MappingStatus.CLOSED:
        raise Conflict("mapping.closed", process=process_of(session, mapping).handle, survey=mapping.survey)


def response_for(session: Session, actor: Person, mapping: Mapping, code: str) -> tuple[Entity, MappingResponse]:
    """The open mapping's row for the entity, when the actor may answer for it."""
    _require_open(session, mapping)
    entity = get_entity(session, code)
    row = session.exec(select(MappingResponse).where(MappingResponse.mapping_id == mapping.id,
                                                     MappingResponse.entity_id == entity.id)).first()
    if row is None:
        raise Invalid("mapping.not_asked", field="entity", entity=entity.code, survey=mapping.survey)
    if not may_report_for(session, actor, entity):
        raise NotAllowed("mapping.not_focal_point", entity=entity.code)
    return entity, row


def _checked(survey: Survey, answers: MappingType[str, Any] | None) -> dict[str, Any]:
    clean, errors = parse_answers(survey, answers)
    if errors:
        raise errors[0]
    return clean


def save_draft(session: Session, actor: Person, mapping: Mapping, code: str, answers: MappingType[str, Any],
               now: datetime | None = None) -> MappingResponse:
    """Keep the answers as the entity's draft (checked first: a draft with a problem is not saved at all)."""
    now = now or utcnow()
    entity, row = response_for(session, actor, mapping, code)
    row.draft = _checked(survey_of(mapping), answers)
    if row.status == ResponseStatus.PENDING:
        row.status = ResponseStatus.DRAFT
    row.saved_by, row.updated_at = actor.slack_user_id, now
    session.add(row)
    return row


def submit(session: Session, actor: Person, mapping: Mapping, code: str,
           answers: MappingType[str, Any] | None = None, now: datetime | None = None) -> MappingResponse:
    """The entity's answers (given, else its draft) become the ones that count; the draft is gone."""
    now = now or utcnow()
    entity, row = response_for(session, actor, mapping, code)
    if answers is None:
        if row.draft is None:
            raise Conflict("mapping.nothing_to_submit", entity=entity.code)
        answers = row.draft
    before = audit.snapshot(row)
    row.answers, row.draft = _checked(survey_of(mapping), answers), None
    row.status, row.saved_by, row.submitted_at, row.updated_at = (ResponseStatus.SUBMITTED, actor.slack_user_id,
                                                                  now, now)
    session.add(row)
    audit.record(session, actor.slack_user_id, "mapping.submitted", row, before=before)
    return row


def prefill(row: MappingResponse) -> dict[str, Any]:
    """What a form starts from: the draft, else the submitted answers."""
    return dict(row.draft or row.answers or {})


def return_response(session: Session, actor: Person, mapping: Mapping, code: str, question: str,
                    now: datetime | None = None) -> MappingResponse:
    """The secretariat sends the entity's answers back with a question; they still count until it answers."""
    now = now or utcnow()
    require_secretariat(session, actor)
    _require_open(session, mapping)
    question = (question or "").strip()
    if not question:
        raise Invalid("mapping.question_needed", field="question")
    if len(question) > QUESTION_LIMIT:
        raise Invalid("mapping.question_too_long", field="question", limit=QUESTION_LIMIT)
    entity = get_entity(session, code)
    row = session.exec(select(MappingResponse).where(MappingResponse.mapping_id == mapping.id,
                                                     MappingResponse.entity_id == entity.id)).first()
    if row is None or row.status != ResponseStatus.SUBMITTED:
        raise Conflict("mapping.nothing_to_return", entity=entity.code)
    before = audit.snapshot(row)
    row.status, row.question, row.returned_by, row.returned_at, row.updated_at = (
        ResponseStatus.RETURNED, question, actor.slack_user_id, now, now)
    session.add(row)
    audit.record(session, actor.slack_user_id, "mapping.returned", row, before=before)
    return row


def close_mapping(session: Session, actor: Person, mapping: Mapping, now: datetime | None = None) -> Mapping:
    require_secretariat(session, actor)
    _require_open(session, mapping)
    mapping.status, mapping.closed_at = MappingStatus.CLOSED, now or utcnow()
    session.add(mapping)
    audit.record(session, actor.slack_user_id, "mapping.closed", mapping)
    return mapping


def deadline_of(mapping: Mapping, row: MappingResponse) -> datetime:
    """An entity's deadline: its own when the secretariat extended it (bot/mapping/extension.py), else the
    mapping's (the later of the two, once the whole mapping moves past it)."""
    return max(row.deadline, mapping.deadline) if row.deadline is not None else mapping.deadline


def status(session: Session, mapping: Mapping, now: datetime | None = None) -> list[EntityState]:
    """Where each entity asked stands; one with nothing submitted is `late` once its deadline has passed."""
    now = now or utcnow()
    states = []
    for entity, row in responses(session, mapping):
        state = str(row.status)
        if now > deadline_of(mapping, row) and row.status in SILENT:
            state = "late"
        states.append(EntityState(entity.code, entity.name, state, None))
    return states


def open_mappings(session: Session) -> list[Mapping]:
    return list(session.exec(select(Mapping).where(Mapping.status == MappingStatus.OPEN)
                             .order_by(Mapping.deadline, Mapping.id)).all())


def not_answered(session: Session, mapping: Mapping) -> list[Entity]:
    """The entities asked with nothing submitted: the ones to chase."""
    return [e for e, row in responses(session, mapping) if row.status not in COUNTED]


def answerable(session: Session, person: Person, mapping: Mapping) -> list[Entity]:
    """The entities asked in the mapping that the person is a focal point of."""
    if person is None or person.id is None:
        return []
    mine = set(session.exec(select(Membership.entity_id).where(Membership.person_id == person.id,
                                                               Membership.role == Role.FOCAL_POINT)).all())
    return [e for e, _ in responses(session, mapping) if e.id in mine]
