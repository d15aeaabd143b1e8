"""People the bot has not met yet, and Slack's `user_change`: their zone (and e-mail) from Slack, before
their reminders are planned."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, ValidationError
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import Invalid
from bot.people.service import Profile, find_person, needs_profile, save_profile
from bot.slack.runtime import Deps, fetch_profile


class _ChangedProfile(BaseModel):
    model_config = ConfigDict(extra="ignore")

    display_name: str = ""
    real_name: str = ""
    email: str | None = None


class _ChangedUser(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    team_id: str | None = None
    name: str = ""
    real_name: str = ""
    tz: str | None = None
    locale: str | None = None
    deleted: bool = False
    profile: _ChangedProfile = _ChangedProfile()


class UserChange(BaseModel):
    """Slack's `user_change` event: the whole user object as users.info gives it."""

    model_config = ConfigDict(extra="ignore")

    type: str
    user: _ChangedUser

    @classmethod
    def parse(cls, event: dict) -> "UserChange":
        try:
            return cls.model_validate(event)
        except ValidationError:
            raise Invalid("errors.event_malformed") from None

    def profile(self) -> Profile:
        user = self.user
        return Profile(slack_user_id=user.id, team_id=user.team_id,
                       display_name=user.profile.display_name or user.real_name or user.name, timezone=user.tz,
                       locale=user.locale, email=user.profile.email)


async def look_up(deps: Deps, client: AsyncWebClient, user_id: str, team_id: str | None = None) -> None:
    """Before a role is granted or a join approved: ask Slack (users.info) about a person the bot has
    no fresh profile of, so that the reminders planned in that transaction use their own time zone."""
    if not needs_profile(await deps.db(find_person, user_id, team_id)):
        return
    profile = await fetch_profile(client, user_id, team_id)
    if profile is not None:
        await deps.db(save_profile, profile)


def _changed(session, change: UserChange) -> bool:
    """Only people the bot knows are kept current; a new zone re-plans their pending reminders (save_profile)."""
    if find_person(session, change.user.id, change.user.team_id) is None:
        return False
    save_profile(session, change.profile())
    return True


async def user_changed(deps: Deps, event: dict) -> bool:
    return await deps.db(_changed, UserChange.parse(event))
