"""Scenario: a Slack user id is unique only within its workspace. UNIDO's Ana and ITU's Kenji both have the
user id U0SAME1, each in their own agency's workspace, and both are focal points of the same consultation
(Ana for UNIDO, Kenji for ITU). They are two people: each gets their own reminders, as DMs through their own
workspace's installation; each answers the meeting invitation for their own entity; neither can act as the
other (answer for the other's entity, see the other's roles, mute the other's reminders). A `consultbot
serve` installed by OAuth in three workspaces, on a database of its own, for each database kind."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from storage.db import session_scope
from storage.models import Reminder, ReminderStatus, Role, Rsvp
from storage.types import utcnow
from tests.bot_process import BotProcess
from tests.conftest import SECRETARIAT
from tests.reminder_fixtures import make_due, posted_keys, reminders, wait_for_status
from tests.slack_double import SlackDouble
from tests.oauth_bots import db, engine_url, install, oauth_env  # noqa: F401 (db, engine_url: fixtures)
from tests.slack_requests import SlackSender

SAME = "U0SAME1"  # Ana in UNIDO's workspace, Kenji in ITU's
TOKENS = {"T0EMG": "xoxb-emg-1", "T0UNIDO": "xoxb-unido-1", "T0ITU": "xoxb-itu-1"}
HANDLE = "same-ids"


def _text(call) -> str:
    return json.dumps(call.params, ensure_ascii=False)


@pytest.fixture(scope="module")
def slack(database_url) -> Iterator[SlackDouble]:
    with SlackDouble(bot_token="xoxb-unused-single-workspace-token", team_id="T0SINGLE") as double:
        for team, name in (("T0EMG", "EMG secretariat"), ("T0UNIDO", "UNIDO"), ("T0ITU", "ITU")):
            double.add_installed_team(team, name, TOKENS[team])
        double.add_member("T0EMG", SECRETARIAT, "Amina (EMG secretariat)")
        double.add_member("T0UNIDO", SAME, "Ana (UNIDO)", tz="Europe/Vienna")
        double.add_member("T0ITU", SAME, "Kenji (ITU)", tz="Asia/Tokyo", locale="fr-FR")
        yield double


@pytest.fixture(scope="module")
def bot(engine_url, slack, tmp_path_factory) -> Iterator[BotProcess]:
    install(engine_url, TOKENS)  # installed earlier, through /slack/install (tests/test_install_oauth.py)
    process = BotProcess(oauth_env(engine_url, slack, "any"), tmp_path_factory.mktemp("same-bot") / "serve.log")
    yield process.start()
    process.stop()


def sender(bot: BotProcess, slack: SlackDouble, team: str) -> SlackSender:
    return SlackSender(bot.url, slack.base_url, team_id=team)


@pytest.fixture(scope="module")
def consultation(bot, slack, db) -> dict:
    """The secretariat has used the bot; Ana and Kenji were granted their roles from the secretariat's
    workspace, each named with their own workspace; a round is open and a meeting invites both entities."""
    from bot.entities.service import get_entity
    from bot.meetings.service import NewMeeting, create_meeting
    from bot.people.service import find_person
    from bot.processes.service import NewProcess, create_process, get_process
    from bot.roles.service import grant
    from bot.rounds.service import OpenRound, open_round
    from storage.models import Document, DocumentVersion

    emg = sender(bot, slack, "T0EMG")
    emg.command(SECRETARIAT, "whoami")
    slack.wait_for("response_url")
    start = utcnow() + timedelta(days=20)
    with session_scope(db) as s:
        secretariat = find_person(s, SECRETARIAT, "T0EMG")
        create_process(s, secretariat, NewProcess(handle=HANDLE, kind="consultation", title="Same ids",
                                                  timezone="Europe/Zurich", channel_id="C0SAME",
                                                  members=["UNIDO", "ITU"]))
        process = get_process(s, HANDLE)
        grant(s, SECRETARIAT, SAME, Role.FOCAL_POINT, process, get_entity(s, "UNIDO"), team_id="T0UNIDO")
        grant(s, SECRETARIAT, SAME, Role.FOCAL_POINT, process, get_entity(s, "ITU"), team_id="T0ITU")
        document = Document(process_id=process.id, slug="draft", title="Draft")
        s.add(document)
        s.flush()
        s.add(DocumentVersion(document_id=document.id, number=1, source_name="draft.md", source_sha256="0" * 64,
                              imported_by=SECRETARIAT))
        round_ = open_round(s, secretariat, OpenRound(process=HANDLE, deadline_date=(utcnow() + timedelta(days=10))
                                                      .date(), timezone="Europe/Zurich"))
        meeting = create_meeting(s, secretariat, NewMeeting.at(
            HANDLE, start, start + timedelta(hours=1), "Europe/Zurich", title="Same ids meet", kind="img",
            entities=["UNIDO", "ITU"], reminders=["T-7d"], place="Geneva"))
        return {"round": round_.id, "meeting": meeting.id, "process": process.id}


def test_the_same_user_id_in_two_workspaces_is_two_people_each_with_their_own_role(bot, slack, db, consultation):
    slack.reset()
    sender(bot, slack, "T0UNIDO").command(SAME, "whoami")
    ana = _text(slack.wait_for("response_url")[0])
    sender(bot, slack, "T0ITU").command(SAME, "whoami")
    kenji = _text(slack.wait_for("response_url", count=2)[1])
    assert "UNIDO" in ana and "ITU" not in ana
    assert "ITU" in kenji and "UNIDO" not in kenji
    looked_up = slack.calls_to("users.info")
    assert sorted(slack.team_of_call(c) for c in looked_up) == ["T0ITU", "T0UNIDO"]  # each in their own workspace
    with session_scope(db) as s:
        people = s.execute(text("SELECT team_id, slack_user_id, display_name, timezone FROM people "
                                "WHERE slack_user_id = :u ORDER BY team_id"), {"u": SAME}).all()
    assert [tuple(p) for p in people] == [("T0ITU", SAME, "Kenji (ITU)", "Asia/Tokyo"),
                                          ("T0UNIDO", SAME, "Ana (UNIDO)", "Europe/Vienna")]


def test_each_gets_their_own_reminders_through_their_own_workspace(bot, slack, db, consultation):
    ours = (Reminder.subject_id == consultation["round"]) & (Reminder.kind == "round.deadline")
    rows = reminders(db, ours, Reminder.offset == "T-7d")
    assert sorted((r.recipient_team, r.recipient, r.entity_id is not None) for r in rows) == [
        ("T0ITU", SAME, True), ("T0UNIDO", SAME, True)]
    slack.reset()
    due = make_due(db, ours, Reminder.offset == "T-7d")
    for key in due:
        wait_for_status(db, key, ReminderStatus.SENT)
    assert posted_keys(slack) == Counter(due)
    [to_ana] = slack.dms(SAME, "T0UNIDO")
    [to_kenji] = slack.dms(SAME, "T0ITU")
    assert "*UNIDO*" in _text(to_ana) and "ITU" not in _text(to_ana).replace("UNIDO", "")
    assert "*ITU*" in _text(to_kenji) and "UNIDO" not in _text(to_kenji)


def test_each_answers_the_invitation_for_their_own_entity_and_not_for_the_others(bot, slack, db, consultation):
    meeting = str(consultation["meeting"])
    slack.reset()
    sender(bot, slack, "T0UNIDO").click(SAME, "meeting.tentative", meeting)
    assert "*UNIDO* — Tentative" in _text(slack.wait_for("response_url")[0])
    sender(bot, slack, "T0ITU").click(SAME, "meeting.not_attending", meeting)
    slack.wait_for("response_url", lambda c: "ITU" in _text(c), count=1)
    sender(bot, slack, "T0UNIDO").click(SAME, "meeting.not_attending", f"{meeting}:ITU")  # Ana, for ITU
    refused = _text(slack.wait_for("response_url", count=3)[2])
    assert "Only a focal point" in refused or "not a focal point" in refused, refused
    with session_scope(db) as s:
        answers = {(r.by_team, r.by): r.attendance for r in s.exec(select(Rsvp).where(
            Rsvp.meeting_id == consultation["meeting"]))}
    assert answers == {("T0UNIDO", SAME): "tentative", ("T0ITU", SAME): "not_attending"}


def test_one_muting_their_reminders_does_not_mute_the_other(bot, slack, db, consultation):
    slack.reset()
    sender(bot, slack, "T0UNIDO").command(SAME, f"mute {HANDLE}")
    slack.wait_for("response_url")
    ours = (Reminder.subject_id == consultation["round"]) & (Reminder.kind == "round.deadline")
    due = make_due(db, ours, Reminder.offset == "T-2d")
    settled = {row.recipient_team: wait_for_status(db, row.key, ReminderStatus.SKIPPED
                                                   if row.recipient_team == "T0UNIDO" else ReminderStatus.SENT)
               for row in reminders(db, ours, Reminder.key.in_(due))}
    assert settled["T0UNIDO"].outcome == "muted" and settled["T0ITU"].status == ReminderStatus.SENT
    assert slack.dms(SAME, "T0UNIDO") == [] and len(slack.dms(SAME, "T0ITU")) == 1
    with session_scope(db) as s:
        audited = s.execute(text("SELECT actor, actor_team FROM audit_log WHERE action = 'reminders.mute'")).all()
    assert [tuple(a) for a in audited] == [(SAME, "T0UNIDO")]
