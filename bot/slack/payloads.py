"""Pydantic models of what Slack sends: the only place payload shapes live.

The request gate (bot/slack/gate.py) validates every verified request against these models
before Bolt sees it, so a listener's `model_validate` never fails on shape. Text a person typed
(a command's text, a modal's text inputs) is cleaned here (bot/textclean.py), before any service.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints

from bot.slack.ids import INPUT
from bot.textclean import clean

TEXT_MAX = 3000
# A Slack identifier (user, team, channel, trigger, view, enterprise): letters, digits and . _ : -
SlackId = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[A-Za-z0-9._:\-]+$")]
Typed = Annotated[str, StringConstraints(max_length=40_000), AfterValidator(clean)]
Url = Annotated[str, StringConstraints(max_length=2_000)]


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")


class SlashCommand(_Loose):
    command: str = Field(default="/consult", max_length=64)
    user_id: SlackId
    team_id: SlackId | None = None
    enterprise_id: SlackId | None = None
    channel_id: SlackId | None = None
    text: Typed = ""
    trigger_id: SlackId
    response_url: Url | None = None

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
    id: SlackId
    team_id: SlackId | None = None


class _Team(_Loose):
    id: SlackId | None = None
    enterprise_id: SlackId | None = None  # an Enterprise Grid org's workspace


class _Action(_Loose):
    action_id: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    block_id: Annotated[str, StringConstraints(max_length=255)] | None = None
    value: Annotated[str, StringConstraints(max_length=2_000)] | None = None


class _Container(_Loose):
    type: str | None = None
    message_ts: str | None = None
    channel_id: SlackId | None = None


class BlockAction(_Loose):
    type: Literal["block_actions"] = "block_actions"
    user: _User
    team: _Team | None = None
    actions: Annotated[list[_Action], Field(min_length=1, max_length=25)]
    trigger_id: SlackId | None = None
    response_url: Url | None = None
    container: _Container | None = None
    _ref: BaseModel | None = PrivateAttr(default=None)

    @property
    def action(self) -> _Action:
        return self.actions[0]

    @property
    def ref(self) -> Any:
        """The button's value parsed by its model (bot/slack/forms.py), set by the dispatcher."""
        return self._ref

    @ref.setter
    def ref(self, value: BaseModel) -> None:
        self._ref = value


class _Option(_Loose):
    value: Annotated[str, StringConstraints(max_length=2_000)]


class _File(_Loose):
    id: SlackId
    name: Typed = ""


class Element(_Loose):
    """The submitted state of one input element, whatever its type."""

    type: str | None = None
    value: Typed | None = None
    selected_option: _Option | None = None
    selected_options: list[_Option] | None = None
    selected_date: str | None = None
    selected_time: str | None = None
    selected_conversation: SlackId | None = None
    selected_channel: SlackId | None = None
    selected_users: list[SlackId] | None = None
    selected_user: SlackId | None = None
    files: list[_File] | None = None


class _State(_Loose):
    values: dict[str, dict[str, Element]] = Field(default_factory=dict)


class _View(_Loose):
    id: SlackId
    hash: str | None = None
    callback_id: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    private_metadata: Annotated[str, StringConstraints(max_length=3_000)] = ""
    state: _State = Field(default_factory=_State)


class ViewSubmission(_Loose):
    type: Literal["view_submission"] = "view_submission"
    user: _User
    team: _Team | None = None
    view: _View
    _meta: BaseModel | None = PrivateAttr(default=None)

    @property
    def meta(self) -> Any:
        """The view's private_metadata parsed by its model (bot/slack/forms.py), set by the dispatcher."""
        return self._meta

    @meta.setter
    def meta(self, value: BaseModel) -> None:
        self._meta = value

    @property
    def metadata(self) -> dict[str, Any]:
        return self._meta.model_dump() if self._meta is not None else {}

    @property
    def blocks(self) -> list[str]:
        """The input blocks the submission carries (Slack sends every input block of the view)."""
        return list(self.view.state.values)

    def has(self, block_id: str) -> bool:
        return block_id in self.view.state.values

    def element(self, block_id: str) -> Element:
        return self.view.state.values.get(block_id, {}).get(INPUT) or Element()

    def value(self, block_id: str) -> Any:
        """The submitted value of an input block, whatever its element type."""
        element = self.element(block_id)
        kind = element.type
        if kind in ("plain_text_input", None):
            return element.value or ""
        if kind in ("static_select", "radio_buttons"):
            return element.selected_option.value if element.selected_option else ""
        if kind in ("multi_static_select", "multi_external_select", "checkboxes"):
            return [o.value for o in element.selected_options or []]
        if kind == "datepicker":
            return element.selected_date
        if kind == "timepicker":
            return element.selected_time
        if kind in ("conversations_select", "channels_select"):
            return element.selected_conversation or element.selected_channel
        if kind == "multi_users_select":
            return list(element.selected_users or [])
        if kind == "users_select":
            return element.selected_user
        return element.value


class BlockSuggestion(_Loose):
    """What a person typed in an external select (bot/slack/entity_select.py)."""

    type: Literal["block_suggestion"]
    user: _User
    team: _Team | None = None
    action_id: Annotated[str, StringConstraints(max_length=255)]
    block_id: Annotated[str, StringConstraints(max_length=255)]
    value: Annotated[str, StringConstraints(max_length=500)] = ""
    view: _View | None = None


class ViewClosed(_Loose):
    type: Literal["view_closed"]
    user: _User
    view: _View


class _Event(_Loose):
    type: Annotated[str, StringConstraints(min_length=1, max_length=255)]


class EventCallback(_Loose):
    type: Literal["event_callback"]
    team_id: SlackId | None = None
    event_id: SlackId | None = None
    event: _Event


class UrlVerification(_Loose):
    type: Literal["url_verification"]
    challenge: Annotated[str, StringConstraints(min_length=1, max_length=255)]


class AppRateLimited(_Loose):
    type: Literal["app_rate_limited"]


class OtherInteraction(_Loose):
    """Interactions the bot does not use (shortcuts, option loads): acked, nothing else."""

    type: Literal["shortcut", "message_action", "block_suggestion", "interactive_message", "dialog_submission"]
    user: _User | None = None


class AppHomeOpened(_Loose):
    user: SlackId
    tab: str | None = None


def enterprise_of(interaction: BlockAction | ViewSubmission) -> str | None:
    """The Enterprise Grid org a click or submission came from (None: a workspace of no org)."""
    return interaction.team.enterprise_id if interaction.team else None


INTERACTIONS: dict[str, type[BaseModel]] = {
    "block_actions": BlockAction, "view_submission": ViewSubmission, "view_closed": ViewClosed,
    **{kind: OtherInteraction for kind in ("shortcut", "message_action", "block_suggestion", "interactive_message",
                                           "dialog_submission")},
}
EVENTS: dict[str, type[BaseModel]] = {
    "event_callback": EventCallback, "url_verification": UrlVerification, "app_rate_limited": AppRateLimited,
}
