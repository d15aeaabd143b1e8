"""Peer reviews as the domain sees them. A review is a process of kind `peer_review` (its member entities are the
review body, plus the entity reviewed) with one PeerReview row: the entity reviewed, the year, the topics it chose,
the expert group and its evidence. The rest is the bot's existing machinery, read here: the draft report is a
document of the process (commented in a round, discussed at a meeting), the review is adopted when a *document
approved* decision approves a version of it, and its recommendations are the process's action items (decisions of
its meeting, with owner, due date, status and follow-up reminders). Nothing here knows Slack; every function takes
the session first."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Mapping as MappingType

from pydantic import BaseModel, Field
from sqlmodel import Session, select

from bot import audit
from bot.entities.service import get_entity
from bot.errors import Conflict, Invalid, NotAllowed, NotFound
from bot.outcomes.service import OutcomeRequest, Recorded, record_outcome
from bot.peer_review.topics import LINKS_MAX, TEXT_MAX, Topics, link_allowed, topics
from bot.processes.service import HANDLE, NewProcess, create_process, get_process, member_codes
from bot.roles.service import grant, is_secretariat, require_secretariat, speaks_for
from storage.models import (ActionItem, ActionStatus, Decision, DecisionKind, Document, DocumentVersion, Entity,
                            Meeting, MeetingStatus, PeerReview, Person, Process, ProcessKind, ResponseStatus, Role)
from storage.types import utcnow

YEARS = (2000, 2100)
SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,31}$")


class NewReview(BaseModel):
    """What the secretariat names to open a review."""

    handle: str = ""
    entity: str = ""
    year: int = 0
    deadline: datetime | None = None  # of the evidence, UTC
    timezone: str = ""
    body: list[str] = Field(default_factory=list)  # the review body's entities
    experts: list[str] = Field(default_factory=list)  # Slack user ids
    focal_points: list[str] = Field(default_factory=list)  # Slack user ids: they answer for the entity reviewed
    channel_id: str | None = None


@dataclass(frozen=True)
class Recommendation:
    item: ActionItem
    owner: str  # entity code


@dataclass(frozen=True)
class Adoption:
    at: datetime
    document: str  # its title
    version: int


@dataclass(frozen=True)
class ReviewView:
    review: PeerReview
    process: Process
    entity: Entity
    topics: list[str]  # the review's, required first (the required ones only while none is chosen)
    chosen: bool
    body: list[str]  # entity codes
    report: tuple[str, int] | None  # the latest version of the report: (document title, version number)
    meetings: list[Meeting]
    adoption: Adoption | None
    recommendations: list[Recommendation]
    earlier: list["ReviewView"] = field(default_factory=list)  # the same entity's previous reviews, latest first


# ---- opening


def check_opening(session: Session, handle: str, code: str, year: int) -> Entity:
    """What `/consult review open PROCESS ENTITY YEAR` names, checked before the modal opens (and again on
    submission): a free handle, a known entity, a year, and no review of that entity for that year yet."""
    if not HANDLE.match(handle.strip().lower()):
        raise Invalid("errors.process_handle_format", field="handle")
    if session.exec(select(Process.id).where(Process.handle == handle.strip().lower())).first() is not None:
        raise Conflict("errors.process_handle_taken", handle=handle.strip().lower())
    try:
        entity = get_entity(session, code)
    except NotFound as exc:
        raise Invalid(exc.key, field="entity", **exc.params) from None
    if not YEARS[0] <= year <= YEARS[1]:
        raise Invalid("peer_review.errors.year", field="year", low=YEARS[0], high=YEARS[1])
    if session.exec(select(PeerReview.id).where(PeerReview.entity_id == entity.id,
                                                PeerReview.year == year)).first() is not None:
        raise Conflict("peer_review.errors.exists", entity=entity.code, year=year)
    return entity


def open_review(session: Session, actor: Person, request: NewReview, now: datetime | None = None) -> PeerReview:
    """The secretariat opens the review: the process (the review body and the entity reviewed as its members) and
    the review's row; the entity is asked to choose its topics and send its evidence by the deadline."""
    now = now or utcnow()
    require_secretariat(session, actor)
    entity = check_opening(session, request.handle, request.entity, request.year)
    if request.deadline is None or request.deadline <= now:
        raise Invalid("peer_review.errors.deadline_past", field="deadline")
    body = [c.strip().upper() for c in request.body if c.strip() and c.strip().upper() != entity.code]
    if not body:
        raise Invalid("peer_review.errors.no_body", field="body")
    experts = list(dict.fromkeys(request.experts))
    for field_name, users in (("experts", experts), ("focal_points", request.focal_points)):
        bad = [e for e in users if not SLACK_USER.match(e)]
        if bad:
            raise Invalid("peer_review.errors.expert", field=field_name, value=bad[0][:40])
    process = create_process(session, actor, NewProcess(
        handle=request.handle, kind=ProcessKind.PEER_REVIEW.value, title=f"{entity.code} {request.year}",
        channel_id=request.channel_id, timezone=request.timezone, members=[entity.code, *body]))
    review = PeerReview(process_id=process.id, entity_id=entity.id, year=request.year, experts=experts,
                        deadline=request.deadline, opened_by=actor.slack_user_id, created_at=now, updated_at=now)
    session.add(review)
    session.flush()
    audit.record(session, actor.slack_user_id, "peer_review.opened", review)
    for user in dict.fromkeys(request.focal_points):
        grant(session, actor.slack_user_id, user, Role.FOCAL_POINT, process, entity, if_missing=True)
    return review


def review_of(session: Session, handle: str) -> PeerReview:
    process = get_process(session, handle)
    review = session.exec(select(PeerReview).where(PeerReview.process_id == process.id)).first()
    if review is None:
        raise NotFound("peer_review.errors.not_a_review", process=process.handle)
    return review


def _reviewed(session: Session, review: PeerReview) -> tuple[Process, Entity]:
    return session.get(Process, review.process_id), session.get(Entity, review.entity_id)


def _require_speaker(session: Session, actor: Person, review: PeerReview) -> tuple[Process, Entity]:
    """Only the entity reviewed answers: a focal point of it in the review's process."""
    process, entity = _reviewed(session, review)
    if not speaks_for(session, actor, process.id, entity.id):
        raise NotAllowed("peer_review.errors.not_reviewed_focal_point", entity=entity.code, process=process.handle)
    return process, entity


# ---- topics


def choose_topics(session: Session, actor: Person, review: PeerReview, chosen: list[str],
                  now: datetime | None = None) -> PeerReview:
    """The entity reviewed (a focal point) or the secretariat picks the optional topics, before it submits."""
    now = now or utcnow()
    process, entity = _reviewed(session, review)
    if not is_secretariat(session, actor):
        _require_speaker(session, actor, review)
    if review.status == ResponseStatus.SUBMITTED:
        raise Conflict("peer_review.errors.evidence_submitted", entity=entity.code)
    data = topics()
    picked = list(dict.fromkeys(c.strip().lower() for c in chosen if c.strip()))
    unknown = [c for c in picked if c not in data.optional]
    if unknown:
        raise Invalid("peer_review.errors.topic_unknown", field="topics", topic=unknown[0][:40],
                      known=", ".join(data.optional))
    if len(picked) != data.choose:
        raise Invalid("peer_review.errors.topic_count", field="topics", count=data.choose)
    before = audit.snapshot(review)
    review.topics, review.topics_by, review.updated_at = picked, actor.slack_user_id, now
    if review.draft:  # answers to a topic no longer chosen are dropped
        review.draft = {k: v for k, v in review.draft.items() if k in data.covered(picked)}
    session.add(review)
    audit.record(session, actor.slack_user_id, "peer_review.topics", review, before=before)
    return review


# ---- evidence


def parse_evidence(data: Topics, covered: list[str], answers: MappingType[str, Any] | None,
                   complete: bool = False) -> tuple[dict[str, dict[str, Any]], list[Invalid]]:
    """The answers cleaned ({topic: {question: text | [links]}}) and every problem, each tied to `topic.question`.
    `complete`: each topic's first question must be answered (a submission; a draft may be partial)."""
    clean: dict[str, dict[str, Any]] = {}
    errors: list[Invalid] = []
    if answers is not None and not isinstance(answers, MappingType):
        return {}, [Invalid("peer_review.errors.bad_answers")]
    for topic, given in (answers or {}).items():
        if topic not in covered or not isinstance(given, MappingType):
            errors.append(Invalid("peer_review.errors.topic_not_covered", field=str(topic)[:40], topic=str(topic)[:40]))
            continue
        questions = {q.id: q for q in data.questions[topic]}
        for qid, value in given.items():
            where = f"{topic}.{qid}"
            question = questions.get(qid)
            if question is None:
                errors.append(Invalid("peer_review.errors.bad_answers", field=where))
                continue
            if question.type == "text":
                text = (value or "").strip() if isinstance(value, str) or value is None else None
                if text is None:
                    errors.append(Invalid("peer_review.errors.bad_answers", field=where))
                elif len(text) > TEXT_MAX:
                    errors.append(Invalid("errors.field_too_long", field=where, limit=TEXT_MAX))
                elif text:
                    clean.setdefault(topic, {})[qid] = text
                continue
            lines = value.split() if isinstance(value, str) else value if isinstance(value, list) else None
            if lines is None or not all(isinstance(v, str) for v in lines):
                errors.append(Invalid("peer_review.errors.bad_answers", field=where))
                continue
            links = list(dict.fromkeys(v.strip() for v in lines if v.strip()))
            refused = [v for v in links if not link_allowed(v, data.link_hosts)]
            if refused:
                errors.append(Invalid("peer_review.errors.link", field=where, link=refused[0][:200],
                                      hosts=", ".join(data.link_hosts)))
            elif len(links) > LINKS_MAX:
                errors.append(Invalid("peer_review.errors.too_many_links", field=where, limit=LINKS_MAX))
            elif links:
                clean.setdefault(topic, {})[qid] = links
    if complete:
        for topic in covered:
            first = data.questions[topic][0].id
            if not (clean.get(topic) or {}).get(first):
                errors.append(Invalid("peer_review.errors.answer_needed", field=f"{topic}.{first}", topic=topic))
    return clean, errors


def require_answerable(session: Session, actor: Person, review: PeerReview) -> tuple[Process, Entity]:
    process, entity = _require_speaker(session, actor, review)
    if review.topics is None:
        raise Conflict("peer_review.errors.topics_first", process=process.handle)
    if review.status == ResponseStatus.SUBMITTED:
        raise Conflict("peer_review.errors.evidence_submitted", entity=entity.code)
    return process, entity


def save_draft(session: Session, actor: Person, review: PeerReview, answers: MappingType[str, Any],
               now: datetime | None = None) -> PeerReview:
    """The evidence so far kept as a draft; one with a problem is not saved at all."""
    now = now or utcnow()
    require_answerable(session, actor, review)
    clean, errors = parse_evidence(topics(), topics().covered(review.topics), answers)
    if errors:
        raise errors[0]
    review.draft, review.saved_by, review.updated_at = clean, actor.slack_user_id, now
    if review.status == ResponseStatus.PENDING:
        review.status = ResponseStatus.DRAFT
    session.add(review)
    return review


def submit_evidence(session: Session, actor: Person, review: PeerReview, now: datetime | None = None) -> PeerReview:
    """The draft becomes the evidence the expert group reads; the chase stops."""
    now = now or utcnow()
    _, entity = require_answerable(session, actor, review)
    clean, errors = parse_evidence(topics(), topics().covered(review.topics), review.draft or {}, complete=True)
    if errors:
        raise errors[0]
    before = audit.snapshot(review)
    review.evidence, review.draft = clean, None
    review.status, review.saved_by, review.submitted_at, review.updated_at = (ResponseStatus.SUBMITTED,
                                                                              actor.slack_user_id, now, now)
    session.add(review)
    audit.record(session, actor.slack_user_id, "peer_review.evidence_submitted", review, before=before)
    return review


def prefill(review: PeerReview) -> dict[str, Any]:
    return dict(review.draft or review.evidence or {})


# ---- recommendations


def recommend(session: Session, actor: Person, review: PeerReview, text: str, due: date | None,
              owner: str | None = None, now: datetime | None = None) -> Recorded:
    """The secretariat records a recommendation of the review's meeting (the last one that has ended): an action
    item of the process, owned by the entity reviewed unless another member is named, with its reminders (what was
    recorded, as the outcomes modal's submission gives it: the item, and its owner's focal points to tell)."""
    now = now or utcnow()
    require_secretariat(session, actor)
    process, entity = _reviewed(session, review)
    meeting = session.exec(select(Meeting).where(Meeting.process_id == process.id,
                                                 Meeting.status == MeetingStatus.SCHEDULED, Meeting.end <= now)
                           .order_by(Meeting.end.desc(), Meeting.id.desc())).first()
    if meeting is None:
        raise Conflict("peer_review.errors.no_meeting", process=process.handle)
    return record_outcome(session, actor, meeting.id, OutcomeRequest(
        kind=DecisionKind.ACTION_ITEM.value, text=text, owner=owner or entity.code, due=due), now)


def recommendations(session: Session, process_id: int) -> list[Recommendation]:
    rows = session.exec(select(ActionItem, Entity.code).join(Entity, ActionItem.owner_entity_id == Entity.id)
                        .where(ActionItem.process_id == process_id).order_by(ActionItem.due, ActionItem.id)).all()
    return [Recommendation(item, code) for item, code in rows]


# ---- reading


def adoption(session: Session, process_id: int) -> Adoption | None:
    """The first version of a document of the review approved by a decision: the adopted report."""
    row = session.exec(select(DocumentVersion, Document).join(Document, DocumentVersion.document_id == Document.id)
                       .join(Decision, Decision.version_id == DocumentVersion.id)
                       .where(Document.process_id == process_id, Decision.kind == DecisionKind.DOCUMENT_APPROVED,
                              DocumentVersion.approved_at.is_not(None))
                       .order_by(DocumentVersion.approved_at, DocumentVersion.id)).first()
    return Adoption(row[0].approved_at, row[1].title, row[0].number) if row else None


def _report(session: Session, process_id: int) -> tuple[str, int] | None:
    row = session.exec(select(Document.title, DocumentVersion.number)
                       .join(DocumentVersion, DocumentVersion.document_id == Document.id)
                       .where(Document.process_id == process_id)
                       .order_by(DocumentVersion.imported_at.desc(), DocumentVersion.id.desc())).first()
    return (row[0], row[1]) if row else None


def view(session: Session, review: PeerReview, with_earlier: bool = True) -> ReviewView:
    process, entity = _reviewed(session, review)
    data = topics()
    meetings = list(session.exec(select(Meeting).where(Meeting.process_id == process.id)
                                 .order_by(Meeting.start, Meeting.id)).all())
    earlier = []
    if with_earlier:
        earlier = [view(session, r, with_earlier=False) for r in session.exec(
            select(PeerReview).where(PeerReview.entity_id == review.entity_id, PeerReview.year < review.year)
            .order_by(PeerReview.year.desc())).all()]
    return ReviewView(review, process, entity, data.covered(review.topics), review.topics is not None,
                      [c for c in member_codes(session, process) if c != entity.code], _report(session, process.id),
                      meetings, adoption(session, process.id), recommendations(session, process.id), earlier)


def reviews_of_year(session: Session, year: int) -> list[ReviewView]:
    rows = session.exec(select(PeerReview).join(Entity, PeerReview.entity_id == Entity.id)
                        .where(PeerReview.year == year).order_by(Entity.code)).all()
    return [view(session, r) for r in rows]


def open_recommendations(items: list[Recommendation]) -> int:
    return sum(1 for r in items if r.item.status == ActionStatus.OPEN)
