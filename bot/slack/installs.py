"""A workspace removes the app (`app_uninstalled`, or `tokens_revoked` naming the bot token): its
installation is deleted, the removal audited, and the secretariat told, through their own workspace's
installation, which entities' focal points can no longer be reached."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import idempotency
from bot.installs.service import Removal, workspace_removed
from bot.mrkdwn import Raw
from bot.scheduler.tokens import WorkspaceTokens
from bot.slack.errors import guarded
from bot.slack.reply import dm_quietly
from bot.slack.runtime import Deps
from bot.texts import t
from storage.installations import InstallationStore

log = logging.getLogger(__name__)

REMOVAL_EVENTS = ("app_uninstalled", "tokens_revoked")


def removal_text(removal: Removal, reason: str) -> str:
    team = removal.team_id or removal.enterprise_id or "?"
    why = t("install.reason_app_uninstalled") if reason == "app_uninstalled" else t("install.reason_tokens_revoked")
    if not removal.unreachable:
        return t("install.removed_none", team=team, reason=Raw(why))
    lines = [t("install.removed_line", entity=u.entity, process=u.process, person=Raw(f"<@{u.slack_user_id}>"))
             for u in removal.unreachable]
    return "\n".join([t("install.removed", team=team, reason=Raw(why)), *lines])


async def tell_secretariat(tokens: WorkspaceTokens, client: AsyncWebClient, removal: Removal, text: str) -> int:
    """A DM to each secretariat member whose workspace still has the app; how many were told."""
    told = 0
    for user_id, team_id in removal.secretariat:
        token = await tokens(team_id) if team_id else None
        if token is None:
            continue
        secretariat_client = AsyncWebClient(token=token, base_url=client.base_url, timeout=client.timeout,
                                            retry_handlers=list(client.retry_handlers or []))
        await dm_quietly(secretariat_client, user_id, text)
        told += 1
    if not told:
        log.warning("no secretariat member could be told of the removal of %s", removal.team_id or removal.enterprise_id)
    return told


def register(app: AsyncApp, deps: Deps, store: InstallationStore | None) -> None:
    """Call before the catch-all listeners of bot/slack/app.py. Without a store (one workspace, SLACK_BOT_TOKEN)
    the removal is audited and logged: the bot's only token is gone, nobody can be told through Slack."""

    @app.event("app_uninstalled")
    @app.event("tokens_revoked")
    @guarded
    async def removed(ack, body, event, client) -> None:
        await ack()
        await deps.after_ack()
        reason = str(event.get("type"))
        if reason == "tokens_revoked" and not (event.get("tokens") or {}).get("bot"):
            return  # user tokens only: the bot uses none
        enterprise_id = body.get("enterprise_id")
        team_id = None if body.get("is_enterprise_install") else body.get("team_id")
        if not await deps.db(idempotency.claim, f"event:{body.get('event_id')}"):
            return
        if store is not None:
            await store.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)
            await store.async_delete_installation(enterprise_id=enterprise_id, team_id=team_id)
        removal = await deps.db(workspace_removed, team_id, enterprise_id, reason)
        log.warning("removed from team %s enterprise %s (%s): %d focal points unreachable", team_id, enterprise_id,
                    reason, len(removal.unreachable))
        if store is not None:
            await tell_secretariat(WorkspaceTokens(store, deps.db, client), client, removal,
                                   removal_text(removal, reason))
