"""Listeners for `/consult new`: the modal, its validation and the new process."""

from __future__ import annotations

import logging
from datetime import date

from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot import idempotency
from bot.errors import DomainError
from bot.entities.service import active_entities
from bot.processes.render import new_process_modal, render_created
from bot.processes.service import NewProcess, create_process, member_codes, validate_new_process
from bot.roles.service import require_secretariat
from bot.slack import ids
from bot.slack.payloads import ViewSubmission
from bot.slack.reply import Ctx, dm
from bot.texts import t
from storage.models import Person, Process

log = logging.getLogger(__name__)

FIELD_BLOCKS = {"handle": ids.BLOCK_HANDLE, "kind": ids.BLOCK_KIND, "title": ids.BLOCK_TITLE,
                "description": ids.BLOCK_DESCRIPTION, "timezone": ids.BLOCK_TIMEZONE,
                "mandate_end": ids.BLOCK_MANDATE_END, "members": ids.BLOCK_MEMBERS,
                "chairs": ids.BLOCK_CHAIRS, "channel_id": ids.BLOCK_CHANNEL, "language": ids.BLOCK_PROCESS_LANGUAGE}


def _modal_data(session: Session, person: Person) -> list:
    require_secretariat(session, person)
    return active_entities(session)


async def open_new_process(ctx: Ctx, trigger_id: str | None, channel_id: str | None) -> None:
    entities = await ctx.deps.db(_modal_data, ctx.who.person)
    view = new_process_modal(entities, ctx.deps.settings.default_timezone, ctx.locale, channel_id)
    await ctx.client.views_open(trigger_id=trigger_id, view=view)


def parse_new_process(submission: ViewSubmission) -> NewProcess | dict[str, str]:
    """The typed request, or field errors for values that do not even parse."""
    raw_date = submission.value(ids.BLOCK_MANDATE_END)
    try:
        mandate_end = date.fromisoformat(raw_date) if raw_date else None
    except (TypeError, ValueError):  # a datepicker sends text; anything else is forged (no field error fits)
        return {ids.BLOCK_MANDATE_END: "errors.date_format"}
    return NewProcess(handle=submission.value(ids.BLOCK_HANDLE) or "", kind=submission.value(ids.BLOCK_KIND) or "",
                      title=submission.value(ids.BLOCK_TITLE) or "",
                      description=submission.value(ids.BLOCK_DESCRIPTION) or "",
                      channel_id=submission.value(ids.BLOCK_CHANNEL) or None,
                      timezone=submission.value(ids.BLOCK_TIMEZONE) or "",
                      mandate_end=mandate_end, chairs=submission.value(ids.BLOCK_CHAIRS) or [],
                      members=submission.value(ids.BLOCK_MEMBERS) or [],
                      language=submission.value(ids.BLOCK_PROCESS_LANGUAGE) or "")


def field_errors(session: Session, person: Person, request: NewProcess, locale: str | None) -> dict[str, str]:
    require_secretariat(session, person)
    errors: dict[str, str] = {}
    for problem in validate_new_process(session, request):
        block = FIELD_BLOCKS.get(problem.field or "", ids.BLOCK_HANDLE)
        errors.setdefault(block, t(problem.key, locale, **problem.params))
    return errors


def _create_once(session: Session, person: Person, request: NewProcess, key: str) -> tuple[Process, list[str]] | None:
    if not idempotency.claim(session, key):
        return None
    process = create_process(session, person, request)
    return process, member_codes(session, process)


async def submit_new_process(submission: ViewSubmission, ctx: Ctx, ack) -> None:
    parsed = parse_new_process(submission)
    if isinstance(parsed, dict):
        await ack(response_action="errors", errors={b: t(k, ctx.locale) for b, k in parsed.items()})
        return
    try:
        errors = await ctx.deps.db(field_errors, ctx.who.person, parsed, ctx.locale)
    except DomainError:
        await ack()  # close the modal; the error handler tells the person why
        raise
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    key = f"view:{submission.view.id}"
    created = await ctx.deps.db(_create_once, ctx.who.person, parsed, key)
    if created is None:  # the same submission again: already done
        return
    process, members = created
    await dm(ctx.client, ctx.who.user_id, *render_created(process, members, ctx.locale))
    if process.channel_id:
        text, blocks = render_created(process, members, process.language)
        try:
            await ctx.client.chat_postMessage(channel=process.channel_id, text=text, blocks=blocks)
        except SlackApiError as exc:
            log.warning("announcing %s in %s failed: %s", process.handle, process.channel_id,
                        exc.response.get("error"))
            await dm(ctx.client, ctx.who.user_id, t("processes.channel_unreachable", ctx.locale,
                                                    error=str(exc.response.get("error"))))
