"""The request bodies Slack sends, signed, and dispatched through Bolt's real request path.

Slash commands are form-encoded, interactivity is `payload=<urlencoded JSON>`, events are a
JSON envelope; each is signed `v0=` + HMAC-SHA256 of `v0:{ts}:{body}` like Slack does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from urllib.parse import urlencode

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.console.records import APP_ID, BOT_USER
from bot.console.workspace import Workspace

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def signature(secret: str, timestamp: str, body: str) -> str:
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


def signed_headers(secret: str, body: str, content_type: str) -> dict[str, str]:
    timestamp = str(int(time.time()))
    return {"content-type": content_type, "x-slack-request-timestamp": timestamp,
            "x-slack-signature": signature(secret, timestamp, body)}


async def dispatch(app: AsyncApp, secret: str, body: str, content_type: str) -> BoltResponse:
    return await app.async_dispatch(AsyncBoltRequest(body=body, headers=signed_headers(secret, body, content_type)))


def _user(ws: Workspace, user: str) -> dict:
    return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": ws.team_id}


def _team(ws: Workspace) -> dict:
    return {"id": ws.team_id, "domain": "emg"}


def _channel_name(ws: Workspace, channel: str) -> str:
    return "directmessage" if ws.dm_user(channel) else ws.channel_names.get(channel, channel)


def slash_command(ws: Workspace, user: str, channel: str, command: str, text: str) -> tuple[str, str]:
    fields = {"token": "console", "team_id": ws.team_id, "team_domain": "emg", "channel_id": channel,
              "channel_name": _channel_name(ws, channel), "user_id": user, "user_name": user.lower(),
              "command": command, "text": text, "api_app_id": APP_ID, "is_enterprise_install": "false",
              "response_url": ws.new_response_url(user, channel), "trigger_id": ws.new_trigger(user)}
    return urlencode(fields), FORM


def _interaction(payload: dict) -> tuple[str, str]:
    return urlencode({"payload": json.dumps(payload)}), FORM


def _action(element: dict, block_id: str) -> dict:
    action = {"action_id": element.get("action_id"), "block_id": block_id, "type": element.get("type", "button"),
              "action_ts": f"{time.time():.6f}"}
    for key in ("text", "value", "style"):
        if key in element:
            action[key] = element[key]
    return action


def message_button(ws: Workspace, user: str, channel: str, ts: str, element: dict, block_id: str) -> tuple[str, str]:
    """A button in a message (ephemeral or not): container, channel, message and response_url as Slack sends them."""
    message = ws.messages[(channel, ts)]
    ephemeral = message.ephemeral_for is not None
    payload = {"type": "block_actions", "user": _user(ws, user), "api_app_id": APP_ID, "token": "console",
               "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": ephemeral},
               "trigger_id": ws.new_trigger(user), "team": _team(ws), "enterprise": None,
               "is_enterprise_install": False, "channel": {"id": channel, "name": _channel_name(ws, channel)},
               "state": {"values": {}}, "response_url": ws.new_response_url(user, channel, (channel, ts)),
               "actions": [_action(element, block_id)]}
    if not ephemeral:
        payload["message"] = ws.message_json(message)
    return _interaction(payload)


def view_button(ws: Workspace, user: str, view_id: str, element: dict, block_id: str) -> tuple[str, str]:
    """A button in a modal or the App Home: container of type view, the view with its state."""
    record = ws.views[view_id]
    payload = {"type": "block_actions", "user": _user(ws, user), "api_app_id": APP_ID, "token": "console",
               "container": {"type": "view", "view_id": view_id}, "trigger_id": ws.new_trigger(user),
               "team": _team(ws), "enterprise": None, "is_enterprise_install": False,
               "view": ws.view_json(record), "actions": [_action(element, block_id)]}
    return _interaction(payload)


def view_submission(ws: Workspace, user: str, view_id: str) -> tuple[str, str]:
    payload = {"type": "view_submission", "team": _team(ws), "user": _user(ws, user), "api_app_id": APP_ID,
               "token": "console", "trigger_id": ws.new_trigger(user), "view": ws.view_json(ws.views[view_id]),
               "response_urls": [], "enterprise": None, "is_enterprise_install": False}
    return _interaction(payload)


def view_closed(ws: Workspace, user: str, view_id: str) -> tuple[str, str]:
    payload = {"type": "view_closed", "team": _team(ws), "user": _user(ws, user), "api_app_id": APP_ID,
               "token": "console", "view": ws.view_json(ws.views[view_id]), "is_cleared": False,
               "enterprise": None, "is_enterprise_install": False}
    return _interaction(payload)


def app_home_opened(ws: Workspace, user: str) -> tuple[str, str]:
    event = {"type": "app_home_opened", "user": user, "channel": ws.dm_channel(user), "tab": "home",
             "event_ts": f"{time.time():.6f}"}
    home = ws.views.get(ws.homes.get(user, ""))
    if home is not None:
        event["view"] = ws.view_json(home)
    envelope = {"token": "console", "team_id": ws.team_id, "api_app_id": APP_ID, "event": event,
                "type": "event_callback", "event_id": "Ev" + secrets.token_hex(5).upper(),
                "event_time": int(time.time()), "is_ext_shared_channel": False,
                "authorizations": [{"enterprise_id": None, "team_id": ws.team_id, "user_id": BOT_USER,
                                    "is_bot": True, "is_enterprise_install": False}]}
    return json.dumps(envelope), JSON
