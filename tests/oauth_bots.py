"""A `consultbot serve` installed by OAuth, on a database of its own, for tests of several workspaces.

    from tests.oauth_bots import db, engine_url  # noqa: F401 (module fixtures: the module's own database)

    @pytest.fixture(scope="module")
    def bot(engine_url, slack, tmp_path_factory):
        install(engine_url, {"T0EMG": "xoxb-emg-1"}, orgs={"E0WMO": "xoxb-wmo-org-1"})  # as /slack/install saves
        process = BotProcess(oauth_env(engine_url, slack, "any"), tmp_path_factory.mktemp("bot") / "serve.log")
        ...
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from storage.db import make_engine
from tests.slack_requests import SIGNING_SECRET

CLIENT_ID, CLIENT_SECRET = "1111.2222", "oauth-client-secret"
_n = itertools.count(1)


def own_database(database_url: str, tmp_path_factory, request, name: str) -> str:
    """A database of the kind of `database_url` that only this module's bot serves."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path_factory.mktemp(name) / (name + '.sqlite3')}"
    return request.getfixturevalue("postgres").create_database(f"consultbot_{name}_{next(_n)}_{int(time.time())}")


@pytest.fixture(scope="module")
def engine_url(database_url, tmp_path_factory, request) -> str:
    """The test module's own database (named after it), of the kind of `database_url`."""
    return own_database(database_url, tmp_path_factory, request, request.module.__name__.rsplit(".", 1)[-1][5:])


@pytest.fixture(scope="module")
def db(engine_url, bot) -> Iterator[Engine]:
    """An engine on the module's database, once its bot has migrated it."""
    engine = make_engine(engine_url)
    yield engine
    engine.dispose()


def oauth_env(engine_url: str, slack, allowed_teams: str) -> dict[str, str]:
    from tests.conftest import SECRETARIAT

    return {"DATABASE_URL": engine_url, "SLACK_API_URL": slack.api_url, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET, "SLACK_ALLOWED_TEAMS": allowed_teams,
            "SECRETARIAT_USERS": SECRETARIAT, "LOG_LEVEL": "info", "QUIET_HOURS": "off", "QUIET_DAYS": "",
            "REMINDER_TICK_SECONDS": "0.5", "CHAT_RATE_PER_CHANNEL": "20"}


def install(engine_url: str, workspaces: dict[str, str], orgs: dict[str, str] | None = None) -> None:
    """The database migrated, with an installation of each workspace (team id -> bot token) and each Enterprise
    Grid org installed org-wide (enterprise id -> bot token), as /slack/install saves them."""
    from slack_sdk.oauth.installation_store import Installation

    from storage.installations import InstallationStore
    from storage.migrate import upgrade

    engine = make_engine(engine_url)
    upgrade(engine)
    store = InstallationStore(CLIENT_ID, engine)
    for team, token in workspaces.items():
        store.sync.save(Installation(app_id="A0APP", enterprise_id=None, team_id=team, team_name=team,
                                     bot_token=token, bot_id="B0BOT", bot_user_id="U0BOT", user_id="U0ADMIN"))
    for enterprise, token in (orgs or {}).items():
        store.sync.save(Installation(app_id="A0APP", enterprise_id=enterprise, enterprise_name=enterprise,
                                     team_id=None, bot_token=token, bot_id="B0BOT", bot_user_id="U0BOT",
                                     user_id="W0ADMIN", is_enterprise_install=True))
    engine.dispose()
