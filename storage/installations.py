"""Slack installations (install by OAuth) on the bot's own database.

slack_sdk's SQLAlchemy installation and OAuth state stores, on the bot's synchronous engine (their
tables: migration 0013), offered to Bolt through its async interfaces: each call runs on a worker
thread, never on the event loop, like every other database call of the bot (bot/slack/runtime.py).
"""

from __future__ import annotations

import asyncio
from logging import Logger
from typing import Optional

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import column, select, table
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

STATE_EXPIRATION_S = 600  # an install link is good for ten minutes, once


class InstallationStore(AsyncInstallationStore):
    """slack_sdk's SQLAlchemyInstallationStore, awaited (Bolt's AsyncOAuthSettings and authorize)."""

    def __init__(self, client_id: str, engine: Engine) -> None:
        self.sync = SQLAlchemyInstallationStore(client_id=client_id, engine=engine)

    @property
    def logger(self) -> Logger:
        return self.sync.logger

    async def async_save(self, installation: Installation) -> None:
        await asyncio.to_thread(self.sync.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(self.sync.save_bot, bot)

    async def async_find_bot(self, *, enterprise_id: Optional[str], team_id: Optional[str],
                             is_enterprise_install: Optional[bool] = False) -> Optional[Bot]:
        return await asyncio.to_thread(self.sync.find_bot, enterprise_id=enterprise_id, team_id=team_id,
                                       is_enterprise_install=is_enterprise_install)

    async def async_find_installation(self, *, enterprise_id: Optional[str], team_id: Optional[str],
                                      user_id: Optional[str] = None,
                                      is_enterprise_install: Optional[bool] = False) -> Optional[Installation]:
        return await asyncio.to_thread(self.sync.find_installation, enterprise_id=enterprise_id, team_id=team_id,
                                       user_id=user_id, is_enterprise_install=is_enterprise_install)

    async def async_delete_bot(self, *, enterprise_id: Optional[str], team_id: Optional[str]) -> None:
        await asyncio.to_thread(self.sync.delete_bot, enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(self, *, enterprise_id: Optional[str], team_id: Optional[str],
                                        user_id: Optional[str] = None) -> None:
        await asyncio.to_thread(self.sync.delete_installation, enterprise_id=enterprise_id, team_id=team_id,
                                user_id=user_id)

    async def bot_token(self, team_id: str | None) -> str | None:
        """The newest bot token of a workspace (whatever its org), or None: for the bot's own messages to a
        person whose workspace is known (`Person.team_id`) but not their Enterprise Grid org."""
        if team_id is None:
            return None
        return await asyncio.to_thread(self._bot_token, team_id)

    async def org_bot_tokens(self) -> dict[str, str]:
        """The newest bot token of each Enterprise Grid org that installed the app org-wide, by enterprise id."""
        return await asyncio.to_thread(self._org_bot_tokens)

    def _org_bot_tokens(self) -> dict[str, str]:
        bots = self.sync.bots.c
        query = (select(bots.enterprise_id, bots.bot_token)
                 .where(bots.client_id == self.sync.client_id, bots.team_id.is_(None), bots.enterprise_id.is_not(None),
                        bots.bot_token.is_not(None))
                 .order_by(bots.installed_at))
        with self.sync.engine.connect() as connection:
            return {enterprise: token for enterprise, token in connection.execute(query).all()}  # newest last wins

    def _bot_token(self, team_id: str) -> str | None:
        bots = self.sync.bots.c
        query = (select(bots.bot_token).where(bots.client_id == self.sync.client_id, bots.team_id == team_id,
                                              bots.bot_token.is_not(None))
                 .order_by(bots.installed_at.desc()).limit(1))
        with self.sync.engine.connect() as connection:
            return connection.execute(query).scalar()


_BOTS = table("slack_bots", column("team_id"), column("enterprise_id"), column("bot_token"))


def installed_workspaces(session: Session) -> tuple[frozenset[str], frozenset[str]]:
    """(the workspaces with an installation of their own, the Enterprise Grid orgs installed org-wide), in the
    caller's transaction."""
    rows = session.execute(select(_BOTS.c.team_id, _BOTS.c.enterprise_id).where(_BOTS.c.bot_token.is_not(None))).all()
    return (frozenset(team for team, _ in rows if team),
            frozenset(enterprise for team, enterprise in rows if team is None and enterprise))


class StateStore(AsyncOAuthStateStore):
    """slack_sdk's SQLAlchemyOAuthStateStore, awaited: a state is issued with each install link and
    consumed once by the redirect (a replayed or forged one is not found)."""

    def __init__(self, engine: Engine, expiration_seconds: int = STATE_EXPIRATION_S) -> None:
        self.sync = SQLAlchemyOAuthStateStore(expiration_seconds=expiration_seconds, engine=engine)

    @property
    def logger(self) -> Logger:
        return self.sync.logger

    async def async_issue(self, *args, **kwargs) -> str:
        return await asyncio.to_thread(self.sync.issue)

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(self.sync.consume, state)
