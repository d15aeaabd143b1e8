"""The console's Slack workspace: people, channels, messages and views, and what each person sees.

`Workspace.call(method, params)` answers the Web API methods the bot uses the way Slack does
(`{"ok": true, ...}` or raises `SlackError`); every visible effect is recorded as a `Surface`
for the shell to print. The HTTP side lives in bot/console/webapi.py.
"""

from __future__ import annotations

import itertools
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.console import form
from bot.seed import DemoWorkspace

BOT_USER, BOT_ID, APP_ID = "U0CONSULTBOT", "B0CONSULTBOT", "A0CONSULTBOT"
BOT_NAME = "consultbot"
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


def _p(params: dict, name: str, default: Any = None) -> Any:
    value = params.get(name)
    return default if value in (None, "") else value


class Workspace:
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

    # ---- identities
    def next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

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

    def _post(self, channel: str, text: str, blocks: list, ephemeral_for: str | None = None) -> Message:
        _check_blocks(blocks, "message")
        message = Message(channel, self.next_ts(), text, blocks, ephemeral_for)
        self.messages[(channel, message.ts)] = message
        viewer = ephemeral_for or self.viewer_of(channel)
        self.show(Surface("message", viewer, channel, message, text, blocks))
        return message

    def _edit(self, message: Message, text: str, blocks: list) -> None:
        _check_blocks(blocks, "message")
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
        user_id = _p(params, "user", "")
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
        users = [u for u in str(_p(params, "users", "")).split(",") if u]
        if len(users) != 1 or users[0] not in self.people:
            raise SlackError("user_not_found")
        return {"channel": {"id": self.dm_channel(users[0]), "is_im": True, "user": users[0]}}

    def api_chat_postMessage(self, params: dict) -> dict:
        channel = self.channel_of(str(_p(params, "channel", "")))
        text, blocks = str(_p(params, "text", "")), list(_p(params, "blocks", []))
        if not text and not blocks:
            raise SlackError("no_text")
        message = self._post(channel, text, blocks)
        return {"channel": channel, "ts": message.ts, "message": self.message_json(message)}

    def api_chat_postEphemeral(self, params: dict) -> dict:
        channel = self.channel_of(str(_p(params, "channel", "")))
        user = str(_p(params, "user", ""))
        if user not in self.people:
            raise SlackError("user_not_in_channel")
        text, blocks = str(_p(params, "text", "")), list(_p(params, "blocks", []))
        if not text and not blocks:
            raise SlackError("no_text")
        return {"message_ts": self._post(channel, text, blocks, ephemeral_for=user).ts}

    def _message(self, params: dict) -> Message:
        channel = self.channel_of(str(_p(params, "channel", "")))
        message = self.messages.get((channel, str(_p(params, "ts", ""))))
        if message is None or message.deleted or message.ephemeral_for:
            raise SlackError("message_not_found")
        return message

    def api_chat_update(self, params: dict) -> dict:
        message = self._message(params)
        text = str(_p(params, "text", message.text))
        blocks = list(params["blocks"]) if params.get("blocks") is not None else message.blocks
        self._edit(message, text, blocks)
        return {"channel": message.channel, "ts": message.ts, "text": text,
                "message": self.message_json(message)}

    def api_chat_delete(self, params: dict) -> dict:
        message = self._message(params)
        self._delete(message)
        return {"channel": message.channel, "ts": message.ts}

    # ---- views
    def _new_view(self, user: str, view: dict, old: View | None = None) -> View:
        kind = str(view.get("type") or "modal")
        if kind not in BLOCK_LIMITS or kind == "message":
            raise SlackError("invalid_arguments")
        _check_blocks(list(view.get("blocks") or []), kind)
        if kind == "modal" and len(str((view.get("title") or {}).get("text") or "")) > 24:
            raise SlackError("invalid_arguments")
        record = View(old.id if old else self.next_id("V"), user, view, f"{time.time():.0f}.{secrets.token_hex(4)}")
        record.values = form.initial_values(view, old.values if old else None, old.view if old else None)
        self.views[record.id] = record
        return record

    def view_json(self, record: View) -> dict:
        stack = self.stacks.get(record.user) or []
        previous = stack[stack.index(record.id) - 1] if record.id in stack and stack.index(record.id) > 0 else None
        return {**record.view, "id": record.id, "team_id": self.team_id, "type": record.kind,
                "hash": record.hash, "state": form.state_values(record.view, record.values),
                "private_metadata": record.view.get("private_metadata") or "",
                "callback_id": record.view.get("callback_id") or "", "external_id": record.view.get("external_id") or "",
                "root_view_id": stack[0] if stack and record.kind == "modal" else record.id,
                "previous_view_id": previous, "app_id": APP_ID, "bot_id": BOT_ID,
                "app_installed_team_id": self.team_id}

    def _view_param(self, params: dict) -> dict:
        view = params.get("view")
        if not isinstance(view, dict):
            raise SlackError("invalid_arguments")
        return view

    def api_views_open(self, params: dict) -> dict:
        view = self._view_param(params)
        user = self.use_trigger(params.get("trigger_id"))
        record = self._new_view(user, view)
        self.stacks[user] = [record.id]
        self.show(Surface("modal", user, view=record))
        return {"view": self.view_json(record)}

    def api_views_push(self, params: dict) -> dict:
        view = self._view_param(params)
        user = self.use_trigger(params.get("trigger_id"))
        stack = self.stacks.setdefault(user, [])
        if not stack:
            raise SlackError("not_found")
        if len(stack) >= MAX_VIEW_STACK:
            raise SlackError("push_limit_reached")
        record = self._new_view(user, view)
        stack.append(record.id)
        self.show(Surface("modal", user, view=record))
        return {"view": self.view_json(record)}

    def find_view(self, view_id: str | None = None, external_id: str | None = None) -> View:
        if view_id and view_id in self.views:
            return self.views[view_id]
        for record in self.views.values():
            if external_id and record.view.get("external_id") == external_id:
                return record
        raise SlackError("not_found")

    def replace_view(self, old: View, view: dict) -> View:
        record = self._new_view(old.user, view, old)
        self.show(Surface("home" if record.kind == "home" else "modal", old.user, view=record))
        return record

    def api_views_update(self, params: dict) -> dict:
        view = self._view_param(params)
        old = self.find_view(params.get("view_id"), params.get("external_id"))
        if params.get("hash") and params["hash"] != old.hash:
            raise SlackError("hash_conflict")
        return {"view": self.view_json(self.replace_view(old, view))}

    def api_views_publish(self, params: dict) -> dict:
        view, user = self._view_param(params), str(_p(params, "user_id", ""))
        if user not in self.people:
            raise SlackError("user_not_found")
        old = self.views.get(self.homes.get(user, ""))
        if old and params.get("hash") and params["hash"] != old.hash:
            raise SlackError("hash_conflict")
        record = self._new_view(user, view, old)
        self.homes[user] = record.id
        self.show(Surface("home", user, view=record))
        return {"view": self.view_json(record)}

    def close_modal(self, user: str, everything: bool = False) -> None:
        stack = self.stacks.get(user) or []
        del stack[0 if everything else -1:]

    def top_modal(self, user: str) -> View | None:
        stack = self.stacks.get(user) or []
        return self.views[stack[-1]] if stack else None

    # ---- files
    def api_files_getUploadURLExternal(self, params: dict) -> dict:
        file_id = self.next_id("F")
        self.uploads[file_id] = {"name": str(_p(params, "filename", file_id)), "data": None}
        return {"upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def upload(self, file_id: str, data: bytes) -> None:
        if file_id not in self.uploads:
            raise SlackError("file_not_found")
        self.uploads[file_id]["data"] = data

    def api_files_completeUploadExternal(self, params: dict) -> dict:
        items = params.get("files")
        if not isinstance(items, list) or not items:
            raise SlackError("invalid_arguments")
        channel = self.channel_of(str(params["channel_id"])) if params.get("channel_id") else None
        shared = []
        for item in items:
            upload = self.uploads.get(str(item.get("id")))
            if upload is None or upload["data"] is None:
                raise SlackError("file_not_found")
            path = self._save(upload["name"], upload["data"])
            title = str(item.get("title") or upload["name"])
            shared.append({"id": item["id"], "name": upload["name"], "title": title, "size": len(upload["data"])})
            self.show(Surface("file", self.viewer_of(channel) if channel else None, channel,
                              text=str(params.get("initial_comment") or ""), detail=str(path)))
        return {"files": shared}

    def _save(self, name: str, data: bytes) -> Path:
        if self.files_dir is None:
            import tempfile  # noqa: PLC0415 (only when the bot sends a file)

            self.files_dir = Path(tempfile.mkdtemp(prefix="consultbot-console-files-"))
        safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in Path(name).name) or "file"
        path = self.files_dir / safe
        for n in itertools.count(2):
            if not path.exists():
                break
            path = self.files_dir / f"{Path(safe).stem}-{n}{Path(safe).suffix}"
        path.write_bytes(data)
        return path

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


def _check_blocks(blocks: list, surface: str) -> None:
    """The limits Slack answers `invalid_blocks` for that the bot could plausibly cross."""
    if len(blocks) > BLOCK_LIMITS[surface]:
        raise SlackError("invalid_blocks")
    for block in blocks:
        if not isinstance(block, dict) or "type" not in block:
            raise SlackError("invalid_blocks")
        text = block.get("text") if isinstance(block.get("text"), dict) else {}
        limit = 150 if block["type"] == "header" else 3000
        if len(str(text.get("text") or "")) > limit:
            raise SlackError("invalid_blocks")
