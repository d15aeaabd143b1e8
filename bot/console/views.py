"""The views.* methods: modals (a stack of at most three per person) and each person's App Home."""

from __future__ import annotations

import secrets
import time

from bot.console import form
from bot.console.records import (APP_ID, BLOCK_LIMITS, BOT_ID, MAX_VIEW_STACK, SlackError, Surface, View,
                                 param, with_block_ids)


class ViewsApi:
    """Mixed into Workspace: uses its people, views, stacks, homes, triggers and show()."""

    def _new_view(self, user: str, view: dict, old: View | None = None) -> View:
        kind = str(view.get("type") or "modal")
        if kind not in BLOCK_LIMITS or kind == "message":
            raise SlackError("invalid_arguments")
        view = {**view, "blocks": with_block_ids(list(view.get("blocks") or []), kind)}
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
                "callback_id": record.view.get("callback_id") or "",
                "external_id": record.view.get("external_id") or "",
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
        return {"view": self.view_json(self.push_view(self.use_trigger(params.get("trigger_id")), view))}

    def push_view(self, user: str, view: dict) -> View:
        stack = self.stacks.setdefault(user, [])
        if not stack:
            raise SlackError("not_found")
        if len(stack) >= MAX_VIEW_STACK:
            raise SlackError("push_limit_reached")
        record = self._new_view(user, view)
        stack.append(record.id)
        self.show(Surface("modal", user, view=record))
        return record

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
        view, user = self._view_param(params), str(param(params, "user_id", ""))
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

