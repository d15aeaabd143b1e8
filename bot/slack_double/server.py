"""The Slack Web API double: a real HTTP server on 127.0.0.1 that slack-sdk clients talk to.

    with SlackDouble() as slack:
        WebClient(token="xoxb-test", base_url=slack.api_url).chat_postMessage(channel="C1", text="hi")
        [call] = slack.wait_for("chat.postMessage")

Serves ``/api/<method>``, ``/upload/<file_id>`` (files_upload_v2's upload_url), ``/response/<token>``
(response URLs: :meth:`SlackDouble.new_response_url`, or any ``slack.base_url + "/response/xyz"``),
GET ``/files-pri/<team>-<file_id>/...`` (bot/slack_double/files.py) and GET ``/oauth/v2/authorize``
(bot/slack_double/teams.py). Records every request as a :class:`Call` and injects faults and rate
limits (bot/slack_double/recorder.py), enforces Block Kit limits (limits.py), keeps messages,
views, people, channels and teams (messages.py, views.py, directory.py, teams.py) and tells
:meth:`SlackDouble.effect` what each person now sees (the console prints it; tests read calls).
"""

from __future__ import annotations

import itertools
import threading
import time
import json
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.slack_double.directory import Directory
from bot.slack_double.files import Files
from bot.slack_double.messages import Messages
from bot.slack_double.rate import channel_of
from bot.slack_double.recorder import Recorder
from bot.slack_double.records import Call, SlackError, Surface, parse_params
from bot.slack_double.teams import OAuthTeams
from bot.slack_double.views import Views


class SlackDouble(Recorder, OAuthTeams, Directory, Messages, Views, Files):
    """A Slack Web API double on 127.0.0.1 with a random free port (or ``port``). See the module docstring."""

    def __init__(self, bot_token: str = "xoxb-test", *, team_id: str = "T0EMG", team: str = "Consultbot Test",
                 user_id: str = "U0BOT", bot_id: str = "B0BOT", app_id: str = "A0APP", host: str = "127.0.0.1",
                 bot_name: str = "consultbot"):
        self.bot_token, self.team_id, self.team = bot_token, team_id, team
        self.app_token = "xapp-test"
        self.socket_url: str | None = None  # apps.connections.open hands this out (Socket Mode tests)
        self.user_id, self.bot_id, self.app_id, self.host, self.bot_name = user_id, bot_id, app_id, host, bot_name
        self._lock = threading.RLock()
        self._ids: defaultdict[str, itertools.count] = defaultdict(lambda: itertools.count(1))
        self._init_recorder()
        self._init_teams()
        self._init_directory()
        self._init_messages()
        self._init_views()
        self._init_files()
        self.add_user(user_id, bot_name, tz="UTC", is_bot=True)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0  # set by start()

    # ---- lifecycle
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def start(self) -> SlackDouble:
        serve = lambda req: self._serve(req)  # noqa: E731 - becomes do_POST/do_GET of the handler class
        handler = type("SlackDoubleHandler", (BaseHTTPRequestHandler,),
                       {"do_POST": serve, "do_GET": serve, "log_message": lambda *args: None,
                        "protocol_version": "HTTP/1.1"})  # keep-alive, as Slack: the bot's pool reuses connections
        server_class = type("Server", (ThreadingHTTPServer,), {"request_queue_size": 128})  # bursts of 50
        self._server = server_class((self.host, 0), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="slack-double",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = self._thread = None

    def __enter__(self) -> SlackDouble:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # ---- what people see, and ids
    def effect(self, surface: Surface) -> None:
        """Something a person now sees (a message, an edit, a modal, a home, a file, an API error); called with
        the lock held. The double keeps nothing more; the console overrides this to print it."""

    def new_id(self, prefix: str) -> str:
        """A new ID: ``V0001``, ``F0002``... (the console marks each run's IDs)."""
        with self._lock:
            return f"{prefix}{next(self._ids[prefix]):04d}"

    def _next_ts(self) -> str:
        micros = next(self._ids["ts"]) * 100
        return f"{1700000000 + micros // 1_000_000}.{micros % 1_000_000:06d}"

    # ---- HTTP plumbing
    def _serve(self, req: BaseHTTPRequestHandler) -> None:
        url = urlsplit(req.path)
        with self._lock:
            self.inflight += 1
            self.activity = time.monotonic()
        try:
            body = req.rfile.read(int(req.headers.get("Content-Length") or 0))
            headers = {k.lower(): v for k, v in req.headers.items()}
            with self._lock:
                status, extra_headers, payload = self._dispatch(url.path, url.query, body, headers)
            data = json.dumps(payload).encode() if isinstance(payload, dict) else \
                payload if isinstance(payload, bytes) else payload.encode()
            req.send_response(status)
            req.send_header("Content-Type", extra_headers.pop("Content-Type", None) or (
                "application/json; charset=utf-8" if isinstance(payload, dict) else "text/plain; charset=utf-8"))
            for name, value in extra_headers.items():
                req.send_header(name, value)
            req.send_header("Content-Length", str(len(data)))
            req.end_headers()
            req.wfile.write(data)
        finally:
            with self._lock:
                self.inflight -= 1
                self.activity = time.monotonic()

    def _dispatch(self, path: str, query: str, body: bytes, headers: dict) -> tuple[int, dict, dict | str | bytes]:
        """Routes /api/<method>, /response/<x> (method "response_url") and /upload/<file_id> ("upload").

        Web API methods answer JSON with HTTP 200 like Slack; response_url and upload answer plain
        text, with HTTP 400 (or 404 for an unknown upload) on errors, like Slack's hooks/files hosts."""
        kind, _, rest = path.lstrip("/").partition("/")
        if kind == "files-pri":
            return self._download(path, rest, headers)
        if kind == "oauth" and rest == "v2/authorize":
            status, out_headers, out = self._authorize_page(query)
            self._record(Call("oauth.authorize", dict(parse_qs(query)), headers, time.monotonic(),
                              None if status == 302 else out, status, path, out_headers.get("Location", out)))
            return status, out_headers, out
        if kind not in ("api", "response", "upload"):
            return 404, {}, "not_found"
        is_api = kind == "api"
        method = rest if is_api else {"response": "response_url", "upload": "upload"}[kind]
        content_type = headers.get("content-type", "")

        def answer(params: dict, error: str | None = None, status: int = 200, extra: dict | None = None,
                   result: dict | str = "ok", retry_after: int | None = None):
            out_headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
            if not is_api:
                out = error or result
            else:
                out = {"ok": False, "error": error, **(extra or {})} if error else {"ok": True, **result}
            self._record(Call(method, params, headers, time.monotonic(), error, status, path, out))
            if error and kind != "upload":
                self.effect(Surface("api_error", None, text=method, detail=error))
            return status, out_headers, out

        try:
            if kind == "upload":  # slack-sdk POSTs the raw bytes, not multipart
                params = {"file_id": rest, "size": len(body), "content_type": content_type}
            else:
                params = parse_params(query, body, content_type or "application/json")
        except SlackError as e:
            return answer({"raw_body": body.decode("utf-8", "replace")}, e.error, 200 if is_api else 400)
        handler = getattr(self, "_m_" + method.replace(".", "_"), None) if is_api else None
        if is_api and handler is None:
            return answer(params, "unknown_method")
        fault = self._take_fault(method, is_api)
        if fault:
            retry_after = fault.retry_after if fault.status == 429 else None
            return answer(params, fault.error, fault.status, retry_after=retry_after)
        try:
            if is_api:
                self._authenticate(method, params, headers)
                limit, channel = self.rate_limits.get(method), channel_of(params)
                wait = limit.take(channel, time.monotonic()) if limit and channel else None
                if wait is not None:
                    return answer(params, "ratelimited", 429, retry_after=wait)
                return answer(params, result=handler(params))
            if kind == "response":
                self._respond(rest, params)
                return answer(params, result="ok")
            try:
                return answer(params, result=self._upload(rest, body))
            except SlackError as e:
                return answer(params, e.error, 404)
        except SlackError as e:
            return answer(params, e.error, 200 if is_api else 400, e.extra)

    def _authenticate(self, method: str, params: dict, headers: dict) -> None:
        """The calling token's team becomes ``self._current``; a token of no live installation is refused."""
        auth = headers.get("authorization", "")
        token = auth[len("Bearer "):] if auth.startswith("Bearer ") else params.get("token")
        if not self._auth_token(method, token, headers) and not (
                method == "apps.connections.open" and token == self.app_token):
            raise SlackError("token_revoked" if token in self.revoked else
                             "invalid_auth" if token or headers.get("authorization") else "not_authed")
        self._current = self.token_team.get(token or "")

    # ---- Web API methods of the app itself: _m_<method with dots as underscores>(params) -> response fields
    def _m_apps_connections_open(self, params: dict) -> dict:
        if not self.socket_url:
            raise SlackError("internal_error")
        return {"url": self.socket_url}

    def _m_auth_test(self, params: dict) -> dict:
        if self._current is not None and self._current.tokens[:1] != [self.bot_token]:
            return self._team_auth_test()  # a token an install by OAuth issued
        return {"url": "https://consultbot-test.slack.com/", "team": self.team, "user": self.bot_name,
                "team_id": self.team_id, "user_id": self.user_id, "bot_id": self.bot_id,
                "is_enterprise_install": False}
