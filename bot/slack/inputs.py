"""Listeners for inputs: Submit input, No comments, edit, withdraw, list, the secretariat's response."""

from __future__ import annotations

from sqlmodel import Session

from bot import idempotency
from bot.errors import DomainError, Invalid, NotFound
from bot.inputs import render
from bot.inputs.pages import InputFilter, InputPage, input_page, parse_filter
from bot.inputs.queries import answerable, entity_code, response_of, round_by_id, section_numbers
from bot.inputs.service import (InputDraft, Saved, edit_input, history, nil_return, respond, submit_input,
                                withdraw_input)
from bot.roles.service import require_secretariat
from bot.rounds.service import get_round
from bot.slack import ids
from bot.slack.args import round_number
from bot.slack.blocks import actions, button, fit_message, message_text, section
from bot.slack.errors import ack_or_raise
from bot.slack.http_pool import answer
from bot.slack.payloads import BlockAction, SlashCommand, ViewSubmission
from bot.slack.reply import Ctx, can_respond
from bot.texts import t, t_plain
from storage.models import Person

INPUT_FIELDS = {"entity": ids.BLOCK_ENTITY, "section": ids.BLOCK_SECTION, "kind": ids.BLOCK_INPUT_KIND,
                "comment": ids.BLOCK_COMMENT, "proposed_text": ids.BLOCK_PROPOSED_TEXT,
                "rationale": ids.BLOCK_RATIONALE}
RESPONSE_FIELDS = {"disposition": ids.BLOCK_DISPOSITION, "response": ids.BLOCK_RESPONSE}


def _value_id(action: BlockAction) -> int:
    try:
        return int((action.action.value or "").split(":")[0])
    except ValueError:
        raise Invalid("errors.input_unknown") from None


async def open_input(action: BlockAction, ctx: Ctx) -> None:
    round_, entities, sections = await ctx.deps.db(answerable, ctx.who.person, _value_id(action))
    await ctx.client.views_open(trigger_id=action.trigger_id,
                                view=render.input_modal(round_.id, entities, sections, ctx.locale))


def _edit_data(session: Session, person: Person, input_id: int):
    item, _ = history(session, person, input_id)
    round_, entities, sections = answerable(session, person, item.round_id)
    current = next((s.number for s in sections if s.id == item.section_id), "")
    return item, round_, entities, sections, current


async def open_edit(action: BlockAction, ctx: Ctx) -> None:
    item, round_, entities, sections, current = await ctx.deps.db(_edit_data, ctx.who.person, _value_id(action))
    await ctx.client.views_open(trigger_id=action.trigger_id, view=render.input_modal(
        round_.id, entities, sections, ctx.locale, existing=item, existing_section=current))


def parse_draft(submission: ViewSubmission) -> InputDraft:
    section = submission.value(ids.BLOCK_SECTION) or ""
    return InputDraft(entity=submission.value(ids.BLOCK_ENTITY), section="" if section == "general" else section,
                      kind=submission.value(ids.BLOCK_INPUT_KIND) or "general",
                      comment=submission.value(ids.BLOCK_COMMENT), proposed_text=submission.value(ids.BLOCK_PROPOSED_TEXT),
                      rationale=submission.value(ids.BLOCK_RATIONALE))


def _save(session: Session, person: Person, metadata: dict, draft: InputDraft, key: str) -> Saved | None:
    if not idempotency.claim(session, key):
        return None
    if metadata.get("input_id"):
        return edit_input(session, person, int(metadata["input_id"]), draft)
    return submit_input(session, person, round_by_id(session, int(metadata.get("round_id") or 0)), draft)


async def save_input(submission: ViewSubmission, ctx: Ctx, ack) -> None:
    """Saved before the ack (one quick transaction), so a field error keeps the modal and what was typed."""
    draft = parse_draft(submission)
    try:
        result = await ctx.deps.db(_save, ctx.who.person, submission.metadata, draft, f"view:{submission.view.id}")
    except DomainError as error:
        await ack_or_raise(ack, error, INPUT_FIELDS, ctx.locale)
        return
    await ack()
    if result is not None:
        await ctx.reply(render.saved(result, ctx.locale))


def _nil(session: Session, person: Person, value: str) -> tuple[list[str], str | None]:
    """Either the entity answered for, or the choice to make when the person speaks for several."""
    round_id, _, code = value.partition(":")
    round_, entities, _ = answerable(session, person, int(round_id))
    if not code and len(entities) > 1:
        return [e.code for e in entities], None
    nil = nil_return(session, person, round_, code or entities[0].code)
    return [], entity_code(session, nil.entity_id)


async def no_comments(action: BlockAction, ctx: Ctx) -> None:
    value = action.action.value or ""
    choices, answered = await ctx.deps.db(_nil, ctx.who.person, value)
    if answered:
        await ctx.reply(t("inputs.nil_recorded", ctx.locale, entity=answered))
        return
    round_id = value.partition(":")[0]
    buttons = [button(t_plain("inputs.nil_for", ctx.locale, entity=code), ids.ACTION_NIL_RETURN, f"{round_id}:{code}")
               for code in choices]
    await ctx.reply(t("inputs.nil_which", ctx.locale), [section(t("inputs.nil_which", ctx.locale)), actions(*buttons)])


async def withdraw(action: BlockAction, ctx: Ctx) -> None:
    result = await ctx.deps.db(withdraw_input, ctx.who.person, _value_id(action))
    await ctx.reply(render.saved(result, ctx.locale))


def _list(session: Session, person: Person, handle: str, number: int | None, words: list[str]) -> InputPage:
    round_ = get_round(session, handle, number)
    return input_page(session, person, round_, parse_filter(round_.id, words))


async def list_inputs(cmd: SlashCommand, ctx: Ctx) -> None:
    if not cmd.args:
        raise Invalid("errors.inputs_usage")
    number, words = round_number(cmd.args[1:])
    page = await ctx.deps.db(_list, ctx.who.person, cmd.args[0], number, words)
    await ctx.reply(*render.page_blocks(page, ctx.locale))


def _page(session: Session, person: Person, wanted: InputFilter) -> InputPage:
    try:
        round_ = round_by_id(session, wanted.round_id)
    except NotFound:
        raise Invalid("errors.inputs_page_invalid") from None
    return input_page(session, person, round_, wanted)


async def turn_page(action: BlockAction, ctx: Ctx) -> None:
    """Previous / Next: the same message, rewritten with the other page."""
    wanted: InputFilter = action.ref
    text, blocks = render.page_blocks(await ctx.deps.db(_page, ctx.who.person, wanted), ctx.locale)
    if can_respond(ctx.respond):
        await answer(ctx.respond.response_url, ctx.client, {
            "text": message_text(text), "blocks": fit_message(blocks, ctx.locale), "response_type": "ephemeral",
            "replace_original": True})
    else:
        await ctx.reply(text, blocks)


def _respond_data(session: Session, person: Person, input_id: int):
    require_secretariat(session, person)
    item, _ = history(session, person, input_id)
    return item, entity_code(session, item.entity_id), response_of(session, item.id)


async def open_respond(action: BlockAction, ctx: Ctx) -> None:
    item, code, response = await ctx.deps.db(_respond_data, ctx.who.person, _value_id(action))
    await ctx.client.views_open(trigger_id=action.trigger_id,
                                view=render.respond_modal(item, code, response, ctx.locale))


async def save_response(submission: ViewSubmission, ctx: Ctx, ack) -> None:
    input_id = submission.meta.input_id
    try:
        saved = await ctx.deps.db(respond, ctx.who.person, input_id, submission.value(ids.BLOCK_DISPOSITION) or "",
                                  submission.value(ids.BLOCK_RESPONSE) or "")
    except DomainError as error:
        await ack_or_raise(ack, error, RESPONSE_FIELDS, ctx.locale)
        return
    await ack()
    await ctx.reply(t("inputs.response_saved", ctx.locale,
                      disposition=t_plain(f"dispositions.{saved.disposition}", ctx.locale)))



def _history(session: Session, person: Person, input_id: int):
    item, revisions = history(session, person, input_id)
    return item, revisions, section_numbers(session, round_by_id(session, item.round_id))


async def show_history(action: BlockAction, ctx: Ctx) -> None:
    item, revisions, numbers = await ctx.deps.db(_history, ctx.who.person, _value_id(action))
    await ctx.reply(*render.render_history(item, revisions, numbers, ctx.locale))
