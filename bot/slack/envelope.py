"""Is a verified request one the bot can read? Its body, parsed and checked against the payload models.

Used by the HTTP gate (bot/slack/gate.py) on the raw body and by Socket Mode
(bot/slack/socket_mode.py) on an envelope's payload, so both refuse the same things.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from pydantic import ValidationError

from bot.slack.payloads import EVENTS, INTERACTIONS, AppHomeOpened, SlashCommand

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
MAX_FIELDS = 64


class Malformed(Exception):
    """The request is signed but cannot be read. `kind` names what it claimed to be (for the log
    and to choose the answer), `reason` says why without quoting what was sent."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(f"{kind}: {reason}")
        self.kind = kind
        self.reason = reason


@dataclass(frozen=True)
class Checked:
    kind: str  # command, block_actions, view_submission, event_callback, url_verification, ...
    detail: str = ""  # the subcommand, action_id, callback_id or event type, for logs and metrics


def _why(error: ValidationError) -> str:
    """Which fields were wrong, never their values (they may be what a person typed)."""
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['type']}" for e in error.errors()[:5])


def check_body(body: bytes, content_type: str) -> Checked:
    media = content_type.split(";")[0].strip().lower()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("request", "not UTF-8") from None
    if media == FORM:
        return _check_form(text)
    if media == JSON:
        return check_payload("events_api", _json_object(text, "event"))
    raise Malformed("request", f"content type {media or 'missing'}")


def _check_form(text: str) -> Checked:
    try:
        fields = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text), errors="strict",
                          max_num_fields=MAX_FIELDS)
    except ValueError:  # a field without "=", bad percent-encoding of UTF-8, too many fields
        raise Malformed("request", "not a form") from None
    if any(len(values) > 1 for values in fields.values()):
        raise Malformed("request", "a field given twice")
    flat = {key: values[0] for key, values in fields.items()}
    if "payload" in flat:
        return check_payload("interactive", _json_object(flat["payload"], "interaction"))
    if "command" in flat:
        return check_payload("slash_commands", flat)
    raise Malformed("request", "neither a command nor an interaction")


def _json_object(text: str, kind: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise Malformed(kind, "not JSON") from None
    if not isinstance(data, dict):
        raise Malformed(kind, "not a JSON object")
    return data


def check_payload(envelope_type: str, payload: Any) -> Checked:
    """`envelope_type` as Socket Mode names it: slash_commands, interactive or events_api."""
    if not isinstance(payload, dict):
        raise Malformed(envelope_type, "not an object")
    try:
        if envelope_type == "slash_commands":
            command = SlashCommand.model_validate(payload)
            return Checked("command", command.subcommand)
        kind = payload.get("type")
        models = INTERACTIONS if envelope_type == "interactive" else EVENTS if envelope_type == "events_api" else {}
        if not isinstance(kind, str) or kind not in models:
            raise Malformed(envelope_type, "unknown type")
        parsed = models[kind].model_validate(payload)
        return Checked(kind, _detail(kind, parsed, payload))
    except ValidationError as error:
        kind = payload.get("type") if isinstance(payload.get("type"), str) else envelope_type
        raise Malformed(str(kind)[:40], _why(error)) from None


def _detail(kind: str, parsed: Any, payload: dict[str, Any]) -> str:
    if kind == "block_actions":
        return parsed.action.action_id
    if kind in ("view_submission", "view_closed"):
        return parsed.view.callback_id
    if kind == "event_callback":
        if parsed.event.type == "app_home_opened":
            AppHomeOpened.model_validate(payload["event"])
        return parsed.event.type
    return ""
