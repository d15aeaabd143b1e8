"""Socket Mode with the same checks as HTTP mode: an envelope the bot cannot read is acked (so Slack
does not resend it), logged once as a warning, and never reaches a listener.

Over the WebSocket there is no signature to verify (the connection itself is authenticated with the
app-level token), but an envelope is still checked against the payload models
(bot/slack/envelope.py) before Bolt sees it.
"""

from __future__ import annotations

import asyncio
import json
import logging

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.slack.envelope import Malformed, check_payload

log = logging.getLogger(__name__)


class CheckedSocketModeClient(SocketModeClient):
    async def process_message(self) -> None:
        """As slack_sdk's, but a message that is not a JSON object, or an envelope whose payload is no
        object, is dropped with one warning instead of a logged traceback."""
        raw = await self.message_queue.get()
        if raw is None:
            return
        message: dict = {}
        if raw.startswith("{"):
            try:
                message = json.loads(raw)
            except (ValueError, RecursionError):
                log.warning("dropped a Socket Mode message that is not JSON")
                return
        if "payload" in message and not isinstance(message.get("payload"), dict):
            log.warning("malformed %s envelope dropped: payload is not an object", str(message.get("type"))[:40])
            if isinstance(message.get("envelope_id"), str):
                await self.send_socket_mode_response(SocketModeResponse(envelope_id=message["envelope_id"]))
            return
        asyncio.ensure_future(self.run_message_listeners(message, raw))


class CheckedSocketModeHandler(AsyncSocketModeHandler):
    def __init__(self, app: AsyncApp, app_token: str) -> None:  # noqa: D107 - AsyncSocketModeHandler's, own client
        self.app = app
        self.app_token = app_token
        self.client = CheckedSocketModeClient(app_token=app_token, logger=app.logger, web_client=app.client)
        self.client.socket_mode_request_listeners.append(self.handle)

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:
        try:
            check_payload(req.type, req.payload)
        except Malformed as malformed:
            log.warning("malformed %s envelope acked and dropped: %s", malformed.kind, malformed.reason)
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        await super().handle(client, req)
