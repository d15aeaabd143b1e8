"""The console workspace over HTTP on 127.0.0.1, in the bot's own event loop (aiohttp.web).

`/api/<method>` takes what slack-sdk sends (query, form, multipart or JSON; `blocks`, `view`,
`files` may be JSON strings inside form fields), `/upload/<file_id>` is files_upload_v2's
upload URL, `/response/<token>` the response URLs slash commands and buttons carry, and
`/files-pri/<team>-<file_id>/…` a file's private URL (files.info hands it out; bot token only).
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import time
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.console.records import SlackError, Surface
from bot.console.workspace import Workspace

JSON_FIELDS = ("blocks", "view", "attachments", "files", "metadata")
SIGN_IN = "https://emg.slack.com/?redir="


async def _params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise SlackError("invalid_json") from None
            if not isinstance(body, dict):
                raise SlackError("invalid_json")
            params.update(body)
        else:
            form = await request.post()
            params.update({k: v if isinstance(v, str) else v.file.read() for k, v in form.items()})
    for name in JSON_FIELDS:
        if isinstance(params.get(name), str) and params[name]:
            try:
                params[name] = json.loads(params[name])
            except ValueError:
                raise SlackError("invalid_blocks_format" if name == "blocks" else "invalid_arguments") from None
    return params


class WebApi:
    """Start, serve and stop the workspace's HTTP side; counts calls so the shell knows when it is quiet."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.runner: web.AppRunner | None = None

    def _app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024, middlewares=[self._track])
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/response/{token}", self._respond)
        app.router.add_get("/files-pri/{key}/{name:.*}", self._private_file)
        return app

    @web.middleware
    async def _track(self, request: web.Request, handler):
        ws = self.workspace
        ws.inflight += 1
        ws.activity = time.monotonic()
        try:
            return await handler(request)
        finally:
            ws.inflight -= 1
            ws.activity = time.monotonic()

    async def start(self) -> str:
        self.runner = web.AppRunner(self._app(), access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # noqa: SLF001 (aiohttp exposes no public port)
        self.workspace.base_url = f"http://127.0.0.1:{port}"
        return self.workspace.base_url + "/api/"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    def _failed(self, method: str, error: str) -> web.Response:
        self.workspace.show(Surface("api_error", None, text=method, detail=error))
        return web.json_response({"ok": False, "error": error})

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            return web.json_response(self.workspace.call(method, await _params(request)))
        except SlackError as exc:
            return self._failed(method, exc.error)

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        if request.content_type.startswith("multipart/"):
            data = _first_file(data, request.headers.get("Content-Type", "")) or data
        try:
            self.workspace.upload(request.match_info["file_id"], data)
        except SlackError as exc:
            return web.Response(status=404, text=exc.error)
        return web.Response(text="OK - " + str(len(data)))

    async def _private_file(self, request: web.Request) -> web.Response:
        """The file's bytes for the bot token; anyone else is sent to sign in, as Slack does."""
        try:
            data, content_type = self.workspace.private_file(request.match_info["key"],
                                                             request.headers.get("Authorization", ""))
        except SlackError as exc:
            if exc.error == "not_authed":
                raise web.HTTPFound(SIGN_IN + quote(request.path, safe="")) from None
            return web.Response(status=404, text=exc.error)
        return web.Response(body=data, content_type=content_type)

    async def _respond(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
            self.workspace.respond(request.match_info["token"], body if isinstance(body, dict) else {})
        except ValueError:
            return self._failed("response_url", "invalid_json")
        except SlackError as exc:
            return self._failed("response_url", exc.error)
        return web.json_response({"ok": True})


def _first_file(body: bytes, content_type: str) -> bytes | None:
    """The first file part of a multipart body."""
    raw = f"Content-Type: {content_type}\r\n\r\n".encode() + body
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    for part in message.iter_parts():
        if part.get_filename():
            return part.get_payload(decode=True) or b""
    return None
