"""Listeners for the mapping surveys: `/consult mapping open|fill|status|return|close|show|export PROCESS SURVEY
...`, the form (grid pages, then products pages; each "Save and next" saves the draft), the DMs to the
entities' focal points, and the exports posted as files.

The domain is bot/mapping/service.py; the pages come from the survey data (bot/mapping/pages.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from bot import idempotency
from bot.entities.service import get_entity
from bot.errors import Conflict, Invalid, NotAllowed
from bot.hlcm.service import focal_points
from bot.mapping import FORMATS, WHAT, render
from bot.mapping.answers import parse_answers
from bot.mapping.exports import export as export_file, file_name
from bot.mapping.matrix import load as load_matrix
from bot.mapping.pages import Page, paginate
from bot.mapping.reminders import close_with_reminders, open_with_reminders
from bot.mapping.service import (answerable, get_mapping, get_survey, not_answered, prefill, process_of,
                                 response_for, responses, return_response, save_draft, status, submit, survey_of)
from bot.mrkdwn import mention
from bot.processes.service import get_process, member_codes
from bot.roles.service import is_secretariat, require_manager, require_secretariat
from bot.slack import ids
from bot.slack.before_ack import Duplicate as _Duplicate, act
from bot.slack.deadline_form import FIELDS as DEADLINE_FIELDS, parse_deadline
from bot.slack.mapping_extend import open_extend
from bot.slack.payloads import BlockAction, SlashCommand, ViewSubmission
from bot.slack.reply import Ctx, Reader, reader
from bot.texts import t
from storage.models import Mapping, MappingStatus, Person, ResponseStatus
from storage.types import utcnow

ACTIONS = ("open", "fill", "status", "return", "extend", "close", "show", "export")
OPEN_FIELDS = {**DEADLINE_FIELDS, "entities": ids.BLOCK_ENTITIES}
RETURN_FIELDS = {"question": ids.BLOCK_MAPPING_QUESTION}


async def mapping_command(cmd: SlashCommand, ctx: Ctx) -> None:
    """`/consult mapping ACTION PROCESS SURVEY [ENTITY | TARGET | export options]`"""
    words = cmd.args
    action = words[0].lower() if words else ""
    if action not in ACTIONS or len(words) < 3:
        raise Invalid("mapping.usage")
    handle, survey, rest = words[1].lower(), words[2].lower(), words[3:]
    if action == "open" and not rest:
        await open_form(ctx, cmd.trigger_id, handle, survey)
    elif action == "fill" and len(rest) <= 1:
        await fill(ctx, cmd.trigger_id, handle, survey, rest[0].upper() if rest else None)
    elif action == "status" and not rest:
        await ctx.reply(*await ctx.deps.db(_status, ctx.who.person, handle, survey, ctx.locale))
    elif action == "return" and len(rest) == 1:
        await open_return(ctx, cmd.trigger_id, handle, survey, rest[0].upper())
    elif action == "extend" and len(rest) <= 1:
        await open_extend(ctx, cmd.trigger_id, handle, survey, rest[0].upper() if rest else None)
    elif action == "close" and not rest:
        await close(ctx, handle, survey)
    elif action == "show" and len(rest) <= 1:
        await ctx.reply(*await ctx.deps.db(_show, handle, survey, rest[0] if rest else None, ctx.locale))
    elif action == "export":
        await export(ctx, handle, survey, rest)
    else:
        raise Invalid("mapping.usage")


# ---- open (secretariat)


def _open_form(session: Session, person: Person, handle: str, survey_key: str, zone: str, locale: str | None) -> dict:
    require_secretariat(session, person)
    process, survey = get_process(session, handle), get_survey(survey_key)
    return render.open_modal(process.handle, survey, member_codes(session, process), utcnow().date(), zone, locale)


async def open_form(ctx: Ctx, trigger_id: str | None, handle: str, survey: str) -> None:
    zone = ctx.zone
    view = await ctx.deps.db(_open_form, ctx.who.person, handle, survey, zone, ctx.locale)
    await ctx.client.views_open(trigger_id=trigger_id, view=view)


@dataclass(frozen=True)
class Opened:
    mapping: Mapping
    process: str
    asked: list[str]
    people: list[tuple[str, Reader]]  # (entity code, a focal point of it)


def _open(session: Session, person: Person, handle: str, survey: str, submission: ViewSubmission) -> Opened:
    deadline, zone = parse_deadline(submission)
    codes = [c.upper() for c in submission.value(ids.BLOCK_ENTITIES) or []] if submission.has(ids.BLOCK_ENTITIES) \
        else []
    if not idempotency.claim(session, f"view:{submission.view.id}"):
        raise _Duplicate()
    mapping = open_with_reminders(session, person, handle, survey, deadline, zone, codes or None)
    asked = [e for e, _ in responses(session, mapping)]
    people = [(e.code, reader(p))
              for e, p in focal_points(session, [e.id for e in asked], mapping.process_id)]
    return Opened(mapping, process_of(session, mapping).handle, [e.code for e in asked], people)


async def submit_open(submission: ViewSubmission, ctx: Ctx, ack) -> None:
    """Opened before the ack, so every refusal keeps the modal and what was typed."""
    meta = submission.meta
    go_on, opened = await act(ack, ctx.deps.db(_open, ctx.who.person, meta.process, meta.survey, submission),
                              OPEN_FIELDS, ctx.locale)
    if not go_on:
        return
    await ack()
    survey = get_survey(opened.mapping.survey)
    for code, who in opened.people:
        await ctx.tell(who, *render.asked(opened.mapping, opened.process, survey, code, who.locale))
    text = t("mapping.opened", ctx.locale, title=survey.title, process=opened.process, count=len(opened.asked),
             deadline=render.deadline_mrkdwn(opened.mapping), people=len({who for _, who in opened.people}))
    missing = sorted(set(opened.asked) - {code for code, _ in opened.people})
    if missing:
        text += "\n" + t("mapping.opened_no_focal", ctx.locale, entities=", ".join(missing))
    await ctx.reply(text)


# ---- the form (focal points)


def _view(session: Session, mapping: Mapping, code: str, number: int, locale: str | None) -> dict:
    entity = get_entity(session, code)
    row = next(r for e, r in responses(session, mapping) if e.id == entity.id)
    answers, survey = prefill(row), survey_of(mapping)
    pages = paginate(survey, answers)
    question = row.question if row.status == ResponseStatus.RETURNED else None
    page = pages[min(number, len(pages)) - 1]
    return render.page_view(process_of(session, mapping).handle, survey, entity.code, page, len(pages), answers,
                            locale, question)


def _start(session: Session, person: Person, handle: str, survey: str, code: str | None, locale: str | None) -> dict:
    mapping = get_mapping(session, handle, survey)
    if code is None:
        mine = answerable(session, person, mapping)
        if len(mine) != 1:
            if not mine and not is_secretariat(session, person):
                raise NotAllowed("mapping.nothing_to_fill", process=handle, survey=survey)
            asked = mine or [e for e, _ in responses(session, mapping)]
            raise Invalid("mapping.which_entity", process=handle, survey=survey, first=asked[0].code,
                          entities=", ".join(e.code for e in asked))
        code = mine[0].code
    entity, _ = response_for(session, person, mapping, code)
    return _view(session, mapping, entity.code, 1, locale)


async def fill(ctx: Ctx, trigger_id: str | None, handle: str, survey: str, code: str | None) -> None:
    view = await ctx.deps.db(_start, ctx.who.person, handle, survey, code, ctx.locale)
    await ctx.client.views_open(trigger_id=trigger_id, view=view)


async def fill_button(action: BlockAction, ctx: Ctx) -> None:
    ref = action.ref
    await fill(ctx, action.trigger_id, ref.process, ref.survey, ref.code)


def typed_answers(submission: ViewSubmission) -> tuple[dict[str, dict[str, Any]], dict[int, dict[str, Any]]]:
    """What the page's inputs hold: the grid by target and question, the products by row number."""
    grid: dict[str, dict[str, Any]] = {}
    products: dict[int, dict[str, Any]] = {}
    for block in submission.blocks:
        if block.startswith(ids.BLOCK_MAPPING_GRID):
            target, _, field = block[len(ids.BLOCK_MAPPING_GRID):].partition(":")
            grid.setdefault(target, {})[field] = submission.value(block)
        elif block.startswith(ids.BLOCK_MAPPING_PRODUCT):
            number, _, part = block[len(ids.BLOCK_MAPPING_PRODUCT):].partition(":")
            if number.isdigit():
                products.setdefault(int(number), {})[part] = submission.value(block)
    return grid, products


def _block_of(field: str | None, page: Page) -> str:
    """The input an answer's problem belongs under ("t05.tools" -> mapgrid:t05:tools)."""
    parts = (field or "").split(".")
    if parts[0] == "products" and len(parts) >= 2:
        return f"{ids.BLOCK_MAPPING_PRODUCT}{parts[1]}:{parts[2] if len(parts) > 2 else 'title'}"
    if len(parts) == 2:
        return f"{ids.BLOCK_MAPPING_GRID}{parts[0]}:{parts[1]}"
    first = page.targets[0].id if page.targets else None
    return f"{ids.BLOCK_MAPPING_GRID}{first}:functions" if first else f"{ids.BLOCK_MAPPING_PRODUCT}{page.first}:title"


@dataclass(frozen=True)
class Outcome:
    errors: dict[str, str] | None = None
    view: dict | None = None
    submitted: tuple[str, str, str] | None = None  # (entity, survey title, process)


def _merged(page: Page, current: dict[str, Any], clean: dict[str, Any]) -> dict[str, Any]:
    if page.products:
        listed = list(current.get("products") or [])
        start = page.first - 1
        return {**current, "products": listed[:start] + clean["products"] + listed[start + page.rows:]}
    grid = {k: v for k, v in (current.get("grid") or {}).items() if k not in {t.id for t in page.targets}}
    return {**current, "grid": {**grid, **clean["grid"]}}


def _save_page(session: Session, person: Person, meta: Any, typed: tuple, key: str, locale: str | None) -> Outcome:
    mapping = get_mapping(session, meta.process, meta.survey)
    entity, row = response_for(session, person, mapping, meta.entity)
    survey, current = survey_of(mapping), prefill(row)
    pages = paginate(survey, current)
    if meta.page > len(pages):
        raise Invalid("mapping.usage")
    page, last = pages[meta.page - 1], meta.page == len(pages)
    if last and idempotency.seen(session, key):
        raise _Duplicate()
    grid, products = typed
    if page.products:
        raw = {"products": [products.get(n, {}) for n in page.slots]}
    else:
        raw = {"grid": {t.id: grid.get(t.id, {}) for t in page.targets}}
    clean, errors = parse_answers(survey, raw, first=page.first or 1)
    if errors:
        found: dict[str, str] = {}
        for error in errors:
            found.setdefault(_block_of(error.field, page), t(error.key, locale, **error.params))
        return Outcome(errors=found)
    merged = _merged(page, current, clean)
    save_draft(session, person, mapping, entity.code, merged)
    more = paginate(survey, merged)
    if page.products and last and len(clean["products"]) == page.rows:  # every row filled: more rows
        return Outcome(view=_view(session, mapping, entity.code, min(meta.page + 1, len(more)), locale))
    if meta.page < len(more):
        return Outcome(view=_view(session, mapping, entity.code, meta.page + 1, locale))
    if not idempotency.claim(session, key):
        raise _Duplicate()
    submit(session, person, mapping, entity.code)
    return Outcome(submitted=(entity.code, survey.title, meta.process))


async def save_page(submission: ViewSubmission, ctx: Ctx, ack) -> None:
    """Saved before the ack, so a field error keeps the modal and what was typed."""
    key = f"mapping:{submission.view.id}:{submission.view.hash}"
    go_on, outcome = await act(ack, ctx.deps.db(_save_page, ctx.who.person, submission.meta,
                                                typed_answers(submission), key, ctx.locale), {}, ctx.locale)
    if not go_on:
        return
    if outcome.errors:
        await ack(response_action="errors", errors=outcome.errors)
    elif outcome.view:
        await ack(response_action="update", view=outcome.view)
    else:
        await ack()
        entity, title, process = outcome.submitted
        await ctx.reply(t("mapping.submitted", ctx.locale, entity=entity, title=title, process=process))


# ---- status, show, return, close, export


def _status(session: Session, person: Person, handle: str, survey: str, locale: str | None):
    mapping = get_mapping(session, handle, survey)
    require_manager(session, person, process_of(session, mapping))
    return render.status(mapping, handle, survey_of(mapping), status(session, mapping), locale)


def _show(session: Session, handle: str, survey: str, target: str | None, locale: str | None):
    """Who covers each target and the gaps; or, for one target, who does what there."""
    mapping = get_mapping(session, handle, survey)
    if target is None:
        return render.coverage(load_matrix(session, mapping), handle, locale)
    chosen = render.find_target(survey_of(mapping), target)
    return render.target_view(load_matrix(session, mapping), chosen, handle, locale)


def _return_form(session: Session, person: Person, handle: str, survey: str, code: str, locale: str | None) -> dict:
    require_secretariat(session, person)
    mapping = get_mapping(session, handle, survey)
    if mapping.status == MappingStatus.CLOSED:
        raise Conflict("mapping.closed", process=handle, survey=survey)
    entity = get_entity(session, code)
    if not any(e.id == entity.id and r.status == ResponseStatus.SUBMITTED for e, r in responses(session, mapping)):
        raise Conflict("mapping.nothing_to_return", entity=entity.code)
    return render.return_modal(handle, survey_of(mapping), entity.code, locale)


async def open_return(ctx: Ctx, trigger_id: str | None, handle: str, survey: str, code: str) -> None:
    view = await ctx.deps.db(_return_form, ctx.who.person, handle, survey, code, ctx.locale)
    await ctx.client.views_open(trigger_id=trigger_id, view=view)


def _return(session: Session, person: Person, meta: Any, question: str, key: str):
    if not idempotency.claim(session, key):
        raise _Duplicate()
    mapping = get_mapping(session, meta.process, meta.survey)
    row = return_response(session, person, mapping, meta.entity or "", question)
    entity = get_entity(session, meta.entity or "")
    people = [reader(p) for _, p in focal_points(session, [entity.id], mapping.process_id)]
    return mapping, entity.code, row.question, people


async def submit_return(submission: ViewSubmission, ctx: Ctx, ack) -> None:
    meta = submission.meta
    go_on, done = await act(ack, ctx.deps.db(_return, ctx.who.person, meta,
                                             submission.value(ids.BLOCK_MAPPING_QUESTION) or "",
                                             f"view:{submission.view.id}"), RETURN_FIELDS, ctx.locale)
    if not go_on:
        return
    mapping, code, question, people = done
    await ack()
    survey = survey_of(mapping)
    for who in people:
        await ctx.tell(who, *render.returned(mapping, meta.process, survey, code, question, who.locale))
    await ctx.reply(t("mapping.returned", ctx.locale, entity=code, title=survey.title, count=len(people)))


def _close(session: Session, person: Person, handle: str, survey: str):
    mapping = close_with_reminders(session, person, get_mapping(session, handle, survey))
    return survey_of(mapping).title, len(responses(session, mapping)), [e.code for e in not_answered(session, mapping)]


async def close(ctx: Ctx, handle: str, survey: str) -> None:
    title, asked, missing = await ctx.deps.db(_close, ctx.who.person, handle, survey)
    await ctx.reply(t("mapping.closed_done", ctx.locale, title=title, process=handle, asked=asked,
                      answered=asked - len(missing), missing=", ".join(missing) or "—"))


def parse_export(words: list[str]) -> tuple[str, str, str | None, str | None]:
    """[matrix|catalogue] [xlsx|docx|csv] [type=TYPE] [topic=TOPIC], in any order."""
    what, fmt, kind, topic = "matrix", "xlsx", None, None
    for word in words:
        low = word.lower().lstrip(".")
        if low in WHAT:
            what = low
        elif low in FORMATS:
            fmt = low
        elif low.startswith("type="):
            kind = low[5:]
        elif low.startswith("topic="):
            topic = low[6:]
        else:
            raise Invalid("mapping.export_usage")
    return what, fmt, kind, topic


def _export(session: Session, person: Person, handle: str, survey: str, options: tuple, locale: str | None):
    mapping = get_mapping(session, handle, survey)
    process = process_of(session, mapping)
    require_manager(session, person, process)
    what, fmt, kind, topic = options
    data = export_file(load_matrix(session, mapping), what, fmt, locale, kind, topic)
    return process.channel_id, data, file_name(handle, survey, what, fmt)


async def export(ctx: Ctx, handle: str, survey: str, words: list[str]) -> None:
    options = parse_export(words)
    channel, data, name = await ctx.deps.db(_export, ctx.who.person, handle, survey, options, ctx.locale)
    if not channel:
        opened = await ctx.client.conversations_open(users=ctx.who.user_id)
        channel = opened["channel"]["id"]
    comment = t(f"mapping.export_comment_{options[0]}", ctx.locale, survey=survey, process=handle,
                user=mention(ctx.who.user_id))
    await ctx.client.files_upload_v2(channel=channel, content=data, filename=name, title=name,
                                     initial_comment=comment)
