"""Listeners for availability polls: `/consult poll PROCESS | show ID | close ID`, the poll modal,
the focal points' ballots (DM, Answer modal), the live board, "Schedule this slot"."""

from __future__ import annotations

import asyncio
import logging
import re
from collections import defaultdict

from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot import idempotency
from bot.errors import DomainError, Invalid
from bot.meetings.render import meeting_modal
from bot.people.service import find_person
from bot.polls import render
from bot.polls.service import (NewPoll, answer_poll, ballot, ballots_for, board, board_location, check_poll,
                               close_poll, create_poll, get_poll, may_manage, record_board, recipients,
                               schedule_prefill, without_focal_point)
from bot.processes.service import get_process, member_codes, require_active
from bot.roles.service import require_manager
from bot.slack import ids
from bot.slack.blocks import section
from bot.slack.errors import ack_or_raise
from bot.slack.forms import StaleForm
from bot.slack.payloads import BlockAction, SlashCommand, ViewSubmission
from bot.slack.reply import Ctx, dm, dm_quietly
from bot.texts import t
from storage.models import Person, Process
from storage.types import utcnow

log = logging.getLogger(__name__)

FIELD_BLOCKS = {"title": ids.BLOCK_TITLE, "duration": ids.BLOCK_POLL_DURATION, "timezone": ids.BLOCK_TIMEZONE,
                "slots": ids.BLOCK_POLL_SLOTS, "entities": ids.BLOCK_ENTITIES}
ERRORS_PER_FIELD = 3  # a field names at most this many of its problems (e.g. three bad lines)
POLL_ID = re.compile(r"^[#Pp]?(\d{1,9})$")
_board_locks: dict[int, asyncio.Lock] = defaultdict(asyncio.Lock)


def _poll_id(word: str) -> int:
    match = POLL_ID.match(word)
    if not match:
        raise Invalid("polls.usage")
    return int(match.group(1))


async def poll_command(cmd: SlashCommand, ctx: Ctx) -> None:
    """`/consult poll PROCESS` (a modal), `/consult poll show ID`, `/consult poll close ID`."""
    words = cmd.args
    action = words[0].lower() if words else ""
    if action in ("show", "close"):
        if len(words) != 2:
            raise Invalid("polls.usage")
        poll_id = _poll_id(words[1])
        await (show(ctx, poll_id) if action == "show" else close(ctx, poll_id))
    elif len(words) == 1:
        await open_modal(ctx, cmd.trigger_id, words[0])
    else:
        raise Invalid("polls.usage")


# ---- the poll modal


def _modal_data(session: Session, person: Person, handle: str) -> tuple[Process, list[str]]:
    process = get_process(session, handle)
    require_active(process)
    require_manager(session, person, process)
    return process, member_codes(session, process)


async def open_modal(ctx: Ctx, trigger_id: str | None, handle: str) -> None:
    process, members = await ctx.deps.db(_modal_data, ctx.who.person, handle)
    await ctx.client.views_open(trigger_id=trigger_id, view=render.new_poll_modal(process, members, ctx.locale))


def parse_new_poll(submission: ViewSubmission) -> NewPoll:
    duration = str(submission.value(ids.BLOCK_POLL_DURATION) or "").strip()
    return NewPoll(process=submission.meta.process, title=submission.value(ids.BLOCK_TITLE) or "",
                   duration_minutes=int(duration) if duration.isdigit() else None,
                   timezone=submission.value(ids.BLOCK_TIMEZONE) or "",
                   slots=submission.value(ids.BLOCK_POLL_SLOTS) or "",
                   entities=submission.value(ids.BLOCK_ENTITIES) or [])


def field_errors(session: Session, person: Person, request: NewPoll, locale: str | None) -> dict[str, str]:
    """Every problem, under its field (a few per field: each bad slot line is named)."""
    require_manager(session, person, get_process(session, request.process))
    _, problems = check_poll(session, request, utcnow())
    texts: dict[str, list[str]] = defaultdict(list)
    for problem in problems:
        texts[FIELD_BLOCKS.get(problem.field or "", ids.BLOCK_POLL_SLOTS)].append(t(problem.key, locale,
                                                                                   **problem.params))
    errors = {}
    for block, found in texts.items():
        shown = found[:ERRORS_PER_FIELD]
        more = len(found) - len(shown)
        errors[block] = " ".join(shown) + (" " + t("polls.more_problems", locale, count=more) if more else "")
    return errors


def _create(session: Session, person: Person, request: NewPoll, key: str):
    if not idempotency.claim(session, key):
        return None
    poll = create_poll(session, person, request)
    ballots = [(r, ballot(session, find_person(session, r.slack_user_id, r.team_id), poll.id, r.entity_code))
               for r in recipients(session, poll)]
    return board(session, poll.id), ballots, without_focal_point(session, poll)


async def submit_new(submission: ViewSubmission, ctx: Ctx, ack) -> None:
    """Checked before the ack (field errors keep the modal and what was typed), created after it."""
    request = parse_new_poll(submission)
    try:
        errors = await ctx.deps.db(field_errors, ctx.who.person, request, ctx.locale)
    except DomainError as error:
        await ack_or_raise(ack, error, FIELD_BLOCKS, ctx.locale)
        return
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    created = await ctx.deps.db(_create, ctx.who.person, request, f"view:{submission.view.id}")
    if created is None:  # the same submission again: already done
        return
    poll_board, ballots, unreached = created
    await dm(ctx.client, ctx.who.user_id, render.created(poll_board, len(ballots), unreached, ctx.locale))
    text, blocks = render.render_board(poll_board, ctx.locale)
    posted = await dm(ctx.client, ctx.who.user_id, text, blocks)  # before the ballots: answers refresh it
    if posted.get("ts"):
        await ctx.deps.db(record_board, poll_board.poll.id, ctx.who.user_id, posted["channel"], posted["ts"])
    for recipient, entity_ballot in ballots:
        text, blocks = render.ballot_message(entity_ballot, recipient.locale)
        await dm_quietly(await ctx.client_for(recipient.team_id), recipient.slack_user_id, text, blocks)


# ---- the board


async def show(ctx: Ctx, poll_id: int) -> None:
    """The board for the secretariat or a chair; a focal point of an invited entity gets their ballot."""
    shown = await ctx.deps.db(_show, ctx.who.person, poll_id)
    if isinstance(shown, list):
        for entity_ballot in shown:
            await ctx.reply(*render.ballot_message(entity_ballot, ctx.locale))
        return
    await ctx.reply(*render.render_board(shown, ctx.locale))


def _show(session: Session, person: Person, poll_id: int):
    poll = get_poll(session, poll_id)
    process = session.get(Process, poll.process_id)
    if may_manage(session, person, process):
        return board(session, poll_id)
    ballots = ballots_for(session, person, poll_id)
    if not ballots:
        require_manager(session, person, process)  # raises: neither manager nor an invited focal point
    return ballots


def _live_board(session: Session, poll_id: int):
    location = board_location(session, poll_id)
    if location is None:
        return None
    owner = find_person(session, location.get("recipient", ""))
    return location, board(session, poll_id), owner.reads_in if owner else None


async def refresh_board(ctx: Ctx, poll_id: int) -> None:
    """Rewrite the board posted when the poll opened. One refresh at a time per poll, each reading
    the answers afresh, so the last one written shows every answer."""
    async with _board_locks[poll_id]:
        live = await ctx.deps.db(_live_board, poll_id)
        if live is None:
            return
        location, current, locale = live
        text, blocks = render.render_board(current, locale)
        try:
            await ctx.client.chat_update(channel=location["channel"], ts=location["ts"], text=text, blocks=blocks)
        except SlackApiError as exc:
            log.warning("updating the board of poll %s failed: %s", poll_id, exc.response.get("error"))


async def close(ctx: Ctx, poll_id: int) -> None:
    def _close(session: Session, person: Person):
        close_poll(session, person, poll_id)
        return board(session, poll_id)

    closed = await ctx.deps.db(_close, ctx.who.person)
    said = t("polls.closed", ctx.locale, id=poll_id, title=closed.poll.title)
    _, blocks = render.render_board(closed, ctx.locale)
    await ctx.reply(said, [section(said), *blocks])
    await refresh_board(ctx, poll_id)


# ---- answering


def _ballot_value(action: BlockAction) -> tuple[int, str]:
    if not action.ref.code:
        raise StaleForm(what=action.action.action_id)
    return action.ref.id, action.ref.code


async def open_answer(action: BlockAction, ctx: Ctx) -> None:
    poll_id, code = _ballot_value(action)
    entity_ballot = await ctx.deps.db(ballot, ctx.who.person, poll_id, code)
    await ctx.client.views_open(trigger_id=action.trigger_id,
                                view=render.answer_modal(entity_ballot, ctx.who.timezone, ctx.locale))


def parse_answers(submission: ViewSubmission) -> dict[int, str]:
    answers = {}
    for block in submission.blocks:
        if block.startswith(ids.BLOCK_POLL_SLOT) and block[len(ids.BLOCK_POLL_SLOT):].isdigit():
            answers[int(block[len(ids.BLOCK_POLL_SLOT):])] = submission.value(block) or ""
    return answers


def _answer(session: Session, person: Person, poll_id: int, code: str, answers: dict[int, str], key: str):
    if not idempotency.claim(session, key):
        return None
    return answer_poll(session, person, poll_id, code, answers)


async def submit_answer(submission: ViewSubmission, ctx: Ctx, ack) -> None:
    """Saved before the ack (one quick transaction): a field error keeps the modal and the choices."""
    metadata = submission.metadata
    poll_id, code = int(metadata.get("poll") or 0), str(metadata.get("entity") or "")
    answers = parse_answers(submission)
    first_block = next(iter(submission.blocks), ids.BLOCK_POLL_SLOTS)
    try:
        result = await ctx.deps.db(_answer, ctx.who.person, poll_id, code, answers, f"view:{submission.view.id}")
    except DomainError as error:
        await ack_or_raise(ack, error, {"slots": first_block}, ctx.locale)
        return
    await ack()
    if result is None:
        return
    await ctx.reply(render.answered(result, ctx.locale))
    await refresh_board(ctx, poll_id)


# ---- "Schedule this slot": the meeting modal, prefilled


async def open_schedule(action: BlockAction, ctx: Ctx) -> None:
    process, members, prefill = await ctx.deps.db(schedule_prefill, ctx.who.person, action.ref.poll, action.ref.slot)
    await ctx.client.views_open(trigger_id=action.trigger_id, view=meeting_modal(process, members, ctx.locale, prefill))
