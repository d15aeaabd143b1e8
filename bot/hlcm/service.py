"""The annual data call as the domain sees it: open and close a year, drafts, submissions kept revision by
revision, validation per field, changes against the previous year, submissions returned with a question.

Every function takes a session and, where time matters, `now`; errors are typed (bot/errors.py) and a field
error names the indicator id in `field`, so a modal can put it under the right input."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from sqlmodel import Session, select

from bot import audit
from bot.entities.service import active_entities, get_entity
from bot.errors import Conflict, Invalid, NotAllowed, NotFound
from bot.formatting import parse_number
from bot.hlcm.questionnaire import Indicator, Questionnaire, questionnaire
from bot.roles.service import is_secretariat, require_secretariat
from bot.texts import Number
from storage.models import (DataCall, DataCallEntity, DataCallStatus, Entity, Membership, Person, Role, Submission,
                            SubmissionSource, SubmissionStatus)
from storage.types import utcnow

FIRST_YEAR = 2000  # the first GHG inventories of the UN system are from 2008; older years are typos
CHANGE_LIMIT = 0.5  # a change of more than 50 % against the previous year must be explained
REASON_LIMIT = 500
QUESTION_LIMIT = 2000
CURRENT = (SubmissionStatus.SUBMITTED, SubmissionStatus.RETURNED)  # the revision that counts
_WITH_UNIT = re.compile(r"^[+-]?[\d.,]+\s*[^\d\s.,+-].*$")
_SPACES = re.compile(r"[\s\u00a0\u202f']")  # 12 500, 12'500 (thousands separators)
EXAMPLE = Number(1234.5, 1)  # the number a field error shows, in the reader's digits and separators


# -- validation of one figure ---------------------------------------------------------------------------------

def _shown(number: float) -> Number:
    """A figure for a message: whole, or with two decimals; grouped in the reader's language when shown."""
    return Number(number, 0 if float(number).is_integer() else 2)


def _not_a_number(indicator: Indicator) -> Invalid:
    """The field error names a number as the reader's language writes it (`1 234,5` in French)."""
    return Invalid("hlcm.not_a_number", field=indicator.id, label=indicator.label, example=EXAMPLE)


def parse_value(indicator: Indicator, raw: Any, locale: str | None = None) -> Any:
    """The stored value of one answer, or Invalid(field=indicator.id). None or blank means not answered.
    A figure is read as the person's language writes numbers (`1 234,5` in French, Arabic-Indic digits in
    Arabic), or in the plain form `1234.5` every language accepts (bot.formatting.parse_number)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    label = indicator.label
    if indicator.type == "yes_no":
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip().lower()
        if word in ("yes", "y", "true", "1"):
            return True
        if word in ("no", "n", "false", "0"):
            return False
        raise Invalid("hlcm.not_yes_no", field=indicator.id, label=label)
    if indicator.type == "choice":
        value = str(raw).strip()
        if value in indicator.choices:
            return value
        by_label = {v.lower(): k for k, v in indicator.choices.items()}
        if value.lower() in by_label:
            return by_label[value.lower()]
        raise Invalid("hlcm.not_a_choice", field=indicator.id, label=label, choices=", ".join(indicator.choices))
    if isinstance(raw, bool):
        raise _not_a_number(indicator)
    if isinstance(raw, (int, float)):
        number = float(raw)
    else:
        typed = parse_number(str(raw), locale)
        if typed is not None:
            number = float(typed)
        elif _WITH_UNIT.match(_SPACES.sub("", str(raw).strip())):
            raise Invalid("hlcm.unit_typed", field=indicator.id, label=label, unit=indicator.unit)
        else:
            raise _not_a_number(indicator)
    if not math.isfinite(number):
        raise _not_a_number(indicator)
    if indicator.type == "integer" and not number.is_integer():
        raise Invalid("hlcm.not_whole", field=indicator.id, label=label)
    if number < 0:
        raise Invalid("hlcm.negative", field=indicator.id, label=label)
    if indicator.min is not None and number < indicator.min:
        raise Invalid("hlcm.below_min", field=indicator.id, label=label, min=_shown(indicator.min), unit=indicator.unit)
    if indicator.max is not None and number > indicator.max:
        raise Invalid("hlcm.too_large", field=indicator.id, label=label, value=_shown(number),
                      max=_shown(indicator.max), unit=indicator.unit)
    return int(number) if indicator.type == "integer" else number


def parse_figures(answers: Mapping[str, Any], q: Questionnaire | None = None,
                  locale: str | None = None) -> tuple[dict[str, Any], list[Invalid]]:
    """Every answer checked: the values that passed and one error per field that did not (modals show them all).
    `locale`: the person who typed them (their language's number format is accepted)."""
    q = q or questionnaire()
    figures: dict[str, Any] = {}
    errors: list[Invalid] = []
    for key, raw in answers.items():
        if key not in q.by_id:
            errors.append(Invalid("hlcm.unknown_indicator", field=key, indicator=str(key)[:40]))
            continue
        try:
            value = parse_value(q.get(key), raw, locale)
        except Invalid as exc:
            errors.append(exc)
            continue
        if value is not None:
            figures[key] = value
    for indicator in q.indicators:
        if indicator.part_of and indicator.id in figures and indicator.part_of in figures \
                and figures[indicator.id] > figures[indicator.part_of]:
            whole = q.get(indicator.part_of)
            errors.append(Invalid("hlcm.part_exceeds", field=indicator.id, label=indicator.label,
                                  value=_shown(figures[indicator.id]), whole_label=whole.label,
                                  whole=_shown(figures[whole.id]), unit=indicator.unit))
    return figures, errors


def missing_required(figures: Mapping[str, Any], q: Questionnaire | None = None) -> list[Invalid]:
    q = q or questionnaire()
    return [Invalid("hlcm.required", field=i.id, label=i.label) for i in q.indicators
            if i.required and figures.get(i.id) is None]


@dataclass(frozen=True)
class Flag:
    """A figure more than 50 % above or below the entity's previous year."""

    indicator: Indicator
    previous_year: int
    previous: float
    value: float

    @property
    def change_pct(self) -> float:
        return (self.value - self.previous) / self.previous * 100


def flagged_changes(figures: Mapping[str, Any], previous: Mapping[str, Any] | None, previous_year: int,
                    q: Questionnaire | None = None) -> list[Flag]:
    q = q or questionnaire()
    if not previous:
        return []
    flags = []
    for indicator in q.indicators:
        if not indicator.compare:
            continue
        new, old = figures.get(indicator.id), previous.get(indicator.id)
        if new is None or old is None or old <= 0:
            continue
        if abs(new - old) / old > CHANGE_LIMIT:
            flags.append(Flag(indicator, previous_year, float(old), float(new)))
    return flags


def reason_errors(flags: list[Flag], reasons: Mapping[str, str]) -> tuple[dict[str, str], list[Invalid]]:
    kept: dict[str, str] = {}
    errors: list[Invalid] = []
    for flag in flags:
        ident = flag.indicator.id
        reason = (reasons.get(ident) or "").strip()
        if not reason:
            errors.append(Invalid("hlcm.reason_needed", field=ident, label=flag.indicator.label,
                                  change=Number(flag.change_pct, signed=True), previous_year=flag.previous_year,
                                  previous=_shown(flag.previous), value=_shown(flag.value), unit=flag.indicator.unit))
        elif len(reason) > REASON_LIMIT:
            errors.append(Invalid("hlcm.reason_too_long", field=ident, label=flag.indicator.label, limit=REASON_LIMIT))
        else:
            kept[ident] = reason
    return kept, errors


# -- the data call ---------------------------------------------------------------------------------------------

def check_year(year: int, now: datetime) -> int:
    if not FIRST_YEAR <= year <= now.year:
        raise Invalid("hlcm.bad_year", field="year", year=year, first=FIRST_YEAR, last=now.year)
    return year


def open_data_call(session: Session, actor: Person, year: int, deadline: datetime, timezone: str,
                   codes: list[str] | None = None, now: datetime | None = None) -> DataCall:
    """The secretariat asks every entity (or those named) for its figures for `year`, by `deadline` (UTC)."""
    now = now or utcnow()
    require_secretariat(session, actor)
    check_year(year, now)
    if deadline <= now:
        raise Invalid("hlcm.deadline_past", field="deadline")
    if session.exec(select(DataCall.id).where(DataCall.year == year)).first() is not None:
        raise Conflict("hlcm.call_exists", year=year)
    entities = ([get_entity(session, c) for c in codes] if codes
                else active_entities(session))
    call = DataCall(year=year, deadline=deadline, timezone=timezone, opened_by=actor.slack_user_id, created_at=now)
    session.add(call)
    session.flush()
    for entity in {e.id: e for e in entities}.values():
        session.add(DataCallEntity(data_call_id=call.id, entity_id=entity.id))
    audit.record(session, actor.slack_user_id, "hlcm.call_opened", call)
    return call


def get_call(session: Session, year: int) -> DataCall:
    call = session.exec(select(DataCall).where(DataCall.year == year)).first()
    if call is None:
        raise NotFound("hlcm.no_call", year=year)
    return call


def close_data_call(session: Session, actor: Person, year: int, now: datetime | None = None) -> DataCall:
    require_secretariat(session, actor)
    call = get_call(session, year)
    if call.status == DataCallStatus.CLOSED:
        raise Conflict("hlcm.call_closed", year=year)
    call.status = DataCallStatus.CLOSED
    call.closed_at = now or utcnow()
    session.add(call)
    audit.record(session, actor.slack_user_id, "hlcm.call_closed", call)
    return call


def asked_entities(session: Session, call: DataCall) -> list[Entity]:
    return list(session.exec(select(Entity).join(DataCallEntity, DataCallEntity.entity_id == Entity.id)
                             .where(DataCallEntity.data_call_id == call.id).order_by(Entity.code)).all())


def _open_call_for(session: Session, actor: Person, year: int, entity: Entity) -> DataCall:
    call = get_call(session, year)
    if call.status == DataCallStatus.CLOSED:
        raise Conflict("hlcm.call_closed", year=year)
    if session.exec(select(DataCallEntity.id).where(DataCallEntity.data_call_id == call.id,
                                                    DataCallEntity.entity_id == entity.id)).first() is None:
        raise Invalid("hlcm.not_asked", field="entity", entity=entity.code, year=year)
    if not may_report_for(session, actor, entity):
        raise NotAllowed("hlcm.not_focal_point", entity=entity.code)
    return call


def may_report_for(session: Session, person: Person | None, entity: Entity) -> bool:
    """The secretariat, or a focal point of the entity (in any process)."""
    if person is None or person.id is None:
        return False
    if is_secretariat(session, person):
        return True
    return session.exec(select(Membership.id).where(
        Membership.person_id == person.id, Membership.entity_id == entity.id,
        Membership.role == Role.FOCAL_POINT)).first() is not None


# -- submissions -------------------------------------------------------------------------------------------------

def revisions(session: Session, entity_id: int, year: int) -> list[Submission]:
    return list(session.exec(select(Submission).where(Submission.entity_id == entity_id, Submission.year == year)
                             .order_by(Submission.revision)).all())


def current(session: Session, entity_id: int, year: int) -> Submission | None:
    """The revision that counts: the latest submitted (or returned) one; drafts and superseded ones do not."""
    return session.exec(select(Submission).where(Submission.entity_id == entity_id, Submission.year == year,
                                                 Submission.status.in_(CURRENT))
                        .order_by(Submission.revision.desc())).first()


def draft(session: Session, entity_id: int, year: int) -> Submission | None:
    return session.exec(select(Submission).where(Submission.entity_id == entity_id, Submission.year == year,
                                                 Submission.status == SubmissionStatus.DRAFT)).first()


def previous_figures(session: Session, entity_id: int, year: int) -> dict[str, Any] | None:
    before = current(session, entity_id, year - 1)
    return dict(before.figures) if before else None


def _next_revision(session: Session, entity_id: int, year: int) -> int:
    rows = revisions(session, entity_id, year)
    return (rows[-1].revision + 1) if rows else 1


def _raise_first(errors: list[Invalid]) -> None:
    if errors:
        raise errors[0]


def save_draft(session: Session, actor: Person, year: int, entity_code: str, answers: Mapping[str, Any],
               now: datetime | None = None) -> Submission:
    """Keep what was typed so far (each figure still checked); nothing is required yet."""
    now = now or utcnow()
    entity = get_entity(session, entity_code)
    call = _open_call_for(session, actor, year, entity)
    figures, errors = parse_figures(answers)
    _raise_first(errors)
    row = draft(session, entity.id, year)
    if row is None:
        row = Submission(entity_id=entity.id, year=year, revision=_next_revision(session, entity.id, year),
                         status=SubmissionStatus.DRAFT, data_call_id=call.id, saved_by=actor.slack_user_id,
                         created_at=now)
    row.figures = figures
    row.saved_by = actor.slack_user_id
    row.updated_at = now
    session.add(row)
    audit.record(session, actor.slack_user_id, "hlcm.draft_saved", row)
    return row


def check_submission(session: Session, entity: Entity, year: int, answers: Mapping[str, Any],
                     reasons: Mapping[str, str] | None = None, q: Questionnaire | None = None,
                     ) -> tuple[dict[str, Any], dict[str, str], list[Invalid]]:
    """Every error of a submission at once (for a modal): figures, required answers, unexplained changes.
    `q`: the questionnaire in the reader's language (its labels name the fields in the errors)."""
    figures, errors = parse_figures(answers, q)
    errors += [e for e in missing_required(figures, q) if e.field not in {x.field for x in errors}]
    flags = flagged_changes(figures, previous_figures(session, entity.id, year), year - 1, q)
    kept, reason_errs = reason_errors(flags, reasons or {})
    return figures, kept, errors + [e for e in reason_errs if e.field not in {x.field for x in errors}]


def submit(session: Session, actor: Person, year: int, entity_code: str, answers: Mapping[str, Any],
           reasons: Mapping[str, str] | None = None, now: datetime | None = None) -> Submission:
    """The entity's figures for the year. A second submission is a new revision; the earlier ones are kept."""
    now = now or utcnow()
    entity = get_entity(session, entity_code)
    call = _open_call_for(session, actor, year, entity)
    figures, kept, errors = check_submission(session, entity, year, answers, reasons)
    _raise_first(errors)
    before = current(session, entity.id, year)
    row = draft(session, entity.id, year)
    if row is None:
        row = Submission(entity_id=entity.id, year=year, revision=_next_revision(session, entity.id, year),
                         status=SubmissionStatus.DRAFT, data_call_id=call.id, saved_by=actor.slack_user_id,
                         created_at=now)
    if before is not None:
        before.status = SubmissionStatus.SUPERSEDED
        before.updated_at = now
        session.add(before)
    row.figures, row.reasons = figures, kept
    row.status = SubmissionStatus.SUBMITTED
    row.saved_by = actor.slack_user_id
    row.submitted_at = row.updated_at = now
    session.add(row)
    audit.record(session, actor.slack_user_id, "hlcm.submitted", row)
    return row


def return_submission(session: Session, actor: Person, year: int, entity_code: str, question: str,
                      now: datetime | None = None) -> Submission:
    """The secretariat sends the entity's figures back with a question; the entity answers by submitting again."""
    now = now or utcnow()
    require_secretariat(session, actor)
    entity = get_entity(session, entity_code)
    call = get_call(session, year)
    if call.status == DataCallStatus.CLOSED:
        raise Conflict("hlcm.call_closed", year=year)
    question = (question or "").strip()
    if not question:
        raise Invalid("hlcm.question_needed", field="question")
    if len(question) > QUESTION_LIMIT:
        raise Invalid("hlcm.question_too_long", field="question", limit=QUESTION_LIMIT)
    row = current(session, entity.id, year)
    if row is None or row.status != SubmissionStatus.SUBMITTED:
        raise Conflict("hlcm.nothing_to_return", entity=entity.code, year=year)
    before = audit.snapshot(row)
    row.status = SubmissionStatus.RETURNED
    row.question, row.returned_by, row.returned_at, row.updated_at = question, actor.slack_user_id, now, now
    session.add(row)
    audit.record(session, actor.slack_user_id, "hlcm.returned", row, before=before)
    return row


# -- who has reported ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EntityState:
    code: str
    name: str
    state: str  # submitted | returned | draft | pending | late
    revision: int | None


def call_status(session: Session, year: int, now: datetime | None = None) -> list[EntityState]:
    """Each entity asked in the year's call and where it stands; `late` once the deadline has passed."""
    now = now or utcnow()
    call = get_call(session, year)
    past = now > call.deadline
    states = []
    for entity in asked_entities(session, call):
        row = current(session, entity.id, year)
        if row is not None:
            states.append(EntityState(entity.code, entity.name, str(row.status), row.revision))
            continue
        saved = draft(session, entity.id, year)
        state = "late" if past else ("draft" if saved else "pending")
        states.append(EntityState(entity.code, entity.name, state, saved.revision if saved else None))
    return states


def not_submitted(session: Session, year: int) -> list[Entity]:
    """The entities asked that have no figures in yet: the ones reminders chase."""
    call = get_call(session, year)
    return [e for e in asked_entities(session, call) if current(session, e.id, year) is None]


def imported(entity: Entity, year: int, figures: dict[str, Any], revision: int, actor: str,
             now: datetime) -> Submission:
    """A past year's figures from a file (bot/hlcm/history.py)."""
    return Submission(entity_id=entity.id, year=year, revision=revision, status=SubmissionStatus.SUBMITTED,
                      source=SubmissionSource.CSV, figures=figures, saved_by=actor, submitted_at=now,
                      created_at=now, updated_at=now)


# -- for the Slack side (bot/slack/datacall.py) and the reminders that chase the call ---------------------------

def prefill(session: Session, entity_id: int, year: int) -> dict[str, Any]:
    """What a questionnaire page starts from: the draft, else the current (submitted or returned) figures."""
    row = draft(session, entity_id, year) or current(session, entity_id, year)
    return dict(row.figures) if row is not None else {}


def focal_points(session: Session, entity_ids: list[int], process_id: int | None = None) -> list[tuple[Entity, Person]]:
    """Who reports for each entity: its focal points in any process (the data call, system-wide), or in
    `process_id` only (a process's own survey), each person once per entity."""
    if not entity_ids:
        return []
    query = select(Membership.entity_id, Membership.person_id).where(
        Membership.entity_id.in_(entity_ids), Membership.role == Role.FOCAL_POINT)
    if process_id is not None:
        query = query.where(Membership.process_id == process_id)
    pairs = session.exec(query.distinct()).all()
    entities = {e.id: e for e in session.exec(select(Entity).where(Entity.id.in_({e for e, _ in pairs}))).all()}
    people = {p.id: p for p in session.exec(select(Person).where(Person.id.in_({p for _, p in pairs}))).all()}
    found = [(entities[e], people[p]) for e, p in pairs]
    return sorted(found, key=lambda pair: (pair[0].code, pair[1].slack_user_id))


def entities_for(session: Session, person: Person, call: DataCall) -> list[Entity]:
    """The entities asked in the call that the person is a focal point of."""
    asked = {e.id: e for e in asked_entities(session, call)}
    if person is None or person.id is None or not asked:
        return []
    mine = set(session.exec(select(Membership.entity_id).where(
        Membership.person_id == person.id, Membership.role == Role.FOCAL_POINT,
        Membership.entity_id.in_(list(asked)))).all())
    return [e for e in asked.values() if e.id in mine]


def owing(session: Session, call: DataCall) -> tuple[list[Entity], list[tuple[Entity, Submission]]]:
    """The entities asked that owe the secretariat an answer: those with no figures in yet, and those whose
    figures were returned with a question (with that revision)."""
    missing, returned = [], []
    for entity in asked_entities(session, call):
        row = current(session, entity.id, call.year)
        if row is None:
            missing.append(entity)
        elif row.status == SubmissionStatus.RETURNED:
            returned.append((entity, row))
    return missing, returned
