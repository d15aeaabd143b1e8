"""Scenario: reminders through Slack. A round opens and writes its reminders; time passes (the rows'
send_at is moved to now, the only thing faked); the running bot sends them, focal points answer,
snooze and mute; the round closes and the secretariat extends it for the entities that never answered.

The `bot` fixture runs with quiet hours off (conftest), so what is due goes out whatever the hour."""

from __future__ import annotations

import json
import time
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from storage.models import Recurrence, Reminder, ReminderStatus, Round
from storage.types import utcnow
from tests.conftest import SECRETARIAT
from tests.reminder_fixtures import wait_for_status
from tests.slack_requests import state


def _text(call) -> str:
    return json.dumps(call.params, ensure_ascii=False)


def _open_round(sender, slack, consultation, reminders=None) -> None:
    sender.command(SECRETARIAT, f"round open {consultation['handle']}")
    view = slack.wait_for("views.open")[0].params["view"]
    reminder_block = next(b for b in view["blocks"] if b["block_id"] == "reminders")
    assert [o["value"] for o in reminder_block["element"]["initial_options"]] == ["T-7d", "T-2d", "T-0", "T-1h"]
    values = {"version": state("static_select", str(consultation["version_id"])),
              "deadline_date": state("datepicker", (utcnow() + timedelta(days=20)).date().isoformat()),
              "deadline_time": {"type": "timepicker", "selected_time": "17:00"},
              "timezone": state("plain_text_input", "Europe/Zurich"),
              "entities": state("multi_static_select", ["UNIDO", "WMO", "WFP", "UNEP"])}
    if reminders is not None:
        values["reminders"] = state("checkboxes", reminders)
    assert not sender.submit_view(SECRETARIAT, view, values).content
    for focal in consultation["focal"].values():
        slack.wait_for("chat.postMessage", lambda c, f=focal: c.params.get("channel") == f)


def _round(engine, handle) -> Round:
    from bot.processes.service import get_process

    with Session(engine) as s:
        return s.exec(select(Round).where(Round.process_id == get_process(s, handle).id)).one()


def _rows(engine, round_id: int) -> list[Reminder]:
    with Session(engine) as s:
        return list(s.exec(select(Reminder).where(Reminder.subject_id == round_id,
                                                  Reminder.kind.like("round.%")).order_by(Reminder.id)).all())


def _make_due(engine, *conditions) -> None:
    """Time passes: these pending rows are due now."""
    with Session(engine) as s:
        s.execute(update(Reminder).where(Reminder.status == ReminderStatus.PENDING, *conditions)
                  .values(send_at=utcnow() - timedelta(seconds=1)))
        s.commit()



def _weekly_row(engine, handle: str) -> Reminder:
    from bot.processes.service import get_process

    with Session(engine) as s:
        process = get_process(s, handle)
        return s.exec(select(Reminder).where(Reminder.kind == "process.weekly_status",  # the one due by now,
                                             Reminder.process_id == process.id,  # not tomorrow's, written ahead
                                             Reminder.due_at <= utcnow())
                      .order_by(Reminder.due_at.desc())).first()


def _reminder_to(slack, user: str):
    return slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == user
                          and "consultbot_reminder" in _text(c))[0]


def test_a_round_writes_reminders_for_each_focal_point_and_the_secretariat_sees_them(sender, slack, consultation,
                                                                                       engine):
    _open_round(sender, slack, consultation, reminders=["T-2d", "T-1h"])
    round_ = _round(engine, consultation["handle"])
    rows = _rows(engine, round_.id)
    deadline_rows = [r for r in rows if r.kind == "round.deadline"]
    assert sorted({(r.offset, r.recipient) for r in deadline_rows}) == sorted(
        (offset, user) for user in consultation["focal"].values() for offset in ("T-2d", "T-1h"))
    assert all(r.stale_at == round_.deadline for r in deadline_rows)
    assert SECRETARIAT in [r.recipient for r in rows if r.kind == "round.escalation"]  # and other tests' secretariat

    sender.command(SECRETARIAT, f"reminders {consultation['handle']}")
    answer = _text(slack.wait_for("response_url")[0])
    assert f"{len(rows)} scheduled, 0 sent, 0 failed" in answer  # 6 chases, an escalation per secretariat member
    assert "round 1, T-2d" in answer and "<!date^" in answer
    assert "Nobody has muted" in answer

    slack.reset()
    sender.command(consultation["focal"]["UNIDO"], f"reminders {consultation['handle']}")
    assert "secretariat" in _text(slack.wait_for("response_url")[0])


def test_a_due_reminder_reaches_only_entities_that_have_not_answered(sender, slack, consultation, engine):
    _open_round(sender, slack, consultation)
    round_ = _round(engine, consultation["handle"])
    unido, wmo = consultation["focal"]["UNIDO"], consultation["focal"]["WMO"]
    sender.click(wmo, "input.nil", str(round_.id))
    slack.wait_for("response_url", lambda c: "no comments" in _text(c).lower())
    _make_due(engine, Reminder.subject_id == round_.id, Reminder.offset == "T-7d")

    reminder = _reminder_to(slack, unido)
    text = _text(reminder)
    assert "*UNIDO* has not yet answered round 1" in text
    buttons = [e["action_id"] for b in reminder.params["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["input.open", "input.nil", "reminder.tomorrow"]
    wmo_row = next(r for r in _rows(engine, round_.id) if r.offset == "T-7d" and r.recipient == wmo)
    assert wait_for_status(engine, wmo_row.id, ReminderStatus.SKIPPED).outcome == "answered"
    unido_row = next(r for r in _rows(engine, round_.id) if r.offset == "T-7d" and r.recipient == unido)
    sent = wait_for_status(engine, unido_row.id, ReminderStatus.SENT)
    assert sent.ts == reminder.response["ts"]
    assert not [c for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == wmo
                and "consultbot_reminder" in _text(c)]


def test_remind_me_tomorrow_sets_one_more_reminder_however_often_it_is_clicked(sender, slack, consultation, engine,
                                                                              session):
    _open_round(sender, slack, consultation)
    round_ = _round(engine, consultation["handle"])
    wfp = consultation["focal"]["WFP"]
    row = next(r for r in _rows(engine, round_.id) if r.offset == "T-7d" and r.recipient == wfp)

    sender.click(wfp, "reminder.tomorrow", str(row.id))
    sender.click(wfp, "reminder.tomorrow", str(row.id))  # a double click: the answers may come in either order
    answers = sorted(_text(c) for c in slack.wait_for("response_url", count=2))
    assert "I will remind you again" in answers[0] and "<!date^" in answers[0]
    assert "You will already be reminded" in answers[1]
    snoozes = [r for r in _rows(engine, round_.id) if r.offset.startswith("snooze") and r.recipient == wfp]
    assert len(snoozes) == 1 and snoozes[0].stale_at == round_.deadline

    sender.click(consultation["focal"]["UNIDO"], "reminder.tomorrow", str(row.id))
    assert "someone else" in _text(slack.wait_for("response_url", count=3)[2])


def test_a_muted_person_gets_no_reminders_and_the_secretariat_sees_who_muted(sender, slack, consultation, engine):
    _open_round(sender, slack, consultation)
    round_ = _round(engine, consultation["handle"])
    unido, handle = consultation["focal"]["UNIDO"], consultation["handle"]
    sender.command(unido, f"mute {handle}")
    assert "muted for you" in _text(slack.wait_for("response_url")[0])
    sender.command(unido, f"mute {handle}")
    assert "already muted" in _text(slack.wait_for("response_url", count=2)[1])

    _make_due(engine, Reminder.subject_id == round_.id, Reminder.offset == "T-7d", Reminder.recipient == unido)
    row = next(r for r in _rows(engine, round_.id) if r.offset == "T-7d" and r.recipient == unido)
    assert wait_for_status(engine, row.id, ReminderStatus.SKIPPED).outcome == "muted"

    slack.reset()
    sender.command(SECRETARIAT, f"reminders {handle}")
    answer = _text(slack.wait_for("response_url")[0])
    assert f"Muted by: <@{unido}>" in answer and "Not needed when due: muted (1)." in answer

    slack.reset()
    sender.command(unido, f"unmute {handle}")
    assert "on again" in _text(slack.wait_for("response_url")[0])
    sender.command(unido, f"unmute {handle}")
    assert "not muted" in _text(slack.wait_for("response_url", count=2)[1])


def test_extending_the_deadline_rewrites_the_pending_reminders(sender, slack, consultation, engine):
    _open_round(sender, slack, consultation)
    round_ = _round(engine, consultation["handle"])
    before = {r.key for r in _rows(engine, round_.id) if r.status == ReminderStatus.PENDING}
    later = (round_.deadline + timedelta(days=7)).date().isoformat()
    sender.command(SECRETARIAT, f"round extend {consultation['handle']} {later} 12:00 Europe/Zurich")
    slack.wait_for("response_url", lambda c: "is now" in _text(c))

    rows = _rows(engine, round_.id)
    assert {r.key for r in rows if r.status == ReminderStatus.CANCELLED} == before
    pending = [r for r in rows if r.status == ReminderStatus.PENDING]
    assert pending and all(f"@{later.replace('-', '')}T1100:" in r.key for r in pending)  # 12:00 Geneva = 11:00 UTC


def test_closing_a_round_escalates_to_the_secretariat_who_extend_it_for_the_missing_entities(
        sender, slack, consultation, engine):
    _open_round(sender, slack, consultation)
    round_ = _round(engine, consultation["handle"])
    sender.click(consultation["focal"]["WMO"], "input.nil", str(round_.id))
    slack.wait_for("response_url", lambda c: "no comments" in _text(c).lower())
    sender.command(SECRETARIAT, f"round close {consultation['handle']}")

    escalation = _reminder_to(slack, SECRETARIAT)
    text = _text(escalation)
    assert "is closed" in text and "3 of 4 entities never answered: UNEP, UNIDO, WFP" in text
    button = next(e for b in escalation.params["blocks"] if b["type"] == "actions" for e in b["elements"])
    assert button["action_id"] == "escalation.extend"
    assert all(r.status == ReminderStatus.CANCELLED for r in _rows(engine, round_.id) if r.kind == "round.deadline")

    slack.reset()
    sender.click(SECRETARIAT, "escalation.extend", button["value"])
    view = slack.wait_for("views.open")[0].params["view"]
    entities = next(b for b in view["blocks"] if b["block_id"] == "entities")["element"]["initial_options"]
    assert [o["value"] for o in entities] == ["UNEP", "UNIDO", "WFP"]

    past = sender.submit_view(SECRETARIAT, view, {
        "entities": state("multi_static_select", ["UNIDO", "WFP"]),
        "deadline_date": state("datepicker", "2020-01-06"),
        "deadline_time": {"type": "timepicker", "selected_time": "17:00"},
        "timezone": state("plain_text_input", "Europe/Zurich")})
    assert "deadline_date" in past.json()["errors"]

    new_date = (utcnow() + timedelta(days=5)).date().isoformat()
    assert not sender.submit_view(SECRETARIAT, view, {
        "entities": state("multi_static_select", ["UNIDO", "WFP"]),
        "deadline_date": state("datepicker", new_date),
        "deadline_time": {"type": "timepicker", "selected_time": "17:00"},
        "timezone": state("plain_text_input", "Europe/Zurich")}).content
    for code in ("UNIDO", "WFP"):
        slack.wait_for("chat.postMessage", lambda c, u=consultation["focal"][code]: c.params.get("channel") == u
                       and "is asked for comments" in _text(c))
    reopened = {r.recipient for r in _rows(engine, round_.id)
                if r.status == ReminderStatus.PENDING and r.kind == "round.deadline"}
    assert reopened == {consultation["focal"]["UNIDO"], consultation["focal"]["WFP"]}


def test_the_weekly_status_goes_to_the_process_channel_once_per_occurrence(sender, slack, consultation, engine):
    _open_round(sender, slack, consultation)
    handle = consultation["handle"]
    sender.command(SECRETARIAT, f"reminders {handle} weekly someday 09:00")
    assert "is not a list of days" in _text(slack.wait_for("response_url")[0])
    sender.command(SECRETARIAT, f"reminders {handle} weekly mon,tue,wed,thu,fri,sat,sun 25:00")
    assert "is not a time" in _text(slack.wait_for("response_url", count=2)[1])

    slack.reset()
    from zoneinfo import ZoneInfo

    an_hour_ago = (utcnow() - timedelta(hours=1)).astimezone(ZoneInfo("Europe/Zurich"))
    sender.command(SECRETARIAT, f"reminders {handle} weekly mon,tue,wed,thu,fri,sat,sun {an_hour_ago:%H:%M}")
    assert "gets the status of its open rounds" in _text(slack.wait_for("response_url")[0])
    with Session(engine) as s:  # time passes: the last occurrence is behind us, not yet written
        s.execute(update(Recurrence).where(Recurrence.key.like("process:%"), Recurrence.active)
                  .values(generated_until=utcnow() - timedelta(hours=2)))
        s.commit()

    def weekly_post(call) -> bool:
        return call.params.get("channel") == "C0FRAMEWORK" and f"This week in {handle}" in _text(call)

    status = slack.wait_for("chat.postMessage", weekly_post, timeout=10)[0]
    assert "Round 1" in _text(status) and "Waiting for: UNEP, UNIDO, WFP, WMO" in _text(status)
    sent = wait_for_status(engine, _weekly_row(engine, handle).id, ReminderStatus.SENT)
    assert sent.ts == status.response["ts"]
    time.sleep(1.5)  # three more ticks: the occurrence is not posted again
    assert len([c for c in slack.calls_to("chat.postMessage") if weekly_post(c)]) == 1

    slack.reset()
    sender.command(SECRETARIAT, f"reminders {handle} weekly off")
    assert "switched off" in _text(slack.wait_for("response_url")[0])


def test_a_reminder_slack_refuses_for_good_is_shown_to_the_secretariat(sender, slack, consultation, engine):
    _open_round(sender, slack, consultation)
    round_ = _round(engine, consultation["handle"])
    unido = consultation["focal"]["UNIDO"]
    row = next(r for r in _rows(engine, round_.id) if r.offset == "T-7d" and r.recipient == unido)
    slack.fail_next("chat.postMessage", status=200, error="account_inactive")
    _make_due(engine, Reminder.id == row.id)
    failed = wait_for_status(engine, row.id, ReminderStatus.FAILED)
    assert failed.outcome == "account_inactive" and failed.attempts == 1

    sender.command(SECRETARIAT, f"reminders {consultation['handle']}")
    answer = _text(slack.wait_for("response_url")[0])
    assert "1 failed" in answer and f"<@{unido}> (UNIDO): *account_inactive*" in answer

    sender.home_opened(SECRETARIAT)
    home = _text(slack.wait_for("views.publish", lambda c: c.params.get("user_id") == SECRETARIAT)[0])
    assert "Reminders Slack refused in the last 7 days" in home and f"`{consultation['handle']}` 1" in home
