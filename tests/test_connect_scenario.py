"""Scenario: one consultation across agencies' own Slack workspaces, in one Slack Connect channel.

The EMG secretariat's channel #connect-fw is shared with UNIDO's workspace, WMO's Enterprise Grid org and
ILO's workspace. The secretariat, UNIDO and WMO (org-wide) installed consultbot; ILO did not. The
secretariat grants each agency's focal point from the shared channel; a round runs: UNIDO's and WMO's
reminders are DMs through their own installations, ILO's are posted in the shared channel, mentioning its
focal point, and `/consult status`, the App Home and `/consult reminders` say so. UNIDO uninstalls
mid-round: its focal point is chased in the channel from then on. ILO's focal point, typing a command in
the shared channel, is told consultbot is not installed in their workspace. A reminder about a process
with no channel, to ILO, fails with its reason. A `consultbot serve` installed by OAuth, on a database of
its own, for each database kind."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import select

from storage.db import session_scope
from storage.models import Reminder, ReminderStatus
from storage.types import utcnow
from tests.bot_process import BotProcess
from tests.conftest import SECRETARIAT
from tests.reminder_fixtures import make_due, wait_for_status
from tests.slack_double import SlackDouble
from tests.oauth_bots import db, engine_url, install, oauth_env  # noqa: F401 (db, engine_url: fixtures)
from tests.slack_requests import SlackSender, sign

TOKENS = {"T0EMG": "xoxb-emg-1", "T0UNIDO": "xoxb-unido-1"}
ORG_TOKEN = "xoxb-wmo-org-1"
SHARED, HANDLE, NO_CHANNEL = "C0SHARED", "connect-fw", "connect-quiet"
UNIDO, WMO, ILO = "U0UNIDO1", "W0WMO1", "U0ILO1"
_n = itertools.count(1)


def _text(call) -> str:
    return json.dumps(call.params, ensure_ascii=False)


@pytest.fixture(scope="module")
def slack(database_url) -> Iterator[SlackDouble]:
    with SlackDouble(bot_token="xoxb-unused-single-workspace-token", team_id="T0SINGLE") as double:
        for team, name in (("T0EMG", "EMG secretariat"), ("T0UNIDO", "UNIDO")):
            double.add_installed_team(team, name, TOKENS[team])
        double.add_team("T0WMO", "WMO Geneva", enterprise_id="E0WMO", enterprise_name="WMO")
        double.add_org_install("E0WMO", "WMO", ORG_TOKEN)
        double.add_team("T0ILO", "ILO")  # never installed consultbot
        double.add_member("T0EMG", SECRETARIAT, "Amina (EMG secretariat)")
        double.add_member("T0UNIDO", UNIDO, "Ana (UNIDO)", tz="Europe/Vienna")
        double.add_member("T0WMO", WMO, "Lars (WMO)", enterprise_id="E0WMO")
        double.add_member("T0ILO", ILO, "Ines (ILO)")
        double.share_channel(SHARED, "T0EMG", "T0UNIDO", "T0WMO", "T0ILO")
        yield double


@pytest.fixture(scope="module")
def bot(engine_url, slack, tmp_path_factory) -> Iterator[BotProcess]:
    install(engine_url, TOKENS, orgs={"E0WMO": ORG_TOKEN})  # installed earlier through /slack/install
    process = BotProcess(oauth_env(engine_url, slack, "any"), tmp_path_factory.mktemp("connect-bot") / "serve.log")
    yield process.start()
    process.stop()


def grid_command(bot: BotProcess, slack: SlackDouble, user: str, text_: str) -> httpx.Response:
    """A slash command from a workspace of WMO's Enterprise Grid org, which installed consultbot org-wide."""
    n = next(_n)
    body = urlencode({"team_id": "T0WMO", "enterprise_id": "E0WMO", "is_enterprise_install": "true",
                      "channel_id": SHARED, "user_id": user, "user_name": user.lower(), "command": "/consult",
                      "text": text_, "api_app_id": "A0APP", "response_url": f"{slack.base_url}/response/grid-{n}",
                      "trigger_id": f"{n}.{n}.trigger"})
    return httpx.post(bot.url + "/slack/events", content=body.encode(),
                      headers={"Content-Type": "application/x-www-form-urlencoded", **sign(body)})


def answer_to(slack: SlackDouble, fragment: str) -> str:
    return _text(slack.wait_for("response_url", lambda c: fragment in _text(c))[0])


@pytest.fixture(scope="module")
def consultation(bot, slack, db) -> dict:
    """The process, shared channel and all, its focal points granted from that channel, and a round open."""
    from bot.people.service import find_person
    from bot.processes.service import NewProcess, create_process
    from bot.rounds.service import OpenRound, open_round
    from storage.models import Document, DocumentVersion

    emg = SlackSender(bot.url, slack.base_url, team_id="T0EMG")
    emg.command(SECRETARIAT, "whoami", channel=SHARED)
    slack.wait_for("response_url")
    SlackSender(bot.url, slack.base_url, team_id="T0UNIDO").command(UNIDO, "whoami", channel=SHARED)
    grid_command(bot, slack, WMO, "whoami")
    slack.wait_for("response_url", count=3)
    with session_scope(db) as s:
        secretariat = find_person(s, SECRETARIAT, "T0EMG")
        for handle, channel in ((HANDLE, SHARED), (NO_CHANNEL, None)):
            create_process(s, secretariat, NewProcess(handle=handle, kind="consultation", title=f"Across ({handle})",
                                                      timezone="Europe/Zurich", channel_id=channel,
                                                      members=["UNIDO", "WMO", "ILO"]))
    for user, code, handles in ((UNIDO, "UNIDO", [HANDLE]), (WMO, "WMO", [HANDLE]), (ILO, "ILO", [HANDLE, NO_CHANNEL])):
        for handle in handles:
            slack.reset()
            emg.command(SECRETARIAT, f"grant <@{user}> focal_point {handle} {code}", channel=SHARED)
            assert "focal point" in answer_to(slack, f"<@{user}>")
    rounds = {}
    with session_scope(db) as s:
        secretariat = find_person(s, SECRETARIAT, "T0EMG")
        for handle in (HANDLE, NO_CHANNEL):
            from bot.processes.service import get_process

            document = Document(process_id=get_process(s, handle).id, slug="draft", title="Draft")
            s.add(document)
            s.flush()
            s.add(DocumentVersion(document_id=document.id, number=1, source_name="draft.md",
                                  source_sha256="0" * 64, imported_by=SECRETARIAT))
            s.flush()
            rounds[handle] = open_round(s, secretariat, OpenRound(
                process=handle, deadline_date=(utcnow() + timedelta(days=10)).date(), timezone="Europe/Zurich")).id
    return rounds


def test_each_focal_point_is_of_their_own_workspace_though_granted_from_the_secretariats(bot, slack, db,
                                                                                         consultation):
    with session_scope(db) as s:
        people = s.execute(text("SELECT slack_user_id, team_id, enterprise_id FROM people ORDER BY slack_user_id")).all()
    assert [tuple(p) for p in people] == [(ILO, "T0ILO", None), (SECRETARIAT, "T0EMG", None),
                                          (UNIDO, "T0UNIDO", None), (WMO, "T0WMO", "E0WMO")]


def test_a_join_request_from_wmos_org_reaches_the_secretariat_and_the_answer_wmo_each_through_their_own(
        bot, slack, db, consultation):
    slack.add_member("T0WMO", "W0WMO2", "Eva (WMO)", enterprise_id="E0WMO")
    slack.reset()
    grid_command(bot, slack, "W0WMO2", f"join {HANDLE} WMO")
    [asked] = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == SECRETARIAT)
    assert slack.team_of_call(asked) == "T0EMG" and "<@W0WMO2> asks to be a focal point of *WMO*" in _text(asked)
    with session_scope(db) as s:
        request_id = s.execute(text("SELECT max(id) FROM join_requests")).scalar_one()
    SlackSender(bot.url, slack.base_url, team_id="T0EMG").click(SECRETARIAT, "join.approve", str(request_id))
    [told] = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "W0WMO2")
    assert slack.team_of_call(told) is None and "You are now a focal point of *WMO*" in _text(told)  # org-wide token
    with session_scope(db) as s:
        assert s.execute(text("SELECT team_id, enterprise_id FROM people WHERE slack_user_id = 'W0WMO2'")).one() == (
            "T0WMO", "E0WMO")


def test_status_and_the_app_home_name_the_focal_points_no_direct_message_reaches(bot, slack, db, consultation):
    emg = SlackSender(bot.url, slack.base_url, team_id="T0EMG")
    slack.reset()
    emg.command(SECRETARIAT, f"status {HANDLE}", channel=SHARED)
    status = answer_to(slack, "cannot send direct messages")
    assert f"*ILO* in `{HANDLE}`: <@{ILO}> (workspace T0ILO)" in status
    assert "UNIDO* in" not in status and "WMO* in" not in status
    emg.home_opened(SECRETARIAT)
    [published] = slack.wait_for("views.publish")
    assert f"*ILO* in `{NO_CHANNEL}`: <@{ILO}>" in _text(published)


def test_a_round_reaches_each_through_their_own_installation_and_ilo_in_the_shared_channel(bot, slack, db,
                                                                                          consultation):
    ours = (Reminder.subject_id == consultation[HANDLE]) & (Reminder.kind == "round.deadline")
    slack.reset()
    due = make_due(db, ours, Reminder.offset == "T-7d")
    rows = {r.recipient: r for r in (wait_for_status(db, key, ReminderStatus.SENT) for key in due)}
    assert set(rows) == {UNIDO, WMO, ILO, "W0WMO2"}
    assert len(slack.dms(UNIDO, "T0UNIDO")) == 1 and len(slack.dms(WMO, None)) == 1  # WMO: the org-wide install
    [in_channel] = [c for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == SHARED]
    assert slack.team_of_call(in_channel) == "T0EMG" and f"<@{ILO}>" in _text(in_channel)
    assert "not installed in your Slack workspace" in _text(in_channel) and "*ILO*" in _text(in_channel)
    assert (rows[ILO].channel, rows[ILO].outcome) == (SHARED, "posted_in_channel")
    assert (rows[UNIDO].channel, rows[UNIDO].outcome) != (SHARED, "posted_in_channel")

    SlackSender(bot.url, slack.base_url, team_id="T0EMG").command(SECRETARIAT, f"reminders {HANDLE}", channel=SHARED)
    listed = answer_to(slack, "in the process channel")
    assert f"<@{ILO}> (ILO), in the process channel" in listed


def test_a_mapping_survey_asks_each_focal_point_through_their_own_installation(bot, slack, db, consultation):
    emg = SlackSender(bot.url, slack.base_url, team_id="T0EMG")
    slack.reset()
    emg.command(SECRETARIAT, f"mapping open {HANDLE} aichi", channel=SHARED)
    [opened] = slack.wait_for("views.open")
    soon = (utcnow() + timedelta(days=30)).date().isoformat()
    values = {"deadline_date": {"type": "datepicker", "selected_date": soon},
              "deadline_time": {"type": "timepicker", "selected_time": "17:00"},
              "timezone": {"type": "plain_text_input", "value": "Europe/Zurich"}}
    assert not emg.submit_view(SECRETARIAT, opened.params["view"], values).content
    slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == SECRETARIAT and "is open" in _text(c))
    unido, wmo = slack.dms(UNIDO, "T0UNIDO"), slack.dms(WMO, None)  # WMO: the org-wide install
    assert len(unido) == 1 and len(wmo) == 1 and "*UNIDO*" in _text(unido[0]) and "*WMO*" in _text(wmo[0])
    assert not [c for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == UNIDO
                and slack.team_of_call(c) == "T0EMG"]  # never through the secretariat's workspace


def test_unido_uninstalls_mid_round_and_is_chased_in_the_channel_from_then_on(bot, slack, db, consultation):
    slack.revoke_team("T0UNIDO")
    unido = SlackSender(bot.url, slack.base_url, team_id="T0UNIDO")
    assert unido.event({"type": "app_uninstalled"}).status_code == 200
    slack.wait_for("chat.postMessage", lambda c: "T0UNIDO" in _text(c) and c.params.get("channel") == SECRETARIAT)
    slack.reset()
    ours = (Reminder.subject_id == consultation[HANDLE]) & (Reminder.kind == "round.deadline")
    due = make_due(db, ours, Reminder.offset == "T-2d")
    rows = {r.recipient: r for r in (wait_for_status(db, key, ReminderStatus.SENT) for key in due)}
    assert {user: rows[user].outcome for user in rows} == {UNIDO: "posted_in_channel", WMO: None, "W0WMO2": None,
                                                           ILO: "posted_in_channel"}
    chased = [c for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == SHARED]
    assert sorted(u for u in (UNIDO, ILO) for c in chased if f"<@{u}>" in _text(c)) == [ILO, UNIDO]
    assert slack.dms(UNIDO, "T0UNIDO") == [] and len(slack.dms(WMO, None)) == 1

    SlackSender(bot.url, slack.base_url, team_id="T0EMG").command(SECRETARIAT, f"status {HANDLE}", channel=SHARED)
    assert f"*UNIDO* in `{HANDLE}`: <@{UNIDO}> (workspace T0UNIDO)" in answer_to(slack, "cannot send direct")


def test_ilos_focal_point_typing_in_the_shared_channel_is_told_consultbot_is_not_installed_there(bot, slack):
    slack.reset()
    assert SlackSender(bot.url, slack.base_url, team_id="T0ILO").command(ILO, "whoami", channel=SHARED
                                                                          ).status_code == 200
    told = answer_to(slack, "not installed")
    assert "consultbot is not installed in your Slack workspace" in told
    time.sleep(0.3)
    assert [c for c in slack.calls if c.method != "response_url"] == []  # no token: no Web API call


def test_a_reminder_about_a_process_with_no_channel_to_ilo_fails_with_its_reason_and_is_listed(bot, slack, db,
                                                                                             consultation):
    quiet = (Reminder.subject_id == consultation[NO_CHANNEL]) & (Reminder.kind == "round.deadline")
    slack.reset()
    [key] = make_due(db, quiet, Reminder.offset == "T-7d")
    failed = wait_for_status(db, key, ReminderStatus.FAILED)
    assert (failed.recipient, failed.outcome) == (ILO, "workspace not installed")
    with session_scope(db) as s:
        assert s.exec(select(Reminder).where(quiet, Reminder.offset == "T-7d")).one().channel is None
    SlackSender(bot.url, slack.base_url, team_id="T0EMG").command(SECRETARIAT, f"reminders {NO_CHANNEL}")
    assert f"<@{ILO}> (ILO): *the recipient's workspace has no installation*" in answer_to(slack, "no installation")
