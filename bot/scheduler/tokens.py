"""Install by OAuth: the bot token a reminder goes out with is the one of its recipient's workspace.

A recipient whose workspace is not known (a process channel, or a person the bot has not met yet) is
reached through the secretariat's workspace, where the process channels live. A workspace with no
installation of its own may belong to an Enterprise Grid org that installed the app org-wide: Slack's
`team.info`, asked with the org's token, says whether it does (an answer found is remembered; one not found is asked again next time).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.installs.service import home_team
from storage.installations import InstallationStore


TOKEN_TTL_S = 10.0  # a workspace's token is looked up again after this (the sender forgets a refused one at once)


class WorkspaceTokens:
    def __init__(self, store: InstallationStore, db: Callable[..., Any], client: AsyncWebClient) -> None:
        self.store, self.db, self.client = store, db, client
        self.known: dict[str | None, tuple[float, str | None]] = {}  # workspace -> (when looked up, its token)
        self.org_of: dict[str, str] = {}  # team id -> the enterprise id of the org-wide install it belongs to
        self.asking = asyncio.Lock()  # one team.info round at a time: reminders to one team are sent in parallel

    async def __call__(self, team_id: str | None) -> str | None:
        """The newest bot token of the workspace (None: the secretariat's), or None if it has no installation."""
        cached = self.known.get(team_id)
        if cached is not None and time.monotonic() - cached[0] < TOKEN_TTL_S:
            return cached[1]
        token = await self._look_up(team_id)
        self.known[team_id] = (time.monotonic(), token)
        return token

    def forget(self, team_id: str | None) -> None:
        """Slack refused the token (revoked, uninstalled): look it up again next time."""
        self.known.pop(team_id, None)

    async def _look_up(self, team_id: str | None) -> str | None:
        team = team_id or await self.db(home_team)
        if team is None:
            return None
        return await self.store.bot_token(team) or await self._org_token(team)

    async def _org_token(self, team: str) -> str | None:
        async with self.asking:
            return await self._ask_orgs(team)

    async def _ask_orgs(self, team: str) -> str | None:
        orgs = await self.store.org_bot_tokens()
        if self.org_of.get(team) in orgs:
            return orgs[self.org_of[team]]
        for enterprise_id, token in orgs.items():
            asking = AsyncWebClient(token=token, base_url=self.client.base_url, timeout=self.client.timeout)
            try:
                info = await asking.team_info(team=team)
            except SlackApiError:
                continue
            if (info.get("team") or {}).get("enterprise_id") == enterprise_id:
                self.org_of[team] = enterprise_id
                return token
        return None
