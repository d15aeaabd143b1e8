"""The Slack double's workspaces, tokens and OAuth (mixed into bot/slack_double/server.py's SlackDouble).

Several teams (an Enterprise Grid org among them), each with its own bot token once installed;
Slack's authorize page (GET ``/oauth/v2/authorize``: the installer, chosen beforehand with
:meth:`OAuthTeams.next_install`, approves or cancels, and the browser is sent to the app's redirect
URL), ``oauth.v2.access`` (client id and secret by HTTP Basic, each code once), ``auth.test`` and
``team.info`` for the calling token's team, ``auth.revoke``. A token belongs to one team: a call with a
token of an uninstalled (revoked) workspace gets ``token_revoked``, with an unknown one ``invalid_auth``.
People of other teams and shared channels: bot/slack_double/directory.py.
"""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode

from bot.slack_double.records import SlackError

_codes = itertools.count(1)


@dataclass
class Team:
    team_id: str | None  # None: an org-wide install of an Enterprise Grid org
    name: str
    enterprise_id: str | None = None
    enterprise_name: str | None = None
    tokens: list[str] = field(default_factory=list)


@dataclass
class _Pending:
    team: Team
    org_wide: bool
    error: str | None


class OAuthTeams:
    """Mixin: needs ``self.bot_token``, ``self.team_id``, ``self.team``, ``self.app_id``, ``self.user_id``,
    ``self.bot_id``, ``self._lock``, ``calls_to`` and the directory's ``users``, ``members`` and
    ``_calling_teams`` of SlackDouble."""

    def _init_teams(self) -> None:
        self.teams: dict[str, Team] = {}
        self.token_team: dict[str, Team] = {self.bot_token: Team(self.team_id, self.team, tokens=[self.bot_token])}
        self.client_id: str | None = None
        self.client_secret: str | None = None
        self.redirect_url: str | None = None
        self._codes: dict[str, _Pending] = {}
        self._next_install: _Pending | None = None
        self._current: Team | None = None  # the team of the token of the call being answered
        self.revoked: list[str] = []  # tokens given back by auth.revoke or revoked by revoke_team

    def enable_oauth(self, client_id: str, client_secret: str, redirect_url: str) -> None:
        """The app's credentials and its redirect URL, as configured at api.slack.com."""
        self.client_id, self.client_secret, self.redirect_url = client_id, client_secret, redirect_url

    def add_team(self, team_id: str, name: str, *, enterprise_id: str | None = None,
                 enterprise_name: str | None = None) -> Team:
        team = Team(team_id, name, enterprise_id, enterprise_name)
        with self._lock:
            self.teams[team_id] = team
        return team

    def add_installed_team(self, team_id: str, name: str, token: str) -> Team:
        """A workspace that installed the app earlier: ``token`` is its bot token (benchmarks seed it)."""
        team = self.add_team(team_id, name)
        with self._lock:
            team.tokens.append(token)
            self.token_team[token] = team
        return team

    def add_org_install(self, enterprise_id: str, name: str, token: str) -> Team:
        """An Enterprise Grid org that installed the app org-wide earlier: ``token`` speaks for all its
        workspaces (add them with ``add_team(..., enterprise_id=...)``)."""
        team = Team(None, name, enterprise_id, name, [token])
        with self._lock:
            self.token_team[token] = team
        return team

    def next_install(self, team_id: str, *, org_wide: bool = False, error: str | None = None) -> None:
        """Who approves (or, with ``error``, cancels) on the next visit to the authorize page: an admin of
        ``team_id``, for the workspace or (``org_wide``) for its whole Enterprise Grid org."""
        self._next_install = _Pending(self.teams[team_id], org_wide, error)

    def token_of(self, team_id: str | None, enterprise_id: str | None = None) -> str | None:
        """The live bot token of a workspace (or of an org-wide install: team_id None)."""
        for token, team in self.token_team.items():
            if team.team_id == team_id and (enterprise_id is None or team.enterprise_id == enterprise_id):
                return token
        return None

    def team_of_call(self, call) -> str | None:
        """The team whose token made ``call``."""
        auth = call.headers.get("authorization", "")
        team = self.token_team.get(auth.removeprefix("Bearer ") or call.params.get("token", ""))
        return team.team_id if team else None

    def dms(self, user_id: str, team_id: str | None) -> list:
        """The DMs to ``user_id`` that went out with a token of ``team_id`` (None: an org-wide install's)."""
        return [c for c in self.calls_to("chat.postMessage")
                if c.params.get("channel") == user_id and c.error is None and self.team_of_call(c) == team_id]

    def _authorize_page(self, query: str) -> tuple[int, dict, str]:
        """Slack's authorize page, approved (or cancelled) at once by the installer of :meth:`next_install`."""
        params = {k: v[0] for k, v in parse_qs(query).items()}
        pending, self._next_install = self._next_install, None
        if pending is None or params.get("client_id") != self.client_id or not self.redirect_url:
            return 400, {}, "invalid_client_id_or_no_installer"
        if pending.error:
            answer = {"error": pending.error, "state": params.get("state", "")}
        else:
            code = f"{next(_codes)}.code{next(_codes)}"
            self._codes[code] = pending
            answer = {"code": code, "state": params.get("state", "")}
        return 302, {"Location": f"{self.redirect_url}?{urlencode(answer)}"}, ""

    def _auth_token(self, method: str, token: str | None, headers: dict) -> bool:
        if method == "oauth.v2.access":
            basic = headers.get("authorization", "").removeprefix("Basic ")
            expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
            return bool(self.client_id) and basic == expected
        return token in self.token_team

    def _m_oauth_v2_access(self, params: dict) -> dict:
        pending = self._codes.pop(params.get("code", ""), None)
        if pending is None:
            raise SlackError("invalid_code")
        team, org_wide = pending.team, pending.org_wide
        token = f"xoxb-{team.enterprise_id or 'x'}-{team.team_id}-{next(_codes)}"
        installed = Team(None if org_wide else team.team_id, team.enterprise_name if org_wide else team.name,
                         team.enterprise_id, team.enterprise_name, [token])
        self.token_team[token] = installed
        return {"app_id": self.app_id, "access_token": token, "token_type": "bot", "scope": params.get("scope") or
                "commands,chat:write", "bot_user_id": self.user_id, "is_enterprise_install": org_wide,
                "team": None if org_wide else {"id": team.team_id, "name": team.name},
                "enterprise": {"id": team.enterprise_id, "name": team.enterprise_name} if team.enterprise_id else None,
                "authed_user": {"id": f"U0ADMIN{team.team_id}"}}

    def _m_auth_revoke(self, params: dict) -> dict:
        """The calling token stops working."""
        for token in self._current.tokens:
            self.token_team.pop(token, None)
        self.revoked.extend(self._current.tokens)
        return {"revoked": True}

    def revoke_team(self, team_id: str | None) -> None:
        """The workspace uninstalls the app: its tokens stop working (Slack answers `token_revoked`)."""
        with self._lock:
            for token in [t for t, team in self.token_team.items() if team.team_id == team_id]:
                del self.token_team[token]
                self.revoked.append(token)

    def _reaches(self, channel: str) -> bool:
        """Can the calling token DM `channel` (a user id)? Only a member of its workspace (or of its org, for
        an org-wide install). The single-workspace token reaches everyone, and anyone reaches an unknown id."""
        teams = self._calling_teams()
        if teams is None or channel not in self.users:
            return True
        return any((team, channel) in self.members for team in teams)

    def _m_team_info(self, params: dict) -> dict:
        team = self.teams.get(params.get("team") or "") or self._current
        return {"team": {"id": team.team_id, "name": team.name, "domain": (team.name or "x").lower().replace(" ", ""),
                         "enterprise_id": team.enterprise_id, "enterprise_name": team.enterprise_name}}

    def _team_auth_test(self) -> dict:
        team = self._current
        return {"url": f"https://{(team.name or 'x').lower().replace(' ', '')}.slack.com/", "team": team.name,
                "user": "consultbot", "team_id": team.team_id, "user_id": self.user_id, "bot_id": self.bot_id,
                "enterprise_id": team.enterprise_id, "is_enterprise_install": team.team_id is None}
