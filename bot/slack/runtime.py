"""What every listener needs: the database (through a worker thread) and the caller."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.engine import Engine

from bot import audit
from bot.people.service import Profile, ensure_person, find_person, needs_profile, save_profile
from bot.settings import Settings
from bot.textclean import clean_name
from storage.db import session_scope
from storage.models import Person
from storage.models.core import UNKNOWN_TEAM

log = logging.getLogger(__name__)
T = TypeVar("T")


class AckGate:
    """Slack requests still waiting for their ack. Work done after an ack waits (at most
    `max_wait`) until none are pending and none arrived for `QUIET_S`: a burst is acknowledged first and
    answered next, instead of each answer's database and Web API work delaying the acks queued behind it
    (a request whose bytes are still on their way counts only once read, hence the quiet moment).
    Measured in bench/ack.py (docs/benchmarks.md)."""

    POLL_S = 0.005
    QUIET_S = 0.01

    def __init__(self, max_wait: float = 0.5) -> None:
        self.max_wait = max_wait
        self.pending = 0
        self.last_arrival = 0.0

    def enter(self) -> None:
        self.pending += 1
        self.last_arrival = time.monotonic()

    def leave(self) -> None:
        self.pending = max(0, self.pending - 1)

    async def settle(self) -> None:
        deadline = time.monotonic() + self.max_wait
        while time.monotonic() < deadline and (self.pending or time.monotonic() - self.last_arrival < self.QUIET_S):
            await asyncio.sleep(self.POLL_S)


ACKS = AckGate()  # entered and left by bot/server.py around each request


@dataclass
class Deps:
    settings: Settings
    engine: Engine
    # install by OAuth: a workspace's bot token (bot/scheduler/tokens.WorkspaceTokens), for messages to people
    # of another workspace than the request's; None: one workspace, SLACK_BOT_TOKEN
    tokens: Any = None
    clients: dict[str, AsyncWebClient] = field(default_factory=dict)  # bot token -> its client

    async def after_ack(self) -> None:
        """Call right after `ack()`: lets the other requests in flight be acknowledged first."""
        await ACKS.settle()

    async def db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `fn(session, *args)` in one transaction on a worker thread (never on the event loop)."""
        return await asyncio.to_thread(self._in_session, fn, args, kwargs)

    def _in_session(self, fn: Callable[..., T], args: tuple, kwargs: dict) -> T:
        with session_scope(self.engine) as session:
            return fn(session, *args, **kwargs)


@dataclass
class Caller:
    """The person behind a request, with what rendering needs."""

    person: Person
    locale: str | None = None
    timezone: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def user_id(self) -> str:
        return self.person.slack_user_id

    @property
    def team_id(self) -> str:
        """Their workspace: with `user_id`, who they are."""
        return self.person.team_id


async def fetch_profile(client: AsyncWebClient, user_id: str, team_id: str | None,
                        enterprise_id: str | None = None) -> Profile | None:
    """users.info of `user_id`; their workspace is the one Slack says (an external member of a shared
    channel: their own), else `team_id`."""
    try:
        response = await client.users_info(user=user_id, include_locale=True)
    except SlackApiError as exc:
        log.warning("users.info %s failed: %s", user_id, exc.response.get("error"))
        return None
    user = response.get("user") or {}
    profile = user.get("profile") or {}
    enterprise = (user.get("enterprise_user") or {}).get("enterprise_id") or enterprise_id
    return Profile(slack_user_id=user_id, team_id=user.get("team_id") or team_id, enterprise_id=enterprise,
                   display_name=clean_name(str(profile.get("display_name") or user.get("real_name")
                                               or user.get("name") or ""))[:200],
                   timezone=user.get("tz"), locale=user.get("locale"), email=profile.get("email"))


async def caller(deps: Deps, client: AsyncWebClient, user_id: str, team_id: str | None,
                 context: dict | None = None, enterprise_id: str | None = None) -> Caller:
    """The caller as a Person — the user `user_id` of the request's workspace `team_id` (or Enterprise Grid
    org), never someone of another workspace with the same user id — refreshing their Slack profile
    (time zone, locale) when stale. What they change is audited with their workspace."""
    audit.acting(user_id, team_id)
    person = await deps.db(find_person, user_id, team_id, enterprise_id)
    if needs_profile(person):
        profile = await fetch_profile(client, user_id, team_id, enterprise_id)
        if profile is not None:  # the request's workspace names the caller (an Enterprise Grid user's may differ)
            person = await deps.db(save_profile, profile.model_copy(update={"team_id": team_id or profile.team_id}))
        elif person is None:
            person = await deps.db(ensure_person, user_id, team_id, enterprise_id)
    if team_id and person.team_id == UNKNOWN_TEAM:  # granted a role by user id alone: now we know where
        person = await deps.db(ensure_person, user_id, team_id, enterprise_id)
    audit.acting(user_id, person.team_id)
    who = Caller(person=person, locale=person.reads_in,
                 timezone=person.timezone or deps.settings.default_timezone)
    if context is not None:
        context["locale"] = who.locale
    return who

