"""What a kind of reminder makes of a due row at send time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Message:
    """Post this (`channel` is a user ID for a DM, or a channel ID)."""

    channel: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    files: tuple[tuple[str, bytes], ...] = ()  # (name, bytes): uploaded in the post's thread once it is sent


@dataclass(frozen=True)
class Skip:
    """Not needed any more; `reason` is recorded ("answered", "muted", "superseded", …)."""

    reason: str
