"""tests.slack_double.SlackDouble in a child process, driven over a pipe.

The benchmark's load generator must not share a GIL with the double: the bot's answers to the
double (users.info, response_url) would otherwise delay the generator's clock for the bot's
requests only. Spawned (not forked), so the child starts clean.
"""

from __future__ import annotations

import multiprocessing
from typing import Any


LISTEN_BACKLOG = 128


def _serve(conn, bot_token: str) -> None:
    import http.server

    from tests.slack_double import SlackDouble
    from tests.slack_double_rate import channel_of

    # socketserver listens with a backlog of 5: a burst of 50 response_url POSTs overflows it and
    # the kernel drops SYNs, which the bot retries after 1 s, 3 s, ... (Slack's hooks host has no
    # such limit). Only this child process's class is changed.
    http.server.ThreadingHTTPServer.request_queue_size = LISTEN_BACKLOG

    with SlackDouble(bot_token=bot_token) as double:
        conn.send(double.base_url)
        while True:
            op, args, kwargs = conn.recv()
            if op == "stop":
                conn.send(None)
                return
            if op == "add_user":
                double.add_user(*args, **kwargs)
                conn.send(None)
            elif op == "add_installed_team":
                double.add_installed_team(*args)
                conn.send(None)
            elif op == "post_teams":  # (channel, team whose token made it) of every accepted call to a method
                [method] = args
                conn.send([(channel_of(c.params), double.team_of_call(c)) for c in double.calls_to(method)
                           if c.status == 200 and c.error is None])
            elif op == "rate_limit":
                double.rate_limit(*args, **kwargs)
                conn.send(None)
            elif op == "posts":  # (at, status, channel, metadata key) of every call to a method
                [method] = args
                conn.send([(c.at, c.status, channel_of(c.params), ((c.params.get("metadata") or {})
                                                                   .get("event_payload") or {}).get("key"))
                           for c in double.calls_to(method)])
            elif op == "over_limit":  # channel -> times of calls faster than the method's rate limit
                [method] = args
                limit = double.rate_limits.get(method)
                conn.send(limit.over_limit() if limit else {})
            elif op == "calls":  # (path, status, at) of the calls to one method, under one path prefix
                method, prefix = args
                conn.send([(c.path, c.status, c.at) for c in double.calls_to(method) if c.path.startswith(prefix)])
            else:
                conn.send(ValueError(op))


class DoubleProcess:
    def __init__(self, bot_token: str) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(child, bot_token), name="slack-double", daemon=True)
        self.base_url = ""

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def start(self, timeout: float = 30) -> "DoubleProcess":
        self._proc.start()
        if not self._conn.poll(timeout):
            self._proc.kill()
            raise RuntimeError("the Slack double did not start")
        self.base_url = self._conn.recv()
        return self

    def _call(self, op: str, *args: Any, **kwargs: Any) -> Any:
        self._conn.send((op, args, kwargs))
        if not self._conn.poll(30):
            raise RuntimeError(f"the Slack double did not answer {op}")
        result = self._conn.recv()
        if isinstance(result, Exception):
            raise result
        return result

    def add_user(self, user_id: str, name: str | None = None, **kwargs: Any) -> None:
        self._call("add_user", user_id, name, **kwargs)

    def add_installed_team(self, team_id: str, name: str, token: str) -> None:
        self._call("add_installed_team", team_id, name, token)

    def post_teams(self, method: str = "chat.postMessage") -> list[tuple[str | None, str | None]]:
        """(channel, the team whose token made the call) of each accepted call to ``method``."""
        return self._call("post_teams", method)

    def rate_limit(self, method: str = "chat.postMessage", per_channel_per_second: float = 1.0, burst: int = 1,
                   *, enforce: bool = True) -> None:
        """SlackDouble.rate_limit in the child: 429 + Retry-After past the rate into one channel."""
        self._call("rate_limit", method, per_channel_per_second, burst, enforce=enforce)

    def posts(self, method: str = "chat.postMessage") -> list[tuple[float, int, str | None, str | None]]:
        """(time.monotonic() when answered, HTTP status, channel (a user id as its DM, D…), the
        ``metadata.event_payload.key``) of each call to ``method``, in arrival order."""
        return self._call("posts", method)

    def over_limit(self, method: str = "chat.postMessage") -> dict[str, list[float]]:
        """RateLimit.over_limit() of the method's limit: channels posted to faster than its rate."""
        return self._call("over_limit", method)

    def calls(self, method: str, path_prefix: str = "") -> list[tuple[str, int, float]]:
        """(path, HTTP status, time.monotonic() when answered) of each call; CLOCK_MONOTONIC is system-wide."""
        return self._call("calls", method, path_prefix)

    def stop(self) -> None:
        if self._proc.is_alive():
            try:
                self._call("stop")
            except (RuntimeError, OSError, EOFError):
                pass
            self._proc.join(5)
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join(5)
