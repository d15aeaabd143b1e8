"""Listeners for reminders: `/consult reminders`, mute/unmute, "Remind me tomorrow", and the
escalation's "Extend the deadline for them" (a modal, then the round reopened for those entities)."""

from __future__ import annotations

import json
from datetime import date, time, timedelta

from sqlmodel import Session

from bot import idempotency
from bot.errors import DomainError, Invalid
from bot.mrkdwn import date_token
from bot.reminders import overview as overview_service, render
from bot.reminders.service import mute, set_weekly, snooze, unmute, weekly_off
from bot.roles.service import require_manager
from bot.rounds import render as round_render
from bot.rounds.service import OpenRound, describe, recipients, reopen_for, validate_reopen
from bot.slack import ids
from bot.slack.blocks import input_block, modal, option
from bot.slack.errors import ack_or_raise
from bot.slack.payloads import BlockAction, SlashCommand, ViewSubmission
from bot.slack.reply import Ctx, dm_quietly
from bot.formatting import weekdays
from bot.texts import t, t_plain
from bot.timezones import local_text
from storage.models import Person, Process, Round
from storage.types import utcnow

EXTEND_FIELDS = {"entities": ids.BLOCK_ENTITIES, "deadline_date": ids.BLOCK_DEADLINE_DATE,
                 "deadline_time": ids.BLOCK_DEADLINE_TIME, "timezone": ids.BLOCK_TIMEZONE}


async def reminders_command(cmd: SlashCommand, ctx: Ctx) -> None:
    """`/consult reminders [PROCESS] [weekly DAYS HH:MM | weekly off]`"""
    words = cmd.args
    if not words:
        rows = await ctx.deps.db(overview_service.totals, ctx.who.person)
        await ctx.reply(*render.totals(rows, ctx.locale))
        return
    handle = words[0]
    if len(words) == 1:
        view = await ctx.deps.db(overview_service.overview, ctx.who.person, handle)
        await ctx.reply(*render.overview(view, ctx.locale))
        return
    if words[1].lower() != "weekly" or len(words) < 3 or (words[2].lower() != "off" and len(words) != 4):
        raise Invalid("errors.reminders_usage")
    if words[2].lower() == "off":
        process = await ctx.deps.db(weekly_off, ctx.who.person, handle)
        await ctx.reply(t("reminders.weekly_off", ctx.locale, process=process.handle))
        return
    rec = await ctx.deps.db(set_weekly, ctx.who.person, handle, words[2], words[3])
    await ctx.reply(t("reminders.weekly_on", ctx.locale, process=handle.lower(),
                      days=weekdays(rec.day_of_week, ctx.locale), at=f"{rec.hour:02d}:{rec.minute:02d}",
                      timezone=rec.timezone))


async def mute_command(cmd: SlashCommand, ctx: Ctx) -> None:
    if len(cmd.args) != 1:
        raise Invalid("errors.mute_usage")
    process = await ctx.deps.db(mute, ctx.who.person, cmd.args[0])
    await ctx.reply(t("reminders.muted", ctx.locale, process=process.handle))


async def unmute_command(cmd: SlashCommand, ctx: Ctx) -> None:
    if len(cmd.args) != 1:
        raise Invalid("errors.mute_usage")
    process = await ctx.deps.db(unmute, ctx.who.person, cmd.args[0])
    await ctx.reply(t("reminders.unmuted", ctx.locale, process=process.handle))


async def remind_tomorrow(action: BlockAction, ctx: Ctx) -> None:
    snoozed = await ctx.deps.db(snooze, ctx.who.person, action.ref.id)
    when = date_token(snoozed.at, local_text(snoozed.at, ctx.who.timezone))
    await ctx.reply(t("reminders.snoozed" if snoozed.created else "reminders.snoozed_already", ctx.locale, when=when))


def _extend_data(session: Session, person: Person, round_id: int) -> tuple[Round, Process]:
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise Invalid("errors.round_unknown", process="—", number=round_id)
    process = session.get(Process, round_.process_id)
    require_manager(session, person, process)
    return round_, process


def extend_modal(round_: Round, process: Process, missing: list[str], today: date, locale: str | None) -> dict:
    options = [option(code, code) for code in missing][:100]
    blocks = [
        input_block(ids.BLOCK_ENTITIES, t_plain("reminders.extend_entities", locale),
                    {"type": "multi_static_select", "options": options, "initial_options": options}),
        input_block(ids.BLOCK_DEADLINE_DATE, t_plain("rounds.modal_deadline_date", locale),
                    {"type": "datepicker", "initial_date": (today + timedelta(days=7)).isoformat()}),
        input_block(ids.BLOCK_DEADLINE_TIME, t_plain("rounds.modal_deadline_time", locale),
                    {"type": "timepicker", "initial_time": "17:00"}),
        input_block(ids.BLOCK_TIMEZONE, t_plain("new_process.timezone", locale),
                    {"type": "plain_text_input", "max_length": 64, "initial_value": round_.timezone},
                    hint=t_plain("new_process.timezone_hint", locale)),
    ]
    return modal(ids.VIEW_ESCALATION_EXTEND, t_plain("reminders.extend_title", locale), blocks,
                 submit=t_plain("reminders.extend_submit", locale), close=t_plain("common.cancel", locale),
                 private_metadata=json.dumps({"round": round_.id, "process": process.handle}))


async def open_extend(action: BlockAction, ctx: Ctx) -> None:
    round_id, missing = action.ref.round, list(action.ref.entities)
    round_, process = await ctx.deps.db(_extend_data, ctx.who.person, round_id)
    await ctx.client.views_open(trigger_id=action.trigger_id,
                                view=extend_modal(round_, process, missing, utcnow().date(), ctx.locale))


def parse_extend(submission: ViewSubmission) -> tuple[list[str], OpenRound]:
    raw_date, raw_time = submission.value(ids.BLOCK_DEADLINE_DATE), submission.value(ids.BLOCK_DEADLINE_TIME)
    try:
        day = date.fromisoformat(raw_date) if raw_date else None
        at = time.fromisoformat(raw_time) if raw_time else time(17, 0)
    except ValueError:
        raise Invalid("errors.date_format", field="deadline_date") from None
    codes = submission.value(ids.BLOCK_ENTITIES) or []
    if not codes:
        raise Invalid("errors.field_empty", field="entities")
    return codes, OpenRound(process=submission.meta.process, deadline_date=day, deadline_time=at,
                            timezone=submission.value(ids.BLOCK_TIMEZONE) or "")


def _extend(session: Session, person: Person, round_id: int, codes: list[str], request: OpenRound, key: str,
            check_only: bool):
    round_, _ = _extend_data(session, person, round_id)
    if check_only:  # validate before the ack, so a field error keeps the modal open; nothing is written
        validate_reopen(session, round_, codes, request, utcnow())
        return None
    if not idempotency.claim(session, key):
        return None
    reopened = reopen_for(session, person, round_, codes, request)
    return describe(session, round_), reopened, recipients(session, round_, reopened)


async def submit_extend(submission: ViewSubmission, ctx: Ctx, ack) -> None:
    round_id = submission.meta.round
    key = f"view:{submission.view.id}"
    try:
        codes, request = parse_extend(submission)
        await ctx.deps.db(_extend, ctx.who.person, round_id, codes, request, key, True)
    except DomainError as error:
        await ack_or_raise(ack, error, EXTEND_FIELDS, ctx.locale)
        return
    await ack()
    done = await ctx.deps.db(_extend, ctx.who.person, round_id, codes, request, key, False)
    if done is None:
        return
    info, reopened, people = done
    await ctx.reply(t("reminders.extended_for", ctx.locale, number=info.round.number, process=info.process.handle,
                      entities=", ".join(reopened)))
    for person in people:
        text, blocks = round_render.invitation(info, person.entity_code, person.locale)
        await dm_quietly(await ctx.client_for(person.team_id), person.slack_user_id, text, blocks)
