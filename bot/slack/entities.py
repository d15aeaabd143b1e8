"""`/consult entity add|rename|retire` (secretariat): the registry changes from Slack.

`entity add CODE | Official name | Duty station | Area/City`, `entity rename CODE New official name`,
`entity retire CODE`. A bad field is answered with what to type; nothing changes."""

from __future__ import annotations

from bot.entities.admin import add_entity, rename_entity, retire_entity
from bot.errors import Invalid
from bot.slack.payloads import SlashCommand
from bot.slack.reply import Ctx
from bot.texts import t

ADD_FIELDS = ("code", "name", "duty_station", "timezone")


def _rest(cmd: SlashCommand, words: int) -> str:
    """The text typed after the first `words` words (spaces inside kept)."""
    return cmd.text.strip().split(None, words)[words] if len(cmd.words) > words else ""


async def entity_command(cmd: SlashCommand, ctx: Ctx) -> None:
    action = cmd.args[0].lower() if cmd.args else ""
    if action == "add":
        parts = [p.strip() for p in _rest(cmd, 2).split("|")]
        if len(parts) != len(ADD_FIELDS):
            raise Invalid("entities.usage")
        entity = await ctx.deps.db(add_entity, ctx.who.person, dict(zip(ADD_FIELDS, parts)))
        await ctx.reply(t("entities.added", ctx.locale, code=entity.code, name=entity.name,
                          duty_station=entity.duty_station, timezone=entity.timezone))
    elif action == "rename" and len(cmd.args) >= 3:
        old, entity = await ctx.deps.db(rename_entity, ctx.who.person, cmd.args[1], _rest(cmd, 3))
        await ctx.reply(t("entities.renamed", ctx.locale, code=entity.code, name=entity.name, old=old))
    elif action == "retire" and len(cmd.args) == 2:
        entity = await ctx.deps.db(retire_entity, ctx.who.person, cmd.args[1])
        await ctx.reply(t("entities.retired", ctx.locale, code=entity.code, name=entity.name))
    else:
        raise Invalid("entities.usage")
