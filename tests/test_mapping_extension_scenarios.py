"""Scenario: a mapping's silent entity escalated to the secretariat, then given more time; on a private database
(SQLite and PostgreSQL) served by its own bot, talking to the Slack double.

The biodiversity IMG's dozen entities are asked the Aichi mapping, deadline Wednesday 10 March 2027 16:00 in
Geneva. Eleven answer, CBD and UNEP volunteering to lead targets; UNWTO stays silent through the reminders. Just
after the deadline the reminder sender (the real one, the clock moved by time-machine) tells each secretariat
member that UNWTO has not answered, with "Extend" for it and "Extend for all". The secretariat clicks "Extend"
(a signed request to the running bot): the modal asks for the new date; one before the current deadline is a
field error; UNWTO's focal point is told its new deadline, and its chase starts again towards it, with an
escalation at the new deadline. A focal point cannot extend; an entity that answered has nothing to extend.
Then the whole mapping is extended past UNWTO's own deadline. On the App Home, UNWTO's focal point sees the
mapping to answer (then its draft to continue), with the deadline in its own zone; the secretariat sees how many
entities answered and how many are outstanding."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
import time_machine
from sqlmodel import Session, select

from bot.entities.service import get_entity
from bot.mapping.reminders import open_with_reminders
from bot.mapping.service import get_mapping, save_draft, status, submit
from bot.people.service import Profile, ensure_person, find_person, save_profile
from bot.processes.service import NewProcess, create_process
from bot.roles.service import grant, sync_secretariat
from storage.db import session_scope
from storage.models import MappingResponse, Reminder, ReminderStatus, Role
from tests.bot_process import BotProcess
from tests.conftest import BOT_TOKEN, SECRETARIAT
from tests.slack_double import SlackDouble
from tests.slack_double_limits import block_kit_errors, view_errors
from tests.slack_requests import SlackSender, state
from tests.test_datacall_reminders import drain  # the real sender, once, at the time travelled to
from tests.test_mapping_scenarios import ASKED, CBD_GRID, OTHERS, UNEP_GRID

UTC = timezone.utc
HANDLE = "img-biodiversity"
DEADLINE = datetime(2027, 3, 10, 15, 0, tzinfo=UTC)  # 16:00 in Geneva
UNWTO_DEADLINE = datetime(2027, 3, 24, 16, 0, tzinfo=UTC)  # 17:00 in Geneva
ALL_DEADLINE = datetime(2027, 3, 31, 15, 0, tzinfo=UTC)  # 17:00 in Geneva, summer time


def focal(code: str) -> str:
    return f"U0X{code}"


@pytest.fixture
def world(bot_env, private_database_url, private_engine, tmp_path, slack, default_quiet_hours):
    with session_scope(private_engine) as s:
        sync_secretariat(s, [SECRETARIAT])
        save_profile(s, Profile(slack_user_id=SECRETARIAT, timezone="Europe/Zurich"))
        process = create_process(s, ensure_person(s, SECRETARIAT), NewProcess(
            handle=HANDLE, kind="img", title="Issue Management Group on Biodiversity", timezone="Europe/Zurich",
            members=ASKED))
        for code in ASKED:
            save_profile(s, Profile(slack_user_id=focal(code), timezone="Europe/Zurich"))
            grant(s, SECRETARIAT, focal(code), Role.FOCAL_POINT, process, get_entity(s, code))
        mapping = open_with_reminders(s, find_person(s, SECRETARIAT), HANDLE, "aichi", DEADLINE, "Europe/Zurich",
                                      None)
        grids = {"CBD": CBD_GRID, "UNEP": UNEP_GRID, **OTHERS}
        for code, grid in grids.items():
            submit(s, find_person(s, focal(code)), mapping, code, {"grid": grid, "products": []})
    for code in ASKED:
        slack.add_user(focal(code), f"{code} focal point", tz="Europe/Zurich")
    server = BotProcess({**bot_env, "DATABASE_URL": private_database_url}, tmp_path / "serve.log").start()
    slack.reset()
    yield private_database_url, private_engine, SlackSender(server.url, slack.base_url)
    server.stop()


def chase(engine, kind: str, *conditions) -> list[Reminder]:
    with session_scope(engine) as s:
        found = s.exec(select(Reminder).where(Reminder.kind == kind, *conditions).order_by(Reminder.send_at)).all()
        s.expunge_all()
        return list(found)


def _text(call) -> str:
    return json.dumps(call.params, ensure_ascii=False)


def _opened(slack) -> dict:
    return slack.wait_for("views.open", lambda c: c.params["view"]["callback_id"] == "mapping.extend_form")[-1] \
        .params["view"]


def _new_deadline(day: str) -> dict:
    return {"deadline_date": state("datepicker", day),
            "deadline_time": {"type": "timepicker", "selected_time": "17:00"},
            "timezone": state("plain_text_input", "Europe/Zurich")}


def test_a_silent_entity_is_escalated_then_given_more_time(world, slack):
    url, engine, sender = world
    [planned] = chase(engine, "mapping.escalation")
    assert (planned.recipient, planned.due_at) == (SECRETARIAT, DEADLINE)

    # on the day, UNWTO's last reminder; past the deadline, the escalation to the secretariat
    with SlackDouble(bot_token=BOT_TOKEN) as double:
        with time_machine.travel(datetime(2027, 3, 10, 8, 5, tzinfo=UTC)):
            drain(url, engine, double)
        assert [c.params["channel"] for c in double.calls_to("chat.postMessage")] == [focal("UNWTO")]
        with time_machine.travel(datetime(2027, 3, 10, 15, 5, tzinfo=UTC)):
            drain(url, engine, double)
        posted = [c.params for c in double.calls_to("chat.postMessage")][1:]
    assert [p["channel"] for p in posted] == [SECRETARIAT]
    escalation = posted[0]
    assert block_kit_errors(escalation["blocks"]) == []
    assert "1 of the 12 entities asked have not answered" in escalation["text"]
    buttons = [b["accessory"] for b in escalation["blocks"] if b.get("accessory")]
    assert [(b["action_id"], b["value"]) for b in buttons] == [("mapping.extend", f"{HANDLE}:aichi:UNWTO")]
    everyone = [e for b in escalation["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(b["text"]["text"], b["value"]) for b in everyone] == [("Extend for all of them", f"{HANDLE}:aichi")]
    assert [r.status for r in chase(engine, "mapping.escalation")] == [ReminderStatus.SENT]
    with Session(engine) as s:
        states = {x.code: x.state for x in status(s, get_mapping(s, HANDLE, "aichi"),
                                                  datetime(2027, 3, 11, tzinfo=UTC))}
    assert states["UNWTO"] == "late" and states["CBD"] == "submitted"

    # a focal point cannot extend; an entity that answered has nothing to extend
    sender.click(focal("CBD"), "mapping.extend", f"{HANDLE}:aichi:UNWTO")
    assert "*secretariat* role" in _text(slack.wait_for("response_url")[0])
    slack.reset()
    sender.command(SECRETARIAT, f"mapping extend {HANDLE} aichi CBD")
    assert "CBD has already answered: there is nothing to extend." in _text(slack.wait_for("response_url")[0])

    # "Extend" for UNWTO: the modal, a date too early, then its own new deadline
    slack.reset()
    sender.click(SECRETARIAT, "mapping.extend", f"{HANDLE}:aichi:UNWTO")
    view = _opened(slack)
    assert view_errors(view) == [] and "*UNWTO* alone" in _text(slack.calls_to("views.open")[-1])
    early = sender.submit_view(SECRETARIAT, view, _new_deadline("2027-03-09")).json()
    assert early["errors"] == {"deadline_date": "The new deadline must be after the current one."}
    assert not sender.submit_view(SECRETARIAT, view, _new_deadline("2027-03-24"), view_id="VEXT1").content
    assert not sender.submit_view(SECRETARIAT, view, _new_deadline("2027-03-24"), view_id="VEXT1").content  # retry
    told = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == focal("UNWTO"))
    assert len(told) == 1 and "gives *UNWTO* more time" in _text(told[0]) and "mapping.fill" in _text(told[0])
    assert "<!date^" + str(int(UNWTO_DEADLINE.timestamp())) in _text(told[0])
    reply = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == SECRETARIAT)
    assert "*UNWTO* now has until" in _text(reply[0]) and "1 focal point(s) told" in _text(reply[0])
    with Session(engine) as s:
        own = s.exec(select(MappingResponse).where(MappingResponse.entity_id == get_entity(s, "UNWTO").id)).one()
    assert own.deadline == UNWTO_DEADLINE
    ahead = chase(engine, "mapping.reminder", Reminder.status == ReminderStatus.PENDING)
    assert [(r.recipient, r.offset, r.stale_at) for r in ahead] == [
        (focal("UNWTO"), "T-7d", UNWTO_DEADLINE), (focal("UNWTO"), "T-2d", UNWTO_DEADLINE),
        (focal("UNWTO"), "T-0", UNWTO_DEADLINE)]
    assert [(r.status, r.due_at) for r in chase(engine, "mapping.escalation")] == [
        (ReminderStatus.SENT, DEADLINE), (ReminderStatus.PENDING, UNWTO_DEADLINE)]

    # "Extend for all": the whole mapping moves past UNWTO's own deadline
    slack.reset()
    sender.click(SECRETARIAT, "mapping.extend", f"{HANDLE}:aichi")
    view = _opened(slack)
    assert not sender.submit_view(SECRETARIAT, view, _new_deadline("2027-03-31"), view_id="VEXT2").content
    reply = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == SECRETARIAT)
    assert "now closes" in _text(reply[0]) and "1 entities still to answer" in _text(reply[0])
    with Session(engine) as s:
        mapping = get_mapping(s, HANDLE, "aichi")
        assert mapping.deadline == ALL_DEADLINE
        assert s.exec(select(MappingResponse.deadline).where(MappingResponse.mapping_id == mapping.id)).all() \
            == [None] * 12
    assert {r.stale_at for r in chase(engine, "mapping.reminder", Reminder.status == ReminderStatus.PENDING)} \
        == {ALL_DEADLINE}
    assert [r.due_at for r in chase(engine, "mapping.escalation", Reminder.status == ReminderStatus.PENDING)] \
        == [ALL_DEADLINE]


def _home(sender, slack, user: str) -> dict:
    slack.reset()
    sender.home_opened(user)
    return slack.wait_for("views.publish", lambda c: c.params.get("user_id") == user)[0].params["view"]


def test_the_app_home_shows_what_each_must_answer_and_the_secretariat_where_it_stands(world, slack):
    url, engine, sender = world
    home = _home(sender, slack, focal("UNWTO"))
    assert block_kit_errors(home["blocks"], "home") == []
    shown = json.dumps(home, ensure_ascii=False)
    assert "*System-wide mapping of support to the Aichi Biodiversity Targets* (img-biodiversity): *UNWTO* is " \
           "asked to answer. Deadline: <!date^" + str(int(DEADLINE.timestamp())) in shown
    assert f'"value": "{HANDLE}:aichi:UNWTO"' in shown and "Answer the mapping" in shown
    with session_scope(engine) as s:  # a draft: the button continues it
        save_draft(s, find_person(s, focal("UNWTO")), get_mapping(s, HANDLE, "aichi"), "UNWTO",
                   {"grid": {"t01": {"functions": "Tourism and biodiversity awareness"}}})
    shown = json.dumps(_home(sender, slack, focal("UNWTO")), ensure_ascii=False)
    assert "*UNWTO* has a draft, not submitted yet" in shown and "Continue the draft" in shown
    assert "Aichi" not in json.dumps(_home(sender, slack, focal("CBD")))  # CBD has answered: nothing to do
    shown = json.dumps(_home(sender, slack, SECRETARIAT), ensure_ascii=False)
    assert "*Open mappings*" in shown
    assert "(img-biodiversity), deadline <!date^" in shown and "11 of 12 entities answered, 1 outstanding" in shown
