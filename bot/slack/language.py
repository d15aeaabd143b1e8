"""`/consult language [xx|auto]` (what a person reads the bot in) and `/consult process language PROCESS xx`
(the language of a process's channel messages, secretariat)."""

from __future__ import annotations

from bot.errors import Invalid
from bot.people.language import AUTO, language_name, languages, set_language, set_process_language
from bot.slack.payloads import SlashCommand
from bot.slack.reply import Ctx
from bot.texts import reader_language, t


async def language_command(cmd: SlashCommand, ctx: Ctx) -> None:
    choices = ", ".join([*languages(), AUTO])
    if not cmd.args:
        person = ctx.who.person
        key = "language.current_chosen" if person.language else "language.current_auto"
        await ctx.reply(t(key, ctx.locale, language=language_name(reader_language(ctx.locale), ctx.locale),
                          choices=choices))
        return
    if len(cmd.args) != 1:
        raise Invalid("language.usage", choices=choices)
    person = await ctx.deps.db(set_language, ctx.who.person, cmd.args[0])
    now = person.reads_in  # the answer is in the language just chosen
    ctx.who.locale = now
    key = "language.set" if person.language else "language.set_auto"
    await ctx.reply(t(key, now, language=language_name(reader_language(now), now)))


async def process_command(cmd: SlashCommand, ctx: Ctx) -> None:
    if len(cmd.args) != 3 or cmd.args[0].lower() != "language":
        raise Invalid("language.process_usage", choices=", ".join(languages()))
    process = await ctx.deps.db(set_process_language, ctx.who.person, cmd.args[1], cmd.args[2])
    await ctx.reply(t("language.process_set", ctx.locale, process=process.handle,
                      language=language_name(process.language, ctx.locale)))
