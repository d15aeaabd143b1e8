"""Listeners that show who and what is there: help, whoami, entities, list, grant, revoke."""

from __future__ import annotations

import re

from sqlmodel import Session

from bot.entities.render import render_entities
from bot.entities.service import get_entity, list_entities
from bot.errors import Invalid
from bot.mrkdwn import mention
from bot.processes.render import render_list
from bot.processes.service import get_process, summaries
from bot.roles.render import render_whoami
from bot.roles.service import grant, is_secretariat, parse_role, require_secretariat, revoke, roles_of
from bot.slack.help import render_help
from bot.slack.payloads import SlashCommand
from bot.slack.people import look_up
from bot.slack.reply import Ctx
from bot.texts import t, t_plain
from storage.models import Person, Role

USER_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


async def show_help(cmd: SlashCommand, ctx: Ctx, unknown: str | None = None) -> None:
    roles = await ctx.deps.db(roles_of, ctx.who.person)
    await ctx.reply(*render_help(roles, ctx.locale, unknown))


async def show_whoami(cmd: SlashCommand, ctx: Ctx) -> None:
    roles = await ctx.deps.db(roles_of, ctx.who.person)
    person = ctx.who.person
    await ctx.reply(*render_whoami(person.slack_user_id, ctx.who.timezone, roles, ctx.locale))


async def show_entities(cmd: SlashCommand, ctx: Ctx) -> None:
    entities = await ctx.deps.db(list_entities)
    await ctx.reply(*render_entities(entities, ctx.locale))


async def show_list(cmd: SlashCommand, ctx: Ctx) -> None:
    await ctx.reply(*render_list(await ctx.deps.db(summaries), ctx.locale))


def parse_user(text: str) -> str:
    match = USER_MENTION.match(text.strip())
    if match:
        return match.group(1)
    if re.fullmatch(r"[UW][A-Z0-9]{2,}", text.strip()):
        return text.strip()
    raise Invalid("errors.not_a_user", value=text)


def _change_role(session: Session, who: Person, args: list[str], giving: bool) -> dict:
    require_secretariat(session, who)
    if len(args) < 2:
        raise Invalid("errors.grant_usage")
    user, role = parse_user(args[0]), parse_role(args[1])
    process = get_process(session, args[2]) if len(args) > 2 else None
    entity = get_entity(session, args[3]) if len(args) > 3 else None
    change = grant if giving else revoke
    change(session, who.slack_user_id, user, role, process, entity, named_in=who.team_id)
    return {"user": user, "role": role, "process": process.handle if process else None,
            "entity": entity.code if entity else None}


async def change_role(cmd: SlashCommand, ctx: Ctx, giving: bool) -> None:
    if giving and cmd.args and await ctx.deps.db(is_secretariat, ctx.who.person):  # (only who may grant)
        # their reminders are planned in the grant's transaction: in their own zone
        await look_up(ctx.deps, ctx.client, parse_user(cmd.args[0]), ctx.who.person.team_id)
    done = await ctx.deps.db(_change_role, ctx.who.person, cmd.args, giving)
    scope = " ".join(x for x in (done["process"], done["entity"]) if x)
    key = "roles_changed.granted" if giving else "roles_changed.revoked"
    await ctx.reply(t(key, ctx.locale, user=mention(done["user"]),
                      role=t_plain(f"roles.{Role(done['role']).value}", ctx.locale), scope=scope or "—"))

