"""What the Slack double keeps and answers with: recorded calls, faults, messages, views, surfaces, errors;
and how a request's parameters are read (query, form or JSON, with JSON strings inside form fields)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

JSON_FIELDS = ("blocks", "view", "attachments", "files", "metadata")
TRUE = (True, 1, "1", "true", "True")
TRIGGER_TTL_S = 3.0  # Slack's trigger_id lifetime
MAX_VIEW_STACK = 3  # modals open at once for one person


@dataclass
class Call:
    """One request the double received. ``headers`` keys are lower-case; ``at`` is time.monotonic()."""

    method: str  # Web API method, or "response_url" / "upload" / "files.download" / "oauth.authorize"
    params: dict
    headers: dict
    at: float
    error: str | None = None  # the error the double answered with, if any
    status: int = 200  # HTTP status the double answered with
    path: str = ""  # request path, e.g. "/api/chat.postMessage" or "/response/xyz"
    response: dict | str | None = None  # what the double answered (JSON body, or text for hooks)


@dataclass
class Fault:
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


@dataclass
class Message:
    """A message in a channel (or shown to one person: ``ephemeral_for``); blocks carry Slack's block_ids."""

    channel: str
    ts: str
    text: str
    blocks: list[dict]
    ephemeral_for: str | None = None
    deleted: bool = False
    team: str | None = None  # the team whose token posted it
    extra: dict = field(default_factory=dict)  # attachments, thread_ts, metadata as posted


@dataclass
class View:
    """A modal or App Home as Slack keeps it. ``user`` None: opened with a trigger the double did not issue.
    ``values``/``errors`` are the inputs a person filled in and the errors shown (the console fills them)."""

    id: str
    user: str | None
    view: dict
    hash: str
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return str(self.view.get("type") or "modal")


@dataclass
class ResponseUrl:
    """A response_url the double issued: who pressed or typed where, and the message pressed on."""

    user: str
    channel: str
    original: tuple[str, str] | None  # (channel, ts) of the message whose button was pressed


@dataclass
class Surface:
    """Something a person now sees, handed to :meth:`SlackDouble.effect`. ``viewer`` None: everyone there."""

    kind: str  # message | edited | deleted | modal | home | file | api_error (the console adds its own)
    viewer: str | None
    channel: str | None = None
    message: Message | None = None
    text: str = ""
    blocks: list[dict] = field(default_factory=list)
    view: View | None = None
    detail: str = ""


def param(params: dict, name: str, default: Any = None) -> Any:
    value = params.get(name)
    return default if value in (None, "") else value


def parse_params(query: str, body: bytes, content_type: str) -> dict[str, Any]:
    """Query string + body (JSON or form); JSON strings in blocks/view/files/... decoded.

    Raises SlackError("invalid_json") / SlackError("invalid_blocks_format") like Slack."""
    def flat(qs: str) -> dict[str, Any]:
        return {k: v[0] if len(v) == 1 else v for k, v in parse_qs(qs, keep_blank_values=True).items()}

    params = flat(query)
    if body and "json" in content_type:
        try:
            loaded = json.loads(body)
        except (ValueError, TypeError):
            raise SlackError("invalid_json") from None
        if not isinstance(loaded, dict):
            raise SlackError("invalid_json")
        params.update(loaded)
    elif body:
        params.update(flat(body.decode("utf-8")))
    for key in JSON_FIELDS:
        if isinstance(params.get(key), str) and params[key]:
            try:
                params[key] = json.loads(params[key])
            except ValueError:
                raise SlackError("invalid_blocks_format" if key == "blocks" else "invalid_arguments") from None
    return params
