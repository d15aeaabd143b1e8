"""Install by OAuth: the bot token a reminder goes out with is the one of its recipient's workspace.

A recipient whose workspace is not known (a process channel, or a person the bot has not met yet) is
reached through the secretariat's workspace, where the process channels live.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.installs.service import home_team
from storage.installations import InstallationStore


class WorkspaceTokens:
    def __init__(self, store: InstallationStore, db: Callable[..., Any]) -> None:
        self.store, self.db = store, db

    async def __call__(self, team_id: str | None) -> str | None:
        """The newest bot token of the workspace (None: the secretariat's), or None if it has no installation."""
        return await self.store.bot_token(team_id or await self.db(home_team))
