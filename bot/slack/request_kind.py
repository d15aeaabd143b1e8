"""What a Slack request is, for logs and metrics: its kind (command, action, view, event, other),
its name (the subcommand, action_id, callback_id or event type; only the bot's own, anything else
is "other", so metric labels stay bounded) and who sent it. Never the text a person typed: of a
command's text only the first word is looked at, and named only when it is a subcommand.

`bind_request` runs first on every request (bot/slack/app.py's one middleware calls it; bot/startup.py hands it
over): it binds these to the log lines of the request (bot/observability/logs.py) and leaves them for
bot/server.py's timing wrapper.
"""

from __future__ import annotations

import contextvars
import uuid
from dataclasses import dataclass
from typing import Any

from bot.observability import logs
from bot.slack.app import ACTIONS, EVENTS, SUBCOMMANDS, VIEWS

OTHER = "other"
_SUBCOMMANDS = frozenset(SUBCOMMANDS)
_ACTIONS, _VIEWS, _EVENTS = frozenset(ACTIONS), frozenset(VIEWS), frozenset(EVENTS)


@dataclass(frozen=True)
class RequestKind:
    kind: str = OTHER
    name: str = OTHER
    team: str | None = None
    user: str | None = None


CURRENT: contextvars.ContextVar[RequestKind | None] = contextvars.ContextVar("slack_request_kind", default=None)


def _known(value: Any, known: frozenset[str]) -> str:
    return value if isinstance(value, str) and value in known else OTHER


def _id(value: Any) -> str | None:
    return value[:32] if isinstance(value, str) and value.isalnum() else None


def classify(body: dict[str, Any]) -> RequestKind:
    if not isinstance(body, dict):
        return RequestKind()
    if "command" in body:
        words = str(body.get("text") or "").split(maxsplit=1)
        return RequestKind("command", _known(words[0].lower() if words else "help", _SUBCOMMANDS),
                           _id(body.get("team_id")), _id(body.get("user_id")))
    kind = body.get("type")
    user = body.get("user") if isinstance(body.get("user"), dict) else {}
    team = (body.get("team") if isinstance(body.get("team"), dict) else {}).get("id") or user.get("team_id")
    if kind == "block_actions":
        actions = body.get("actions") or [{}]
        first = actions[0] if isinstance(actions[0], dict) else {}
        return RequestKind("action", _known(first.get("action_id"), _ACTIONS), _id(team), _id(user.get("id")))
    if kind in ("view_submission", "view_closed"):
        view = body.get("view") if isinstance(body.get("view"), dict) else {}
        return RequestKind("view", _known(view.get("callback_id"), _VIEWS), _id(team), _id(user.get("id")))
    if kind == "event_callback":
        event = body.get("event") if isinstance(body.get("event"), dict) else {}
        return RequestKind("event", _known(event.get("type"), _EVENTS), _id(body.get("team_id")),
                           _id(event.get("user")))
    return RequestKind(OTHER, OTHER, _id(team), _id(user.get("id")))


def bind_request(body: dict) -> None:
    kind = classify(body)
    CURRENT.set(kind)
    if "request_id" not in logs.bound():  # Socket Mode: no HTTP wrapper has named the request
        logs.bind(request_id=uuid.uuid4().hex[:16])
    logs.bind(kind=kind.kind, name=kind.name, team=kind.team, user=kind.user)
