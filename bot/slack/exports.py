"""`/consult export matrix PROCESS [N] [xlsx|docx|csv|md]`: the comment matrix, uploaded to Slack."""

from __future__ import annotations

import asyncio

from sqlmodel import Session

from bot.errors import Invalid
from bot.mrkdwn import mention
from bot.inputs.matrix import FORMATS, matrix_file, matrix_of
from bot.processes.service import get_process
from bot.roles.service import require_manager
from bot.rounds.service import get_round
from bot.slack.args import round_number
from bot.slack.payloads import SlashCommand
from bot.slack.reply import Ctx
from bot.texts import t
from storage.models import Person


def _matrix(session: Session, person: Person, handle: str, number: int | None):
    process = get_process(session, handle)
    require_manager(session, person, process)
    round_ = get_round(session, handle, number)
    return process, matrix_of(session, round_)


async def export(cmd: SlashCommand, ctx: Ctx) -> None:
    words = cmd.args
    if len(words) < 2 or words[0].lower() != "matrix":
        raise Invalid("errors.export_usage")
    number, rest = round_number(words[2:])
    fmt = (rest[0].lower().lstrip(".") if rest else "xlsx")
    if fmt not in FORMATS:
        raise Invalid("errors.export_usage")
    process, matrix = await ctx.deps.db(_matrix, ctx.who.person, words[1], number)
    data, name = await asyncio.to_thread(matrix_file, matrix, fmt, process.handle, ctx.locale)
    channel = process.channel_id
    if not channel:
        opened = await ctx.client.conversations_open(users=ctx.who.user_id)
        channel = opened["channel"]["id"]
    comment = t("exports.matrix_comment", ctx.locale, number=matrix.round_number, process=process.handle,
                count=len(matrix.rows), user=mention(ctx.who.user_id))
    await ctx.client.files_upload_v2(channel=channel, content=data, filename=name, title=name,
                                     initial_comment=comment)
