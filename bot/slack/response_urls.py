"""Which `response_url` the bot may answer: Slack's own hosts, the configured Web API's, and those named in
SLACK_RESPONSE_HOSTS (GovSlack). A verified request still carries a URL someone typed into its JSON; the bot
never posts where Slack would not have sent it."""

from __future__ import annotations

from functools import lru_cache

from bot.settings import Settings
from bot.slack.urls import has_credentials, origin

SLACK_RESPONSE_HOSTS = ("hooks.slack.com",)


def allowed_response_url(url: str, settings: Settings) -> bool:
    if has_credentials(url):
        return False
    scheme, host, port = origin(url)
    if not host:
        return False
    if (scheme, host, port) == _api_origin(settings.slack_api_url):
        return True
    return scheme == "https" and port == 443 and host in (*SLACK_RESPONSE_HOSTS, *settings.slack_response_hosts)


@lru_cache(maxsize=4)
def _api_origin(api_url: str) -> tuple[str, str, int | None]:
    return origin(api_url)  # the same setting on every request: split once
