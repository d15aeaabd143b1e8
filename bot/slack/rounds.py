"""Listeners for rounds: open (modal), extend, close, reopen, status; announcements and DMs."""

from __future__ import annotations

import logging
from datetime import date, time

from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot import idempotency
from bot.errors import DomainError, Invalid
from bot.processes.service import get_process, member_codes
from bot.reminders.plan import DEFAULT_OFFSETS
from bot.roles.service import require_manager
from bot.rounds import render
from bot.rounds.service import (OpenRound, RoundInfo, close_round, describe, extend_round, get_round, open_round,
                                recipients, reopen_for, validate_open, versions_of)
from bot.rounds.status import board, inputs_per_section
from bot.installs.service import unreachable_focal_points
from bot.slack.workspaces import unreachable_blocks
from storage.installations import installed_workspaces
from bot.slack import ids
from bot.slack.args import round_number, when
from bot.slack.errors import ack_or_raise
from bot.slack.payloads import SlashCommand, ViewSubmission
from bot.slack.reply import Ctx, dm, dm_quietly
from bot.texts import t
from storage.models import Person
from storage.types import utcnow

log = logging.getLogger(__name__)

FIELD_BLOCKS = {"version": ids.BLOCK_VERSION, "deadline_date": ids.BLOCK_DEADLINE_DATE,
                "deadline_time": ids.BLOCK_DEADLINE_TIME, "timezone": ids.BLOCK_TIMEZONE,
                "entities": ids.BLOCK_ENTITIES, "instructions": ids.BLOCK_INSTRUCTIONS,
                "reminders": ids.BLOCK_REMINDERS}


async def round_command(cmd: SlashCommand, ctx: Ctx) -> None:
    words = cmd.args
    action = words[0].lower() if words else ""
    if action not in ("open", "extend", "close", "reopen") or len(words) < 2:
        raise Invalid("errors.round_usage")
    process = words[1]
    number, rest = round_number(words[2:])
    if action == "open":
        await open_modal(ctx, cmd.trigger_id, process)
    elif action == "close":
        await close(ctx, process, number)
    elif action == "extend":
        await extend(ctx, process, number, when(process, rest))
    else:
        if not rest:
            raise Invalid("errors.round_usage")
        codes = [c for c in rest[0].replace(";", ",").split(",") if c]
        await reopen(ctx, process, number, codes, when(process, rest[1:]))


def _modal_data(session: Session, person: Person, handle: str):
    process = get_process(session, handle)
    require_manager(session, person, process)
    versions = versions_of(session, process)
    if not versions:
        raise Invalid("errors.round_no_document", process=process.handle)
    return process, versions, member_codes(session, process)


async def open_modal(ctx: Ctx, trigger_id: str | None, handle: str) -> None:
    process, versions, members = await ctx.deps.db(_modal_data, ctx.who.person, handle)
    view = render.open_round_modal(process, versions, members, utcnow().date(), ctx.locale)
    await ctx.client.views_open(trigger_id=trigger_id, view=view)


def parse_open(submission: ViewSubmission) -> OpenRound:
    raw_date, raw_time = submission.value(ids.BLOCK_DEADLINE_DATE), submission.value(ids.BLOCK_DEADLINE_TIME)
    try:
        deadline_date = date.fromisoformat(raw_date) if raw_date else None
        deadline_time = time.fromisoformat(raw_time) if raw_time else time(17, 0)
    except ValueError:
        raise Invalid("errors.date_format", field="deadline_date") from None
    version = submission.value(ids.BLOCK_VERSION)
    return OpenRound(process=submission.meta.process,
                     version_id=int(version) if str(version).isdigit() else None,
                     deadline_date=deadline_date, deadline_time=deadline_time,
                     timezone=submission.value(ids.BLOCK_TIMEZONE) or "",
                     entities=submission.value(ids.BLOCK_ENTITIES) or [],
                     instructions=submission.value(ids.BLOCK_INSTRUCTIONS) or "",
                     refuse_late="refuse" in (submission.value(ids.BLOCK_REFUSE_LATE) or []),
                     reminders=(submission.value(ids.BLOCK_REMINDERS) or []) if submission.has(ids.BLOCK_REMINDERS)
                     else list(DEFAULT_OFFSETS))


def _check_open(session: Session, person: Person, request: OpenRound) -> None:
    process = get_process(session, request.process)
    require_manager(session, person, process)
    validate_open(session, request, utcnow())


def _open(session: Session, person: Person, request: OpenRound, key: str):
    if not idempotency.claim(session, key):
        return None
    round_ = open_round(session, person, request)
    return describe(session, round_), recipients(session, round_)


async def submit_open(submission: ViewSubmission, ctx: Ctx, ack) -> None:
    try:
        request = parse_open(submission)
        await ctx.deps.db(_check_open, ctx.who.person, request)
    except DomainError as error:
        await ack_or_raise(ack, error, FIELD_BLOCKS, ctx.locale)
        return
    await ack()
    opened = await ctx.deps.db(_open, ctx.who.person, request, f"view:{submission.view.id}")
    if opened is None:
        return
    info, people = opened
    await announce(ctx, info)
    for person in people:
        text, blocks = render.invitation(info, person.entity_code, person.locale)
        await dm_quietly(await ctx.client_for(person.team_id), person.slack_user_id, text, blocks)


async def announce(ctx: Ctx, info: RoundInfo) -> None:
    """In the process channel, in the process's language (the person who acted, if the channel is out of reach)."""
    text, blocks = render.announcement(info, info.process.language)
    if info.process.channel_id:
        try:
            await ctx.client.chat_postMessage(channel=info.process.channel_id, text=text, blocks=blocks)
            return
        except SlackApiError as exc:
            log.warning("announcing round %s failed: %s", info.round.id, exc.response.get("error"))
    await dm(ctx.client, ctx.who.user_id, text, blocks)


def _extend(session: Session, person: Person, handle: str, number: int | None, request: OpenRound):
    round_ = extend_round(session, person, get_round(session, handle, number), request)
    return describe(session, round_), recipients(session, round_)


async def extend(ctx: Ctx, handle: str, number: int | None, request: OpenRound) -> None:
    info, people = await ctx.deps.db(_extend, ctx.who.person, handle, number, request)
    await ctx.reply(render.deadline_changed(info, ctx.locale))
    for person in people:
        await dm_quietly(await ctx.client_for(person.team_id), person.slack_user_id, render.deadline_changed(info, person.locale))


def _close(session: Session, person: Person, handle: str, number: int | None):
    round_ = close_round(session, person, get_round(session, handle, number))
    return describe(session, round_), board(session, round_, utcnow()), inputs_per_section(session, round_)


async def close(ctx: Ctx, handle: str, number: int | None) -> None:
    info, status, per_section = await ctx.deps.db(_close, ctx.who.person, handle, number)
    await ctx.reply(*render.close_summary(info, status, per_section, ctx.locale))
    if info.process.channel_id:
        text, blocks = render.close_summary(info, status, per_section, info.process.language)
        try:
            await ctx.client.chat_postMessage(channel=info.process.channel_id, text=text, blocks=blocks)
        except SlackApiError as exc:
            log.warning("close summary for round %s failed: %s", info.round.id, exc.response.get("error"))


def _reopen(session: Session, person: Person, handle: str, number: int | None, codes: list[str],
            request: OpenRound):
    round_ = get_round(session, handle, number)
    reopened = reopen_for(session, person, round_, codes, request)
    return describe(session, round_), reopened, recipients(session, round_, reopened)


async def reopen(ctx: Ctx, handle: str, number: int | None, codes: list[str], request: OpenRound) -> None:
    info, reopened, people = await ctx.deps.db(_reopen, ctx.who.person, handle, number, codes, request)
    await ctx.reply(t("rounds.reopened", ctx.locale, number=info.round.number, process=info.process.handle,
                      entities=", ".join(reopened)))
    for person in people:
        text, blocks = render.invitation(info, person.entity_code, person.locale)
        await dm_quietly(await ctx.client_for(person.team_id), person.slack_user_id, text, blocks)


def _status(session: Session, handle: str, number: int | None, oauth: bool):
    round_ = get_round(session, handle, number)
    unreachable = unreachable_focal_points(session, installed_workspaces(session), round_.process_id) if oauth else []
    return describe(session, round_), board(session, round_, utcnow()), unreachable


async def status(cmd: SlashCommand, ctx: Ctx) -> None:
    """The round's board; with install by OAuth, also the focal points no direct message can reach."""
    if not cmd.args:
        raise Invalid("errors.status_usage")
    number, _ = round_number(cmd.args[1:])
    info, status_board, unreachable = await ctx.deps.db(_status, cmd.args[0], number, ctx.deps.settings.oauth_install)
    text, blocks = render.render_board(info, status_board, ctx.locale)
    await ctx.reply(text, blocks + unreachable_blocks(unreachable, ctx.locale))

