"""Asking to become an entity's focal point in a process; the secretariat decides."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot import audit
from bot.entities.service import get_entity
from bot.errors import Conflict, Invalid, NotFound
from bot.mrkdwn import mention
from bot.processes.service import get_process, member_codes, require_active
from bot.roles.service import grant, require_secretariat, secretariat_people
from bot.texts import Ref
from storage.models import Entity, JoinRequest, Membership, Person, Process, RequestStatus, Role
from storage.types import utcnow


@dataclass(frozen=True)
class JoinView:
    """A join request with the names a message needs."""

    request: JoinRequest
    requester: str
    process_handle: str
    process_title: str
    entity_code: str
    decided_by: str | None = None


def _view(session: Session, request: JoinRequest) -> JoinView:
    person = session.get(Person, request.person_id)
    process = session.get(Process, request.process_id)
    entity = session.get(Entity, request.entity_id)
    decider = session.get(Person, request.decided_by_id) if request.decided_by_id else None
    return JoinView(request, person.slack_user_id, process.handle, process.title, entity.code,
                    decider.slack_user_id if decider else None)


def request_join(session: Session, person: Person, handle: str, code: str) -> tuple[JoinView, list[Person]]:
    """Returns the request and the secretariat members to ask."""
    process = get_process(session, handle)
    require_active(process)
    entity = get_entity(session, code)
    if entity.code not in member_codes(session, process):
        raise Invalid("errors.entity_not_member", entity=entity.code, process=process.handle)
    already = session.exec(select(Membership.id).where(
        Membership.person_id == person.id, Membership.process_id == process.id,
        Membership.entity_id == entity.id, Membership.role == Role.FOCAL_POINT)).first()
    if already is not None:
        raise Conflict("errors.join_already_member", entity=entity.code, process=process.handle)
    pending = session.exec(select(JoinRequest.id).where(
        JoinRequest.person_id == person.id, JoinRequest.process_id == process.id,
        JoinRequest.entity_id == entity.id, JoinRequest.status == RequestStatus.PENDING)).first()
    if pending is not None:
        raise Conflict("errors.join_pending", entity=entity.code, process=process.handle)
    request = JoinRequest(person_id=person.id, process_id=process.id, entity_id=entity.id)
    try:
        with session.begin_nested():
            session.add(request)
            session.flush()
    except IntegrityError:  # the same request, a moment ago (double submit)
        raise Conflict("errors.join_pending", entity=entity.code, process=process.handle) from None
    audit.record(session, person.slack_user_id, "join.request", request)
    approvers = secretariat_people(session)
    if not approvers:
        raise Conflict("errors.no_secretariat")
    return _view(session, request), approvers


def decide_join(session: Session, actor: Person, request_id: int, approve: bool) -> JoinView:
    require_secretariat(session, actor)
    request = session.exec(select(JoinRequest).where(JoinRequest.id == request_id).with_for_update()).first()
    if request is None:
        raise NotFound("errors.join_unknown")
    if request.status != RequestStatus.PENDING:
        view = _view(session, request)
        raise Conflict("errors.join_already_decided", status=Ref(f"join.status_{request.status}"),
                       by=mention(view.decided_by) if view.decided_by else "—")
    before = audit.snapshot(request)
    request.status = RequestStatus.APPROVED if approve else RequestStatus.DECLINED
    request.decided_at = utcnow()
    request.decided_by_id = actor.id
    session.add(request)
    audit.record(session, actor.slack_user_id, f"join.{request.status}", request, before=before)
    view = _view(session, request)
    if approve:
        process = session.get(Process, request.process_id)
        entity = session.get(Entity, request.entity_id)
        requester = session.get(Person, request.person_id)
        grant(session, actor.slack_user_id, requester.slack_user_id, Role.FOCAL_POINT, process, entity, if_missing=True,
              team_id=requester.team_id)
    return view


def requester_of(session: Session, request_id: int) -> Person | None:
    """The person behind a join request (None when there is no such request)."""
    request = session.get(JoinRequest, request_id)
    return session.get(Person, request.person_id) if request is not None else None


def pending_requests(session: Session) -> list[JoinView]:
    rows = session.exec(select(JoinRequest).where(JoinRequest.status == RequestStatus.PENDING)
                        .order_by(JoinRequest.created_at)).all()
    return [_view(session, r) for r in rows]
