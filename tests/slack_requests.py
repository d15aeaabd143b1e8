"""Slack's side of the wire: signed requests in the shapes Slack sends, to a running bot."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

import httpx

SIGNING_SECRET = "test-signing-secret"
_ids = itertools.count(1)


def sign(body: str, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


class SlackSender:
    """Sends what Slack would send: slash commands, button clicks, view submissions, events."""

    def __init__(self, bot_url: str, response_base: str, team_id: str = "T0EMG") -> None:
        self.url = bot_url.rstrip("/") + "/slack/events"
        self.response_base = response_base
        self.team_id = team_id
        self.http = httpx.Client(timeout=10)

    def post(self, body: str, content_type: str, headers: dict[str, str] | None = None,
             signed: bool = True) -> httpx.Response:
        all_headers = {"Content-Type": content_type, **(sign(body) if signed else {}), **(headers or {})}
        return self.http.post(self.url, content=body.encode(), headers=all_headers)

    def command(self, user: str, text: str, channel: str = "C0FRAMEWORK", **headers: str) -> httpx.Response:
        n = next(_ids)
        body = urlencode({
            "token": "verification_token", "team_id": self.team_id, "team_domain": "emg",
            "channel_id": channel, "channel_name": "framework", "user_id": user, "user_name": user.lower(),
            "command": "/consult", "text": text, "api_app_id": "A0APP",
            "response_url": f"{self.response_base}/response/cmd-{n}", "trigger_id": f"{n}.{n}.trigger",
        })
        return self.post(body, "application/x-www-form-urlencoded", headers)

    def interactive(self, payload: dict[str, Any], **headers: str) -> httpx.Response:
        return self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded", headers)

    def click(self, user: str, action_id: str, value: str = "", block_id: str = "b",
              channel: str = "D0BOT", message_ts: str = "1700000000.000100",
              in_home: bool = False) -> httpx.Response:
        n = next(_ids)
        container = ({"type": "view", "view_id": "V0HOME"} if in_home else
                     {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": False})
        return self.interactive({
            "type": "block_actions", "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
            "api_app_id": "A0APP", "token": "verification_token",
            "container": container,
            "trigger_id": f"{n}.{n}.trigger", "team": {"id": self.team_id, "domain": "emg"},
            "channel": {"id": channel, "name": "directmessage"},
            "response_url": f"{self.response_base}/response/act-{n}",
            "actions": [{"action_id": action_id, "block_id": block_id, "value": value, "type": "button",
                         "text": {"type": "plain_text", "text": "Button"}, "action_ts": f"{time.time():.6f}"}],
        })

    def submit_view(self, user: str, view: dict[str, Any], values: dict[str, dict[str, Any]],
                    view_id: str | None = None) -> httpx.Response:
        """`values` maps block_id to the element state, e.g. {"title": {"type": "plain_text_input", "value": "X"}}."""
        state = {"values": {block: {"value": element} for block, element in values.items()}}
        submitted = {**view, "id": view_id or view.get("id") or f"V{next(_ids):05d}", "hash": "1.abc",
                     "team_id": self.team_id, "state": state, "app_id": "A0APP", "bot_id": "B0BOT"}
        return self.interactive({
            "type": "view_submission", "team": {"id": self.team_id, "domain": "emg"},
            "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
            "api_app_id": "A0APP", "token": "verification_token", "trigger_id": f"{next(_ids)}.trigger",
            "view": submitted, "response_urls": [],
        })

    def suggest(self, user: str, view: dict[str, Any], block_id: str, typed: str,
                action_id: str = "value") -> httpx.Response:
        """What Slack sends as someone types `typed` in the external select of `view`'s block `block_id`."""
        opened = {**view, "id": view.get("id") or f"V{next(_ids):05d}", "hash": "1.abc", "team_id": self.team_id,
                  "state": {"values": {}}, "app_id": "A0APP", "bot_id": "B0BOT"}
        return self.interactive({
            "type": "block_suggestion", "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
            "container": {"type": "view", "view_id": opened["id"]}, "api_app_id": "A0APP",
            "token": "verification_token", "action_id": action_id, "block_id": block_id, "value": typed,
            "team": {"id": self.team_id, "domain": "emg"}, "view": opened,
        })

    def event(self, event: dict[str, Any], event_id: str | None = None, **headers: str) -> httpx.Response:
        body = json.dumps({
            "token": "verification_token", "team_id": self.team_id, "api_app_id": "A0APP",
            "event": event, "type": "event_callback", "event_id": event_id or f"Ev{next(_ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"enterprise_id": None, "team_id": self.team_id, "user_id": "U0BOT",
                                "is_bot": True, "is_enterprise_install": False}],
        })
        return self.post(body, "application/json", headers)

    def home_opened(self, user: str, event_id: str | None = None, **headers: str) -> httpx.Response:
        return self.event({"type": "app_home_opened", "user": user, "channel": "D0BOT", "tab": "home",
                           "event_ts": f"{time.time():.6f}"}, event_id, **headers)


def state(kind: str, value: Any) -> dict[str, Any]:
    """The state Slack reports for one input element."""
    if kind == "plain_text_input":
        return {"type": kind, "value": value}
    if kind == "static_select":
        return {"type": kind, "selected_option": {"value": value, "text": {"type": "plain_text", "text": value}}}
    if kind in ("multi_static_select", "multi_external_select", "checkboxes"):
        return {"type": kind, "selected_options": [{"value": v, "text": {"type": "plain_text", "text": v}}
                                                  for v in value]}
    if kind == "datepicker":
        return {"type": kind, "selected_date": value}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": list(value)}
    if kind == "conversations_select":
        return {"type": kind, "selected_conversation": value}
    raise ValueError(kind)


def initial_state(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The state Slack would report if the person submitted a modal as it was opened (its initial values)."""
    values: dict[str, dict[str, Any]] = {}
    for block in view.get("blocks", []):
        element = block.get("element") or {}
        kind = element.get("type")
        if block.get("type") != "input" or kind is None:
            continue
        if kind == "plain_text_input" and element.get("initial_value"):
            values[block["block_id"]] = state(kind, element["initial_value"])
        elif kind == "static_select" and element.get("initial_option"):
            values[block["block_id"]] = state(kind, element["initial_option"]["value"])
        elif kind in ("multi_static_select", "checkboxes") and element.get("initial_options"):
            values[block["block_id"]] = state(kind, [o["value"] for o in element["initial_options"]])
        elif kind == "datepicker" and element.get("initial_date"):
            values[block["block_id"]] = state(kind, element["initial_date"])
        elif kind == "timepicker" and element.get("initial_time"):
            values[block["block_id"]] = {"type": kind, "selected_time": element["initial_time"]}
        elif kind == "multi_users_select" and element.get("initial_users"):
            values[block["block_id"]] = state(kind, element["initial_users"])
    return values
