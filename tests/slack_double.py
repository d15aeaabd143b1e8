"""A Slack Web API double: a real HTTP server on 127.0.0.1 that slack-sdk clients talk to.

    with SlackDouble() as slack:
        WebClient(token="xoxb-test", base_url=slack.api_url).chat_postMessage(channel="C1", text="hi")
        [call] = slack.wait_for("chat.postMessage")

Serves ``/api/<method>``, ``/upload/<file_id>`` (files_upload_v2's upload_url),
``/response/<anything>`` (use ``slack.base_url + "/response/xyz"`` as a response_url) and GET
``/files-pri/<team>-<file_id>/[download/]<name>`` (the private URLs of files added with
:meth:`SlackDouble.add_file`, served to the bot token only, recorded as "files.download"), records
every request as a :class:`Call`, enforces Block Kit limits (tests/slack_double_limits.py) and
injects faults (:meth:`SlackDouble.fail_next`, :meth:`SlackDouble.fail_every`) and per-channel rate
limits (:meth:`SlackDouble.rate_limit`, tests/slack_double_rate.py).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, quote, urlsplit
from zoneinfo import ZoneInfo

from tests.slack_double_oauth import OAuthTeams
from tests.slack_double_limits import MESSAGE_TEXT_MAX, block_kit_errors, view_errors
from tests.slack_double_rate import RateLimit, channel_of

__all__ = ["Call", "RateLimit", "SlackDouble", "block_kit_errors", "view_errors"]

_JSON_FIELDS = ("blocks", "view", "attachments", "files", "metadata")
_TRUE = (True, 1, "1", "true", "True")
_MIMETYPES = {"markdown": "text/plain", "text": "text/plain", "pdf": "application/pdf",
              "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass
class Call:
    """One request the double received. ``headers`` keys are lower-case; ``at`` is time.monotonic()."""

    method: str  # Web API method, or "response_url" / "upload"
    params: dict
    headers: dict
    at: float
    error: str | None = None  # the error the double answered with, if any
    status: int = 200  # HTTP status the double answered with
    path: str = ""  # request path, e.g. "/api/chat.postMessage" or "/response/xyz"
    response: dict | str | None = None  # what the double answered (JSON body, or text for hooks)


@dataclass
class _Fault:
    method: str | None  # None: every Web API method
    status: int
    retry_after: int | None
    error: str
    times: int = 1  # fail_next: remaining failures
    every: int = 0  # fail_every: fail each n-th matching call
    seen: int = 0


class SlackError(Exception):
    """Raised by a method handler to answer ``{"ok": false, "error": ..., **extra}``."""

    def __init__(self, error: str, **extra: Any):
        super().__init__(error)
        self.error, self.extra = error, extra


def _params(query: str, body: bytes, content_type: str) -> dict[str, Any]:
    """Query string + body (JSON or form); JSON strings in blocks/view/files/... decoded.

    Raises SlackError("invalid_json") / SlackError("invalid_blocks_format") like Slack."""
    def flat(qs: str) -> dict[str, Any]:
        return {k: v[0] if len(v) == 1 else v for k, v in parse_qs(qs, keep_blank_values=True).items()}

    params = flat(query)
    if body and "json" in content_type:
        try:
            params.update(json.loads(body))
        except (ValueError, TypeError):  # bad JSON, or JSON that is not an object
            raise SlackError("invalid_json") from None
    elif body:
        params.update(flat(body.decode("utf-8")))
    for key in _JSON_FIELDS:
        if isinstance(params.get(key), str) and params[key]:
            try:
                params[key] = json.loads(params[key])
            except ValueError:
                raise SlackError("invalid_blocks_format" if key == "blocks" else "invalid_arguments") from None
    return params


class SlackDouble(OAuthTeams):
    """A Slack Web API double on 127.0.0.1 with a random free port. See the module docstring; its workspaces
    and OAuth: tests/slack_double_oauth.py."""

    def __init__(self, bot_token: str = "xoxb-test", *, team_id: str = "T0EMG", team: str = "Consultbot Test",
                 user_id: str = "U0BOT", bot_id: str = "B0BOT", app_id: str = "A0APP", host: str = "127.0.0.1"):
        self.bot_token, self.team_id, self.team = bot_token, team_id, team
        self.app_token = "xapp-test"
        self.socket_url: str | None = None  # apps.connections.open hands this out (Socket Mode tests)
        self.user_id, self.bot_id, self.app_id, self.host = user_id, bot_id, app_id, host
        self.users: dict[str, dict] = {}
        self.channels: dict[str, dict] = {}
        self.views: dict[str, dict] = {}
        self._home_views: dict[str, str] = {}  # user_id -> id of their App Home view
        self.uploaded_files: dict[str, dict] = {}
        self.files: dict[str, dict] = {}  # add_file: file_id -> {"file": Slack's file object, "bytes": ...}
        self._calls: list[Call] = []
        self._faults: list[_Fault] = []
        self.rate_limits: dict[str, RateLimit] = {}  # method -> its per-channel limit
        self._lock = threading.RLock()
        self._init_teams()
        self._ids: defaultdict[str, itertools.count] = defaultdict(lambda: itertools.count(1))
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
                        "protocol_version": "HTTP/1.1"})  # keep-alive, as Slack
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

    # ---- registries
    def add_user(self, user_id: str, name: str | None = None, *, tz: str = "Europe/Zurich", locale: str = "en-US",
                 team_id: str | None = None, deleted: bool = False, real_name: str | None = None,
                 is_bot: bool = False, email: str | None = None) -> dict:
        ZoneInfo(tz)  # fail early on a bad zone name
        name = name or user_id.lower()
        user = {"id": user_id, "team_id": team_id or self.team_id, "name": name, "deleted": deleted,
                "real_name": real_name or name, "tz": tz, "locale": locale, "is_bot": is_bot,
                "is_admin": False, "is_app_user": False, "updated": 1700000000,
                "profile": {"real_name": real_name or name, "display_name": name, "email": email,
                            "team": team_id or self.team_id}}
        with self._lock:
            self.users[user_id] = user
        return user

    def add_file(self, file_id: str, name: str, data: bytes, filetype: str, *, user: str | None = None,
                 url: str | None = None) -> dict:
        """A file a person uploaded (e.g. in a file_input); returns Slack's file object, as files.info
        gives it. Its url_private(_download) point back here; ``url`` replaces url_private_download."""
        path = f"{self.base_url}/files-pri/{self.team_id}-{file_id}"
        user = user or self.user_id
        file = {"id": file_id, "created": 1700000000, "timestamp": 1700000000, "name": name, "title": name,
                "mimetype": _MIMETYPES.get(filetype, "application/octet-stream"), "filetype": filetype,
                "pretty_type": filetype.capitalize(), "user": user, "user_team": self.team_id, "editable": False,
                "size": len(data), "mode": "hosted", "is_external": False, "external_type": "", "is_public": False,
                "public_url_shared": False, "display_as_bot": False, "username": "",
                "url_private": f"{path}/{quote(name)}", "url_private_download": url or f"{path}/download/{quote(name)}",
                "permalink": f"https://consultbot-test.slack.com/files/{user}/{file_id}/{quote(name)}",
                "channels": [], "groups": [], "ims": [], "comments_count": 0}
        with self._lock:
            self.files[file_id] = {"file": file, "bytes": data}
        return file

    # ---- recorded calls
    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def uploads_to(self, channel: str) -> list[dict]:
        """The files completed into a channel (files_upload_v2), in order: name, title, bytes and the comment."""
        return [{**self.uploaded_files[f["id"]], "comment": call.params.get("initial_comment")}
                for call in self.calls_to("files.completeUploadExternal") if call.params.get("channel_id") == channel
                for f in call.params["files"]]

    def wait_for(self, method: str, predicate: Callable[[Call], bool] | None = None, timeout: float = 5.0,
                 count: int = 1) -> list[Call]:
        """Polls until ``count`` calls to ``method`` (matching ``predicate(call)``) arrived; returns them all."""
        deadline = time.monotonic() + timeout
        while True:
            matched = [c for c in self.calls_to(method) if predicate is None or predicate(c)]
            if len(matched) >= count:
                return matched
            if time.monotonic() >= deadline:
                what = f"{count} call(s) to {method}" + (" matching the predicate" if predicate else "")
                raise AssertionError(f"expected {what} within {timeout}s, got {len(matched)}.\n{self.dump()}")
            time.sleep(0.01)

    def dump(self) -> str:
        """The recorded calls, one a line: time since the first, method, error, params (cut at 300 chars)."""
        calls = self.calls
        lines = [f"Recorded calls ({len(calls)}):"]
        for c in calls:
            params = json.dumps(c.params, default=repr, ensure_ascii=False)
            error = f" error={c.error} status={c.status}" if c.error else ""
            lines.append(f"  +{c.at - calls[0].at:7.3f}s {c.method}{error} {params[:300]}")
        return "\n".join(lines)

    def wait_until_quiet(self, quiet_s: float = 0.6, timeout: float = 15.0) -> None:
        """Until no call has arrived for `quiet_s` (what earlier requests set off has been sent), at most `timeout`."""
        deadline = time.monotonic() + timeout
        count, since = len(self.calls), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            now = len(self.calls)
            if now != count:
                count, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet_s:
                return

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
            self._faults.clear()
            self.rate_limits.clear()

    # ---- fault injection
    def fail_next(self, method: str, status: int = 429, retry_after: int | None = 1, error: str | None = None,
                  times: int = 1) -> None:
        """The next ``times`` calls to ``method`` fail: 429 + Retry-After + ratelimited, 5xx + internal_error,
        or HTTP 200 ``{"ok": false, "error": error}`` (``error`` required then)."""
        self._add_fault(_Fault(method, status, retry_after, error or "", times=times))

    def fail_every(self, method: str | None, n: int = 10, status: int = 429, retry_after: int | None = 1,
                   error: str | None = None) -> None:
        """Every n-th call to ``method`` (None: to any Web API method) fails, counted from now."""
        if n < 1:
            raise ValueError("n must be >= 1")
        self._add_fault(_Fault(method, status, retry_after, error or "", times=0, every=n))

    def rate_limit(self, method: str = "chat.postMessage", per_channel_per_second: float = 1.0, burst: int = 1,
                   *, enforce: bool = True) -> RateLimit:
        """From now on, calls to ``method`` past ``per_channel_per_second`` into one channel (a token
        bucket of ``burst``) are answered 429 + Retry-After + ratelimited, and recorded like faults.
        The returned limit logs each channel's calls (``accepted``/``refused``); ``over_limit()`` says
        whether a channel was posted to faster than the rate (with ``enforce=False``: only logged)."""
        limit = RateLimit(method, per_channel_per_second, burst, enforce)
        with self._lock:
            self.rate_limits[method] = limit
        return limit

    def _add_fault(self, fault: _Fault) -> None:
        if not fault.error and fault.status == 200:
            raise ValueError("an HTTP 200 fault needs an error, e.g. error='channel_not_found'")
        fault.error = fault.error or ("ratelimited" if fault.status == 429 else "internal_error")
        with self._lock:
            self._faults.append(fault)

    def _take_fault(self, method: str, is_api: bool) -> _Fault | None:
        for fault in self._faults:
            if fault.method == method or (fault.method is None and is_api):
                fault.seen += 1
                if fault.every and fault.seen % fault.every == 0:
                    return fault
                if fault.times > 0:
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    # ---- HTTP plumbing
    def _serve(self, req: BaseHTTPRequestHandler) -> None:
        url = urlsplit(req.path)
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

    def _dispatch(self, path: str, query: str, body: bytes, headers: dict) -> tuple[int, dict, dict | str]:
        """Routes /api/<method>, /response/<x> (method "response_url") and /upload/<file_id> ("upload").

        Web API methods answer JSON with HTTP 200 like Slack; response_url and upload answer plain
        text, with HTTP 400 (or 404 for an unknown upload) on errors, like Slack's hooks/files hosts."""
        kind, _, rest = path.lstrip("/").partition("/")
        if kind == "files-pri":
            return self._download(path, rest, headers)
        if kind == "oauth" and rest == "v2/authorize":
            status, out_headers, out = self._authorize_page(query)
            self._calls.append(Call("oauth.authorize", dict(parse_qs(query)), headers, time.monotonic(),
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
            self._calls.append(Call(method, params, headers, time.monotonic(), error, status, path, out))
            return status, out_headers, out

        try:
            if kind == "upload":  # slack-sdk POSTs the raw bytes, not multipart
                params = {"file_id": rest, "size": len(body), "content_type": content_type}
            else:
                params = _params(query, body, content_type or "application/json")
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
                auth = headers.get("authorization", "")
                token = auth[len("Bearer "):] if auth.startswith("Bearer ") else params.get("token")
                if not self._auth_token(method, token, headers) and not (
                        method == "apps.connections.open" and token == self.app_token):
                    raise SlackError("token_revoked" if token in self.revoked else
                                     "invalid_auth" if token or headers.get("authorization") else "not_authed")
                self._current = self.token_team.get(token or "")
                limit, channel = self.rate_limits.get(method), channel_of(params)
                wait = limit.take(channel, time.monotonic()) if limit and channel else None
                if wait is not None:
                    return answer(params, "ratelimited", 429, retry_after=wait)
                return answer(params, result=handler(params))
            if kind == "response":
                errors = block_kit_errors(params.get("blocks"), "message")
                if errors:
                    raise SlackError("invalid_blocks", errors=errors)
                return answer(params, result="ok")
            if rest not in self.uploaded_files:
                return answer(params, "file_not_found", 404)
            self.uploaded_files[rest]["bytes"] = body
            return answer(params, result=f"OK - {len(body)}")
        except SlackError as e:
            return answer(params, e.error, 200 if is_api else 400, e.extra)

    def _download(self, path: str, rest: str, headers: dict) -> tuple[int, dict, bytes | str]:
        """GET of a private file URL: the bytes for the bot token; without it, like Slack, a
        redirect to the workspace's sign-in page."""
        key = rest.split("/")[0]
        file_id = key.removeprefix(f"{self.team_id}-")
        params = {"file_id": file_id, "path": path}
        stored = self.files.get(file_id) if key != file_id else None
        fault = self._take_fault("files.download", False)
        if fault:
            status, out_headers, out = fault.status, {}, fault.error
        elif headers.get("authorization") != f"Bearer {self.bot_token}":
            status, out = 302, "redirect"
            out_headers = {"Location": f"https://consultbot-test.slack.com/?redir={quote(path, safe='')}"}
        elif stored is None:
            status, out_headers, out = 404, {}, "file_not_found"
        else:
            status, out = 200, stored["bytes"]
            out_headers = {"Content-Type": stored["file"]["mimetype"]}
        error = None if status == 200 else (out if isinstance(out, str) else "error")
        self._calls.append(Call("files.download", params, headers, time.monotonic(), error, status, path,
                                None if status == 200 else out))
        return status, out_headers, out

    def _m_files_info(self, params: dict) -> dict:
        self._need(params, "invalid_arguments", "file")
        stored = self.files.get(params["file"])
        if stored is None:
            raise SlackError("file_not_found")
        return {"file": stored["file"], "comments": [], "response_metadata": {"next_cursor": ""}}

    def _m_apps_connections_open(self, params: dict) -> dict:
        if not self.socket_url:
            raise SlackError("internal_error")
        return {"url": self.socket_url}

    # ---- helpers for the method handlers (called with the lock held)
    def _next(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids[prefix]):04d}"

    def _next_ts(self) -> str:
        micros = next(self._ids["ts"]) * 100
        return f"{1700000000 + micros // 1_000_000}.{micros % 1_000_000:06d}"

    @staticmethod
    def _need(params: dict, error: str, *keys: str) -> None:
        if not all(params.get(key) for key in keys):
            raise SlackError(error)

    def _channel(self, channel_id: str, **fields: Any) -> dict:
        if channel_id in self.channels:
            return {**self.channels[channel_id], **fields}
        return {"id": channel_id, "name": channel_id.lower(), "is_channel": channel_id.startswith("C"),
                "is_im": channel_id.startswith("D"), "is_private": channel_id.startswith("G"),
                "is_member": channel_id.startswith("D"), "is_archived": False, "created": 1700000000, **fields}

    def _message(self, params: dict) -> tuple[str, dict]:
        """Checks channel/text/blocks of a message; returns (channel, message object)."""
        self._need(params, "channel_not_found", "channel")
        channel = params["channel"]
        if channel[0] in "UW":  # posting to a user id lands in the DM with them
            channel = "D" + channel
        errors = block_kit_errors(params.get("blocks"), "message")
        if errors:
            raise SlackError("invalid_blocks", errors=errors)
        text = params.get("text") or ""
        message = {"type": "message", "text": text[:MESSAGE_TEXT_MAX], "user": self.user_id,
                   "bot_id": self.bot_id, "app_id": self.app_id, "team": self.team_id}
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if params.get(key):
                message[key] = params[key]
        return channel, message

    def _view(self, params: dict, view_id: str | None = None, root_id: str | None = None) -> dict:
        view = params.get("view")
        errors = view_errors(view)
        if errors:
            error = "view_too_large" if any("bytes of JSON" in e for e in errors) else "invalid_blocks"
            raise SlackError(error, errors=errors)
        known = self.views.get(view_id or "")
        if known and params.get("hash") and params["hash"] != known["hash"]:
            raise SlackError("hash_conflict")
        view_id = view_id or self._next("V")
        stored = {"id": view_id, "team_id": self.team_id, "type": view["type"], "blocks": [],
                  "private_metadata": "", "callback_id": "", "external_id": "", "state": {"values": {}},
                  "clear_on_close": False, "notify_on_close": False, "close": None, "submit": None,
                  "previous_view_id": None, "root_view_id": root_id or view_id, "app_id": self.app_id,
                  "app_installed_team_id": self.team_id, "bot_id": self.bot_id,
                  **view, "id": view_id, "hash": f"1700000000.{next(self._ids['hash']):08d}"}
        self.views[view_id] = stored
        return {"view": stored}

    # ---- Web API methods: _m_<method with dots as underscores>(params) -> response fields
    def _error(self, error: str) -> SlackError:
        return SlackError(error)

    def _m_auth_test(self, params: dict) -> dict:
        if self._current is not None and self._current.tokens[:1] != [self.bot_token]:
            return self._team_auth_test()  # a token an install by OAuth issued
        return {"url": "https://consultbot-test.slack.com/", "team": self.team, "user": "consultbot",
                "team_id": self.team_id, "user_id": self.user_id, "bot_id": self.bot_id,
                "is_enterprise_install": False}

    def _m_users_info(self, params: dict) -> dict:
        user = self.users.get(params.get("user", ""))
        if user is None:
            raise SlackError("user_not_found")
        now = datetime.now(ZoneInfo(user["tz"]))
        user = {**user, "tz_label": now.tzname(), "tz_offset": int(now.utcoffset().total_seconds())}
        if params.get("include_locale") not in _TRUE:
            del user["locale"]
        return {"user": user}

    def _m_conversations_open(self, params: dict) -> dict:
        if params.get("channel"):
            return {"channel": self._channel(params["channel"])}
        users = [u for u in (params.get("users") or "").split(",") if u]
        if not users:
            raise SlackError("users_list_not_supplied")
        channel_id = "D" + users[0] if len(users) == 1 else "G" + "".join(sorted(users))[:20]
        channel = self._channel(channel_id)
        return {"channel": channel if params.get("return_im") in _TRUE else {"id": channel_id}}

    def _m_conversations_info(self, params: dict, join: bool = False) -> dict:
        self._need(params, "channel_not_found", "channel")
        channel = self._channel(params["channel"], **({"is_member": True} if join else {}))
        self.channels[channel["id"]] = channel
        return {"channel": channel}

    def _m_conversations_join(self, params: dict) -> dict:
        return self._m_conversations_info(params, join=True)

    def _m_chat_postMessage(self, params: dict) -> dict:
        if not (params.get("text") or params.get("blocks") or params.get("attachments")):
            raise SlackError("no_text")
        channel, message = self._message(params)
        if not self._reaches(params["channel"]):
            raise SlackError("channel_not_found")  # a DM to someone outside the token's workspace
        ts = message["ts"] = self._next_ts()
        return {"channel": channel, "ts": ts, "message": message}

    def _m_chat_postEphemeral(self, params: dict) -> dict:
        self._need(params, "user_not_found", "user")
        self._message(params)
        return {"message_ts": self._next_ts()}

    def _m_chat_update(self, params: dict) -> dict:
        self._need(params, "message_not_found", "ts")
        channel, message = self._message(params)
        message["ts"] = params["ts"]
        return {"channel": channel, "ts": params["ts"], "text": message["text"], "message": message}

    def _m_chat_delete(self, params: dict) -> dict:
        self._need(params, "channel_not_found", "channel")
        self._need(params, "message_not_found", "ts")
        return {"channel": params["channel"], "ts": params["ts"]}

    def _m_views_open(self, params: dict) -> dict:
        self._need(params, "invalid_arguments", "trigger_id")
        return self._view(params)

    _m_views_push = _m_views_open

    def _m_views_update(self, params: dict) -> dict:
        by_external_id = {v["external_id"]: k for k, v in self.views.items() if v.get("external_id")}
        view_id = params.get("view_id") or by_external_id.get(params.get("external_id"))
        self._need({"view_id": view_id}, "not_found", "view_id")
        known = self.views.get(view_id)
        return self._view(params, view_id, known["root_view_id"] if known else None)

    def _m_views_publish(self, params: dict) -> dict:
        self._need(params, "invalid_arguments", "user_id")
        result = self._view(params, self._home_views.get(params["user_id"]))
        self._home_views[params["user_id"]] = result["view"]["id"]
        return result

    def _m_files_getUploadURLExternal(self, params: dict) -> dict:
        self._need(params, "invalid_arguments", "filename", "length")
        file_id = self._next("F")
        self.uploaded_files[file_id] = {"filename": params["filename"], "title": None, "bytes": None,
                                        "channel_id": None, "initial_comment": None, "thread_ts": None}
        return {"upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(self, params: dict) -> dict:
        files = params.get("files")
        if not isinstance(files, list) or not files:
            raise SlackError("invalid_arguments")
        channel = params.get("channel_id") or (params.get("channels") or "").split(",")[0] or None
        out = []
        for f in files:
            stored = self.uploaded_files.get(f.get("id", "")) if isinstance(f, dict) else None
            if stored is None or stored["bytes"] is None:
                raise SlackError("file_not_found")
            stored.update(title=f.get("title") or stored["filename"], channel_id=channel,
                          initial_comment=params.get("initial_comment"), thread_ts=params.get("thread_ts"))
            out.append({"id": f["id"], "name": stored["filename"], "title": stored["title"],
                        "size": len(stored["bytes"]), "channels": [channel] if channel else [],
                        "user": self.user_id})
        return {"files": out}
