"""Scenario: a newcomer and the secretariat use the foundation commands in Slack."""

from __future__ import annotations

import json

from sqlmodel import select

from storage.models import JoinRequest, Membership, Person
from tests.conftest import SECRETARIAT


def reply_text(call) -> str:
    """All the text of a response_url / chat.* body."""
    return json.dumps(call.params, ensure_ascii=False)


def test_help_lists_commands_by_role(sender, slack, new_user):
    newcomer = new_user("Chen (UNCTAD)")
    assert sender.command(newcomer, "help").status_code == 200
    answer = reply_text(slack.wait_for("response_url")[0])
    assert "/consult join PROCESS ENTITY" in answer
    assert "/consult new" not in answer

    slack.reset()
    sender.command(SECRETARIAT, "help")
    answer = reply_text(slack.wait_for("response_url")[0])
    assert "/consult new" in answer and "/consult grant" in answer


def test_unknown_subcommand_answers_with_the_help(sender, slack, new_user):
    sender.command(new_user(), "frobnicate now")
    answer = reply_text(slack.wait_for("response_url")[0])
    assert "frobnicate" in answer and "/consult whoami" in answer


def test_first_contact_records_the_person_with_their_slack_time_zone(sender, slack, new_user, engine):
    bangkok = new_user("Somchai (ESCAP)", tz="Asia/Bangkok", locale="en-GB")
    sender.command(bangkok, "whoami")
    answer = reply_text(slack.wait_for("response_url")[0])
    assert "Asia/Bangkok" in answer and "no role yet" in answer
    from sqlmodel import Session
    with Session(engine) as s:
        person = s.exec(select(Person).where(Person.slack_user_id == bangkok)).one()
        assert (person.timezone, person.locale) == ("Asia/Bangkok", "en-GB")
        assert person.created_at.tzinfo is not None


def test_entities_lists_the_seeded_un_entities(sender, slack, new_user):
    sender.command(new_user(), "entities")
    answer = reply_text(slack.wait_for("response_url")[0])
    for code in ("UNEP", "UNDP", "WMO", "UNIDO", "WFP", "UNCTAD", "UNESCO", "ILO", "UNOPS", "CBD"):
        assert f"*{code}*" in answer


def test_join_is_approved_by_the_secretariat_and_the_person_is_told(sender, slack, new_user, engine, framework):
    focal = new_user("Petra (UNIDO)", tz="Europe/Vienna")
    sender.command(focal, f"join {framework} unido")
    told = reply_text(slack.wait_for("response_url")[0])
    assert "went to the secretariat" in told
    ask = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == SECRETARIAT)[0]
    buttons = [e for b in ask.params["blocks"] if b["type"] == "actions" for e in b["elements"]]
    approve = next(b for b in buttons if b["action_id"] == "join.approve")

    sender.click(SECRETARIAT, "join.approve", approve["value"])
    told = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == focal)[0]
    assert "You are now a focal point of *UNIDO*" in reply_text(told)
    slack.wait_for("chat.update")

    # A second click (double click, or another secretariat member) changes nothing.
    sender.click(SECRETARIAT, "join.approve", approve["value"])
    again = reply_text(slack.wait_for("response_url", lambda c: "already" in reply_text(c))[0])
    assert "already approved" in again
    from sqlmodel import Session
    with Session(engine) as s:
        person = s.exec(select(Person).where(Person.slack_user_id == focal)).one()
        roles = s.exec(select(Membership).where(Membership.person_id == person.id)).all()
        assert [r.role for r in roles] == ["focal_point"]
        assert s.exec(select(JoinRequest).where(JoinRequest.person_id == person.id)).one().status == "approved"


def test_join_with_an_unknown_entity_names_the_closest_codes(sender, slack, new_user, framework):
    sender.command(new_user(), f"join {framework} UNIDOO")
    answer = reply_text(slack.wait_for("response_url")[0])
    assert "UNIDOO" in answer and "UNIDO" in answer.replace("UNIDOO", "")


def test_join_twice_creates_one_request(sender, slack, new_user, engine, framework):
    focal = new_user()
    sender.command(focal, f"join {framework} WMO")
    sender.command(focal, f"join {framework} WMO")
    slack.wait_for("response_url", lambda c: "went to the secretariat" in reply_text(c))
    slack.wait_for("response_url", lambda c: "already waiting" in reply_text(c))
    from sqlmodel import Session
    with Session(engine) as s:
        person = s.exec(select(Person).where(Person.slack_user_id == focal)).one()
        assert len(s.exec(select(JoinRequest).where(JoinRequest.person_id == person.id)).all()) == 1


def test_new_process_is_refused_to_a_focal_point_with_the_role_needed(sender, slack, new_user):
    sender.command(new_user(), "new")
    answer = reply_text(slack.wait_for("response_url")[0])
    assert "*secretariat* role" in answer and f"<@{SECRETARIAT}>" in answer
    assert slack.calls_to("views.open") == []


def test_user_text_cannot_ping_the_channel(sender, slack, new_user):
    sender.command(new_user(), "join <!channel> <@U0SEC1>")
    answer = reply_text(slack.wait_for("response_url")[0])
    assert "<!channel>" not in answer and "&lt;!channel&gt;" in answer


def test_the_secretariat_grants_a_role_in_slack_and_whoami_shows_it(sender, slack, new_user, framework):
    lars = new_user("Lars (WMO)", tz="Europe/Zurich")
    sender.command(SECRETARIAT, f"grant <@{lars}|lars> focal_point {framework} WMO")
    assert "is now *focal point*" in reply_text(slack.wait_for("response_url")[0])
    slack.reset()
    sender.command(lars, "whoami")
    answer = reply_text(slack.wait_for("response_url")[0])
    assert f"*focal point* for *WMO* in `{framework}`" in answer


def test_granting_is_refused_to_a_focal_point(sender, slack, new_user, framework):
    sender.command(new_user(), f"grant <@U0SEC1> observer {framework}")
    assert "*secretariat* role" in reply_text(slack.wait_for("response_url")[0])


def test_list_shows_each_process_with_its_members(sender, slack, new_user, framework):
    sender.command(new_user(), "list")
    answer = reply_text(slack.wait_for("response_url")[0])
    assert f"*`{framework}`* Consultation on the sustainability framework" in answer
    assert "10 member entities" in answer


def test_the_app_home_shows_the_secretariat_the_requests_waiting(sender, slack, new_user, framework):
    sender.command(new_user(), f"join {framework} ILO")
    slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == SECRETARIAT)
    sender.home_opened(SECRETARIAT)
    home = slack.wait_for("views.publish")[0].params
    assert home["user_id"] == SECRETARIAT
    text = json.dumps(home["view"])
    assert "*ILO*" in text and "join.approve" in text and "process.new.open" in text


def test_a_rate_limited_reply_is_retried_after_the_pause_slack_asks_for(sender, slack, new_user, framework):
    slack.fail_next("chat.postMessage", status=429, retry_after=1)
    sender.command(new_user(), f"join {framework} UNOPS")
    delivered = slack.wait_for("chat.postMessage", lambda c: c.error is None and c.params.get("channel") == SECRETARIAT,
                               timeout=10)[0]
    refused = next(c for c in slack.calls_to("chat.postMessage") if c.status == 429)
    assert delivered.at - refused.at >= 1.0


def test_declining_from_the_app_home_refreshes_it_and_tells_the_person(sender, slack, new_user, framework):
    focal = new_user("Giulia (WFP)", tz="Europe/Rome")
    sender.command(focal, f"join {framework} WFP")
    ask = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == SECRETARIAT)[0]
    request_id = next(e["value"] for b in ask.params["blocks"] if b["type"] == "actions" for e in b["elements"])
    slack.reset()
    sender.click(SECRETARIAT, "join.decline", request_id, in_home=True)
    told = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == focal)[0]
    assert "was declined by <@U0SEC1>" in reply_text(told)
    home = json.dumps(slack.wait_for("views.publish")[0].params["view"])
    assert f'"{request_id}"' not in home


def test_the_secretariats_help_names_every_subcommand_and_meeting_outcomes(sender, slack):
    from bot.slack.app import SUBCOMMANDS

    sender.command(SECRETARIAT, "help")
    answer = reply_text(slack.wait_for("response_url")[0])
    missing = [name for name in SUBCOMMANDS if f"/consult {name}" not in answer and f"`{name} " not in answer]
    assert missing == [] and "meeting outcomes ID" in answer
