"""Install by OAuth (Slack's v2 flow) with Bolt's AsyncOAuthSettings and slack_sdk's SQLAlchemy stores.

`GET /slack/install` sets the state cookie and redirects to Slack's authorize page (the state is
issued in `slack_oauth_states`, good for ten minutes, once). Slack sends the browser back to
`GET /slack/oauth_redirect?code=…&state=…` (or `?error=…`): bot/server.py checks that query with
`RedirectQuery` before Bolt sees it, then Bolt checks the cookie, consumes the state, trades the code
(oauth.v2.access) and saves the installation — unless the workspace (or its Enterprise Grid org) is
not in SLACK_ALLOWED_TEAMS: then the new token is revoked and nothing is saved. Every outcome is a
page with a text of prompts/en/install.yaml; Bolt's authorize then finds each request's token.
"""

from __future__ import annotations

import html
import logging

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from slack_bolt.error import BoltError
from slack_bolt.oauth.async_callback_options import AsyncCallbackOptions, AsyncFailureArgs, AsyncSuccessArgs
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.engine import Engine

from bot.settings import Settings
from bot.texts import t_plain
from storage.installations import STATE_EXPIRATION_S, InstallationStore, StateStore

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
MAX_QUERY_CHARS = 2048


class RedirectQuery(BaseModel):
    """The query of `GET /slack/oauth_redirect`: sent by a browser, not signed by Slack, so nothing in it is
    trusted: each field has the shape Slack gives it, or the request is refused before Bolt."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    state: str | None = Field(default=None, pattern=r"^[A-Za-z0-9-]{1,200}$")
    code: str | None = Field(default=None, pattern=r"^[A-Za-z0-9.-]{1,300}$")
    error: str | None = Field(default=None, pattern=r"^[a-z_]{1,100}$")


def checked_query(raw_query: str, params: list[tuple[str, str]]) -> RedirectQuery | None:
    """The redirect's query as a RedirectQuery, or None (too long, a field twice, or a field of a wrong shape)."""
    if len(raw_query) > MAX_QUERY_CHARS:
        return None
    names = [name for name, _ in params]
    if len(names) != len(set(names)):
        return None
    try:
        return RedirectQuery.model_validate(dict(params))
    except ValidationError:
        return None


class NotAllowedTeam(BoltError):
    def __init__(self, team: str) -> None:
        super().__init__(f"workspace {team} is not in SLACK_ALLOWED_TEAMS")
        self.team = team


def page(status: int, key: str, **params: str) -> BoltResponse:
    """A small HTML page with one text of prompts/en/install.yaml (values escaped)."""
    title = html.escape(t_plain("install.page_title", None))
    text = html.escape(t_plain(key, None, **params))
    body = (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>"
            f"<body><h1>{title}</h1><p>{text}</p></body></html>")
    return BoltResponse(status=status, body=body, headers={"Content-Type": "text/html; charset=utf-8",
                                                           "Cache-Control": "no-store"})


def _team_label(installation: Installation) -> str:
    if installation.is_enterprise_install:
        return f"{installation.enterprise_name or ''} ({installation.enterprise_id})".strip()
    return f"{installation.team_name or ''} ({installation.team_id})".strip()


async def _success(args: AsyncSuccessArgs) -> BoltResponse:
    installation = args.installation
    log.info("installed in team %s enterprise %s (org-wide: %s)", installation.team_id, installation.enterprise_id,
             bool(installation.is_enterprise_install))
    return page(200, "install.done", team=_team_label(installation))


# Bolt's failure reasons -> (HTTP status, text)
FAILURES = {"invalid_browser": (400, "install.bad_state"), "invalid_state": (401, "install.bad_state"),
            "missing_code": (400, "install.no_code"), "invalid_code": (401, "install.bad_code")}


async def _failure(args: AsyncFailureArgs) -> BoltResponse:
    if isinstance(args.error, NotAllowedTeam):
        log.warning("refused an installation: %s", args.error)
        return page(403, "install.team_not_allowed", team=args.error.team)
    if args.reason in FAILURES:
        status, key = FAILURES[args.reason]
        log.warning("refused an installation: %s", args.reason)
        return page(status, key)
    if args.reason != "storage_error":  # an error Slack sent back (access_denied: the installer cancelled)
        log.info("installation cancelled in Slack: %s", args.reason)
        return page(200, "install.cancelled", error=args.reason)
    log.error("installation not saved: %s", args.error)
    return page(500, "install.failed")


class AllowedTeamsFlow(AsyncOAuthFlow):
    """Bolt's flow, but an installation is saved only for a workspace SLACK_ALLOWED_TEAMS allows."""

    def __init__(self, *, client: AsyncWebClient, settings: AsyncOAuthSettings, allowed: Settings) -> None:
        super().__init__(client=client, settings=settings)
        self.allowed = allowed

    async def store_installation(self, request: AsyncBoltRequest, installation: Installation) -> None:
        team = None if installation.is_enterprise_install else installation.team_id
        if not self.allowed.team_allowed(team, installation.enterprise_id):
            await self._revoke(installation)
            raise NotAllowedTeam(_team_label(installation))
        await super().store_installation(request, installation)

    async def _revoke(self, installation: Installation) -> None:
        """The token Slack just issued to a workspace that may not install: given back at once."""
        try:
            await self.client.auth_revoke(token=installation.bot_token)
        except SlackApiError as exc:
            log.warning("could not revoke the token of refused team %s: %s", installation.team_id,
                        exc.response.get("error"))


def authorization_url(settings: Settings) -> str:
    """Slack's authorize page, on the host of SLACK_API_URL (GovSlack, or a test double, has its own)."""
    return settings.slack_api_url.removesuffix("api/") + "oauth/v2/authorize"


def oauth_flow(settings: Settings, engine: Engine, client: AsyncWebClient) -> AllowedTeamsFlow:
    """The install flow on the bot's database; its installation store is also Bolt's authorize's."""
    oauth_settings = AsyncOAuthSettings(
        client_id=settings.slack_client_id, client_secret=settings.slack_client_secret,
        scopes=settings.slack_install_scopes, user_scopes=[], install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH, install_page_rendering_enabled=False,
        authorization_url=authorization_url(settings),
        installation_store=InstallationStore(settings.slack_client_id or "", engine),
        state_store=StateStore(engine, STATE_EXPIRATION_S), state_expiration_seconds=STATE_EXPIRATION_S,
        callback_options=AsyncCallbackOptions(success=_success, failure=_failure))
    return AllowedTeamsFlow(client=client, settings=oauth_settings, allowed=settings)
