"""The pace of posting: at most one message per `interval` into a channel, and nothing at all into a
workspace while Slack's Retry-After runs after a 429 from it (Slack's limits are per workspace and app;
with one workspace, `team` is None throughout and a 429 pauses everything, as before).

The interval runs from when Slack answered the previous message into the channel, not from when
it was sent: Slack counts arrivals, and a slow request followed by a fast one would otherwise
arrive closer together than `interval` (a 429, which pauses every channel)."""

from __future__ import annotations

import asyncio
import time


class Pacer:
    def __init__(self, per_channel_per_second: float) -> None:
        self.interval = 1.0 / per_channel_per_second
        self.next_slot: dict[str, float] = {}
        self.paused: dict[str | None, float] = {}  # workspace -> time.monotonic() its pause ends

    @property
    def paused_until(self) -> float:
        """When the last pause ends (0: none)."""
        return max(self.paused.values(), default=0.0)

    def busy(self) -> frozenset[str]:
        """Channels that cannot take a message yet (claiming their rows now would only make them wait)."""
        now = time.monotonic()
        for channel in [c for c, t in self.next_slot.items() if t <= now]:
            del self.next_slot[channel]
        return frozenset(self.next_slot)

    def next_free(self) -> float:
        """Seconds until the pause ends or the first paced channel frees up (0 if nothing waits)."""
        now = time.monotonic()
        waits = [t - now for t in self.next_slot.values()] + [t - now for t in self.paused.values()]
        positive = [w for w in waits if w > 0]
        return min(positive) if positive else 0.0

    async def wait(self, channel: str, team: str | None = None) -> None:
        """Take the channel's next slot, sleeping until it (and its workspace's pause) comes."""
        while True:
            now = time.monotonic()
            ready = max(self.paused.get(team, 0.0), self.next_slot.get(channel, 0.0))
            if ready <= now:
                self.next_slot[channel] = now + self.interval
                return
            await asyncio.sleep(ready - now)

    def answered(self, channel: str) -> None:
        """Slack answered the message taken by `wait`: the channel's next one goes `interval` after now."""
        self.next_slot[channel] = max(self.next_slot.get(channel, 0.0), time.monotonic() + self.interval)

    def pause(self, seconds: float, team: str | None = None) -> None:
        """Slack said Retry-After: nothing goes out to that workspace before it has passed."""
        self.paused[team] = max(self.paused.get(team, 0.0), time.monotonic() + seconds)
