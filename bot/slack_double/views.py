"""Views in the Slack double (mixed into SlackDouble): modals (a stack of at most three per person) and
each person's App Home, views.open/push/update/publish, and the trigger IDs that open modals.

A trigger handed out by :meth:`Views.new_trigger` belongs to a person and lives three seconds; one
the double did not issue is taken on trust (a test's payload made it up) and opens a modal of
nobody in particular, unless ``only_issued_triggers`` is set (the console makes every request, so
it sets it): then it is ``invalid_trigger_id``, as it would be in Slack.
"""

from __future__ import annotations

import threading
import time

from bot.slack_double.limits import view_errors
from bot.slack_double.records import MAX_VIEW_STACK, TRIGGER_TTL_S, SlackError, Surface, View, param


class Views:
    """Mixin: needs the lock, ``new_id``, ``effect``, ``with_block_ids`` and the bot's ids of SlackDouble."""

    _lock: threading.RLock

    def _init_views(self) -> None:
        self.views: dict[str, View] = {}
        self.stacks: dict[str, list[str]] = {}  # user -> their open modals' IDs, top last
        self.homes: dict[str, str] = {}  # user -> ID of their App Home view
        self.triggers: dict[str, tuple[str, float]] = {}  # trigger_id -> (user, issued at)
        self.only_issued_triggers = False
        self._hashes = 0

    # ---- for tests and the console
    def new_trigger(self, user: str) -> str:
        with self._lock:
            trigger = f"{self.new_id('')}.{time.monotonic_ns() % 10**9}.{user.lower()}"
            self.triggers[trigger] = (user, time.monotonic())
        return trigger

    def view_json(self, record: View) -> dict:
        """The view as Slack hands it out (views.* answers, payloads): ids, hash, state, stack."""
        stack = self.stacks.get(record.user or "") or []
        at = stack.index(record.id) if record.id in stack else -1
        root = stack[0] if at >= 0 else (record.view.get("root_view_id") or record.id)
        return {"blocks": [], "private_metadata": "", "callback_id": "", "external_id": "",
                "clear_on_close": False, "notify_on_close": False, "close": None, "submit": None,
                **record.view, "id": record.id, "team_id": self.team_id, "type": record.kind,
                "hash": record.hash, "state": self.state_of(record),
                "root_view_id": root if record.kind == "modal" else record.id,
                "previous_view_id": stack[at - 1] if at > 0 else None, "app_id": self.app_id,
                "app_installed_team_id": self.team_id, "bot_id": self.bot_id}

    def state_of(self, record: View) -> dict:
        """The view's ``state`` (the console fills its inputs and overrides this)."""
        return {"values": {}}

    def on_new_view(self, record: View, old: View | None) -> None:
        """Called when a view is shown or replaced (the console keeps what was filled in)."""

    def push_view(self, user: str | None, view: dict) -> View:
        with self._lock:
            stack = self.stacks.setdefault(user, []) if user else []
            if user and not stack:
                raise SlackError("not_found")
            if len(stack) >= MAX_VIEW_STACK:
                raise SlackError("push_limit_reached")
            record = self._new_view(user, view)
            stack.append(record.id)
            self.effect(Surface("modal", user, view=record))
        return record

    def replace_view(self, old: View, view: dict) -> View:
        with self._lock:
            record = self._new_view(old.user, view, old)
            self.effect(Surface("home" if record.kind == "home" else "modal", old.user, view=record))
        return record

    def close_modal(self, user: str, everything: bool = False) -> None:
        with self._lock:
            stack = self.stacks.get(user) or []
            del stack[0 if everything else -1:]

    def top_modal(self, user: str) -> View | None:
        stack = self.stacks.get(user) or []
        return self.views[stack[-1]] if stack else None

    def find_view(self, view_id: str | None = None, external_id: str | None = None) -> View | None:
        if view_id:
            return self.views.get(view_id)
        return next((v for v in self.views.values() if external_id and v.view.get("external_id") == external_id),
                    None)

    # ---- helpers (called with the lock held)
    def _use_trigger(self, trigger: str | None) -> str | None:
        if not trigger:
            raise SlackError("invalid_arguments")
        user, issued = self.triggers.pop(trigger, (None, 0.0))
        if user is None:
            if self.only_issued_triggers:
                raise SlackError("invalid_trigger_id")
            return None
        if time.monotonic() - issued > TRIGGER_TTL_S:
            raise SlackError("expired_trigger_id")
        return user

    def _checked(self, params: dict) -> dict:
        view = params.get("view")
        errors = view_errors(view)
        if errors:
            raise SlackError("view_too_large" if any("bytes of JSON" in e for e in errors) else "invalid_blocks",
                             errors=errors)
        return view

    def _new_view(self, user: str | None, view: dict, old: View | None = None, view_id: str | None = None) -> View:
        self._hashes += 1
        record = View(old.id if old else view_id or self.new_id("V"), user,
                      {**view, "blocks": self.with_block_ids(view.get("blocks"))},
                      f"1700000000.{self._hashes:08d}")
        self.on_new_view(record, old)
        self.views[record.id] = record
        return record

    # ---- Web API methods
    def _m_views_open(self, params: dict) -> dict:
        view = self._checked(params)
        user = self._use_trigger(params.get("trigger_id"))
        record = self._new_view(user, view)
        if user:
            self.stacks[user] = [record.id]
        self.effect(Surface("modal", user, view=record))
        return {"view": self.view_json(record)}

    def _m_views_push(self, params: dict) -> dict:
        view = self._checked(params)
        return {"view": self.view_json(self.push_view(self._use_trigger(params.get("trigger_id")), view))}

    def _m_views_update(self, params: dict) -> dict:
        view = self._checked(params)
        view_id = params.get("view_id")
        if not view_id and not params.get("external_id"):
            raise SlackError("not_found")
        old = self.find_view(view_id, params.get("external_id"))
        if old is None and not view_id:
            raise SlackError("not_found")
        if old and params.get("hash") and params["hash"] != old.hash:
            raise SlackError("hash_conflict")
        if old is None:  # taken on trust: a view a test's payload named
            record = self._new_view(None, view, view_id=view_id)
            self.effect(Surface("modal", None, view=record))
            return {"view": self.view_json(record)}
        return {"view": self.view_json(self.replace_view(old, view))}

    def _m_views_publish(self, params: dict) -> dict:
        view = self._checked(params)
        user = str(param(params, "user_id", ""))
        if not user:
            raise SlackError("invalid_arguments")
        old = self.views.get(self.homes.get(user, ""))
        if old and params.get("hash") and params["hash"] != old.hash:
            raise SlackError("hash_conflict")
        record = self._new_view(user, view, old)
        self.homes[user] = record.id
        self.effect(Surface("home", user, view=record))
        return {"view": self.view_json(record)}
