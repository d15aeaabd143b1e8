"""Messages in the Slack double (mixed into SlackDouble): chat.* and response URLs.

Every message posted is kept (``messages[(channel, ts)]``, its blocks with Slack's block_ids) and
shown (:meth:`SlackDouble.effect`) to who sees it: the person of an ephemeral message or of a DM,
else everyone in the channel. chat.update and chat.delete of a message the double never saw are
taken on trust (a test's payload named it); of a deleted or ephemeral one they fail like Slack.
A response URL handed out by :meth:`Messages.new_response_url` acts as Slack's does (replace or
delete the message pressed on, post in the channel or to the person alone); any other
``/response/...`` URL is only recorded.
"""

from __future__ import annotations

import itertools
import threading

from bot.slack_double.limits import MESSAGE_TEXT_MAX, block_kit_errors
from bot.slack_double.records import TRUE, Message, ResponseUrl, SlackError, Surface, param


class Messages:
    """Mixin: needs the lock, ids, ``effect``, ``_reaches``, ``_sees_channel``, ``resolve_channel``,
    ``dm_user`` and the bot's ids of SlackDouble."""

    _lock: threading.RLock

    def _init_messages(self) -> None:
        self.messages: dict[tuple[str, str], Message] = {}
        self.responses: dict[str, ResponseUrl] = {}  # response URL token -> who and where
        self._block_ids = itertools.count(1)

    # ---- for tests and the console
    def new_response_url(self, user: str, channel: str, original: tuple[str, str] | None = None) -> str:
        """A response URL as a slash command (``original`` None) or a button on message (channel, ts) carries."""
        with self._lock:
            token = self.new_id("R").lower()
            self.responses[token] = ResponseUrl(user, channel, original)
        return f"{self.base_url}/response/{token}"

    def post(self, channel: str, text: str, blocks: list, ephemeral_for: str | None = None,
             **extra) -> Message:
        """Puts a message in ``channel`` (for ``ephemeral_for`` alone) and shows it."""
        with self._lock:
            message = Message(channel, self._next_ts(), text[:MESSAGE_TEXT_MAX], self.with_block_ids(blocks),
                              ephemeral_for, team=self._current.team_id if self._current else self.team_id,
                              extra=extra)
            self.messages[(channel, message.ts)] = message
            self.effect(Surface("message", ephemeral_for or self.dm_user(channel), channel, message, message.text,
                                message.blocks))
        return message

    def message_json(self, message: Message) -> dict:
        return {"type": "message", "user": self.user_id, "bot_id": self.bot_id, "app_id": self.app_id,
                "ts": message.ts, "text": message.text, "blocks": message.blocks,
                "team": message.team or self.team_id, **message.extra}

    def with_block_ids(self, blocks: list | None) -> list[dict]:
        """The blocks as Slack keeps them: each with a block_id."""
        return [b if not isinstance(b, dict) or b.get("block_id") else {**b, "block_id": f"b{next(self._block_ids)}"}
                for b in blocks or []]

    # ---- helpers (called with the lock held)
    def _edit(self, message: Message, text: str, blocks: list) -> None:
        message.text, message.blocks = text[:MESSAGE_TEXT_MAX], self.with_block_ids(blocks)
        self.effect(Surface("edited", message.ephemeral_for or self.dm_user(message.channel), message.channel,
                            message, message.text, message.blocks))

    def _delete(self, message: Message) -> None:
        message.deleted = True
        self.effect(Surface("deleted", message.ephemeral_for or self.dm_user(message.channel), message.channel,
                            message))

    @staticmethod
    def _check_blocks(params: dict) -> None:
        errors = block_kit_errors(params.get("blocks"), "message")
        if errors:
            raise SlackError("invalid_blocks", errors=errors)

    def _target(self, params: dict) -> str:
        if not params.get("channel"):
            raise SlackError("channel_not_found")
        self._sees_channel(params["channel"])
        return self.resolve_channel(str(params["channel"]))

    def _known(self, params: dict) -> tuple[str, Message | None]:
        """The channel and the message ``ts`` names there (None: not one the double saw)."""
        channel = self._target(params)
        if not params.get("ts"):
            raise SlackError("message_not_found")
        message = self.messages.get((channel, str(params["ts"])))
        if message is not None and (message.deleted or message.ephemeral_for):
            raise SlackError("message_not_found")
        return channel, message

    @staticmethod
    def _extra(params: dict) -> dict:
        return {key: params[key] for key in ("attachments", "thread_ts", "metadata") if params.get(key)}

    # ---- Web API methods
    def _m_chat_postMessage(self, params: dict) -> dict:
        if not (params.get("text") or params.get("blocks") or params.get("attachments")):
            raise SlackError("no_text")
        channel = self._target(params)
        self._check_blocks(params)
        if not self._reaches(params["channel"]):
            raise SlackError("channel_not_found")  # a DM to someone outside the token's workspace
        message = self.post(channel, str(params.get("text") or ""), params.get("blocks") or [], **self._extra(params))
        return {"channel": channel, "ts": message.ts, "message": self.message_json(message)}

    def _m_chat_postEphemeral(self, params: dict) -> dict:
        if not params.get("user"):
            raise SlackError("user_not_found")
        channel = self._target(params)
        self._check_blocks(params)
        if not (params.get("text") or params.get("blocks") or params.get("attachments")):
            raise SlackError("no_text")
        message = self.post(channel, str(params.get("text") or ""), params.get("blocks") or [],
                            ephemeral_for=str(params["user"]), **self._extra(params))
        return {"message_ts": message.ts}

    def _m_chat_update(self, params: dict) -> dict:
        if not params.get("ts"):
            raise SlackError("message_not_found")
        self._check_blocks(params)
        channel, message = self._known(params)
        if message is None:  # taken on trust: a message a test's payload named
            message = Message(channel, str(params["ts"]), "", [], team=self.team_id)
            self.messages[(channel, message.ts)] = message
        text = str(param(params, "text", message.text))
        self._edit(message, text, params["blocks"] if params.get("blocks") is not None else message.blocks)
        message.extra.update(self._extra(params))
        return {"channel": channel, "ts": message.ts, "text": message.text, "message": self.message_json(message)}

    def _m_chat_delete(self, params: dict) -> dict:
        channel, message = self._known(params)
        if message is not None:
            self._delete(message)
        return {"channel": channel, "ts": params["ts"]}

    # ---- response URLs (POST /response/<token>)
    def _respond(self, token: str, params: dict) -> None:
        self._check_blocks(params)
        hook = self.responses.get(token)
        if hook is None:
            return  # a URL a test made up: recorded only
        original = self.messages.get(hook.original) if hook.original else None
        if original is not None and original.deleted:
            original = None
        if params.get("delete_original") in TRUE:
            if original is not None:
                self._delete(original)
            return
        text, blocks = str(params.get("text") or ""), list(params.get("blocks") or [])
        if params.get("replace_original") in TRUE and original is not None:
            self._edit(original, text, blocks)
        elif params.get("response_type") == "in_channel":
            self.post(hook.channel, text, blocks)
        else:
            self.post(hook.channel, text, blocks, ephemeral_for=hook.user)
