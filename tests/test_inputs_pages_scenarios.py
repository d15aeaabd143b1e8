"""Scenario: the secretariat answers every input of a 30-input round in Slack, a page at a time, filtered;
a focal point's App Home tells apart the rounds their entity answered."""

from __future__ import annotations

import json
import re
from datetime import date

from sqlmodel import Session

from bot.exports.matrix_model import Matrix
from bot.inputs.matrix import matrix_of
from bot.inputs.service import InputDraft, respond, submit_input
from bot.people.service import find_person
from bot.rounds.service import OpenRound, open_round
from storage.db import session_scope
from storage.models import Round
from tests.conftest import SECRETARIAT

SECTIONS = ["1", "3.2", ""]  # "" is a general comment


def _round_with_inputs(engine, consultation, counts: dict[str, int], answered: int = 0) -> int:
    """A round asking UNIDO, WMO and WFP; each entity's inputs spread over both sections and general."""
    with session_scope(engine) as s:
        secretariat = find_person(s, SECRETARIAT)
        round_ = open_round(s, secretariat, OpenRound(process=consultation["handle"], deadline_date=date(2031, 6, 30),
                                                      entities=list(counts), reminders=[]))
        made = []
        for code, count in counts.items():
            focal = find_person(s, consultation["focal"][code])
            for n in range(count):
                made.append(submit_input(s, focal, round_, InputDraft(
                    entity=code, section=SECTIONS[n % 3], kind="substantive", comment=f"{code} comment {n + 1}")))
        for saved in made[:answered]:
            respond(s, secretariat, saved.input.id, "noted", "Thank you.")
        return round_.id


def _blocks(call) -> list[dict]:
    return call.params["blocks"]


def _buttons(blocks: list[dict], action_id: str) -> list[dict]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"] if e["action_id"] == action_id]


def _refs(blocks: list[dict]) -> list[str]:
    return [m.group(1) for b in blocks if b["type"] == "section"
            for m in [re.match(r"\*(R\d+-[A-Z]+-\d+)\*", b["text"]["text"])] if m]


def _footer(blocks: list[dict]) -> str:
    return " ".join(e["text"] for b in blocks if b["type"] == "context" for e in b["elements"])


def _matrix_refs(engine, round_id: int) -> list[str]:
    with Session(engine) as s:
        matrix: Matrix = matrix_of(s, s.get(Round, round_id))
        return [row.ref for row in matrix.rows]


def test_thirty_inputs_two_pages_each_input_with_its_respond_button_in_the_matrix_order(sender, slack, consultation,
                                                                                       engine):
    round_id = _round_with_inputs(engine, consultation, {"UNIDO": 12, "WMO": 10, "WFP": 8})
    sender.command(SECRETARIAT, f"inputs {consultation['handle']}")
    first = _blocks(slack.wait_for("response_url")[0])
    assert len(first) <= 50
    assert len(_refs(first)) == 20 and len(_buttons(first, "input.respond")) == 20
    assert "Inputs 1–20 of 30 · page 1 of 2" in _footer(first)
    assert not _buttons(first, "inputs.previous")

    slack.reset()
    sender.click(SECRETARIAT, "inputs.next", _buttons(first, "inputs.next")[0]["value"])
    call = slack.wait_for("response_url")[0]
    second = _blocks(call)
    assert call.params["replace_original"] is True  # the same message, turned to page 2
    assert len(_refs(second)) == 10 and len(_buttons(second, "input.respond")) == 10
    assert "Inputs 21–30 of 30 · page 2 of 2" in _footer(second)
    assert _buttons(second, "inputs.previous") and not _buttons(second, "inputs.next")

    slack.reset()  # one click narrows the list to what still needs a response
    sender.click(SECRETARIAT, "inputs.unanswered", _buttons(second, "inputs.unanswered")[0]["value"])
    narrowed = _blocks(slack.wait_for("response_url")[0])
    assert "Inputs 1–20 of 30 · page 1 of 2" in _footer(narrowed) and "disposition unanswered" in _footer(narrowed)
    assert not _buttons(narrowed, "inputs.unanswered")

    shown = _refs(first) + _refs(second)
    assert shown == _matrix_refs(engine, round_id)  # the comment matrix's order: by section, general last
    assert shown[:4] == ["R1-UNIDO-1", "R1-UNIDO-4", "R1-UNIDO-7", "R1-UNIDO-10"]  # section 1, by entity
    assert shown[-9:] == ["R1-UNIDO-3", "R1-UNIDO-6", "R1-UNIDO-9", "R1-UNIDO-12", "R1-WFP-3", "R1-WFP-6",
                          "R1-WMO-3", "R1-WMO-6", "R1-WMO-9"]  # the general comments last


def test_filters_by_disposition_entity_and_section(sender, slack, consultation, engine):
    _round_with_inputs(engine, consultation, {"UNIDO": 6, "WMO": 6, "WFP": 3}, answered=4)
    handle = consultation["handle"]
    sender.command(SECRETARIAT, f"inputs {handle} disposition unanswered")
    unanswered = _blocks(slack.wait_for("response_url")[0])
    assert "of 11" in _footer(unanswered) and "disposition unanswered" in _footer(unanswered)
    assert "R1-UNIDO-1" not in _refs(unanswered) and len(_refs(unanswered)) == 11

    slack.reset()
    sender.command(SECRETARIAT, f"inputs {handle} entity wmo section 3.2")
    wmo = _refs(_blocks(slack.wait_for("response_url")[0]))
    assert wmo == ["R1-WMO-2", "R1-WMO-5"]

    slack.reset()
    sender.command(SECRETARIAT, f"inputs {handle} section general disposition noted")
    assert _refs(_blocks(slack.wait_for("response_url")[0])) == ["R1-UNIDO-3"]


def test_a_focal_point_pages_through_their_own_entitys_inputs_only(sender, slack, consultation, engine):
    _round_with_inputs(engine, consultation, {"UNIDO": 4, "WMO": 3})
    sender.command(consultation["focal"]["WMO"], f"inputs {consultation['handle']}")
    blocks = _blocks(slack.wait_for("response_url")[0])
    assert sorted(_refs(blocks)) == ["R1-WMO-1", "R1-WMO-2", "R1-WMO-3"]
    assert len(_buttons(blocks, "input.edit")) == 3 and not _buttons(blocks, "input.respond")


def test_bad_filters_and_tampered_page_buttons_get_a_clear_answer(sender, slack, consultation, engine):
    _round_with_inputs(engine, consultation, {"UNIDO": 1})
    handle = consultation["handle"]
    for words, expected in (("disposition maybe", "is not a disposition"), ("section 9.9", "has no section"),
                            ("entity NOPE", "No entity has the code"), ("page", "Usage")):
        slack.reset()
        assert sender.command(SECRETARIAT, f"inputs {handle} {words}").status_code == 200
        assert expected in json.dumps(slack.wait_for("response_url")[0].params, ensure_ascii=False)
    slack.reset()
    assert sender.click(SECRETARIAT, "inputs.next", '{"r": "x"}').status_code == 200
    assert "out of date or not yours" in json.dumps(slack.wait_for("response_url")[0].params, ensure_ascii=False)


def _home(sender, slack, user) -> str:
    slack.reset()
    sender.home_opened(user)
    return json.dumps(slack.wait_for("views.publish")[0].params["view"], ensure_ascii=False)


def test_the_app_home_shows_answered_rounds_apart_with_add_input(sender, slack, consultation, engine):
    from bot.inputs.service import nil_return

    round_id = _round_with_inputs(engine, consultation, {"UNIDO": 2, "WMO": 0, "WFP": 0})
    with session_scope(engine) as s:
        nil_return(s, find_person(s, consultation["focal"]["WMO"]), s.get(Round, round_id), "WMO")

    unido = _home(sender, slack, consultation["focal"]["UNIDO"])
    assert "Rounds waiting for your entity" not in unido and "Submit input" not in unido
    assert "Rounds your entity answered: 1" in unido and "*UNIDO* answered: 2 inputs" in unido
    assert '"action_id": "input.open"' in unido and "Add input" in unido

    wmo = _home(sender, slack, consultation["focal"]["WMO"])
    assert "*WMO* answered: no comments" in wmo and "Add input" in wmo and "No comments" not in wmo

    wfp = _home(sender, slack, consultation["focal"]["WFP"])  # has not answered: still asked, as before
    assert "Rounds waiting for your entity: 1" in wfp and "*WFP* — round" in wfp and "answered" not in wfp


def test_after_the_deadline_an_answered_round_has_no_add_input(sender, slack, consultation, engine):
    from datetime import timedelta

    from storage.types import utcnow

    round_id = _round_with_inputs(engine, consultation, {"UNIDO": 1})
    with session_scope(engine) as s:  # the deadline passed; the round is not closed yet (late inputs marked)
        s.get(Round, round_id).deadline = utcnow() - timedelta(hours=1)
    unido = _home(sender, slack, consultation["focal"]["UNIDO"])
    assert "*UNIDO* answered: 1 input" in unido and "Add input" not in unido


def test_the_section_picker_shows_the_first_words_of_numbered_paragraphs(sender, slack, consultation, engine):
    from storage.models import DocumentVersion, Section

    with session_scope(engine) as s:
        s.add(Section(version_id=consultation["version_id"], position=2, number="para 3", heading="",
                      text="The Parties agree that entities report their greenhouse gas emissions every year, "
                           "using the UN system's common methodology.", identity=f"{consultation['handle']}-p3"))
        assert s.get(DocumentVersion, consultation["version_id"]) is not None
    round_id = _round_with_inputs(engine, consultation, {"UNIDO": 0})
    sender.click(consultation["focal"]["UNIDO"], "input.open", str(round_id))
    modal = slack.wait_for("views.open")[0].params["view"]
    labels = [o["text"]["text"] for b in modal["blocks"] if b["block_id"] == "section" for o in b["element"]["options"]]
    assert labels[1:3] == ["1 Purpose", "3.2 Scope of application"]
    assert labels[3].startswith("para 3 — The Parties agree that entities report") and len(labels[3]) <= 75
    assert labels[3].endswith("…")
