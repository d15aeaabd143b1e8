"""`/consult hlcm summary YEAR` (secretariat): the year's progress summary for the HLCM, posted where the command
was typed (in a direct message when the bot cannot post there): a short message at once, then the three charts
and the DOCX in one upload.

The listener acks first (bot/slack/app.py); compiling and drawing run on worker threads, never on the event
loop. A bad year, a year without figures or a caller who is not the secretariat get an ephemeral answer."""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.errors import Invalid
from bot.hlcm.charts import all_charts
from bot.hlcm.report import Report, build_report, file_name, parse_year
from bot.hlcm.summary_blocks import files_comment, summary_message
from bot.roles.service import require_secretariat
from bot.slack.payloads import SlashCommand
from bot.slack.reply import Ctx
from bot.texts import t, t_plain
from storage.models import Person

log = logging.getLogger(__name__)
CANNOT_POST = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action", "cant_post_in_channel"}


def _report(session: Session, person: Person, year_text: str) -> Report:
    require_secretariat(session, person)
    return build_report(session, parse_year(year_text))


def _files(report: Report, locale: str | None) -> list[dict]:
    """The three chart PNGs and the DOCX (which embeds the same charts, drawn once)."""
    from bot.exports.hlcm_docx import write_docx

    charts = all_charts(report.summary, report.trend, locale)
    docx = write_docx(report.summary, report.trend, locale, charts=charts)
    name = file_name(report.summary.year, "docx", locale)
    return [{"content": c.png, "filename": c.name, "title": c.title} for c in charts] + [
        {"content": docx, "filename": name, "title": t_plain("hlcm.summary_title", locale, year=report.summary.year)}]


async def hlcm_command(cmd: SlashCommand, ctx: Ctx) -> None:
    words = cmd.args
    if len(words) != 2 or words[0].lower() != "summary":
        raise Invalid("hlcm.summary_usage")
    report = await ctx.deps.db(_report, ctx.who.person, words[1])
    channel = await _post(ctx, cmd.channel_id, report)  # the message first: drawing takes a few hundred ms
    files = await asyncio.to_thread(_files, report, ctx.locale)
    await ctx.client.files_upload_v2(channel=channel, file_uploads=files,
                                     initial_comment=files_comment(report.summary, ctx.locale))


async def _post(ctx: Ctx, channel: str | None, report: Report) -> str:
    """Posts the message where the command was typed, else in the caller's DM; returns the channel used."""
    if channel:
        text, blocks = summary_message(report.summary, ctx.who.user_id, ctx.locale)
        try:
            await ctx.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
            return channel
        except SlackApiError as exc:
            if exc.response.get("error") not in CANNOT_POST:
                raise
            log.info("hlcm summary: cannot post in %s (%s), sending a DM", channel, exc.response.get("error"))
    opened = await ctx.client.conversations_open(users=ctx.who.user_id)
    dm_channel = opened["channel"]["id"]
    note = t("hlcm.summary_dm_fallback", ctx.locale) if channel else None
    text, blocks = summary_message(report.summary, ctx.who.user_id, ctx.locale, note=note)
    await ctx.client.chat_postMessage(channel=dm_channel, text=text, blocks=blocks)
    return dm_channel
