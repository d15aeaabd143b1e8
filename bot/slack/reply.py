"""How a listener answers the person who acted."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import Block, fit_message, message_text
from bot.slack.http_pool import answer
from bot.slack.runtime import Caller, Deps
from bot.timezones import is_timezone
from storage.models import Person

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reader:
    """Someone a listener writes to besides the caller: their user id in their workspace, the language they read."""

    user_id: str
    team_id: str | None
    locale: str | None


def reader(person: Person) -> Reader:
    return Reader(person.slack_user_id, person.team_id or None, person.reads_in)


@dataclass
class Ctx:
    deps: Deps
    client: AsyncWebClient
    who: Caller
    respond: AsyncRespond | None = None

    @property
    def locale(self) -> str | None:
        return self.who.locale

    @property
    def zone(self) -> str:
        """The zone a form starts in: the caller's from Slack, else the deployment's DEFAULT_TIMEZONE."""
        return self.who.timezone if is_timezone(self.who.timezone) else self.deps.settings.default_timezone

    async def client_for(self, team_id: str | None) -> AsyncWebClient | None:
        """The client that reaches a person of workspace `team_id`: this request's (one workspace, the same
        workspace, or theirs not known), else their workspace's installation's; None where it has none."""
        tokens = self.deps.tokens
        if tokens is None or not team_id or team_id == self.who.team_id:
            return self.client
        token = await tokens(team_id)
        if token is None:
            return None
        if token not in self.deps.clients:
            self.deps.clients[token] = AsyncWebClient(token=token, base_url=self.client.base_url,
                                                      timeout=self.client.timeout,
                                                      retry_handlers=list(self.client.retry_handlers or []))
        return self.deps.clients[token]

    async def tell(self, reader: Reader, text: str, blocks: list[Block] | None = None) -> None:
        """A DM in a fan-out, through the reader's own workspace's installation (logged, not raised, when it fails)."""
        await dm_quietly(await self.client_for(reader.team_id), reader.user_id, text, blocks)

    async def reply(self, text: str, blocks: list[Block] | None = None, **extra: Any) -> None:
        """An ephemeral answer: through the response URL, else a DM."""
        blocks = fit_message(blocks, self.locale) if blocks else None
        if can_respond(self.respond):
            await answer(self.respond.response_url, self.client, {
                "text": message_text(text), "blocks": blocks, "response_type": "ephemeral",
                "replace_original": False, **extra})
        else:
            await dm(self.client, self.who.user_id, text, blocks)


async def dm(client: AsyncWebClient, user_id: str, text: str, blocks: list[Block] | None = None) -> dict:
    """A direct message; posting to a user ID opens the DM with the app."""
    response = await client.chat_postMessage(channel=user_id, text=message_text(text),
                                             blocks=fit_message(blocks) if blocks else None)
    return response.data if hasattr(response, "data") else dict(response)


async def dm_quietly(client: AsyncWebClient | None, user_id: str, text: str, blocks: list[Block] | None = None) -> None:
    """A DM in a fan-out: one unreachable person (`client` None: their workspace has not installed the app) is
    logged and must not stop the others."""
    if client is None:
        log.warning("DM to %s not sent: their workspace has not installed the app", user_id)
        return
    try:
        await dm(client, user_id, text, blocks)
    except SlackApiError as exc:
        log.warning("DM to %s failed: %s", user_id, exc.response.get("error"))


def can_respond(respond: AsyncRespond | None) -> bool:
    """Bolt gives a `respond` even where the payload carried no response URL."""
    return respond is not None and bool(getattr(respond, "response_url", None))
