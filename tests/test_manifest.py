"""The app manifest creates exactly the app the code needs."""

from __future__ import annotations

from pathlib import Path

import yaml
import json
from urllib.parse import urlencode

from bot.settings import Settings
from bot.slack import app as slack_app
from bot.slack import ids
from bot.slack.runtime import Deps
from storage.db import make_engine

MANIFEST = yaml.safe_load((Path(__file__).resolve().parents[1] / "deploy" / "slack-manifest.yaml").read_text())
# What each Web API method the code calls needs (users.info: users:read; DMs and conversations.open:
# im:write; profile.email in users.info and user_change (calendar invitations): users:read.email;
# posting: chat:write; files_upload_v2: files:write; files.info and file_input: files:read; team.info, asked
# whether a workspace belongs to an org-wide Enterprise Grid install (bot/scheduler/tokens.py): team:read).
SCOPES_NEEDED = {"commands", "chat:write", "im:write", "users:read", "users:read.email", "files:write", "files:read",
                 "team:read"}


def _handled(slack, kind: str, name: str) -> bool:
    """Does a listener of the app the code builds take this request?"""
    import asyncio

    from slack_bolt.request.async_request import AsyncBoltRequest
    from slack_bolt.response import BoltResponse
    from slack_sdk.web.async_client import AsyncWebClient

    from tests.slack_requests import sign

    if kind == "command":
        body = urlencode({"command": name, "text": "help", "user_id": "U0X", "team_id": "T0", "channel_id": "C0",
                          "response_url": "http://127.0.0.1:9/r", "trigger_id": "1.1"})
    elif kind == "event":
        body = json.dumps({"type": "event_callback", "team_id": "T0", "event_id": "Ev1",
                           "event": {"type": name, "user": "U0X", "tab": "messages"}})
    elif kind == "action":
        body = urlencode({"payload": json.dumps({"type": "block_actions", "user": {"id": "U0X"}, "team": {"id": "T0"},
                                                 "actions": [{"action_id": name, "block_id": "b", "value": "x"}]})})
    else:
        body = urlencode({"payload": json.dumps({"type": "view_submission", "user": {"id": "U0X"}, "team": {"id": "T0"},
                                                 "view": {"id": "V1", "type": "modal", "callback_id": name, "state": {"values": {}}}})})

    async def matches() -> bool:
        deps = Deps(Settings(_env_file=None), make_engine("sqlite://"))
        app = slack_app.build_app(deps, AsyncWebClient(token="xoxb-test", base_url=slack.api_url), "secret")
        request = AsyncBoltRequest(body=body, headers=sign(body, "secret"))
        response = BoltResponse(status=200)
        own = [listener for listener in app._async_listeners  # not the catch-alls that ack what is not ours
               if listener.ack_function.__name__ not in slack_app.CATCH_ALLS]
        return any([await listener.async_matches(req=request, resp=response) for listener in own])

    return asyncio.run(matches())


def test_slash_command_matches_the_one_the_code_listens_to(slack):
    commands = MANIFEST["features"]["slash_commands"]
    assert [c["command"] for c in commands] == [ids.COMMAND]
    assert _handled(slack, "command", ids.COMMAND)
    assert not _handled(slack, "command", "/another")
    for command in commands:
        assert 2 <= len(command["command"]) <= 32 and command["description"]


def test_events_and_interactivity_match_the_listeners(slack):
    assert MANIFEST["settings"]["event_subscriptions"]["bot_events"] == list(slack_app.EVENTS)
    assert all(_handled(slack, "event", event) for event in slack_app.EVENTS)
    assert not _handled(slack, "event", "reaction_added")
    assert all(_handled(slack, "action", action) for action in slack_app.ACTIONS)
    assert all(_handled(slack, "view", view) for view in slack_app.VIEWS)
    assert not _handled(slack, "action", "no.such.button")
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True


def test_scopes_are_exactly_the_ones_used():
    assert set(MANIFEST["oauth_config"]["scopes"]["bot"]) == SCOPES_NEEDED


def test_every_request_url_is_the_bots_one_endpoint():
    urls = [c["url"] for c in MANIFEST["features"]["slash_commands"]]
    urls += [MANIFEST["settings"]["event_subscriptions"]["request_url"],
             MANIFEST["settings"]["interactivity"]["request_url"],
             MANIFEST["settings"]["interactivity"]["message_menu_options_url"]]
    assert all(u.endswith("/slack/events") for u in urls)


def test_install_by_oauth_redirects_to_the_bots_redirect_path_and_an_org_may_install_it_org_wide():
    from bot.settings import INSTALL_SCOPES_DEFAULT
    from bot.slack.oauth import REDIRECT_PATH

    assert [url.endswith(REDIRECT_PATH) for url in MANIFEST["oauth_config"]["redirect_urls"]] == [True]
    assert MANIFEST["settings"]["org_deploy_enabled"] is True
    assert list(INSTALL_SCOPES_DEFAULT) == MANIFEST["oauth_config"]["scopes"]["bot"]  # SLACK_INSTALL_SCOPES default
