"""What every way of running the bot does first: texts, database, secretariat."""

from __future__ import annotations

import logging

from slack_sdk.http_retry.builtin_async_handlers import (AsyncConnectionErrorRetryHandler,
                                                         AsyncRateLimitErrorRetryHandler,
                                                         AsyncServerErrorRetryHandler)
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.engine import Engine

from bot.hlcm.questionnaire import questionnaire
from bot.reminders import policy
from bot.roles.service import sync_secretariat
from bot.scheduler.runner import Runner, sender_client
from bot.settings import Settings
from bot.slack.app import build_app
from bot.slack.runtime import Deps
from bot.texts import catalog
from storage.db import make_engine, session_scope
from storage.migrate import upgrade


def prepare(settings: Settings) -> Engine:
    """Check the texts, migrate the database, grant SECRETARIAT_USERS. Fails loudly, before serving."""
    catalog()
    questionnaire()
    policy.configure(settings.quiet)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    if settings.secretariat_users:
        with session_scope(engine) as session:
            sync_secretariat(session, settings.secretariat_users)
    return engine


def web_client(settings: Settings, token: str | None = None) -> AsyncWebClient:
    return AsyncWebClient(token=token or settings.slack_bot_token, base_url=settings.slack_api_url,
                          retry_handlers=[AsyncConnectionErrorRetryHandler(),
                                          AsyncRateLimitErrorRetryHandler(max_retry_count=3),
                                          AsyncServerErrorRetryHandler(max_retry_count=2)])


def bolt_app(settings: Settings, engine: Engine, signing_secret: str | None = None,
             token: str | None = None):
    deps = Deps(settings=settings, engine=engine)
    return build_app(deps, web_client(settings, token), signing_secret or settings.slack_signing_secret or "")


def reminder_runner(settings: Settings, engine: Engine) -> Runner:
    """The clock that sends due reminders; started and stopped with the server."""
    return Runner(Deps(settings=settings, engine=engine), sender_client(settings))


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
