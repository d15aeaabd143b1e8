"""Scenario: install by OAuth. The EMG secretariat's workspace, UNIDO's and WMO's Enterprise Grid org
install consultbot through /slack/install and Slack's v2 flow (against the double); each request is
answered with the token of the workspace it came from; a forged or replayed state, a cancelled or
code-less redirect, a workspace the secretariat has not allowed and a workspace with no installation
are each refused with a clear page or message; UNIDO uninstalls and the secretariat is told whose
focal points can no longer be reached. A `consultbot serve` of its own, on a database of its own,
for each database kind."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from sqlalchemy import text

from storage.db import session_scope
from tests.bot_process import BotProcess
from tests.conftest import SECRETARIAT
from tests.slack_double import SlackDouble
from tests.oauth_bots import CLIENT_ID, CLIENT_SECRET, db, engine_url, oauth_env  # noqa: F401 (fixtures)
from tests.slack_requests import SlackSender, sign

_n = itertools.count(1)


@pytest.fixture(scope="module")
def slack(database_url) -> Iterator[SlackDouble]:
    """Slack with its workspaces, new for each database kind (the installs of one run are not the other's)."""
    with SlackDouble(bot_token="xoxb-unused-single-workspace-token", team_id="T0SINGLE") as double:
        double.add_team("T0EMG", "EMG secretariat")
        double.add_team("T0UNIDO", "UNIDO")
        double.add_team("T0WMO", "WMO Geneva", enterprise_id="E0WMO", enterprise_name="WMO")
        double.add_team("T0WFP", "WFP")
        double.add_team("T0UNEP", "UNEP")
        double.add_team("T0ITU", "ITU")
        double.add_user(SECRETARIAT, "Amina (EMG secretariat)", team_id="T0EMG")
        yield double


@pytest.fixture(scope="module")
def bot(engine_url, slack, tmp_path_factory) -> Iterator[BotProcess]:
    process = BotProcess(oauth_env(engine_url, slack, "T0EMG,T0UNIDO,E0WMO,T0UNEP,T0ITU"), tmp_path_factory.mktemp("oauth-bot") / "serve.log").start()
    slack.enable_oauth(CLIENT_ID, CLIENT_SECRET, process.url + "/slack/oauth_redirect")
    yield process
    process.stop()


def start_install(bot: BotProcess) -> tuple[str, str]:
    """The installer opens /slack/install: (Slack's authorize URL it is sent to, the state cookie)."""
    response = httpx.get(bot.url + "/slack/install")
    assert response.status_code == 302, response.text
    cookie = response.headers["set-cookie"].split(";")[0]
    return response.headers["location"], cookie


def approve(authorize_url: str) -> str:
    """Slack's authorize page sends the browser back to the app: the redirect URL."""
    response = httpx.get(authorize_url)
    assert response.status_code == 302, response.text
    return response.headers["location"]


def install(bot: BotProcess, slack: SlackDouble, team_id: str, org_wide: bool = False) -> httpx.Response:
    slack.next_install(team_id, org_wide=org_wide)
    authorize_url, cookie = start_install(bot)
    return httpx.get(approve(authorize_url), headers={"Cookie": cookie})


def installations(db) -> list[dict]:
    with db.connect() as connection:
        rows = connection.execute(text("SELECT team_id, enterprise_id, is_enterprise_install, bot_token "
                                       "FROM slack_installations ORDER BY id")).mappings().all()
    return [{**row, "is_enterprise_install": bool(row["is_enterprise_install"])} for row in rows]


def command(bot: BotProcess, slack: SlackDouble, team_id: str, user: str, text_: str,
            enterprise_id: str | None = None) -> httpx.Response:
    n = next(_n)
    fields = {"team_id": team_id, "team_domain": team_id.lower(), "channel_id": "C0SHARED", "user_id": user,
              "user_name": user.lower(), "command": "/consult", "text": text_, "api_app_id": "A0APP",
              "response_url": f"{slack.base_url}/response/oauth-{n}", "trigger_id": f"{n}.{n}.trigger"}
    if enterprise_id:
        fields |= {"enterprise_id": enterprise_id, "is_enterprise_install": "true"}
    body = urlencode(fields)
    return httpx.post(bot.url + "/slack/events", content=body.encode(),
                      headers={"Content-Type": "application/x-www-form-urlencoded", **sign(body)})


def test_the_secretariat_installs_consultbot_in_its_workspace_through_slack(bot, slack, db):
    authorize_url, cookie = start_install(bot)
    asked = parse_qs(urlsplit(authorize_url).query)
    assert authorize_url.startswith(slack.base_url + "/oauth/v2/authorize")
    assert asked["client_id"] == [CLIENT_ID] and "chat:write" in asked["scope"][0].split(",")
    assert cookie == f"slack-app-oauth-state={asked['state'][0]}"

    slack.next_install("T0EMG")
    redirect = approve(authorize_url)
    page = httpx.get(redirect, headers={"Cookie": cookie})

    assert page.status_code == 200 and "consultbot is installed in EMG secretariat (T0EMG)" in page.text
    [call] = slack.calls_to("oauth.v2.access")
    assert call.error is None
    assert installations(db) == [{"team_id": "T0EMG", "enterprise_id": None, "is_enterprise_install": False,
                                  "bot_token": slack.token_of("T0EMG")}]

    replayed = httpx.get(redirect, headers={"Cookie": cookie})
    assert replayed.status_code == 401 and "expired or was already used" in replayed.text
    assert len(slack.calls_to("oauth.v2.access")) == 1 and len(installations(db)) == 1


def test_a_forged_or_malformed_redirect_is_refused_before_any_code_is_traded(bot, slack, db):
    before = len(slack.calls_to("oauth.v2.access"))
    forged = "0b5e2c9e-1d2f-4e5a-9b7c-3a1f0e6d2c4b"
    with_cookie = httpx.get(bot.url + f"/slack/oauth_redirect?state={forged}&code=1.abc",
                            headers={"Cookie": f"slack-app-oauth-state={forged}"})
    assert with_cookie.status_code == 401 and "expired or was already used" in with_cookie.text
    _, cookie = start_install(bot)
    state = cookie.split("=", 1)[1]
    other_browser = httpx.get(bot.url + f"/slack/oauth_redirect?state={state}&code=1.abc")
    assert other_browser.status_code == 400 and "in the same browser" in other_browser.text
    for query in ("state=%3Cscript%3E&code=1.abc", f"state={state}&state={state}&code=1.abc",
                  f"state={state}&code=" + "x" * 400, f"state={state}&error=Access+Denied!"):
        refused = httpx.get(bot.url + "/slack/oauth_redirect?" + query, headers={"Cookie": cookie})
        assert refused.status_code == 400 and "installation address is not valid" in refused.text, query
        assert "<script>" not in refused.text
    assert len(slack.calls_to("oauth.v2.access")) == before


def test_a_cancelled_install_or_a_redirect_without_a_code_installs_nothing(bot, slack, db):
    slack.next_install("T0UNIDO", error="access_denied")
    authorize_url, cookie = start_install(bot)
    cancelled = httpx.get(approve(authorize_url), headers={"Cookie": cookie})
    assert cancelled.status_code == 200 and "cancelled in Slack (access_denied)" in cancelled.text

    _, cookie = start_install(bot)
    no_code = httpx.get(bot.url + f"/slack/oauth_redirect?state={cookie.split('=', 1)[1]}", headers={"Cookie": cookie})
    assert no_code.status_code == 400 and "did not send an authorisation code" in no_code.text
    assert [row["team_id"] for row in installations(db)] == ["T0EMG"]


def test_a_workspace_the_secretariat_has_not_allowed_cannot_install_and_its_token_is_given_back(bot, slack, db):
    refused = install(bot, slack, "T0WFP")
    assert refused.status_code == 403
    assert "The workspace WFP (T0WFP) is not one the EMG secretariat has allowed" in refused.text
    [revoke] = slack.calls_to("auth.revoke")
    assert revoke.error is None and slack.token_of("T0WFP") is None and slack.revoked
    assert [row["team_id"] for row in installations(db)] == ["T0EMG"]


def test_unido_and_wmos_whole_enterprise_grid_org_install(bot, slack, db):
    assert "installed in UNIDO (T0UNIDO)" in install(bot, slack, "T0UNIDO").text
    org = install(bot, slack, "T0WMO", org_wide=True)
    assert org.status_code == 200 and "installed in WMO (E0WMO)" in org.text
    assert installations(db)[1:] == [
        {"team_id": "T0UNIDO", "enterprise_id": None, "is_enterprise_install": False,
         "bot_token": slack.token_of("T0UNIDO")},
        {"team_id": None, "enterprise_id": "E0WMO", "is_enterprise_install": True,
         "bot_token": slack.token_of(None, "E0WMO")}]


def test_each_request_is_answered_with_the_token_of_the_workspace_it_came_from(bot, slack, db):
    slack.add_user("U0UNIDO1", "UNIDO focal point", tz="Europe/Vienna", team_id="T0UNIDO")
    slack.add_user("U0WMO1", "WMO focal point", tz="Europe/Zurich", team_id="T0WMO")
    slack.reset()
    for team, user, enterprise in (("T0EMG", SECRETARIAT, None), ("T0UNIDO", "U0UNIDO1", None),
                                   ("T0WMO", "U0WMO1", "E0WMO")):
        assert command(bot, slack, team, user, "whoami", enterprise).status_code == 200
        [looked_up] = slack.wait_for("users.info", lambda c: c.params.get("user") == user)
        assert looked_up.error is None and slack.team_of_call(looked_up) == (None if enterprise else team)
    slack.wait_for("response_url", count=3)  # the three answers
    with session_scope(db) as s:
        teams = dict(s.execute(text("SELECT slack_user_id, team_id FROM people WHERE slack_user_id IN "
                                    "('U0SEC1', 'U0UNIDO1', 'U0WMO1')")).all())
    assert teams == {SECRETARIAT: "T0EMG", "U0UNIDO1": "T0UNIDO", "U0WMO1": "T0WMO"}


def test_a_request_from_a_workspace_without_an_installation_is_told_to_ask_its_admin(bot, slack):
    slack.add_team("T0ILO", "ILO")
    slack.add_user("U0ILO1", "ILO focal point", team_id="T0ILO")
    slack.reset()
    assert command(bot, slack, "T0ILO", "U0ILO1", "whoami").status_code == 200
    [told] = slack.wait_for("response_url", lambda c: "not installed" in c.params.get("text", ""))
    assert "consultbot is not installed in your Slack workspace" in told.params["text"]
    time.sleep(0.3)
    assert [c for c in slack.calls if c.method != "response_url"] == []  # no Web API call: there is no token


def test_unido_uninstalls_and_the_secretariat_learns_whose_focal_points_are_unreachable(bot, slack, db):
    from bot.entities.service import get_entity
    from bot.people.service import find_person
    from bot.processes.service import NewProcess, create_process, get_process
    from bot.roles.service import grant
    from storage.models import AuditEntry, Role

    with session_scope(db) as s:
        create_process(s, find_person(s, SECRETARIAT), NewProcess(
            handle="shared-framework", kind="consultation", title="Framework across agencies",
            timezone="Europe/Zurich", channel_id="C0SHARED", members=["UNIDO", "WMO", "UNEP"]))
        process = get_process(s, "shared-framework")
        grant(s, SECRETARIAT, "U0UNIDO1", Role.FOCAL_POINT, process, get_entity(s, "UNIDO"))
        grant(s, SECRETARIAT, "U0WMO1", Role.FOCAL_POINT, process, get_entity(s, "WMO"))
    slack.reset()
    slack.revoke_team("T0UNIDO")
    unido = SlackSender(bot.url, slack.base_url, team_id="T0UNIDO")
    event_id = f"EvUNINSTALL{next(_n)}"
    assert unido.event({"type": "app_uninstalled"}, event_id).status_code == 200
    assert unido.event({"type": "app_uninstalled"}, event_id).status_code == 200  # Slack's retry: once only

    [told] = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == SECRETARIAT)
    assert slack.team_of_call(told) == "T0EMG"
    assert "removed from the Slack workspace T0UNIDO (the app was uninstalled)" in told.params["text"]
    assert "*UNIDO* in `shared-framework`: <@U0UNIDO1>" in told.params["text"]
    assert "WMO" not in told.params["text"]
    assert [row["team_id"] for row in installations(db)] == ["T0EMG", None]
    with session_scope(db) as s:
        audited = s.execute(text("SELECT action, after FROM audit_log WHERE subject_type = 'installation'")).all()
    assert [action for action, _ in audited] == ["installation.app_uninstalled"]
    time.sleep(0.3)
    assert len(slack.calls_to("chat.postMessage")) == 1

    command(bot, slack, "T0UNIDO", "U0UNIDO1", "whoami")
    slack.wait_for("response_url", lambda c: "not installed in your Slack workspace" in c.params.get("text", ""))


def test_a_rounds_reminders_go_out_through_each_recipients_own_workspace_and_none_is_lost(bot, slack, db):
    from collections import Counter

    from bot.people.service import Profile, save_profile
    from storage.models import Reminder, ReminderStatus
    from tests.reminder_fixtures import build_chase, make_due, posted_keys, reminders, wait_for_status

    for team in ("T0UNEP", "T0ITU"):
        assert install(bot, slack, team).status_code == 200
    chase = build_chase(db, focal_points=8)
    workspace = {}
    with session_scope(db) as s:  # what each focal point's Slack profile says when the bot first meets them
        for i, user in enumerate(sorted(chase.focal_points)):
            workspace[user] = ("T0EMG", "T0UNEP", "T0ITU", "T0WMO")[i // 2]  # WMO: in the org-wide install
            slack.add_user(user, f"Focal point {i}", team_id=workspace[user])
            save_profile(s, Profile(slack_user_id=user, team_id=workspace[user], timezone="Europe/Zurich"))
    slack.reset()
    ours = Reminder.process_id == chase.process_id

    first = make_due(db, ours, Reminder.offset == "T-7d")
    deadline = time.monotonic() + 20
    while posted_keys(slack) != Counter(first) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert posted_keys(slack) == Counter(first)
    dms = [c for c in slack.calls_to("chat.postMessage") if c.params["channel"] in workspace]
    org_wide = {"T0WMO": None}  # the token of WMO's org-wide install names no workspace
    assert len(dms) == 8 and all(slack.team_of_call(c) == org_wide.get(workspace[c.params["channel"]],
                                                                       workspace[c.params["channel"]]) for c in dms)

    slack.revoke_team("T0ITU")  # ITU uninstalls mid-round and Slack says so
    assert SlackSender(bot.url, slack.base_url, team_id="T0ITU").event({"type": "app_uninstalled"}).status_code == 200
    slack.wait_for("chat.postMessage", lambda c: "T0ITU" in (c.params.get("text") or ""))
    slack.revoke_team("T0UNEP")  # UNEP's token is revoked, and the bot has not been told yet
    slack.reset()

    second = make_due(db, ours, Reminder.offset == "T-2d")
    rows = {row.key: row for row in reminders(db, ours, Reminder.offset == "T-2d")}
    expected = {key: (ReminderStatus.SENT, None) if workspace.get(row.recipient, "T0EMG") in ("T0EMG", "T0WMO") else
                (ReminderStatus.FAILED, "workspace not installed" if workspace[row.recipient] == "T0ITU"
                 else "token_revoked") for key, row in rows.items()}
    assert set(second) == set(expected)
    settled = {key: wait_for_status(db, key, status) for key, (status, _) in expected.items()}
    assert {key: (row.status, row.outcome if row.status == ReminderStatus.FAILED else None)
            for key, row in settled.items()} == expected
    assert posted_keys(slack) == Counter(k for k, (status, _) in expected.items() if status == ReminderStatus.SENT)


def test_unep_revokes_the_bots_token_and_the_secretariat_is_told(bot, slack, db):
    unep = SlackSender(bot.url, slack.base_url, team_id="T0UNEP")
    slack.reset()
    user_tokens_only = {"type": "tokens_revoked", "tokens": {"oauth": ["U0UNEPADMIN"], "bot": []}}
    assert unep.event(user_tokens_only).status_code == 200
    time.sleep(0.5)
    assert "T0UNEP" in [row["team_id"] for row in installations(db)]  # the bot uses no user token: nothing changes

    assert unep.event({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0BOT"]}}).status_code == 200
    [told] = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == SECRETARIAT)
    assert "removed from the Slack workspace T0UNEP (its tokens were revoked)" in told.params["text"]
    assert "T0UNEP" not in [row["team_id"] for row in installations(db)]


@pytest.mark.parametrize("env, message", [
    ({"SLACK_CLIENT_ID": "1111.2222", "SLACK_ALLOWED_TEAMS": "any"},
     "SLACK_CLIENT_SECRET: missing (SLACK_CLIENT_ID is set: install by OAuth needs both)"),
    ({"SLACK_CLIENT_ID": "1111.2222", "SLACK_CLIENT_SECRET": "x"}, "SLACK_ALLOWED_TEAMS: missing"),
    ({"SLACK_CLIENT_ID": "1111.2222", "SLACK_CLIENT_SECRET": "x", "SLACK_ALLOWED_TEAMS": "T0EMG,unido"},
     "SLACK_ALLOWED_TEAMS: 'unido' is not a Slack team or enterprise ID"),
    ({"SLACK_CLIENT_ID": "1111.2222", "SLACK_CLIENT_SECRET": "x", "SLACK_ALLOWED_TEAMS": "any",
      "SLACK_INSTALL_SCOPES": "chat:write,Chat Write"}, "SLACK_INSTALL_SCOPES: 'Chat Write' is not a Slack scope"),
])
def test_install_by_oauth_with_a_setting_missing_or_wrong_does_not_start(env, message, tmp_path):
    from tests.bot_process import consultbot

    result = consultbot("serve", env={"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3", "SLACK_SIGNING_SECRET": "s",
                                      **env}, check=False)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
