"""The Slack double's workspaces and state, through slack-sdk's real clients over real HTTP: several teams
with a token each, a channel shared between organisations (Slack Connect) and its external members,
team.info, and what the double keeps (messages, response URLs, modal stacks, triggers)."""

from __future__ import annotations

import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.slack_double import SlackDouble
from bot.slack_double.records import TRIGGER_TTL_S

EMG, UNEP, WMO = "xoxb-emg", "xoxb-unep", "xoxb-wmo"


@pytest.fixture
def slack():
    with SlackDouble(bot_token="xoxb-single") as double:
        double.add_installed_team("T0EMG", "EMG secretariat", EMG)
        double.add_installed_team("T0UNEP", "UNEP", UNEP)
        double.add_installed_team("T0WMO", "WMO", WMO)
        double.add_user("U0SEC1", "Amina", team_id="T0EMG", tz="Europe/Zurich", locale="en-GB")
        double.add_user("U0UNEP1", "Hiroshi", team_id="T0UNEP", tz="Africa/Nairobi", locale="fr-FR")
        double.add_user("U0WMO1", "Lars", team_id="T0WMO", tz="Europe/Oslo")
        double.add_channel("C0SHARED", "chemicals", teams=["T0EMG", "T0UNEP"])
        yield double


def client(slack: SlackDouble, token: str) -> WebClient:
    return WebClient(token=token, base_url=slack.api_url, timeout=5)


def error_of(call) -> str:
    with pytest.raises(SlackApiError) as err:
        call()
    return err.value.response["error"]


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def modal(title: str) -> dict:
    return {"type": "modal", "title": {"type": "plain_text", "text": title}, "blocks": [section(title)]}


# ---- teams and their tokens
def test_each_token_speaks_for_its_own_team(slack):
    assert client(slack, UNEP).auth_test()["team_id"] == "T0UNEP"
    assert client(slack, EMG).team_info()["team"] == {"id": "T0EMG", "name": "EMG secretariat",
                                                      "domain": "emgsecretariat", "enterprise_id": None,
                                                      "enterprise_name": None}
    assert client(slack, UNEP).team_info(team="T0WMO")["team"]["name"] == "WMO"
    client(slack, WMO).chat_postMessage(channel="U0WMO1", text="hi")
    [dm] = slack.calls_to("chat.postMessage")
    assert slack.team_of_call(dm) == "T0WMO"


def test_a_revoked_installation_and_an_unknown_token_are_refused(slack):
    slack.revoke_team("T0UNEP")
    assert error_of(lambda: client(slack, UNEP).auth_test()) == "token_revoked"
    assert error_of(lambda: client(slack, "xoxb-nobody").auth_test()) == "invalid_auth"
    assert client(slack, EMG).auth_test()["ok"]  # the others still work


# ---- Slack Connect: a shared channel and its external members
def test_a_shared_channel_names_the_connected_teams_and_is_hidden_from_others(slack):
    channel = client(slack, UNEP).conversations_info(channel="C0SHARED")["channel"]
    assert channel["is_ext_shared"] is True and channel["is_shared"] is True
    assert channel["conversation_host_id"] == "T0EMG" and channel["connected_team_ids"] == ["T0EMG", "T0UNEP"]
    assert error_of(lambda: client(slack, WMO).conversations_info(channel="C0SHARED")) == "channel_not_found"
    assert error_of(lambda: client(slack, WMO).chat_postMessage(channel="C0SHARED", text="x")) == \
        "channel_not_found"
    client(slack, UNEP).chat_postMessage(channel="C0SHARED", text="from UNEP's side")
    assert slack.messages[("C0SHARED", slack.calls_to("chat.postMessage")[-1].response["ts"])].team == "T0UNEP"


def test_an_external_member_comes_with_their_own_team_zone_and_locale(slack):
    user = client(slack, EMG).users_info(user="U0UNEP1", include_locale=True)["user"]
    assert (user["team_id"], user["tz"], user["locale"]) == ("T0UNEP", "Africa/Nairobi", "fr-FR")
    assert error_of(lambda: client(slack, EMG).users_info(user="U0WMO1")) == "user_not_found"  # no shared channel
    assert client(slack, "xoxb-single").users_info(user="U0WMO1")["user"]["team_id"] == "T0WMO"


def test_a_workspace_token_cannot_dm_someone_of_another_workspace(slack):
    assert error_of(lambda: client(slack, EMG).chat_postMessage(channel="U0UNEP1", text="x")) == \
        "channel_not_found"
    assert client(slack, UNEP).chat_postMessage(channel="U0UNEP1", text="x")["channel"] == "DU0UNEP1"


def test_one_user_id_is_two_people_in_two_workspaces(slack):
    slack.add_member("T0UNEP", "U0SAME", "Ana (UNEP)", tz="Africa/Nairobi")
    slack.add_member("T0WMO", "U0SAME", "Kenji (WMO)", tz="Asia/Tokyo")
    assert client(slack, UNEP).users_info(user="U0SAME")["user"]["real_name"] == "Ana (UNEP)"
    assert client(slack, WMO).users_info(user="U0SAME")["user"]["tz"] == "Asia/Tokyo"
    client(slack, WMO).chat_postMessage(channel="U0SAME", text="for Kenji")
    assert slack.dms("U0SAME", "T0UNEP") == [] and len(slack.dms("U0SAME", "T0WMO")) == 1


def test_an_org_wide_install_speaks_for_every_workspace_of_its_org(slack):
    slack.add_team("T0WMOGVA", "WMO Geneva", enterprise_id="E0WMO")
    slack.add_org_install("E0WMO", "WMO", "xoxb-org")
    slack.add_member("T0WMOGVA", "W0WMO2", "Eva (WMO)", enterprise_id="E0WMO")
    eva = client(slack, "xoxb-org").users_info(user="W0WMO2")["user"]
    assert (eva["team_id"], eva["enterprise_user"]["enterprise_id"]) == ("T0WMOGVA", "E0WMO")
    client(slack, "xoxb-org").chat_postMessage(channel="W0WMO2", text="hi")
    assert len(slack.dms("W0WMO2", None)) == 1
    assert error_of(lambda: client(slack, "xoxb-org").chat_postMessage(channel="U0UNEP1", text="x")) == \
        "channel_not_found"
    slack.share_channel("C0GRID", "T0EMG", "T0WMOGVA")
    assert client(slack, EMG).users_info(user="W0WMO2")["user"]["real_name"] == "Eva (WMO)"  # now external


# ---- what the double keeps
def test_a_deleted_or_ephemeral_message_cannot_be_updated(slack):
    bot = client(slack, "xoxb-single")
    ts = bot.chat_postMessage(channel="C1", text="v1", blocks=[section("v1")])["ts"]
    assert slack.messages[("C1", ts)].blocks[0]["block_id"]  # Slack gives every block an id
    bot.chat_update(channel="C1", ts=ts, text="v2")
    assert slack.messages[("C1", ts)].text == "v2"
    bot.chat_delete(channel="C1", ts=ts)
    assert error_of(lambda: bot.chat_update(channel="C1", ts=ts, text="v3")) == "message_not_found"
    secret = bot.chat_postEphemeral(channel="C1", user="U0SEC1", text="psst")["message_ts"]
    assert error_of(lambda: bot.chat_update(channel="C1", ts=secret, text="x")) == "message_not_found"
    assert bot.chat_update(channel="C1", ts="1.000001", text="a message from a test's payload")["ok"]


def test_a_response_url_it_issued_replaces_answers_alone_and_deletes(slack):
    ts = client(slack, "xoxb-single").chat_postMessage(channel="C1", text="Approve?")["ts"]
    hook = WebhookClient(slack.new_response_url("U0SEC1", "C1", ("C1", ts)))
    hook.send(text="Approved", replace_original=True)
    assert slack.messages[("C1", ts)].text == "Approved"
    hook.send(text="only you see this")
    alone = [m for m in slack.messages.values() if m.ephemeral_for == "U0SEC1"]
    assert [m.text for m in alone] == ["only you see this"]
    hook.send(delete_original=True)
    assert slack.messages[("C1", ts)].deleted


def test_modals_stack_three_deep_from_triggers_it_issued(slack):
    bot = client(slack, "xoxb-single")
    first = bot.views_open(trigger_id=slack.new_trigger("U0SEC1"), view=modal("One"))["view"]
    second = bot.views_push(trigger_id=slack.new_trigger("U0SEC1"), view=modal("Two"))["view"]
    assert (second["root_view_id"], second["previous_view_id"]) == (first["id"], first["id"])
    bot.views_push(trigger_id=slack.new_trigger("U0SEC1"), view=modal("Three"))
    assert error_of(lambda: bot.views_push(trigger_id=slack.new_trigger("U0SEC1"), view=modal("Four"))) == \
        "push_limit_reached"
    assert [slack.views[v].view["title"]["text"] for v in slack.stacks["U0SEC1"]] == ["One", "Two", "Three"]


def test_a_used_or_stale_trigger_fails_and_made_up_ones_only_when_told(slack):
    bot = client(slack, "xoxb-single")
    trigger = slack.new_trigger("U0SEC1")
    bot.views_open(trigger_id=trigger, view=modal("One"))
    assert bot.views_open(trigger_id=trigger, view=modal("Again"))["view"]  # unknown now: taken on trust
    slack.only_issued_triggers = True
    assert error_of(lambda: bot.views_open(trigger_id=trigger, view=modal("Again"))) == "invalid_trigger_id"
    stale = slack.new_trigger("U0SEC1")
    time.sleep(TRIGGER_TTL_S + 0.1)
    assert error_of(lambda: bot.views_open(trigger_id=stale, view=modal("Late"))) == "expired_trigger_id"
