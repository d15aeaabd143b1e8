"""The outermost gate of `POST /slack/events`: size, timestamp and signature before anything else.

An unverified request is answered 413 or 401 here and goes no further: no parsing, no listener,
no error handler, no outbound call, one info log line without its body. A verified request the
bot cannot read (bot/slack/envelope.py) gets 400, or for a slash command a 200 with an ephemeral
explanation (what Slack shows the person), and one warning line naming its kind. Only then does
Bolt see the request (and verifies the signature again, which costs a few microseconds).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.slack.envelope import Checked, Malformed, check_body
from bot.texts import t_plain

log = logging.getLogger(__name__)

MAX_SKEW_S = 300  # Slack's own rule: an older request is a replay
_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")
_SIGNATURE = re.compile(r"^v0=[0-9a-f]{64}$")

Forward = Callable[[Request, Checked], Awaitable[Response]]


class TooLarge(Exception):
    pass


@dataclass(frozen=True)
class Gate:
    signing_secret: str
    max_body_bytes: int

    async def __call__(self, request: Request, forward: Forward) -> Response:
        try:
            body = await self._body(request)
        except TooLarge:
            log.info("refused a request to %s: body over %d bytes", request.url.path, self.max_body_bytes)
            return JSONResponse({"error": "request too large"}, status_code=413)
        refusal = self.refusal(request.headers.get("x-slack-request-timestamp"),
                               request.headers.get("x-slack-signature"), body)
        if refusal:
            log.info("refused an unverified request to %s: %s", request.url.path, refusal)
            return JSONResponse({"error": "invalid request"}, status_code=401)
        try:
            checked = check_body(body, request.headers.get("content-type", ""))
        except Malformed as malformed:
            log.warning("malformed %s request refused: %s", malformed.kind, malformed.reason)
            if malformed.kind == "slash_commands":  # Slack shows a command's answer to the person
                return JSONResponse({"response_type": "ephemeral", "text": t_plain("errors.malformed_request", None)})
            return JSONResponse({"error": "malformed request"}, status_code=400)
        return await forward(request, checked)

    async def browser(self, request: Request, forward: Callable[[Request], Awaitable[Response]]) -> Response:
        """A browser's GET (the install pages, bot/slack/oauth.py): not signed by Slack, so of the checks
        above only the size applies; what the query holds is checked by the route's own model."""
        try:
            await self._body(request)
        except TooLarge:
            log.info("refused a request to %s: body over %d bytes", request.url.path, self.max_body_bytes)
            return JSONResponse({"error": "request too large"}, status_code=413)
        return await forward(request)

    async def _body(self, request: Request) -> bytes:
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body_bytes):
            raise TooLarge
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self.max_body_bytes:
                raise TooLarge
            chunks.append(chunk)
        body = b"".join(chunks)
        request._body = body  # Starlette's cache: Bolt's adapter reads the same bytes again
        return body

    def refusal(self, timestamp: str | None, signature: str | None, body: bytes) -> str | None:
        """Why the request is not Slack's, or None."""
        if not timestamp or not _TIMESTAMP.match(timestamp):
            return "timestamp missing or not a number"
        if abs(time.time() - int(timestamp)) > MAX_SKEW_S:
            return "timestamp too old or in the future"
        if not signature or not _SIGNATURE.match(signature):
            return "signature missing or malformed"
        base = b"v0:" + timestamp.encode() + b":" + body
        expected = "v0=" + hmac.new(self.signing_secret.encode(), base, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            return "signature does not match"
        return None
