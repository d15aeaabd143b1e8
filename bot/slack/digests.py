"""`/consult digest [PROCESS] [--since YYYY-MM-DD]` and `/consult digest PROCESS weekly DAYS HH:MM | weekly off`.

The summary comes back as an ephemeral answer; the full document (DOCX: the format the
secretariat circulates and files, with real tables for the per-section dispositions) goes to the
caller's direct messages with the bot, since a digest asked for by one person is not posted to
the process channel for everyone. The digest is logged once delivered, so a failed upload does
not move the start of the caller's next "what changed".
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlmodel import Session

from bot.digests.blocks import summary
from bot.digests.files import digest_file
from bot.digests.service import Digest, generate, process_of_channel, record
from bot.digests.weekly import set_weekly_digest, weekly_digest_off
from bot.errors import Invalid
from bot.mrkdwn import mention
from bot.processes.service import get_process
from bot.slack.args import DATE
from bot.slack.payloads import SlashCommand
from bot.slack.reply import Ctx
from bot.formatting import weekdays
from bot.texts import t
from bot.timezones import to_utc
from storage.models import DigestKind, Person
from storage.types import utcnow

FORMAT = "docx"


@dataclass(frozen=True)
class DigestRequest:
    handle: str | None
    since: date | None


def parse(words: list[str]) -> DigestRequest:
    """`[PROCESS] [--since YYYY-MM-DD]` (also `--since=YYYY-MM-DD`), in either order."""
    handle, since, rest = None, None, list(words)
    while rest:
        word = rest.pop(0)
        if word.lower().startswith("--since"):
            value = word.split("=", 1)[1] if "=" in word else (rest.pop(0) if rest else "")
            if not DATE.match(value):
                raise Invalid("digests.errors.since_format", value=value[:20] or "—")
            try:
                since = date.fromisoformat(value)
            except ValueError:
                raise Invalid("digests.errors.since_format", value=value[:20]) from None
        elif handle is None and not word.startswith("-"):
            handle = word
        else:
            raise Invalid("digests.errors.usage")
    return DigestRequest(handle, since)


def _since_utc(day: date | None, timezone_name: str, now: datetime) -> datetime | None:
    """The start of that day in the process's zone."""
    if day is None:
        return None
    moment = to_utc(datetime.combine(day, time(0, 0)), timezone_name)
    if moment > now:
        raise Invalid("digests.errors.since_future", value=day.isoformat())
    return moment


def _generate(session: Session, person: Person, request: DigestRequest, channel_id: str | None) -> Digest:
    now = utcnow()
    if request.handle:
        process = get_process(session, request.handle)
    else:
        process = process_of_channel(session, channel_id)
        if process is None:
            raise Invalid("digests.errors.no_process")
    since = _since_utc(request.since, process.timezone, now)
    return generate(session, person, process.handle, DigestKind.MANUAL, since, now, log=False)


def _log(session: Session, person: Person, digest: Digest) -> None:
    """Once delivered: the next digest of this person covers what changed after this one."""
    record(session, get_process(session, digest.handle), digest.since, DigestKind.MANUAL, person.slack_user_id,
           digest.now)


async def _weekly(words: list[str], ctx: Ctx) -> None:
    handle = words[0]
    if len(words) == 3 and words[2].lower() == "off":
        process = await ctx.deps.db(weekly_digest_off, ctx.who.person, handle)
        await ctx.reply(t("digests.weekly_off", ctx.locale, process=process.handle))
        return
    if len(words) != 4:
        raise Invalid("digests.errors.usage")
    rec = await ctx.deps.db(set_weekly_digest, ctx.who.person, handle, words[2], words[3])
    await ctx.reply(t("digests.weekly_on", ctx.locale, process=handle.lower(),
                      days=weekdays(rec.day_of_week, ctx.locale), at=f"{rec.hour:02d}:{rec.minute:02d}",
                      timezone=rec.timezone))


async def digest_command(cmd: SlashCommand, ctx: Ctx) -> None:
    words = cmd.args
    if len(words) >= 2 and words[1].lower() == "weekly":
        await _weekly(words, ctx)
        return
    request = parse(words)
    digest = await ctx.deps.db(_generate, ctx.who.person, request, cmd.channel_id)
    data, name = await asyncio.to_thread(digest_file, digest, FORMAT, ctx.locale)
    opened = await ctx.client.conversations_open(users=ctx.who.user_id)
    await ctx.client.files_upload_v2(channel=opened["channel"]["id"], content=data, filename=name, title=name,
                                     initial_comment=t("digests.slack.file_comment", ctx.locale,
                                                       process=digest.handle, user=mention(ctx.who.user_id)))
    await ctx.reply(*summary(digest, ctx.locale, t("digests.slack.attached_dm", ctx.locale, file=name)))
    await ctx.deps.db(_log, ctx.who.person, digest)
