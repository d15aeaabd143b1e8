"""Listeners for the HLCM annual data call: `/consult datacall open|fill|status|return|extend|close YEAR`, the
questionnaire modal (one page per group of indicators, each "Save and next" saving the draft), the page asking
reasons for changes of more than 50 %, and the DMs to the entities' focal points.

The domain is bot/hlcm/service.py; the pages come from the questionnaire data (bot/hlcm/pages.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot import idempotency
from bot.entities.service import get_entity
from bot.errors import Conflict, DomainError, Invalid, NotAllowed
from bot.hlcm import render
from bot.hlcm.queries import open_calls, open_form_entities, pending_reminders
from bot.hlcm.pages import Page, page_of, paginate
from bot.hlcm.questionnaire import questionnaire
from bot.hlcm.calls import close_with_reminders, extend_data_call, open_with_reminders
from bot.hlcm.reminder_plan import DEFAULT_OFFSETS
from bot.hlcm.service import (asked_entities, call_status, check_submission, current, entities_for,
                              flagged_changes, focal_points, get_call, may_report_for, owing, parse_figures, prefill,
                              previous_figures, return_submission, save_draft, submit)
from bot.mrkdwn import Raw, mention
from bot.reminders.plan import parse_offsets
from bot.roles.service import is_secretariat, require_secretariat, secretariat_mentions
from bot.rounds.service import OpenRound
from bot.slack import ids
from bot.slack.args import when
from bot.slack.before_ack import Duplicate as _Duplicate, act
from bot.slack.blocks import Block, under_header
from bot.slack.deadline_form import FIELDS as DEADLINE_FIELDS, parse_deadline
from bot.slack.errors import ack_or_raise
from bot.slack.payloads import BlockAction, SlashCommand, ViewSubmission
from bot.slack.reply import Ctx, Reader, reader
from bot.texts import t
from storage.models import DataCall, DataCallStatus, Entity, Person, SubmissionStatus
from storage.types import utcnow

OPEN_FIELDS = {**DEADLINE_FIELDS, "entities": ids.BLOCK_ENTITIES, "reminders": ids.BLOCK_REMINDERS}
RETURN_FIELDS = {"question": ids.BLOCK_DATACALL_QUESTION}
ACTIONS = ("open", "fill", "status", "return", "extend", "close")


def _year(word: str) -> int:
    if not (word.isdigit() and len(word) == 4):
        raise Invalid("datacall.bad_year_word", value=word[:20])
    return int(word)


async def datacall_command(cmd: SlashCommand, ctx: Ctx) -> None:
    """`/consult datacall open YEAR | fill YEAR [ENTITY] | status YEAR | return YEAR ENTITY | close YEAR |
    extend YEAR YYYY-MM-DD [HH:MM] [ZONE]`"""
    words = cmd.args
    action = words[0].lower() if words else ""
    if action not in ACTIONS or len(words) < 2:
        raise Invalid("datacall.usage")
    year = _year(words[1])
    if action == "open" and len(words) == 2:
        await open_modal(ctx, cmd.trigger_id, year)
    elif action == "fill" and len(words) in (2, 3):
        await fill(ctx, cmd.trigger_id, year, words[2] if len(words) == 3 else None)
    elif action == "status" and len(words) == 2:
        await status(ctx, year)
    elif action == "return" and len(words) == 3:
        await open_return(ctx, cmd.trigger_id, year, words[2])
    elif action == "close" and len(words) == 2:
        await close(ctx, year)
    elif action == "extend":
        await extend(ctx, year, when("", words[2:]))
    else:
        raise Invalid("datacall.usage")


# ---- open (secretariat)


async def open_modal(ctx: Ctx, trigger_id: str | None, year: int) -> None:
    entities = await ctx.deps.db(open_form_entities, ctx.who.person, year)
    zone_name = ctx.zone
    view = render.open_modal(year, entities, utcnow().date(), zone_name, questionnaire(ctx.locale), ctx.locale,
                             DEFAULT_OFFSETS)
    await ctx.client.views_open(trigger_id=trigger_id, view=view)


@dataclass(frozen=True)
class OpenRequest:
    year: int
    deadline: datetime
    timezone: str
    codes: list[str]
    offsets: list[str]


def parse_open(submission: ViewSubmission) -> OpenRequest:
    """The modal's values, the deadline as UTC; Invalid names the field at fault."""
    year = submission.meta.year
    if not isinstance(year, int):
        raise Invalid("datacall.usage")
    deadline, zone_name = parse_deadline(submission)
    offsets = submission.value(ids.BLOCK_REMINDERS) if submission.has(ids.BLOCK_REMINDERS) else list(DEFAULT_OFFSETS)
    try:
        offsets = parse_offsets(",".join(offsets or []))
    except ValueError:
        raise Invalid("errors.reminder_offsets", field="reminders") from None
    return OpenRequest(year, deadline, zone_name, [c.upper() for c in submission.value(ids.BLOCK_ENTITIES) or []],
                       offsets)


@dataclass(frozen=True)
class Opened:
    call: DataCall
    asked: list[str]
    people: list[tuple[str, Reader]]  # (entity code, a focal point of it)
    reminders: int


def _open(session: Session, person: Person, request: OpenRequest, key: str) -> Opened:
    if not idempotency.claim(session, key):
        raise _Duplicate()
    call = open_with_reminders(session, person, request.year, request.deadline, request.timezone,
                               request.codes or None, request.offsets)
    asked = asked_entities(session, call)
    people = [(e.code, reader(p)) for e, p in focal_points(session, [e.id for e in asked])]
    return Opened(call, [e.code for e in asked], people, pending_reminders(session, call))


async def submit_open(submission: ViewSubmission, ctx: Ctx, ack) -> None:
    """Opened before the ack (one transaction with its reminder rows), so every refusal keeps the modal."""
    async def work() -> Opened:
        request = parse_open(submission)
        return await ctx.deps.db(_open, ctx.who.person, request, f"view:{submission.view.id}")

    go_on, opened = await act(ack, work(), OPEN_FIELDS, ctx.locale)
    if not go_on:
        return
    await ack()
    call = opened.call
    for code, who in opened.people:
        text, blocks = render.asked(call, code, questionnaire(who.locale), who.locale)
        await ctx.tell(who, text, blocks)
    told = {code for code, _ in opened.people}
    text = t("datacall.opened", ctx.locale, year=call.year, count=len(opened.asked),
             deadline=render.deadline_mrkdwn(call), people=len({who for _, who in opened.people}),
             reminders=opened.reminders)
    missing = [code for code in opened.asked if code not in told]
    if missing:
        text += "\n" + t("datacall.opened_no_focal", ctx.locale, entities=", ".join(missing))
    await ctx.reply(text)


# ---- fill in the questionnaire (focal points)


def _pages(locale: str | None = None) -> list[Page]:
    """The questionnaire's pages, its texts in the reader's language (the same pages in every language)."""
    return paginate(questionnaire(locale))


def _reporters(session: Session, entity: Entity) -> Raw | str:
    people = [p.slack_user_id for e, p in focal_points(session, [entity.id])]
    return Raw(" ".join(mention(u) for u in people)) if people else t("datacall.nobody")


def _call_for(session: Session, person: Person, year: int, code: str) -> tuple[DataCall, Entity]:
    """The open call and the entity, if the person may report for it (else a refusal naming who can)."""
    call = get_call(session, year)
    if call.status == DataCallStatus.CLOSED:
        raise Conflict("hlcm.call_closed", year=year)
    entity = get_entity(session, code)
    if entity.id not in {e.id for e in asked_entities(session, call)}:
        raise Invalid("datacall.entity_not_asked", entity=entity.code, year=year)
    if not may_report_for(session, person, entity):
        raise NotAllowed("datacall.not_focal_point", entity=entity.code, people=_reporters(session, entity))
    return call, entity


def _page_view(session: Session, call: DataCall, entity: Entity, number: int, locale: str | None,
               problems: list[tuple[int, str]] = ()) -> dict:
    pages = _pages(locale)
    latest = current(session, entity.id, call.year)
    question = latest.question if latest is not None and latest.status == SubmissionStatus.RETURNED else None
    revising = latest.revision if latest is not None and question is None else None
    return render.page_view(pages[number - 1], len(pages), call.year, entity.code,
                            prefill(session, entity.id, call.year), locale, question, revising, problems)


def _start(session: Session, person: Person, year: int, code: str | None, locale: str | None) -> dict:
    if code:
        call, entity = _call_for(session, person, year, code)
        return _page_view(session, call, entity, 1, locale)
    call = get_call(session, year)
    if call.status == DataCallStatus.CLOSED:
        raise Conflict("hlcm.call_closed", year=year)
    mine = entities_for(session, person, call)
    if not mine and is_secretariat(session, person):
        mine = asked_entities(session, call)
    if not mine:
        raise NotAllowed("datacall.nothing_to_fill", year=year, secretariat=secretariat_mentions(session))
    if len(mine) == 1:
        return _page_view(session, call, mine[0], 1, locale)
    return render.choose_view(year, [e.code for e in mine], locale)


async def fill(ctx: Ctx, trigger_id: str | None, year: int, code: str | None) -> None:
    view = await ctx.deps.db(_start, ctx.who.person, year, code, ctx.locale)
    await ctx.client.views_open(trigger_id=trigger_id, view=view)


async def fill_button(action: BlockAction, ctx: Ctx) -> None:
    parsed = render.parse_fill_value(action.action.value)
    if parsed is None:
        raise Invalid("datacall.usage")
    await fill(ctx, action.trigger_id, *parsed)


async def submit_choice(submission: ViewSubmission, ctx: Ctx, ack) -> None:
    year = submission.meta.year
    code = submission.value(ids.BLOCK_ENTITY) or ""
    try:
        view = await ctx.deps.db(_start, ctx.who.person, int(year), code, ctx.locale)
    except DomainError as error:
        await ack(response_action="errors", errors={ids.BLOCK_ENTITY: t(error.key, ctx.locale, **error.params)})
        return
    await ack(response_action="update", view=view)


@dataclass(frozen=True)
class Errors:
    by_block: dict[str, str]


@dataclass(frozen=True)
class Update:
    view: dict


@dataclass(frozen=True)
class Submitted:
    entity: str
    year: int
    revision: int


Outcome = Errors | Update | Submitted


def _errors_on_page(errors: list[Invalid], page: Page, locale: str | None) -> dict[str, str]:
    """Field errors for the inputs of this page; an error of another field goes under the page's first input."""
    found: dict[str, str] = {}
    for error in errors:
        field = error.field if error.field in page.ids else page.ids[0]
        found.setdefault(ids.BLOCK_DATACALL_FIGURE + field, t(error.key, locale, **error.params))
    return found


def _submit(session: Session, person: Person, year: int, code: str, figures: dict, reasons: dict,
            key: str) -> Submitted:
    if not idempotency.claim(session, key):
        raise _Duplicate()
    row = submit(session, person, year, code, figures, reasons)
    return Submitted(code, year, row.revision)


def _save_page(session: Session, person: Person, year: int, code: str, number: int, answers: dict[str, Any],
               key: str, locale: str | None) -> Outcome:
    """Save the page into the draft (merged with what is saved); then the next page, or the submission."""
    pages = _pages(locale)
    if not 1 <= number <= len(pages):
        raise Invalid("datacall.usage")
    page = pages[number - 1]
    last = number == len(pages)
    if last and idempotency.seen(session, key):
        raise _Duplicate()
    call, entity = _call_for(session, person, year, code)
    typed, errors = parse_figures(answers, questionnaire(locale), locale)
    if errors:
        return Errors(_errors_on_page(errors, page, locale))
    merged = {k: v for k, v in prefill(session, entity.id, year).items() if k not in page.ids}
    merged.update(typed)
    _, errors = parse_figures(merged, questionnaire(locale))  # a part on this page larger than its whole on another
    if errors:
        return Errors(_errors_on_page(errors, page, locale))
    save_draft(session, person, year, entity.code, merged)
    if not last:
        return Update(_page_view(session, call, entity, number + 1, locale))
    return _submit_or_ask(session, person, call, entity, merged, {}, key, locale, page)


def _submit_or_ask(session: Session, person: Person, call: DataCall, entity: Entity, figures: dict,
                   reasons: dict, key: str, locale: str | None, page: Page | None) -> Outcome:
    """Every problem of the whole questionnaire: those of this page under their fields, those of other pages
    listed on the first page that has one, unexplained changes on the reasons page; else submitted."""
    q = questionnaire(locale)
    _, kept, errors = check_submission(session, entity, call.year, figures, reasons, q)
    reason_fields = {f.indicator.id for f in flagged_changes(figures, previous_figures(session, entity.id, call.year),
                                                             call.year - 1, q)}
    figure_errors = [e for e in errors if not (e.key.startswith("hlcm.reason") and e.field in reason_fields)]
    if figure_errors:
        mine = [e for e in figure_errors if page is not None and e.field in page.ids]
        if mine:
            return Errors(_errors_on_page(mine, page, locale))
        pages = _pages(locale)
        placed = [(page_of(pages, e.field), e) for e in figure_errors]
        problems = [(p.number if p else 1, t(e.key, locale, **e.params)) for p, e in placed]
        first = min(n for n, _ in problems)
        return Update(_page_view(session, call, entity, first, locale, problems))
    if errors:
        if page is None:  # on the reasons page: each missing or too long reason under its own field
            return Errors({ids.BLOCK_DATACALL_REASON + e.field: t(e.key, locale, **e.params) for e in errors})
        flags = flagged_changes(figures, previous_figures(session, entity.id, call.year), call.year - 1, q)
        return Update(render.reasons_view(flags, call.year, entity.code, reasons, locale))
    return _submit(session, person, call.year, entity.code, figures, kept, key)


def _page_answers(submission: ViewSubmission, page: Page) -> dict[str, Any]:
    return {ident: submission.value(ids.BLOCK_DATACALL_FIGURE + ident) for ident in page.ids}


async def _answer(ack, ctx: Ctx, outcome: Outcome | None) -> None:
    if isinstance(outcome, Errors):
        await ack(response_action="errors", errors=outcome.by_block)
    elif isinstance(outcome, Update):
        await ack(response_action="update", view=outcome.view)
    else:
        await ack()
        if isinstance(outcome, Submitted):
            await ctx.reply(t("datacall.submitted", ctx.locale, entity=outcome.entity, year=outcome.year,
                              revision=outcome.revision))


async def save_page(submission: ViewSubmission, ctx: Ctx, ack) -> None:
    """Saved before the ack (one short transaction), so a field error keeps the modal and what was typed."""
    meta = submission.metadata
    number = meta.get("page")
    pages = _pages(ctx.locale)
    if not isinstance(number, int) or not 1 <= number <= len(pages):
        await ack()
        raise Invalid("datacall.usage")
    answers = _page_answers(submission, pages[number - 1])
    key = f"datacall:{submission.view.id}:{submission.view.hash}"
    try:
        outcome = await ctx.deps.db(_save_page, ctx.who.person, int(meta.get("year") or 0), str(meta.get("entity")),
                                    number, answers, key, ctx.locale)
    except _Duplicate:
        outcome = None
    except DomainError as error:
        await ack_or_raise(ack, error, {}, ctx.locale)
        return
    await _answer(ack, ctx, outcome)


def _save_reasons(session: Session, person: Person, year: int, code: str, reasons: dict[str, str], key: str,
                  locale: str | None) -> Outcome:
    if idempotency.seen(session, key):
        raise _Duplicate()
    call, entity = _call_for(session, person, year, code)
    return _submit_or_ask(session, person, call, entity, prefill(session, entity.id, year), reasons, key, locale,
                          None)


async def save_reasons(submission: ViewSubmission, ctx: Ctx, ack) -> None:
    meta = submission.metadata
    prefix = ids.BLOCK_DATACALL_REASON
    reasons = {block[len(prefix):]: submission.value(block) or ""
               for block in submission.blocks if block.startswith(prefix)}
    key = f"datacall-reasons:{submission.view.id}:{submission.view.hash}"
    try:
        outcome = await ctx.deps.db(_save_reasons, ctx.who.person, int(meta.get("year") or 0),
                                    str(meta.get("entity")), reasons, key, ctx.locale)
    except _Duplicate:
        outcome = None
    except DomainError as error:
        await ack_or_raise(ack, error, {}, ctx.locale)
        return
    await _answer(ack, ctx, outcome)


# ---- status, return, close (secretariat)


def _status(session: Session, person: Person, year: int, locale: str | None) -> tuple[str, list[Block]]:
    require_secretariat(session, person)
    call = get_call(session, year)
    return render.status(call, call_status(session, year), locale)


async def status(ctx: Ctx, year: int) -> None:
    await ctx.reply(*await ctx.deps.db(_status, ctx.who.person, year, ctx.locale))


def _return_data(session: Session, person: Person, year: int, code: str, locale: str | None) -> dict:
    require_secretariat(session, person)
    call = get_call(session, year)
    if call.status == DataCallStatus.CLOSED:
        raise Conflict("hlcm.call_closed", year=year)
    entity = get_entity(session, code)
    row = current(session, entity.id, year)
    if row is None or row.status != SubmissionStatus.SUBMITTED:
        raise Conflict("hlcm.nothing_to_return", entity=entity.code, year=year)
    return render.return_modal(entity.code, year, row.revision, row.figures, questionnaire(locale), locale)


async def open_return(ctx: Ctx, trigger_id: str | None, year: int, code: str) -> None:
    view = await ctx.deps.db(_return_data, ctx.who.person, year, code, ctx.locale)
    await ctx.client.views_open(trigger_id=trigger_id, view=view)


@dataclass(frozen=True)
class Returned:
    call: DataCall
    entity: str
    question: str
    people: list[Reader]


def _return(session: Session, person: Person, year: int, code: str, question: str, key: str) -> Returned:
    if not idempotency.claim(session, key):
        raise _Duplicate()
    row = return_submission(session, person, year, code, question)
    entity = get_entity(session, code)
    people = [reader(p) for _, p in focal_points(session, [entity.id])]
    return Returned(get_call(session, year), entity.code, row.question, people)


async def submit_return(submission: ViewSubmission, ctx: Ctx, ack) -> None:
    meta = submission.metadata
    go_on, done = await act(ack, ctx.deps.db(_return, ctx.who.person, int(meta.get("year") or 0),
                                             str(meta.get("entity")), submission.value(ids.BLOCK_DATACALL_QUESTION)
                                             or "", f"view:{submission.view.id}"), RETURN_FIELDS, ctx.locale)
    if not go_on:
        return
    await ack()
    for who in done.people:
        await ctx.tell(who, *render.returned(done.call, done.entity, done.question, who.locale))
    await ctx.reply(t("datacall.returned", ctx.locale, entity=done.entity, year=done.call.year,
                      count=len(done.people)))


def _close(session: Session, person: Person, year: int) -> tuple[DataCall, list]:
    call = close_with_reminders(session, person, year)
    return call, call_status(session, year)


async def close(ctx: Ctx, year: int) -> None:
    call, states = await ctx.deps.db(_close, ctx.who.person, year)
    missing = [s.code for s in states if s.state not in ("submitted", "returned")]
    await ctx.reply(t("datacall.closed", ctx.locale, year=call.year, asked=len(states),
                      submitted=len(states) - len(missing), missing=", ".join(missing) or "—"))


# ---- extend (secretariat)


@dataclass(frozen=True)
class Extended:
    call: DataCall
    owing: int  # entities with no figures in, or figures returned with a question
    people: list[tuple[str, Reader]]  # (entity code, a focal point of it) of those entities
    reminders: int


def _extend(session: Session, person: Person, year: int, request: OpenRound) -> Extended:
    call = extend_data_call(session, person, year, request)
    missing, returned = owing(session, call)
    entities = missing + [e for e, _ in returned]
    people = [(e.code, reader(p)) for e, p in focal_points(session, [e.id for e in entities])]
    return Extended(call, len(entities), people, pending_reminders(session, call))


async def extend(ctx: Ctx, year: int, request: OpenRound) -> None:
    """A second identical command changes nothing and says so (the deadline is already the one asked)."""
    done = await ctx.deps.db(_extend, ctx.who.person, year, request)
    call = done.call
    if not done.owing:
        await ctx.reply(t("datacall.extended_all_in", ctx.locale, year=call.year,
                          deadline=render.deadline_mrkdwn(call)))
        return
    await ctx.reply(t("datacall.extended", ctx.locale, year=call.year, deadline=render.deadline_mrkdwn(call),
                      people=len({who for _, who in done.people}), count=done.owing, reminders=done.reminders))
    for code, who in done.people:
        await ctx.tell(who, *render.extended(call, code, who.locale))


# ---- App Home


HOME_SHOWN = 5


def home_blocks(session: Session, person: Person, locale: str | None) -> list[Block]:
    """The open calls for which an entity the person reports for has not submitted, or had its figures returned
    with a question (a few at most)."""
    blocks: list[Block] = []
    for call in open_calls(session):
        for entity in entities_for(session, person, call):
            if len(blocks) >= 2 * HOME_SHOWN:
                return blocks
            latest = current(session, entity.id, call.year)
            if latest is None:
                saved = prefill(session, entity.id, call.year)
                blocks += render.home_waiting(call, entity.code, bool(saved), locale)
            elif latest.status == SubmissionStatus.RETURNED:  # it owes the secretariat an answer
                blocks += render.home_waiting(call, entity.code, True, locale, returned=True)
    return blocks


def with_home_blocks(session: Session, person: Person, view: dict, locale: str | None) -> dict:
    """The App Home with the data calls waiting for the person's entities, under its header."""
    return under_header(view, home_blocks(session, person, locale), unit=2)
