"""What the console workspace holds and shows: messages, views, surfaces, and Slack's errors."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

BOT_USER, BOT_ID, APP_ID = "U0CONSULTBOT", "B0CONSULTBOT", "A0CONSULTBOT"
BOT_NAME = "consultbot"
BOT_TOKEN = "xoxb-console"  # the bot's token: the Web API and private file URLs take no other
TRIGGER_TTL_S = 3.0  # Slack's trigger_id lifetime
MAX_VIEW_STACK = 3
BLOCK_LIMITS = {"message": 50, "modal": 100, "home": 100}


class SlackError(Exception):
    """Answered as `{"ok": false, "error": ...}`."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[dict]
    ephemeral_for: str | None = None
    deleted: bool = False


@dataclass
class View:
    id: str
    user: str
    view: dict
    hash: str
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return str(self.view.get("type") or "modal")


@dataclass
class Surface:
    """Something a person now sees. `viewer` None: everyone in the channel."""

    kind: str  # message | edited | deleted | modal | home | file | api_error
    viewer: str | None
    channel: str | None = None
    message: Message | None = None
    text: str = ""
    blocks: list[dict] = field(default_factory=list)
    view: View | None = None
    detail: str = ""


@dataclass
class ResponseUrl:
    user: str
    channel: str
    original: tuple[str, str] | None  # (channel, ts) of the message whose button was pressed


def param(params: dict, name: str, default: Any = None) -> Any:
    value = params.get(name)
    return default if value in (None, "") else value


def with_block_ids(blocks: list, surface: str) -> list[dict]:
    """The blocks as Slack keeps them (a block_id on each), or `invalid_blocks` past Slack's limits."""
    if len(blocks) > BLOCK_LIMITS[surface]:
        raise SlackError("invalid_blocks")
    kept = []
    for block in blocks:
        if not isinstance(block, dict) or "type" not in block:
            raise SlackError("invalid_blocks")
        text = block.get("text") if isinstance(block.get("text"), dict) else {}
        if len(str(text.get("text") or "")) > (150 if block["type"] == "header" else 3000):
            raise SlackError("invalid_blocks")
        kept.append(block if block.get("block_id") else {**block, "block_id": secrets.token_urlsafe(4)})
    return kept
