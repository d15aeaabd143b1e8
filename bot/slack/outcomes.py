"""Listeners for meeting outcomes: the outcomes modal (`/consult meeting outcomes ID`, "Record
outcomes", "Add another decision"), `/consult meetings [PROCESS]`, `/consult action done ID`,
"Mark done", and the App Home's next meetings."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import date

from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot import idempotency
from bot.errors import DomainError, Invalid
from bot.outcomes import render
from bot.outcomes.service import (OutcomeRequest, get_meeting, list_meetings, mark_done, next_meetings,
                                  outcomes_form, record_outcome, validate)
from bot.slack import ids
from bot.slack.blocks import Block
from bot.slack.errors import ack_or_raise
from bot.slack.payloads import BlockAction, SlashCommand, ViewSubmission
from bot.slack.reply import Ctx, Reader, dm
from storage.models import Person
from storage.types import utcnow

log = logging.getLogger(__name__)

FIELD_BLOCKS = {"minutes": ids.BLOCK_OUTCOME_MINUTES, "kind": ids.BLOCK_OUTCOME_KIND,
                "mandate_end": ids.BLOCK_MANDATE_END, "version": ids.BLOCK_VERSION, "owner": ids.BLOCK_OUTCOME_OWNER,
                "due": ids.BLOCK_OUTCOME_DUE, "text": ids.BLOCK_OUTCOME_TEXT}
NUMBER = re.compile(r"^#?(\d{1,9})$")


def _number(word: str, usage: str) -> int:
    match = NUMBER.match(word.strip())
    if not match:
        raise Invalid(usage)
    return int(match.group(1))


# ---- the outcomes modal


async def outcomes_command(cmd: SlashCommand, ctx: Ctx, words: Sequence[str]) -> None:
    """`/consult meeting outcomes ID`: the meetings listener routes here with the words after
    `meeting outcomes` (a leading `outcomes` is accepted too)."""
    words = list(words)
    if words and words[0].lower() == "outcomes":
        words = words[1:]
    if len(words) != 1:
        raise Invalid("outcomes.errors.outcomes_usage")
    await open_outcomes(ctx, cmd.trigger_id, _number(words[0], "outcomes.errors.outcomes_usage"))


async def open_from_button(action: BlockAction, ctx: Ctx) -> None:
    """"Record outcomes" in `/consult meetings`, "Add another decision" after a submission."""
    await open_outcomes(ctx, action.trigger_id, action.ref.id)


async def open_outcomes(ctx: Ctx, trigger_id: str | None, meeting_id: int) -> None:
    meeting, process, decisions, versions, members = await ctx.deps.db(outcomes_form, ctx.who.person, meeting_id)
    view = render.outcomes_modal(meeting, process, decisions, versions, members, ctx.locale)
    await ctx.client.views_open(trigger_id=trigger_id, view=view)


def _date(submission: ViewSubmission, block: str, field: str) -> date | None:
    raw = submission.value(block)
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise Invalid("errors.date_format", field=field) from None


def parse_outcome(submission: ViewSubmission) -> OutcomeRequest:
    version = str(submission.value(ids.BLOCK_VERSION) or "") if submission.has(ids.BLOCK_VERSION) else ""
    return OutcomeRequest(
        minutes=(submission.value(ids.BLOCK_OUTCOME_MINUTES) or "") if submission.has(ids.BLOCK_OUTCOME_MINUTES)
        else None,
        kind=submission.value(ids.BLOCK_OUTCOME_KIND) or "",
        text=submission.value(ids.BLOCK_OUTCOME_TEXT) or "",
        mandate_end=_date(submission, ids.BLOCK_MANDATE_END, "mandate_end"),
        version_id=int(version) if version.isdigit() else None,
        owner=(submission.value(ids.BLOCK_OUTCOME_OWNER) or "") if submission.has(ids.BLOCK_OUTCOME_OWNER) else "",
        due=_date(submission, ids.BLOCK_OUTCOME_DUE, "due"))


def _check(session: Session, person: Person, meeting_id: int, request: OutcomeRequest) -> None:
    validate(session, person, get_meeting(session, meeting_id), request, utcnow())


def _record(session: Session, person: Person, meeting_id: int, request: OutcomeRequest, key: str):
    if not idempotency.claim(session, key):
        return None
    return record_outcome(session, person, meeting_id, request)


async def submit_outcomes(submission: ViewSubmission, ctx: Ctx, ack) -> None:
    meeting_id = submission.meta.meeting
    try:
        request = parse_outcome(submission)
        await ctx.deps.db(_check, ctx.who.person, meeting_id, request)
    except DomainError as error:
        await ack_or_raise(ack, error, FIELD_BLOCKS, ctx.locale)
        return
    await ack()
    done = await ctx.deps.db(_record, ctx.who.person, meeting_id, request, f"view:{submission.view.id}")
    if done is None:  # the same submission again (a retry, a double click): already recorded
        return
    await dm(ctx.client, ctx.who.user_id, *render.recorded_reply(done, ctx.locale))
    if done.decision is None:
        return
    if done.process.channel_id:
        text, blocks = render.announcement(done, done.process.language)
        try:
            await ctx.client.chat_postMessage(channel=done.process.channel_id, text=text, blocks=blocks)
        except SlackApiError as exc:
            log.warning("announcing decision %s failed: %s", done.decision.decision.id, exc.response.get("error"))
    if done.decision.action is not None:
        for user_id, team_id, locale in done.owners:
            await ctx.tell(Reader(user_id, team_id, locale), *render.action_assigned(done, locale))


# ---- `/consult meetings`


async def meetings_command(cmd: SlashCommand, ctx: Ctx) -> None:
    """`/consult meetings [PROCESS]`"""
    if len(cmd.args) > 1:
        raise Invalid("outcomes.errors.meetings_usage")
    listing = await ctx.deps.db(list_meetings, ctx.who.person, cmd.args[0] if cmd.args else None)
    await ctx.reply(*render.meetings_list(listing, ctx.locale))


# ---- action items


async def action_command(cmd: SlashCommand, ctx: Ctx) -> None:
    """`/consult action done ID`"""
    words = cmd.args
    if len(words) != 2 or words[0].lower() != "done":
        raise Invalid("outcomes.errors.action_usage")
    await _mark_done(ctx, _number(words[1], "outcomes.errors.action_usage"))


async def done_button(action: BlockAction, ctx: Ctx) -> None:
    await _mark_done(ctx, action.ref.id)


async def _mark_done(ctx: Ctx, item_id: int) -> None:
    done = await ctx.deps.db(mark_done, ctx.who.person, item_id)
    await ctx.reply(render.marked_done(done.item, done.entity_code, ctx.locale))


# ---- the App Home


def home_blocks(session: Session, person: Person, locale: str | None) -> list[Block]:
    """"Your next meetings", for bot/slack/home.py."""
    return render.home_meetings(next_meetings(session, person, utcnow()), locale)
