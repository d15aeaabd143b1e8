"""The console's Slack workspace: people, channels, messages and views, and what each person sees.

`Workspace.call(method, params)` answers the Web API methods the bot uses the way Slack does
(`{"ok": true, ...}` or raises `SlackError`); every visible effect is recorded as a `Surface`
for the shell to print. The HTTP side lives in bot/console/webapi.py.
"""

from __future__ import annotations

import itertools
import secrets
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.console.files import FilesApi
from bot.console.records import (APP_ID, BOT_ID, BOT_NAME, BOT_USER, TRIGGER_TTL_S, Message, ResponseUrl,
                                 SlackError, Surface, View, param, with_block_ids)
from bot.console.views import ViewsApi
from bot.seed import DemoWorkspace


class Workspace(ViewsApi, FilesApi):
    def __init__(self, demo: DemoWorkspace, channels: dict[str, str]) -> None:
        self.team_id = demo.team_id
        self.people = {p.slack_user_id: p for p in demo.people}
        self.channels = dict(channels)
        self.base_url = ""
        self.messages: dict[tuple[str, str], Message] = {}
        self.views: dict[str, View] = {}
        self.stacks: dict[str, list[str]] = {}  # user -> modal view IDs, top last
        self.homes: dict[str, str] = {}  # user -> App Home view ID
        self.triggers: dict[str, tuple[str, float]] = {}
        self.responses: dict[str, ResponseUrl] = {}
        self.uploads: dict[str, dict] = {}
        self.files_dir: Path | None = None
        self.surfaces: list[Surface] = []
        self.activity = time.monotonic()
        self.inflight = 0
        self._ids = itertools.count(1)
        # this run's mark in every ID: with --database-url a second run's modal V…1 is not the first run's,
        # whose submission the bot remembers (idempotency keys) and would drop as a replay
        self.run = secrets.token_hex(3).upper()

    # ---- identities
    def next_id(self, prefix: str) -> str:
        return f"{prefix}{self.run}{next(self._ids):06d}"

    def next_ts(self) -> str:
        return f"{time.time():.6f}".split(".")[0] + f".{next(self._ids):06d}"

    def dm_channel(self, user: str) -> str:
        return "D" + user[1:]

    def dm_user(self, channel: str) -> str | None:
        if channel.startswith("D") and ("U" + channel[1:]) in self.people:
            return "U" + channel[1:]
        return None

    def channel_of(self, target: str) -> str:
        """A channel ID from what the bot passed: a channel, a DM or a user ID (which opens the DM)."""
        if target in self.channels or self.dm_user(target):
            return target
        if target in self.people:
            return self.dm_channel(target)
        raise SlackError("channel_not_found")

    def viewer_of(self, channel: str) -> str | None:
        return self.dm_user(channel)

    def new_trigger(self, user: str) -> str:
        trigger = f"{next(self._ids)}.{secrets.token_hex(6)}"
        self.triggers[trigger] = (user, time.monotonic())
        return trigger

    def use_trigger(self, trigger: str | None) -> str:
        user, issued = self.triggers.pop(trigger or "", (None, 0.0))
        if user is None:
            raise SlackError("invalid_trigger_id")
        if time.monotonic() - issued > TRIGGER_TTL_S:
            raise SlackError("expired_trigger_id")
        return user

    def new_response_url(self, user: str, channel: str, original: tuple[str, str] | None = None) -> str:
        token = secrets.token_hex(8)
        self.responses[token] = ResponseUrl(user, channel, original)
        return f"{self.base_url}/response/{token}"

    # ---- recording
    def show(self, surface: Surface) -> None:
        self.surfaces.append(surface)

    def ephemeral(self, user: str, channel: str, text: str, blocks: list) -> Message:
        return self._post(channel, text, blocks, ephemeral_for=user)

    def _post(self, channel: str, text: str, blocks: list, ephemeral_for: str | None = None) -> Message:
        blocks = with_block_ids(blocks, "message")
        message = Message(channel, self.next_ts(), text, blocks, ephemeral_for)
        self.messages[(channel, message.ts)] = message
        viewer = ephemeral_for or self.viewer_of(channel)
        self.show(Surface("message", viewer, channel, message, text, blocks))
        return message

    def _edit(self, message: Message, text: str, blocks: list) -> None:
        blocks = with_block_ids(blocks, "message")
        message.text, message.blocks = text, blocks
        viewer = message.ephemeral_for or self.viewer_of(message.channel)
        self.show(Surface("edited", viewer, message.channel, message, text, blocks))

    def _delete(self, message: Message) -> None:
        message.deleted = True
        viewer = message.ephemeral_for or self.viewer_of(message.channel)
        self.show(Surface("deleted", viewer, message.channel, message))

    def message_json(self, message: Message) -> dict:
        return {"type": "message", "user": BOT_USER, "bot_id": BOT_ID, "app_id": APP_ID, "ts": message.ts,
                "text": message.text, "blocks": message.blocks, "team": self.team_id}

    # ---- Web API
    def call(self, method: str, params: dict) -> dict:
        handler = getattr(self, "api_" + method.replace(".", "_"), None)
        if handler is None:
            raise SlackError("unknown_method")
        return {"ok": True, **handler(params)}

    def api_auth_test(self, params: dict) -> dict:
        return {"url": f"{self.base_url}/", "team": "EMG", "user": BOT_NAME, "team_id": self.team_id,
                "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": False}

    def api_users_info(self, params: dict) -> dict:
        user_id = param(params, "user", "")
        if user_id == BOT_USER:
            return {"user": {"id": BOT_USER, "team_id": self.team_id, "name": BOT_NAME, "is_bot": True,
                             "real_name": BOT_NAME, "tz": "UTC", "profile": {"display_name": BOT_NAME}}}
        person = self.people.get(user_id)
        if person is None:
            raise SlackError("user_not_found")
        zone = person.timezone or "UTC"
        offset = datetime.now(ZoneInfo(zone)).utcoffset()
        return {"user": {"id": user_id, "team_id": self.team_id, "name": user_id.lower(), "deleted": False,
                         "real_name": person.display_name, "tz": zone,
                         "tz_offset": int(offset.total_seconds()) if offset else 0,
                         "locale": person.locale or "en-US", "is_bot": False, "is_app_user": False,
                         "profile": {"display_name": person.display_name, "real_name": person.display_name,
                                     "team": self.team_id}}}

    def api_conversations_open(self, params: dict) -> dict:
        users = [u for u in str(param(params, "users", "")).split(",") if u]
        if len(users) != 1 or users[0] not in self.people:
            raise SlackError("user_not_found")
        return {"channel": {"id": self.dm_channel(users[0]), "is_im": True, "user": users[0]}}

    def api_chat_postMessage(self, params: dict) -> dict:
        channel = self.channel_of(str(param(params, "channel", "")))
        text, blocks = str(param(params, "text", "")), list(param(params, "blocks", []))
        if not text and not blocks:
            raise SlackError("no_text")
        message = self._post(channel, text, blocks)
        return {"channel": channel, "ts": message.ts, "message": self.message_json(message)}

    def api_chat_postEphemeral(self, params: dict) -> dict:
        channel = self.channel_of(str(param(params, "channel", "")))
        user = str(param(params, "user", ""))
        if user not in self.people:
            raise SlackError("user_not_in_channel")
        text, blocks = str(param(params, "text", "")), list(param(params, "blocks", []))
        if not text and not blocks:
            raise SlackError("no_text")
        return {"message_ts": self._post(channel, text, blocks, ephemeral_for=user).ts}

    def _message(self, params: dict) -> Message:
        channel = self.channel_of(str(param(params, "channel", "")))
        message = self.messages.get((channel, str(param(params, "ts", ""))))
        if message is None or message.deleted or message.ephemeral_for:
            raise SlackError("message_not_found")
        return message

    def api_chat_update(self, params: dict) -> dict:
        message = self._message(params)
        text = str(param(params, "text", message.text))
        blocks = list(params["blocks"]) if params.get("blocks") is not None else message.blocks
        self._edit(message, text, blocks)
        return {"channel": message.channel, "ts": message.ts, "text": text,
                "message": self.message_json(message)}

    def api_chat_delete(self, params: dict) -> dict:
        message = self._message(params)
        self._delete(message)
        return {"channel": message.channel, "ts": message.ts}

    # ---- response_url
    def respond(self, token: str, body: dict) -> None:
        hook = self.responses.get(token)
        if hook is None:
            raise SlackError("expired_url")
        original = self.messages.get(hook.original) if hook.original else None
        if original is not None and original.deleted:
            original = None
        if body.get("delete_original") in (True, "true") and original is not None:
            self._delete(original)
            return
        text, blocks = str(body.get("text") or ""), list(body.get("blocks") or [])
        if body.get("replace_original") in (True, "true") and original is not None:
            self._edit(original, text, blocks)
        elif body.get("response_type") == "in_channel":
            self._post(hook.channel, text, blocks)
        else:
            self._post(hook.channel, text, blocks, ephemeral_for=hook.user)


