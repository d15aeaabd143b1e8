"""Scenario: the secretariat opens a round; focal points answer in Slack; the secretariat responds."""

from __future__ import annotations

import json
import re

from sqlmodel import Session, select

from storage.models import Input, InputRevision, NilReturn, Response, Round
from tests.conftest import SECRETARIAT
from tests.slack_requests import state


def _text(call) -> str:
    return json.dumps(call.params, ensure_ascii=False)


def _open_round(sender, slack, consultation, **overrides) -> dict:
    sender.command(SECRETARIAT, f"round open {consultation['handle']}")
    view = slack.wait_for("views.open")[0].params["view"]
    values = {"version": state("static_select", str(consultation["version_id"])),
              "deadline_date": state("datepicker", "2031-06-30"), "deadline_time": {"type": "timepicker",
                                                                                     "selected_time": "17:00"},
              "timezone": state("plain_text_input", "Europe/Zurich"),
              "entities": state("multi_static_select", ["UNIDO", "WMO", "WFP", "UNEP"]),
              "instructions": state("plain_text_input", "Comment on sections 1 and 3.2 <!channel>")}
    values.update(overrides)
    response = sender.submit_view(SECRETARIAT, view, values)
    if response.content:
        return response.json()
    for focal in consultation["focal"].values():  # every invitation is out before the test goes on
        slack.wait_for("chat.postMessage", lambda c, f=focal: c.params.get("channel") == f)
    return {}


def _round_id(engine, handle) -> int:
    from bot.processes.service import get_process

    with Session(engine) as s:
        return s.exec(select(Round).where(Round.process_id == get_process(s, handle).id)).one().id


def test_opening_a_round_announces_it_and_dms_each_focal_point_in_their_time_zone(sender, slack, consultation):
    assert _open_round(sender, slack, consultation) == {}
    announced = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "C0FRAMEWORK")[0]
    text = _text(announced)
    assert "Round 1" in text and "Interim guidance" in text and "input.open" in text
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text
    unido = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == consultation["focal"]["UNIDO"])[0]
    token = re.search(r"<!date\^(\d+)\^[^|]+\|([^>]+)>", _text(unido))
    assert token and token.group(1) == "1940598000"  # 2031-06-30 17:00 in Geneva = 15:00 UTC
    assert "Europe/Zurich" in token.group(2)


def test_a_deadline_in_a_dst_gap_is_a_field_error(sender, slack, consultation):
    errors = _open_round(sender, slack, consultation, deadline_date=state("datepicker", "2031-03-30"),
                         deadline_time={"type": "timepicker", "selected_time": "02:30"})
    assert "does not exist in Europe/Zurich" in errors["errors"]["deadline_time"]


def test_focal_points_submit_inputs_and_nil_returns_and_the_board_shows_it(sender, slack, consultation, engine):
    _open_round(sender, slack, consultation)
    round_id = _round_id(engine, consultation["handle"])
    unido, wmo = consultation["focal"]["UNIDO"], consultation["focal"]["WMO"]

    slack.reset()
    sender.click(unido, "input.open", str(round_id))
    modal = slack.wait_for("views.open")[0].params["view"]
    sections = [o["value"] for b in modal["blocks"] if b["block_id"] == "section" for o in b["element"]["options"]]
    assert sections == ["general", "1", "3.2"]
    draft = {"entity": state("static_select", "UNIDO"), "section": state("static_select", "3.2"),
             "input_kind": state("static_select", "substantive"),
             "comment": state("plain_text_input", "The scope should cover implementing partners."),
             "proposed_text": state("plain_text_input", "…and its implementing partners."),
             "rationale": state("plain_text_input", "")}
    empty = sender.submit_view(unido, modal, {**draft, "comment": state("plain_text_input", "  ")})
    assert "cannot be empty" in empty.json()["errors"]["comment"]
    assert sender.submit_view(unido, modal, draft, view_id="V0SAME").status_code == 200
    sender.submit_view(unido, modal, draft, view_id="V0SAME")  # a double click
    slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == unido and "R1-UNIDO-1" in _text(c))

    sender.click(wmo, "input.nil", str(round_id))
    assert "has no comments" in _text(slack.wait_for("response_url")[0])

    slack.reset()
    sender.command(SECRETARIAT, f"status {consultation['handle']}")
    board = _text(slack.wait_for("response_url")[0])
    assert "2 of 4 answered (1 with inputs, 1 no comments), 2 pending" in board
    with Session(engine) as s:
        inputs = s.exec(select(Input).where(Input.round_id == round_id)).all()
        assert len(inputs) == 1 and inputs[0].kind == "substantive" and not inputs[0].late
        assert len(s.exec(select(InputRevision).where(InputRevision.input_id == inputs[0].id)).all()) == 1
        assert s.exec(select(NilReturn).where(NilReturn.round_id == round_id)).one().by == wmo


def test_the_secretariat_answers_an_input_from_the_list(sender, slack, consultation, engine):
    _open_round(sender, slack, consultation)
    round_id = _round_id(engine, consultation["handle"])
    wfp = consultation["focal"]["WFP"]
    sender.click(wfp, "input.open", str(round_id))
    modal = slack.wait_for("views.open", lambda c: c.params["view"]["callback_id"] == "input.save")[0].params["view"]
    sender.submit_view(wfp, modal, {"entity": state("static_select", "WFP"), "section": state("static_select", "1"),
                                    "input_kind": state("static_select", "editorial"),
                                    "comment": state("plain_text_input", "Typo in the purpose.")})
    slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == wfp and "R1-WFP-1" in _text(c))
    slack.reset()
    sender.command(SECRETARIAT, f"inputs {consultation['handle']}")
    listing = slack.wait_for("response_url")[0].params
    respond = next(e for b in listing["blocks"] if b["type"] == "actions" for e in b["elements"]
                   if e["action_id"] == "input.respond")
    sender.click(SECRETARIAT, "input.respond", respond["value"])
    modal = slack.wait_for("views.open", lambda c: c.params["view"]["callback_id"] == "input.response")[0]
    modal = modal.params["view"]
    sender.submit_view(SECRETARIAT, modal, {"disposition": state("static_select", "accepted"),
                                            "response": state("plain_text_input", "Corrected in version 2.")})
    with Session(engine) as s:
        response = s.exec(select(Response).where(Response.input_id == int(respond["value"]))).one()
        assert (response.disposition, response.text, response.by) == ("accepted", "Corrected in version 2.",
                                                                      SECRETARIAT)


def test_a_person_not_asked_cannot_open_the_input_modal(sender, slack, consultation, engine, new_user):
    _open_round(sender, slack, consultation)
    round_id = _round_id(engine, consultation["handle"])
    slack.reset()
    sender.click(new_user(), "input.open", str(round_id))
    assert "not a focal point" in _text(slack.wait_for("response_url")[0])
    assert slack.calls_to("views.open") == []


def test_the_app_home_shows_a_focal_point_the_round_waiting_for_their_entity(sender, slack, consultation):
    _open_round(sender, slack, consultation)
    sender.home_opened(consultation["focal"]["UNIDO"])
    home = json.dumps(slack.wait_for("views.publish")[0].params["view"], ensure_ascii=False)
    assert "Rounds waiting for your entity: 1" in home and "*UNIDO* — round 1" in home and "input.open" in home


def test_the_comment_matrix_is_uploaded_to_the_process_channel_as_xlsx(sender, slack, consultation, engine):
    import io

    from openpyxl import load_workbook

    _open_round(sender, slack, consultation)
    round_id = _round_id(engine, consultation["handle"])
    for code, section, comment in (("WMO", "3.2", "Add meteorological services."), ("UNIDO", "1", "Clarify.")):
        user = consultation["focal"][code]
        sender.click(user, "input.open", str(round_id))
        modal = slack.wait_for("views.open", lambda c, u=user: c.params["view"]["callback_id"] == "input.save")[-1]
        sender.submit_view(user, modal.params["view"], {
            "entity": state("static_select", code), "section": state("static_select", section),
            "input_kind": state("static_select", "substantive"), "comment": state("plain_text_input", comment)})
        slack.wait_for("chat.postMessage", lambda c, u=user: c.params.get("channel") == u and "saved" in _text(c))
    sender.command(SECRETARIAT, f"export matrix {consultation['handle']} xlsx")
    done = slack.wait_for("files.completeUploadExternal", timeout=10)[0]
    assert done.params["channel_id"] == "C0FRAMEWORK"
    name = f"{consultation['handle']}-round-1-comment-matrix.xlsx"
    uploaded = next(f for f in slack.uploaded_files.values() if f["filename"] == name)
    sheet = load_workbook(io.BytesIO(uploaded["bytes"])).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    header = next(i for i, row in enumerate(values) if row[0] == "No.")
    body = [row for row in values[header + 1:] if row[0] is not None]
    assert [(row[1], row[4]) for row in body][:2] == [("UNIDO", "Clarify."), ("WMO", "Add meteorological services.")]


def test_a_focal_point_cannot_export_the_matrix(sender, slack, consultation):
    sender.command(consultation["focal"]["WMO"], f"export matrix {consultation['handle']}")
    assert "*secretariat / chair* role" in _text(slack.wait_for("response_url")[0])


def test_a_focal_point_edits_an_input_and_reads_its_history(sender, slack, consultation, engine):
    _open_round(sender, slack, consultation)
    round_id = _round_id(engine, consultation["handle"])
    unido = consultation["focal"]["UNIDO"]
    sender.click(unido, "input.open", str(round_id))
    modal = slack.wait_for("views.open", lambda c: c.params["view"]["callback_id"] == "input.save")[-1]
    draft = {"entity": state("static_select", "UNIDO"), "section": state("static_select", "1"),
             "input_kind": state("static_select", "editorial"), "comment": state("plain_text_input", "First.")}
    sender.submit_view(unido, modal.params["view"], draft)
    slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == unido and "revision 1" in _text(c))
    with Session(engine) as s:
        input_id = s.exec(select(Input).where(Input.round_id == round_id)).one().id
    slack.reset()
    sender.click(unido, "input.edit", str(input_id))
    edit = slack.wait_for("views.open")[0].params["view"]
    assert json.loads(edit["private_metadata"])["input_id"] == input_id
    assert next(b for b in edit["blocks"] if b["block_id"] == "comment")["element"]["initial_value"] == "First."
    sender.submit_view(unido, edit, {**draft, "comment": state("plain_text_input", "Second.")})
    slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == unido and "revision 2" in _text(c))
    sender.click(unido, "input.history", str(input_id))
    history = _text(slack.wait_for("response_url")[0])
    assert "2 revision(s)" in history and "First." in history and "Second." in history
    sender.click(consultation["focal"]["WMO"], "input.history", str(input_id))
    assert "not a focal point of *UNIDO*" in _text(slack.wait_for("response_url", count=2)[1])
