"""People and channels of the Slack double (mixed into SlackDouble): users.info, conversations.*.

People belong to a team (``team_id``; a user ID is unique only within its team, so the same ID may be
someone else in another team: :meth:`Directory.add_member`). users.info answers, for the calling
token's workspace (or org, for an org-wide install), its own member of that ID, else the member of
another team a shared channel lets it see: an external user, with their own team, time zone and
locale, as Slack does for a Slack Connect member. The single-workspace token sees everyone.
A channel added with several ``teams`` is shared (Slack Connect): conversations.info says
``is_ext_shared`` and names the connected teams, and a workspace token of a team outside it gets
``channel_not_found``. Each person's DM has an ID (``D`` + user ID unless ``add_user(dm=...)``).
What the double was not told it takes on trust: an unknown channel is a plain channel.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.slack_double.records import TRUE, SlackError, param


class Directory:
    """Mixin: needs ``self.team_id``, ``self._lock`` and ``self._current`` (the calling token's Team)."""

    team_id: str
    _lock: threading.RLock

    def _init_directory(self) -> None:
        self.users: dict[str, dict] = {}  # user_id -> the person last added with that ID (tests edit them in place)
        self.members: dict[tuple[str, str], dict] = {}  # (team_id, user_id) -> the person
        self.channels: dict[str, dict] = {}  # channel_id -> Slack's channel object
        self.dm_ids: dict[str, str] = {}  # user_id -> the ID of the DM with them

    def add_user(self, user_id: str, name: str | None = None, *, tz: str = "Europe/Zurich", locale: str = "en-US",
                 team_id: str | None = None, deleted: bool = False, real_name: str | None = None,
                 is_bot: bool = False, email: str | None = None, display_name: str | None = None,
                 dm: str | None = None, enterprise_id: str | None = None) -> dict:
        """A person of ``team_id`` (this workspace unless given), of Enterprise Grid org ``enterprise_id``."""
        ZoneInfo(tz)  # fail early on a bad zone name
        name = name or user_id.lower()
        team = team_id or self.team_id
        user = {"id": user_id, "team_id": team, "name": name, "deleted": deleted,
                "real_name": real_name or name, "tz": tz, "locale": locale, "is_bot": is_bot,
                "is_admin": False, "is_app_user": False, "updated": 1700000000,
                "profile": {"real_name": real_name or name, "display_name": display_name or name, "email": email,
                            "team": team}}
        if enterprise_id:
            user["enterprise_user"] = {"id": user_id, "enterprise_id": enterprise_id, "teams": [team]}
        with self._lock:
            self.users[user_id] = user
            self.members[(team, user_id)] = user
            if dm:
                self.dm_ids[user_id] = dm
        return user

    def add_member(self, team_id: str, user_id: str, name: str, *, tz: str = "Europe/Zurich",
                   locale: str = "en-US", enterprise_id: str | None = None) -> dict:
        """A person of workspace ``team_id`` (the same ID may be someone else in another workspace)."""
        return self.add_user(user_id, name, team_id=team_id, tz=tz, locale=locale, enterprise_id=enterprise_id)

    def add_channel(self, channel_id: str, name: str | None = None, *, teams: list[str] | None = None,
                    is_member: bool = True, is_private: bool = False) -> dict:
        """A channel of this workspace, or (``teams``: the host first) one shared between those teams."""
        host = (teams or [self.team_id])[0]
        channel = {**self._default_channel(channel_id), "name": name or channel_id.lower(), "is_member": is_member,
                   "is_private": is_private, "is_channel": not is_private, "is_group": is_private,
                   "context_team_id": host, "conversation_host_id": host}
        if teams and len(teams) > 1:
            channel.update(is_shared=True, is_ext_shared=True, is_org_shared=False, shared_team_ids=[host],
                           connected_team_ids=list(teams), is_pending_ext_shared=False, pending_shared=[])
        with self._lock:
            self.channels[channel_id] = channel
        return channel

    def share_channel(self, channel_id: str, *team_ids: str) -> dict:
        """A Slack Connect channel between these workspaces (the host first)."""
        return self.add_channel(channel_id, self.channels.get(channel_id, {}).get("name"), teams=list(team_ids))

    # ---- DMs
    def dm_channel(self, user: str) -> str:
        return self.dm_ids.get(user) or "D" + user

    def dm_user(self, channel: str) -> str | None:
        """The person a DM channel is with, or None (not a DM, or with someone the double does not know)."""
        for user, dm in self.dm_ids.items():
            if dm == channel:
                return user
        return channel[1:] if channel[:1] == "D" and channel[1:] in self.users else None

    def resolve_channel(self, target: str) -> str:
        """A user ID is the DM with them; anything else is the channel it names."""
        return self.dm_channel(target) if target[:1] in ("U", "W") else target

    # ---- helpers for the method handlers (called with the lock held)
    @staticmethod
    def _default_channel(channel_id: str) -> dict:
        return {"id": channel_id, "name": channel_id.lower(), "is_channel": channel_id.startswith("C"),
                "is_im": channel_id.startswith("D"), "is_private": channel_id.startswith("G"),
                "is_member": channel_id.startswith("D"), "is_archived": False, "created": 1700000000,
                "is_shared": False, "is_ext_shared": False}

    def _channel(self, channel_id: str, **fields: Any) -> dict:
        known = self.channels.get(channel_id)
        return {**(known or self._default_channel(channel_id)), **fields}

    def _sees_channel(self, channel_id: str) -> None:
        """A workspace token sees a shared channel only from a team it connects; else channel_not_found."""
        known, team = self.channels.get(channel_id), self._current
        if known is None or team is None or team.team_id is None or team.tokens[:1] == [self.bot_token]:
            return
        if team.team_id not in (known.get("connected_team_ids") or [known.get("conversation_host_id")]):
            raise SlackError("channel_not_found")

    def _calling_teams(self) -> set[str] | None:
        """The workspaces the calling token speaks for (None: the single-workspace token, everyone)."""
        team = self._current
        if team is None or team.tokens[:1] == [self.bot_token]:
            return None
        if team.team_id is not None:
            return {team.team_id}
        return {t.team_id for t in self.teams.values() if t.enterprise_id == team.enterprise_id}

    def _person(self, user_id: str) -> dict | None:
        """Whom users.info of ``user_id`` finds for the calling token: its own member, else an external one."""
        teams = self._calling_teams()
        if teams is None:
            return self.users.get(user_id)
        own = [self.members[(t, user_id)] for t in sorted(teams) if (t, user_id) in self.members]
        if own:
            return own[0]
        shared = [set(c.get("connected_team_ids") or ()) for c in self.channels.values()]
        visible = {t for connected in shared if teams & connected for t in connected}
        return next((u for (t, uid), u in self.members.items() if uid == user_id and t in visible), None)

    # ---- Web API methods
    def _m_users_info(self, params: dict) -> dict:
        user = self._person(str(params.get("user") or ""))
        if user is None:
            raise SlackError("user_not_found")
        now = datetime.now(ZoneInfo(user["tz"]))
        user = {**user, "tz_label": now.tzname(), "tz_offset": int(now.utcoffset().total_seconds())}
        if params.get("include_locale") not in TRUE:
            del user["locale"]
        return {"user": user}

    def _m_conversations_open(self, params: dict) -> dict:
        if params.get("channel"):
            return {"channel": self._channel(params["channel"])}
        users = [u for u in str(param(params, "users", "")).split(",") if u]
        if not users:
            raise SlackError("users_list_not_supplied")
        channel_id = self.dm_channel(users[0]) if len(users) == 1 else "G" + "".join(sorted(users))[:20]
        channel = self._channel(channel_id, **({"is_im": True, "user": users[0]} if len(users) == 1 else {}))
        return {"channel": channel if params.get("return_im") in TRUE else {"id": channel_id}}

    def _m_conversations_info(self, params: dict, join: bool = False) -> dict:
        if not params.get("channel"):
            raise SlackError("channel_not_found")
        self._sees_channel(params["channel"])
        channel = self._channel(params["channel"], **({"is_member": True} if join else {}))
        self.channels[channel["id"]] = channel
        return {"channel": channel}

    def _m_conversations_join(self, params: dict) -> dict:
        return self._m_conversations_info(params, join=True)
