"""Settings read from the environment or a `.env` file.

A missing or invalid setting stops start-up with one line naming the variable
(`load_settings` raises `SettingsError`; the CLI turns it into exit code 2).
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from typing import Annotated, Literal

from bot.reminders.plan import QuietHours, parse_quiet
from bot.texts import DATA_DIRS, PROMPTS_DIR, language_of
from bot.timezones import zone

SLACK_API_DEFAULT = "https://slack.com/api/"
# The bot scopes of deploy/slack-manifest.yaml (tests/test_manifest.py checks they agree)
INSTALL_SCOPES_DEFAULT = ("commands", "chat:write", "im:write", "users:read", "users:read.email", "files:write",
                          "files:read", "team:read")


class SettingsError(Exception):
    """A setting is missing or invalid; the message names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    # Install by OAuth (Slack's v2 flow, bot/slack/oauth.py): with a client id, every workspace's token comes
    # from its installation; without one, SLACK_BOT_TOKEN serves the one workspace, as before.
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_install_scopes: Annotated[list[str], NoDecode] = list(INSTALL_SCOPES_DEFAULT)
    slack_allowed_teams: Annotated[list[str], NoDecode] = []  # team/enterprise ids, or ["any"]
    slack_api_url: str = SLACK_API_DEFAULT
    database_url: str = "sqlite:///consultbot.sqlite3"
    default_timezone: str = "Europe/Zurich"  # Geneva keeps Zurich's clock
    port: int = 3000
    host: str = "0.0.0.0"
    secretariat_users: Annotated[list[str], NoDecode] = []
    default_locale: str = "en"  # the CLI's, documents' without --lang, and unknown Slack locales' language
    log_level: str = "info"
    log_format: Literal["json", "text"] | None = None  # None: JSON lines in `serve`, text elsewhere
    quiet_hours: str = "20:00-08:00"  # in each recipient's zone; "off" for none
    quiet_days: str = "sat,sun"
    reminder_tick_seconds: float = 5.0  # how often the scheduler looks for due reminders
    reminder_lease_seconds: float = 120.0  # a claimed reminder not confirmed by then is claimed again
    reminder_concurrency: int = 8  # messages in flight at once (the most a kill -9 can send twice)
    chat_rate_per_channel: float = 1.0  # messages a second into one channel (Slack: about 1)
    max_request_bytes: int = 1024 * 1024  # a larger request to /slack/events is refused (413) unread
    # response_url hosts answered besides Slack's (hooks.slack.com) and SLACK_API_URL's (GovSlack adds its own)
    slack_response_hosts: Annotated[list[str], NoDecode] = []
    idempotency_retention_days: float = 7.0  # keys of handled Slack deliveries older than this are purged

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("slack_response_hosts", mode="before")
    @classmethod
    def _hosts(cls, value: object) -> list[str]:
        if isinstance(value, str):
            value = [part.strip().lower() for part in value.split(",") if part.strip()]
        return list(value or [])

    @field_validator("slack_client_id", "slack_client_secret", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return (value.strip() or None) if isinstance(value, str) else value

    @field_validator("slack_install_scopes", mode="before")
    @classmethod
    def _scopes(cls, value: object) -> list[str]:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        scopes = list(value or INSTALL_SCOPES_DEFAULT)
        for scope in scopes:
            if not re.fullmatch(r"[a-z_]+(:[a-z_.]+)*", scope):
                raise ValueError(f"{scope!r} is not a Slack scope such as chat:write")
        return scopes

    @field_validator("slack_allowed_teams", mode="before")
    @classmethod
    def _teams(cls, value: object) -> list[str]:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        teams = list(value or [])
        if [t.lower() for t in teams] == ["any"]:
            return ["any"]
        for team in teams:
            if not (team[:1] in ("T", "E") and team[1:].isalnum() and team.upper() == team):
                raise ValueError(f"{team!r} is not a Slack team or enterprise ID such as T012ABCDEF (or \"any\")")
        return teams

    @field_validator("max_request_bytes")
    @classmethod
    def _max_request(cls, value: int) -> int:
        if value < 16 * 1024:
            raise ValueError("must be at least 16384 (Slack's own payloads reach a few kB)")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgres")):
            raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
        if value.startswith("postgres://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgres://")
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @field_validator("default_locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        language = language_of(value.strip() or "en")
        if language in DATA_DIRS or not (PROMPTS_DIR / language).is_dir():
            found = sorted(d.name for d in PROMPTS_DIR.iterdir() if d.is_dir() and d.name not in DATA_DIRS
                           and not d.name.startswith((".", "_")))
            raise ValueError(f"{value!r} is not a language the bot has texts for ({', '.join(found)})")
        return language

    @field_validator("default_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        zone(value)
        return value

    @field_validator("log_format", mode="before")
    @classmethod
    def _log_format(cls, value: object) -> object:
        return value.strip().lower() or None if isinstance(value, str) else value

    @field_validator("reminder_tick_seconds", "reminder_lease_seconds", "chat_rate_per_channel",
                     "idempotency_retention_days")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be a positive number")
        return value

    @field_validator("reminder_concurrency")
    @classmethod
    def _concurrency(cls, value: int) -> int:
        if not 1 <= value <= 100:
            raise ValueError("must be between 1 and 100")
        return value

    @model_validator(mode="after")
    def _quiet(self) -> "Settings":
        try:
            parse_quiet(self.quiet_hours, self.quiet_days)
        except ValueError as exc:
            raise ValueError(f"QUIET_HOURS/QUIET_DAYS: {exc}") from None
        return self

    @property
    def quiet(self) -> QuietHours:
        return parse_quiet(self.quiet_hours, self.quiet_days)

    @field_validator("port")
    @classmethod
    def _port(cls, value: int) -> int:
        if not 1 <= value <= 65535:
            raise ValueError("must be a TCP port between 1 and 65535")
        return value

    @field_validator("secretariat_users", mode="before")
    @classmethod
    def _users(cls, value: object) -> list[str]:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",")]
        users = [u for u in (value or []) if u]
        for user in users:
            if not (user[:1] in ("U", "W") and user[1:].isalnum()):
                raise ValueError(f"{user!r} is not a Slack user ID such as U012ABCDEF")
        return users

    @model_validator(mode="after")
    def _oauth(self) -> "Settings":
        if self.slack_client_id and not self.slack_client_secret:
            raise ValueError("SLACK_CLIENT_SECRET: missing (SLACK_CLIENT_ID is set: install by OAuth needs both)")
        if self.slack_client_id and not self.slack_allowed_teams:
            raise ValueError('SLACK_ALLOWED_TEAMS: missing (install by OAuth: the team IDs allowed, or "any")')
        return self

    @property
    def oauth_install(self) -> bool:
        """Install by OAuth: tokens per workspace from the installations, not SLACK_BOT_TOKEN."""
        return self.slack_client_id is not None

    def team_allowed(self, team_id: str | None, enterprise_id: str | None) -> bool:
        return self.slack_allowed_teams == ["any"] or bool(
            ({team_id, enterprise_id} - {None}) & set(self.slack_allowed_teams))

    @property
    def has_slack_credentials(self) -> bool:
        return bool((self.slack_bot_token or self.oauth_install) and self.slack_signing_secret)

    def require_slack(self, socket: bool = False) -> None:
        """Raise SettingsError naming the first Slack variable serving needs."""
        token = "slack_client_id" if self.oauth_install else "slack_bot_token"
        needed = [token, "slack_app_token" if socket else "slack_signing_secret"]
        for name in needed:
            if not getattr(self, name):
                raise SettingsError(f"{name.upper()}: missing (required to serve Slack)")


def load_settings(env_file: str | Path | None = ".env", **overrides: object) -> Settings:
    try:
        return Settings(_env_file=env_file, **overrides)  # type: ignore[call-arg]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{name}: {message}") from None
