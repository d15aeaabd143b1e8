"""Per-channel rate limits for the Slack double (bot/slack_double/server.py).

Slack lets an app post about one message a second into a channel (short bursts tolerated) and
answers a post over that limit with HTTP 429, ``Retry-After: <seconds>`` and
``{"ok": false, "error": "ratelimited"}``. :class:`RateLimit` is that rule as a token bucket per
channel: ``burst`` tokens at most, refilled at ``per_channel_per_second``; a call takes one, or is
refused when none is left. A post to a user id (U…/W…) lands in the DM channel with them (D…),
so it counts against that channel, as the double's ``_message`` maps it.

Every call let through is logged per channel (``accepted``, ``time.monotonic()``), refused ones
too (``refused``): :func:`over_limit` replays a log against a rate, so a test or a benchmark can
check afterwards that no channel was ever posted to faster than the limit, also when the double
only watched (``enforce=False``) and let everything through.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

__all__ = ["RateLimit", "channel_of", "minimum_seconds", "over_limit"]


def channel_of(params: dict) -> str | None:
    """The channel a call posts into: a user id is the DM channel with that user."""
    channel = params.get("channel")
    if not isinstance(channel, str) or not channel:
        return None
    return "D" + channel if channel[0] in "UW" else channel


@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass
class RateLimit:
    """A token bucket per channel for one Web API method. Used under the double's lock."""

    method: str
    per_channel_per_second: float
    burst: int = 1
    enforce: bool = True  # False: let every call through, only log (see over_limit)
    accepted: defaultdict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    refused: defaultdict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.per_channel_per_second <= 0:
            raise ValueError("per_channel_per_second must be > 0")
        if self.burst < 1:
            raise ValueError("burst must be >= 1")

    def take(self, channel: str, now: float) -> int | None:
        """Take a token of ``channel`` at ``now``: None when the call may go, else its Retry-After
        (seconds until the next token, rounded up, at least 1)."""
        bucket = self._buckets.get(channel)
        if bucket is None:
            bucket = self._buckets[channel] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.per_channel_per_second)
        bucket.at = now
        if bucket.tokens >= 1.0 or not self.enforce:
            bucket.tokens -= 1.0  # may go below zero when only watching: the debt is paid back at the rate
            self.accepted[channel].append(now)
            return None
        self.refused[channel].append(now)
        return max(1, math.ceil((1.0 - bucket.tokens) / self.per_channel_per_second))

    def over_limit(self) -> dict[str, list[float]]:
        """Channels whose accepted calls went faster than the limit: channel -> times of the calls
        that found no token. Always empty when enforcing."""
        out = {}
        for channel, times in list(self.accepted.items()):  # a copy: the server's threads may still post
            late = over_limit(list(times), self.per_channel_per_second, self.burst)
            if late:
                out[channel] = late
        return out


def over_limit(times: list[float], per_second: float, burst: int = 1) -> list[float]:
    """The times (sorted, seconds) at which a bucket of ``burst`` tokens refilled at ``per_second``
    had no token left: the calls that came faster than the limit allows. Every call takes a token,
    the late ones too (a channel kept above the rate stays late, it is not forgiven every other call)."""
    tokens, last, late = float(burst), None, []
    for at in sorted(times):
        if last is not None:
            tokens = min(float(burst), tokens + (at - last) * per_second)
        last = at
        if tokens < 1.0 - 1e-9:  # the live bucket refills in other steps: allow for rounding
            late.append(at)
        tokens -= 1.0
    return late


def minimum_seconds(posts_per_channel: dict[str, int] | list[int], per_second: float, burst: int = 1) -> float:
    """The least time, from its first post to its last, that the busiest channel needs under the
    limit: max over channels of (n - burst) / rate (0 when every channel fits in its burst)."""
    counts = posts_per_channel.values() if isinstance(posts_per_channel, dict) else posts_per_channel
    return max([max(n - burst, 0) / per_second for n in counts], default=0.0)
