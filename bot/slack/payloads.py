"""Pydantic models of what Slack sends: the only place payload shapes live."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bot.slack.ids import INPUT

TEXT_MAX = 3000


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")


class SlashCommand(_Loose):
    user_id: str
    team_id: str | None = None
    channel_id: str | None = None
    text: str = ""
    trigger_id: str | None = None
    response_url: str | None = None

    @property
    def words(self) -> list[str]:
        return self.text.split()

    @property
    def subcommand(self) -> str:
        return self.words[0].lower() if self.words else "help"

    @property
    def args(self) -> list[str]:
        return self.words[1:]


class _User(_Loose):
    id: str
    team_id: str | None = None


class _Team(_Loose):
    id: str | None = None


class _Action(_Loose):
    action_id: str
    block_id: str | None = None
    value: str | None = None


class _Container(_Loose):
    type: str | None = None
    message_ts: str | None = None
    channel_id: str | None = None


class BlockAction(_Loose):
    user: _User
    team: _Team | None = None
    actions: list[_Action]
    trigger_id: str | None = None
    response_url: str | None = None
    container: _Container | None = None

    @property
    def action(self) -> _Action:
        return self.actions[0]


class _View(_Loose):
    id: str
    hash: str | None = None
    callback_id: str
    private_metadata: str = ""
    state: dict[str, Any] = Field(default_factory=dict)


class ViewSubmission(_Loose):
    user: _User
    team: _Team | None = None
    view: _View

    def has(self, block_id: str) -> bool:
        """Whether the submitted state carries that block (Slack sends every input block of the view)."""
        return block_id in self.view.state.get("values", {})

    def value(self, block_id: str) -> Any:
        """The submitted value of an input block, whatever its element type."""
        element = self.view.state.get("values", {}).get(block_id, {}).get(INPUT, {})
        kind = element.get("type")
        if kind in ("plain_text_input", None):
            return element.get("value") or ""
        if kind == "static_select":
            option = element.get("selected_option") or {}
            return option.get("value") or ""
        if kind == "multi_static_select":
            return [o["value"] for o in element.get("selected_options") or []]
        if kind == "datepicker":
            return element.get("selected_date")
        if kind == "timepicker":
            return element.get("selected_time")
        if kind == "checkboxes":
            return [o["value"] for o in element.get("selected_options") or []]
        if kind in ("conversations_select", "channels_select"):
            return element.get("selected_conversation") or element.get("selected_channel")
        if kind == "multi_users_select":
            return list(element.get("selected_users") or [])
        if kind == "users_select":
            return element.get("selected_user")
        return element.get("value")

    @property
    def metadata(self) -> dict[str, Any]:
        try:
            return json.loads(self.view.private_metadata or "{}")
        except ValueError:
            return {}


class AppHomeOpened(_Loose):
    user: str
    tab: str | None = None
