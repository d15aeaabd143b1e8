"""What every way of running the bot does first: texts, database, secretariat."""

from __future__ import annotations

from slack_sdk.http_retry.builtin_async_handlers import (AsyncConnectionErrorRetryHandler,
                                                         AsyncRateLimitErrorRetryHandler,
                                                         AsyncServerErrorRetryHandler)
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot import areas  # noqa: F401 - every area registers its reminder planners and kinds (bot/areas.py)
from bot.hlcm.questionnaire import questionnaire
from bot.mapping.survey import surveys
from bot.peer_review.topics import topics as review_topics
from bot.observability import logs
from bot.observability.slack_api import ApiObserver
from bot.reminders import policy, registry
from bot.roles.service import sync_secretariat
from bot.scheduler.runner import Runner, sender_client
from bot.scheduler.tokens import WorkspaceTokens
from bot.seed import seed_if_empty
from bot.settings import Settings
from bot.slack.app import build_app
from bot.slack.oauth import oauth_flow
from bot.slack.request_kind import bind_request
from bot.slack.runtime import Deps
from bot.texts import catalog
from storage.db import make_engine
from storage.installations import InstallationStore
from storage.migrate import startup_lock, upgrade_on


def prepare(settings: Settings, first_start: bool = False) -> Engine:
    """Check the texts, migrate the database, check that every reminder kind still to send has a message
    (bot/reminders/registry.py), grant SECRETARIAT_USERS and, with `first_start` (serve and start), load the
    bundled UN entities into a database that has none. Fails loudly, before serving.
    The database work holds the start-up lock (storage/migrate.py): replicas started together on
    PostgreSQL migrate once, grant once and load the entities once, one after the other."""
    catalog()
    questionnaire()
    surveys()  # the mapping surveys (bot/data/mapping-*.yaml): a bad one stops start-up
    review_topics()  # the peer review's topics and evidence questions (bot/data/peer-review.yaml): likewise
    policy.configure(settings.quiet)
    engine = make_engine(settings.database_url)
    with startup_lock(engine) as connection:
        upgrade_on(connection)
        with Session(connection, expire_on_commit=False) as session:
            registry.check(session)  # every kind still to send has a message: no area left out
            if first_start:
                seed_if_empty(session)
            if settings.secretariat_users:
                sync_secretariat(session, settings.secretariat_users)
            session.commit()
    return engine


def web_client(settings: Settings, token: str | None = None) -> AsyncWebClient:
    return AsyncWebClient(token=token or settings.slack_bot_token, base_url=settings.slack_api_url,
                          retry_handlers=[ApiObserver(), AsyncConnectionErrorRetryHandler(),
                                          AsyncRateLimitErrorRetryHandler(max_retry_count=3),
                                          AsyncServerErrorRetryHandler(max_retry_count=2)])


def bolt_app(settings: Settings, engine: Engine, signing_secret: str | None = None,
             token: str | None = None):
    deps = Deps(settings=settings, engine=engine)
    secret = signing_secret or settings.slack_signing_secret or ""
    client = web_client(settings, token)
    if settings.oauth_install and token is None:  # each request's token: its workspace's installation (Bolt)
        client.token = None
        deps.tokens = WorkspaceTokens(InstallationStore(settings.slack_client_id or "", engine), deps.db, client)
        app = build_app(deps, client, secret, oauth_flow(settings, engine, client), observe=bind_request)
    else:
        app = build_app(deps, client, secret, observe=bind_request)  # each request's logs and metrics name it
    return app


def reminder_runner(settings: Settings, engine: Engine) -> Runner:
    """The clock that sends due reminders; started and stopped with the server. With install by OAuth each
    reminder goes out with its recipient's workspace's token."""
    deps = Deps(settings=settings, engine=engine)
    if settings.oauth_install:
        client = sender_client(settings)
        client.token = None
        store = InstallationStore(settings.slack_client_id or "", engine)
        return Runner(deps, client, WorkspaceTokens(store, deps.db, client))
    return Runner(deps, sender_client(settings))


def configure_logging(level: str, fmt: str = "text") -> None:
    """JSON lines or text (bot/observability/logs.py), tokens masked, the request or reminder named."""
    logs.configure(level, fmt)
