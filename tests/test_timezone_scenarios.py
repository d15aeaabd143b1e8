"""Scenario: reminders in each person's working hours, even for a focal point who never used the bot."""

from __future__ import annotations

import time
from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from bot.people.service import find_person
from bot.rounds.service import OpenRound, open_round
from storage.db import session_scope
from storage.models import Person, Reminder, ReminderStatus
from tests.conftest import SECRETARIAT


def _round(engine, consultation, entities: list[str]) -> int:
    with session_scope(engine) as s:
        return open_round(s, find_person(s, SECRETARIAT), OpenRound(
            process=consultation["handle"], deadline_date=date(2031, 6, 30), entities=entities)).id


def _pending(engine, round_id: int, user: str) -> list[Reminder]:
    with Session(engine) as s:
        return list(s.exec(select(Reminder).where(Reminder.subject_id == round_id, Reminder.recipient == user,
                                                  Reminder.kind == "round.deadline",
                                                  Reminder.status == ReminderStatus.PENDING)).all())


def _eventually(read, done, timeout: float = 5.0):
    """The event is acked first and handled after: read until `done` or the timeout."""
    deadline = time.monotonic() + timeout
    while True:
        found = read()
        if done(found) or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def _morning_of_the_day(rows: list[Reminder], zone: str) -> bool:
    """The "on the day" reminder comes at 09:00 in `zone` (the bot's test settings have no quiet hours)."""
    day = next(r for r in rows if r.offset == "T-0").send_at.astimezone(ZoneInfo(zone))
    return (day.hour, day.minute) == (9, 0)


def test_a_focal_point_granted_before_ever_using_the_bot_is_reminded_in_their_own_zone(sender, slack, consultation,
                                                                                     engine, new_user):
    round_id = _round(engine, consultation, ["UNIDO", "UNEP"])
    angeleno = new_user("UNEP focal point in Los Angeles", tz="America/Los_Angeles")
    slack.reset()
    sender.command(SECRETARIAT, f"grant <@{angeleno}> focal_point {consultation['handle']} UNEP")
    assert "focal point" in str(slack.wait_for("response_url")[0].params).lower()
    assert any(c.params.get("user") == angeleno for c in slack.calls_to("users.info"))
    rows = _pending(engine, round_id, angeleno)
    assert {r.timezone for r in rows} == {"America/Los_Angeles"} and len(rows) == 4
    assert _morning_of_the_day(rows, "America/Los_Angeles")

    # They move to Honolulu: Slack's user_change keeps the bot current and their reminders move with them.
    slack.add_user(angeleno, "UNEP focal point in Honolulu", tz="Pacific/Honolulu")
    user = slack.users[angeleno]
    assert sender.event({"type": "user_change", "user": user, "event_ts": "1.1"}).status_code == 200
    rows = _eventually(lambda: _pending(engine, round_id, angeleno),
                       lambda found: {r.timezone for r in found} == {"Pacific/Honolulu"})
    assert {r.timezone for r in rows} == {"Pacific/Honolulu"} and len(rows) == 4
    assert _morning_of_the_day(rows, "Pacific/Honolulu")
    with Session(engine) as s:
        assert find_person(s, angeleno).timezone == "Pacific/Honolulu"


def test_where_slack_cannot_tell_the_entitys_duty_station_zone_is_used_not_the_rounds(sender, slack, consultation,
                                                                                    engine):
    round_id = _round(engine, consultation, ["UNEP"])
    unknown = "U0NOSLACK1"  # users.info answers user_not_found
    sender.command(SECRETARIAT, f"grant <@{unknown}> focal_point {consultation['handle']} UNEP")
    slack.wait_for("response_url")
    rows = _pending(engine, round_id, unknown)
    assert {r.timezone for r in rows} == {"Africa/Nairobi"}  # UNEP's duty station; the round is in Geneva's zone
    assert _morning_of_the_day(rows, "Africa/Nairobi")


def test_user_change_of_someone_the_bot_never_met_stores_nothing(sender, slack, engine, new_user):
    stranger = new_user("Someone else", tz="Asia/Tokyo")
    assert sender.event({"type": "user_change", "user": slack.users[stranger]}).status_code == 200
    assert sender.event({"type": "user_change", "user": {"no": "id"}}).status_code == 200  # malformed: no 500
    with Session(engine) as s:
        assert s.exec(select(Person).where(Person.slack_user_id == stranger)).first() is None


def test_a_join_approved_for_someone_slack_could_not_describe_then_asks_again(sender, slack, consultation, engine,
                                                                            new_user):
    """Slack failed when the person asked to join (no zone on record); approving asks users.info again,
    so their reminders are planned in their own zone, not UNEP's duty station's nor the round's."""
    round_id = _round(engine, consultation, ["UNEP"])
    person = new_user("UNEP focal point in Santiago", tz="America/Santiago")
    slack.fail_next("users.info", status=200, error="fatal_error")
    sender.command(person, f"join {consultation['handle']} UNEP")
    ask = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == SECRETARIAT
                         and person in str(c.params))[0]
    with Session(engine) as s:
        assert find_person(s, person).timezone is None
    approve = next(e for b in ask.params["blocks"] if b["type"] == "actions" for e in b["elements"]
                   if e["action_id"] == "join.approve")
    slack.reset()
    sender.click(SECRETARIAT, "join.approve", approve["value"])
    slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == person)
    assert [c.params.get("user") for c in slack.calls_to("users.info")].count(person) == 1
    rows = _pending(engine, round_id, person)
    assert {r.timezone for r in rows} == {"America/Santiago"} and _morning_of_the_day(rows, "America/Santiago")
