"""Scenario: focal points hear back. The secretariat responds to UNIDO's three inputs and WMO's one in
Slack, in one sitting: ten minutes after the last response each entity's focal point gets one DM with
the disposition and response of each (the wait is the only thing faked: the rows' send_at is moved to
now). A response in a later sitting is a new DM; an Excel import's responses go at once, one DM per entity."""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from bot.exports.matrix_model import ResponseUpdate
from bot.inputs.heard_back import KIND, SITTING
from bot.inputs.matrix import apply_responses
from bot.inputs.service import InputDraft, submit_input
from bot.people.service import find_person
from bot.rounds.service import OpenRound, open_round
from storage.db import session_scope
from storage.models import Input, Reminder, ReminderStatus, Round
from storage.types import utcnow
from tests.conftest import SECRETARIAT
from tests.slack_requests import state


def _round(engine, consultation, counts: dict[str, int]) -> tuple[int, dict[str, list[int]]]:
    made: dict[str, list[int]] = {}
    with session_scope(engine) as s:
        round_ = open_round(s, find_person(s, SECRETARIAT), OpenRound(
            process=consultation["handle"], deadline_date=date(2031, 6, 30), entities=list(counts), reminders=[]))
        for code, count in counts.items():
            focal = find_person(s, consultation["focal"][code])
            made[code] = [submit_input(s, focal, round_, InputDraft(
                entity=code, section="1", kind="substantive", comment=f"{code} asks for change {n + 1}")).input.id
                for n in range(count)]
        return round_.id, made


def _respond_in_slack(sender, slack, input_id: int, disposition: str, text: str) -> None:
    slack.reset()
    sender.click(SECRETARIAT, "input.respond", str(input_id))
    view = slack.wait_for("views.open", lambda c: c.params["view"]["callback_id"] == "input.response")[0]
    response = sender.submit_view(SECRETARIAT, view.params["view"], {
        "disposition": state("static_select", disposition), "response": state("plain_text_input", text)})
    assert response.status_code == 200 and not response.content
    slack.wait_for("chat.postMessage",
                   lambda c: c.params.get("channel") == SECRETARIAT and "Response saved" in json.dumps(c.params))


def _rows(engine, round_id: int) -> list[Reminder]:
    with Session(engine) as s:
        return list(s.exec(select(Reminder).where(Reminder.kind == KIND, Reminder.subject_id == round_id)
                           .order_by(Reminder.id)).all())


def _make_due(engine, round_id: int) -> None:
    with session_scope(engine) as s:
        s.exec(update(Reminder).where(Reminder.kind == KIND, Reminder.subject_id == round_id,
                                      Reminder.status == ReminderStatus.PENDING)
               .values(send_at=utcnow() - timedelta(seconds=1)))


def _dms(slack, user: str) -> list[str]:
    return [json.dumps(c.params, ensure_ascii=False) for c in slack.calls_to("chat.postMessage")
            if c.params.get("channel") == user and "The secretariat responded" in json.dumps(c.params)]


def _wait_sent(engine, round_id: int, count: int) -> None:
    from tests.reminder_fixtures import wait_for_status

    for row in _rows(engine, round_id)[-count:]:
        wait_for_status(engine, row.key, ReminderStatus.SENT)


def test_one_dm_per_entity_per_sitting_with_each_disposition_and_response(sender, slack, consultation, engine):
    round_id, made = _round(engine, consultation, {"UNIDO": 3, "WMO": 1, "WFP": 1})
    unido, wmo, wfp = (consultation["focal"][c] for c in ("UNIDO", "WMO", "WFP"))
    before = utcnow()
    for n, input_id in enumerate(made["UNIDO"]):
        _respond_in_slack(sender, slack, input_id, ["accepted", "noted", "not_accepted"][n], f"Answer {n + 1}.")
    _respond_in_slack(sender, slack, made["WMO"][0], "partially_accepted", "Partly, in 3.2.")

    rows = _rows(engine, round_id)
    assert sorted(r.recipient for r in rows) == sorted([unido, wmo])  # one per focal point; WFP not answered
    assert all(r.send_at >= before + SITTING for r in rows)  # gathered: ten minutes after the last response
    assert _dms(slack, unido) == [] and _dms(slack, wmo) == []  # nothing yet

    slack.reset()
    _make_due(engine, round_id)
    _wait_sent(engine, round_id, 2)
    [to_unido], [to_wmo] = _dms(slack, unido), _dms(slack, wmo)
    assert "responded to 3 inputs of *UNIDO* in round 1" in to_unido
    for ref, disposition, text in (("R1-UNIDO-1", "*accepted*", "Answer 1."), ("R1-UNIDO-2", "*noted*", "Answer 2."),
                                   ("R1-UNIDO-3", "*not accepted*", "Answer 3.")):
        assert ref in to_unido and disposition in to_unido and text in to_unido
    assert "responded to 1 input of *WMO*" in to_wmo and "Partly, in 3.2." in to_wmo and "UNIDO" not in to_wmo
    assert _dms(slack, wfp) == []

    # A later sitting: a new DM with only what it changed.
    slack.reset()
    _respond_in_slack(sender, slack, made["UNIDO"][1], "accepted", "On second thoughts, yes.")
    _make_due(engine, round_id)
    _wait_sent(engine, round_id, 1)
    [again] = _dms(slack, unido)
    assert "responded to 1 input of *UNIDO*" in again and "R1-UNIDO-2" in again and "R1-UNIDO-1" not in again


def test_an_excel_import_is_one_batch_sent_at_once(sender, slack, consultation, engine):
    round_id, made = _round(engine, consultation, {"UNIDO": 2, "WFP": 2})
    with session_scope(engine) as s:
        refs = [i.ref for i in s.exec(select(Input).where(Input.round_id == round_id).order_by(Input.id)).all()]
        apply_responses(s, find_person(s, SECRETARIAT), s.get(Round, round_id),
                        [ResponseUpdate(ref=ref, disposition="noted", response=f"Noted {ref}.") for ref in refs])
    _wait_sent(engine, round_id, 2)  # no sitting to wait for
    [to_unido] = _dms(slack, consultation["focal"]["UNIDO"])
    [to_wfp] = _dms(slack, consultation["focal"]["WFP"])
    assert "2 inputs of *UNIDO*" in to_unido and "Noted R1-UNIDO-2." in to_unido
    assert "2 inputs of *WFP*" in to_wfp and "R1-UNIDO" not in to_wfp
    with Session(engine) as s:  # the digest lists them by entity
        from bot.digests.document import change_lines
        from bot.digests.service import compose

        lines = change_lines(compose(s, consultation["handle"], since=utcnow() - timedelta(hours=1)), None)
    assert "Round 1: 2 input(s) of UNIDO responded to (2 noted)." in lines
    assert "Round 1: 2 input(s) of WFP responded to (2 noted)." in lines
