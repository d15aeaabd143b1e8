"""One pool of HTTP connections to Slack while the server runs.

Without it slack_sdk opens a new aiohttp session, so a new connection (and, to slack.com, a new TLS handshake),
for every Web API call and every response_url answer. The server lends a Web API client a session for its
lifetime; Bolt's per-request clients copy the app client's session, and `answer` sends response_url messages
through the same one."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient


@contextlib.asynccontextmanager
async def pooled(client: AsyncWebClient) -> AsyncIterator[aiohttp.ClientSession]:
    """`client` (and every client built from it) keeps its connections open until the block ends."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=client.timeout)) as session:
        client.session = session
        try:
            yield session
        finally:
            client.session = None


async def answer(response_url: str, client: AsyncWebClient | None, message: dict[str, Any]) -> None:
    """POST `message` to a response_url (already checked against the allowed hosts) on `client`'s pool when it
    has one. Like Bolt's `respond`, Slack's non-200 answer is not raised."""
    session = client.session if client is not None else None
    await AsyncWebhookClient(url=response_url, session=session).send_dict(
        {k: v for k, v in message.items() if v is not None})
