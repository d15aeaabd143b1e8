"""The Slack double's people per workspace and Slack Connect channels (on top of tests/slack_double.py).

A Slack user id is unique only within its workspace: :meth:`ConnectTeams.add_member` puts a user in
one team, and the same id may be put in another as someone else. ``users.info`` answers, for the
calling token's workspace (or org, for an org-wide install), its own member of that id, else the
external member a shared channel lets it see (with their own ``team_id``, as Slack does); a DM
(``chat.postMessage`` to a user id) reaches only a member of the calling token's workspace or org.
:meth:`ConnectTeams.share_channel` makes a channel shared with other organisations:
``conversations.info`` then says ``is_ext_shared`` with the ``connected_team_ids``, and any of those
workspaces' tokens may post into it.

``ConnectDouble`` is SlackDouble with this mixin first; nothing in tests/slack_double*.py changes.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.slack_double import SlackDouble
from tests.slack_double_oauth import Team


class ConnectTeams:
    """Mixin before SlackDouble: needs its ``teams``, ``_current``, ``_lock``, ``users`` and ``bot_token``."""

    def _init_connect(self) -> None:
        self.members: dict[tuple[str, str], dict] = {}  # (team id, user id) -> users.info's user
        self.shared: dict[str, list[str]] = {}  # channel id -> the workspaces it connects

    def add_member(self, team_id: str, user_id: str, name: str, *, tz: str = "Europe/Zurich",
                   locale: str = "en-US", enterprise_id: str | None = None) -> dict:
        """A user of workspace `team_id` (the same id may be someone else in another workspace)."""
        ZoneInfo(tz)
        user = {"id": user_id, "team_id": team_id, "name": name, "deleted": False, "real_name": name, "tz": tz,
                "locale": locale, "is_bot": False, "is_admin": False, "is_app_user": False, "updated": 1700000000,
                "profile": {"real_name": name, "display_name": name, "email": None, "team": team_id}}
        if enterprise_id:
            user["enterprise_user"] = {"id": user_id, "enterprise_id": enterprise_id, "teams": [team_id]}
        with self._lock:
            self.members[(team_id, user_id)] = user
        return user

    def add_org_install(self, enterprise_id: str, name: str, token: str) -> None:
        """An Enterprise Grid org that installed the app org-wide earlier: ``token`` speaks for all its workspaces
        (add them with add_team(..., enterprise_id=...))."""
        with self._lock:
            self.token_team[token] = Team(None, name, enterprise_id, name, [token])

    def share_channel(self, channel_id: str, *team_ids: str) -> None:
        """A Slack Connect channel: the secretariat's, shared with these other organisations' workspaces."""
        with self._lock:
            self.shared[channel_id] = list(team_ids)
            self.channels[channel_id] = {**self._channel(channel_id), "is_ext_shared": True, "is_shared": True,
                                         "is_member": True, "connected_team_ids": list(team_ids)}

    def _calling_teams(self) -> set[str] | None:
        """The workspaces the calling token speaks for (None: the single-workspace token, everyone)."""
        team = self._current
        if team is None or team.tokens[:1] == [self.bot_token]:
            return None
        if team.team_id is not None:
            return {team.team_id}
        return {t.team_id for t in self.teams.values() if t.enterprise_id == team.enterprise_id}

    def _member(self, user_id: str) -> dict | None:
        teams = self._calling_teams()
        own = [u for (t, uid), u in self.members.items() if uid == user_id and (teams is None or t in teams)]
        if own:
            return own[0]
        visible = {t for ts in self.shared.values() if teams is None or teams & set(ts) for t in ts}
        external = [u for (t, uid), u in self.members.items() if uid == user_id and t in visible]
        return external[0] if external else None

    def _m_users_info(self, params: dict) -> dict:
        user = self._member(params.get("user", ""))
        if user is None:
            return super()._m_users_info(params)
        now = datetime.now(ZoneInfo(user["tz"]))
        return {"user": {**user, "tz_label": now.tzname(), "tz_offset": int(now.utcoffset().total_seconds())}}

    def _reaches(self, channel: str) -> bool:
        teams = self._calling_teams()
        if channel in self.shared:
            return teams is None or bool(teams & set(self.shared[channel]))
        if any(uid == channel for (_, uid) in self.members):
            return teams is None or any((t, channel) in self.members for t in teams)
        return super()._reaches(channel)

    def dms(self, user_id: str, team_id: str | None) -> list:
        """The DMs to `user_id` posted with a token of `team_id` (None: an org-wide install's)."""
        return [c for c in self.calls_to("chat.postMessage")
                if c.params.get("channel") == user_id and c.error is None and self.team_of_call(c) == team_id]


class ConnectDouble(ConnectTeams, SlackDouble):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._init_connect()
