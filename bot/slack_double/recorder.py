"""The Slack double's record of calls and its faults (mixed into SlackDouble): what tests read and inject.

``calls``/``calls_to``/``wait_for``/``wait_until_quiet``/``dump`` read the record; ``fail_next``,
``fail_every`` and ``rate_limit`` make later calls fail; ``reset`` forgets calls and faults.
``inflight`` and ``activity`` say whether a request is being answered and when the last one came.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Callable

from bot.slack_double.rate import RateLimit
from bot.slack_double.records import Call, Fault


class Recorder:
    """Mixin: needs ``self._lock`` and ``self.uploaded_files`` of SlackDouble."""

    _lock: threading.RLock
    uploaded_files: dict[str, dict]

    def _init_recorder(self) -> None:
        self._calls: list[Call] = []
        self._faults: list[Fault] = []
        self.rate_limits: dict[str, RateLimit] = {}  # method -> its per-channel limit
        self.inflight = 0  # requests being answered now
        self.activity = time.monotonic()  # when the last request came or was answered

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
                for call in self.calls_to("files.completeUploadExternal")
                if call.params.get("channel_id") == channel
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

    def _record(self, call: Call) -> None:
        """Called with the lock held."""
        self._calls.append(call)

    # ---- fault injection
    def fail_next(self, method: str, status: int = 429, retry_after: int | None = 1, error: str | None = None,
                  times: int = 1) -> None:
        """The next ``times`` calls to ``method`` fail: 429 + Retry-After + ratelimited, 5xx + internal_error,
        or HTTP 200 ``{"ok": false, "error": error}`` (``error`` required then)."""
        self._add_fault(Fault(method, status, retry_after, error or "", times=times))

    def fail_every(self, method: str | None, n: int = 10, status: int = 429, retry_after: int | None = 1,
                   error: str | None = None) -> None:
        """Every n-th call to ``method`` (None: to any Web API method) fails, counted from now."""
        if n < 1:
            raise ValueError("n must be >= 1")
        self._add_fault(Fault(method, status, retry_after, error or "", times=0, every=n))

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

    def _add_fault(self, fault: Fault) -> None:
        if not fault.error and fault.status == 200:
            raise ValueError("an HTTP 200 fault needs an error, e.g. error='channel_not_found'")
        fault.error = fault.error or ("ratelimited" if fault.status == 429 else "internal_error")
        with self._lock:
            self._faults.append(fault)

    def _take_fault(self, method: str, is_api: bool) -> Fault | None:
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
