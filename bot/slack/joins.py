"""Listeners for `/consult join` and the secretariat's Approve / Decline buttons."""

from __future__ import annotations


from bot.joins.render import (render_decision_for_requester, render_decision_for_secretariat,
                              render_request_for_secretariat, render_requested)
from bot.joins.service import decide_join, request_join, requester_of
from bot.errors import Invalid
from bot.slack.home import publish_home
from bot.slack.people import look_up
from bot.slack.payloads import BlockAction, SlashCommand
from bot.slack.reply import Ctx, dm, dm_quietly


async def join(cmd: SlashCommand, ctx: Ctx) -> None:
    if len(cmd.args) != 2:
        raise Invalid("errors.join_usage")
    view, approvers = await ctx.deps.db(request_join, ctx.who.person, cmd.args[0], cmd.args[1])
    await ctx.reply(render_requested(view, ctx.locale))
    for approver in approvers:  # each in their language, through their workspace's installation
        await dm_quietly(await ctx.client_for(approver.team_id), approver.slack_user_id,
                         *render_request_for_secretariat(view, approver.reads_in))


async def decide(action: BlockAction, ctx: Ctx, approve: bool) -> None:
    request_id = action.ref.id
    requester = await ctx.deps.db(requester_of, request_id)
    if approve and requester is not None:  # their reminders are planned when the role is granted
        await look_up(ctx.deps, ctx.client, requester.slack_user_id, requester.team_id or None)
    view = await ctx.deps.db(decide_join, ctx.who.person, request_id, approve)
    text, blocks = render_decision_for_secretariat(view, ctx.locale)
    container = action.container
    if container and container.type == "message" and container.channel_id and container.message_ts:
        await ctx.client.chat_update(channel=container.channel_id, ts=container.message_ts, text=text, blocks=blocks)
    elif container and container.type == "view":  # clicked in the App Home: show it without the request
        await publish_home(ctx)
    else:
        await ctx.reply(text, blocks)
    requester = await ctx.deps.db(requester_of, request_id)
    client = await ctx.client_for(requester.team_id if requester else None)
    if client is not None:  # their workspace has not installed the app: nobody can tell them
        await dm(client, view.requester, render_decision_for_requester(view, requester.reads_in if requester else None))
