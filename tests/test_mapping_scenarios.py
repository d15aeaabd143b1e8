"""Scenario: a biodiversity mapping through signed requests to a running bot and the Slack double, on SQLite and
PostgreSQL. The secretariat opens the Aichi mapping on the biodiversity IMG; a dozen entities answer through
the form (grid pages by strategic goal, then their tools and knowledge products, any number of them), CBD and
UNEP volunteering to lead targets; bad answers come back under their fields with nothing saved; a double
submission acts once; a focal point cannot answer for another entity; the secretariat returns an answer with a
question, follows the status, shows who covers what (and the gaps), exports the matrix and the catalogue, and
closes the mapping."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from bot.entities.service import get_entity
from bot.mapping.service import responses
from bot.people.service import find_person
from bot.processes.service import NewProcess, create_process
from bot.roles.service import grant
from storage.db import session_scope
from storage.models import AuditEntry, Mapping, MappingResponse, Process, Reminder, Role
from storage.types import utcnow
from tests.conftest import SECRETARIAT
from tests.slack_double_limits import block_kit_errors, view_errors
from tests.slack_requests import state

ASKED = ["CBD", "UNEP", "UNDP", "FAO", "UNESCO", "CITES", "UNCCD", "UNFCCC", "UNU", "WMO", "IMO", "UNWTO"]
CBD_GRID = {"t17": {"functions": "Guidance on NBSAPs", "volunteer": "lead"},
            "t19": {"tools": "Clearing-house mechanism", "volunteer": "lead"},
            "t11": {"indicators": "Protected area coverage"}}
CBD_PRODUCTS = [{"title": "NBSAP forum", "type": "database", "link": "https://nbsapforum.net",
                 "topics": ["knowledge"]},
                {"title": "Global Biodiversity Outlook", "type": "report", "topics": ["ecosystems", "species"]},
                {"title": "CHM toolkit", "type": "toolkit", "link": "https://chm.cbd.int", "topics": ["knowledge"]},
                {"title": "Bio-bridge guide", "type": "guidance", "topics": ["mainstreaming"]}]
UNEP_GRID = {"t08": {"functions": "Pollution assessments", "volunteer": "lead"},
             "t19": {"functions": "UN Biodiversity Lab", "volunteer": "facilitate"},
             "t02": {"decisions": "UNEA resolution 2/16"}}
UNEP_PRODUCTS = [{"title": "TEEB toolkit", "type": "toolkit", "link": "https://teebweb.org",
                  "topics": ["mainstreaming", "finance"]}]
OTHERS = {"UNDP": {"t03": {"functions": "BIOFIN"}, "t20": {"functions": "BIOFIN", "volunteer": "facilitate"}},
          "FAO": {"t07": {"functions": "Sustainable agriculture and forestry"}, "t06": {"tools": "Fisheries code"}},
          "UNESCO": {"t18": {"functions": "Local and indigenous knowledge"}, "t01": {"tools": "World heritage"}},
          "CITES": {"t12": {"decisions": "Appendix listings"}, "t04": {"functions": "Legal and sustainable trade"}},
          "UNCCD": {"t15": {"functions": "Land degradation neutrality"}, "t05": {"indicators": "Land cover"}},
          "UNFCCC": {"t10": {"functions": "Coral reefs and climate"}},
          "UNU": {"t14": {"functions": "Satoyama initiative"}, "t13": {"functions": "Crop diversity research"}},
          "WMO": {"t09": {"tools": "Early warning"}},
          "IMO": {"t09": {"functions": "Ballast water convention"}}}


def _text(call) -> str:
    return json.dumps(call.params, ensure_ascii=False)


def _page(view: dict) -> int:
    return json.loads(view["private_metadata"])["page"]


def page_values(view: dict, grid: dict, products: list) -> dict:
    """What Slack reports for one page of the form with these answers (blank where none)."""
    values = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        block_id, kind = block["block_id"], block["element"]["type"]
        prefix, first, part = block_id.split(":")
        if prefix == "mapgrid":
            value = grid.get(first, {}).get(part)
        else:
            number = int(first)
            value = products[number - 1].get(part) if number <= len(products) else None
        if kind == "static_select":
            values[block_id] = state(kind, value) if value else {"type": kind, "selected_option": None}
        elif kind == "multi_static_select":
            values[block_id] = state(kind, value or [])
        else:
            values[block_id] = state(kind, value or None)
    return values


class Img:
    """The biodiversity IMG of this test: a dozen member entities, a focal point each."""

    def __init__(self, engine, slack) -> None:
        self.engine = engine
        self.handle = f"img-bio-{uuid.uuid4().hex[:6]}"
        self.focal: dict[str, str] = {}
        with session_scope(engine) as s:
            process = create_process(s, find_person(s, SECRETARIAT), NewProcess(
                handle=self.handle, kind="img", timezone="Europe/Zurich",
                title="Issue Management Group on Biodiversity", members=ASKED))
            for code in ASKED:
                user = f"U{self.handle[-6:].upper()}{code}"
                slack.add_user(user, f"{code} biodiversity focal point", tz="Europe/Zurich")
                grant(s, SECRETARIAT, user, Role.FOCAL_POINT, process, get_entity(s, code))
                self.focal[code] = user

    def mapping(self, s: Session) -> Mapping | None:
        return s.exec(select(Mapping).join(Process, Process.id == Mapping.process_id)
                      .where(Process.handle == self.handle, Mapping.survey == "aichi")).first()

    def responses(self) -> dict[str, MappingResponse]:
        with Session(self.engine) as s:
            return {e.code: r for e, r in responses(s, self.mapping(s))}


@pytest.fixture
def img(bot, engine, slack) -> Img:
    return Img(engine, slack)


def _opened(slack, callback: str) -> dict:
    return slack.wait_for("views.open", lambda c: c.params["view"]["callback_id"] == callback)[-1].params["view"]


def answer_all(sender, user: str, view: dict, grid: dict, products: list, view_id: str) -> dict:
    """"Save and next" page after page; the last answer ({} when the modal closed)."""
    entity = json.loads(view["private_metadata"])["entity"]
    assert user.endswith(entity)
    while True:
        answer = sender.submit_view(user, view, page_values(view, grid, products), view_id=view_id)
        body = answer.json() if answer.content else {}
        if body.get("response_action") != "update":
            return body
        assert view_errors(body["view"]) == [], view_errors(body["view"])
        view = body["view"]


def test_a_biodiversity_mapping_answered_by_a_dozen_entities(sender, slack, img, engine):
    handle = img.handle
    # only the secretariat opens a mapping; a survey that does not exist is named
    sender.command(img.focal["CBD"], f"mapping open {handle} aichi")
    assert "*secretariat* role" in _text(slack.wait_for("response_url")[0])
    sender.command(SECRETARIAT, f"mapping open {handle} aichy")
    assert "aichy is not a mapping survey (known: aichi, chemicals, green_economy)" in _text(
        slack.wait_for("response_url", lambda c: "aichy" in _text(c))[0])

    sender.command(SECRETARIAT, f"mapping open {handle} aichi")
    view = _opened(slack, "mapping.open")
    assert view_errors(view) == []
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert sorted(o["value"] for o in blocks["entities"]["element"]["initial_options"]) == sorted(ASKED)
    soon = (utcnow() + timedelta(days=30)).date().isoformat()
    values = {"deadline_date": state("datepicker", soon), "deadline_time": {"type": "timepicker",
                                                                           "selected_time": "17:00"},
              "timezone": state("plain_text_input", "Europe/Zurich"), "entities": state("multi_static_select", ASKED)}
    past = sender.submit_view(SECRETARIAT, view, {**values, "deadline_date": state("datepicker", "2020-01-10")})
    assert "deadline must be in the future" in past.json()["errors"]["deadline_date"]
    zone = sender.submit_view(SECRETARIAT, view, {**values, "timezone": state("plain_text_input", "Geneva")})
    assert "Europe/Zurich" in zone.json()["errors"]["timezone"]
    with Session(engine) as s:
        assert img.mapping(s) is None  # nothing opened
    assert not sender.submit_view(SECRETARIAT, view, values, view_id="VMAPOPEN").content
    for code, user in img.focal.items():
        dm = _text(slack.wait_for("chat.postMessage", lambda c, u=user: c.params.get("channel") == u)[0])
        assert f"asks *{code}* to answer *System-wide mapping of support to the Aichi Biodiversity Targets*" in dm
        assert f'"{handle}:aichi:{code}"' in dm and "mapping.fill" in dm
    assert not sender.submit_view(SECRETARIAT, view, values, view_id="VMAPOPEN").content  # Slack's retry: once
    reply = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == SECRETARIAT
                           and "is open" in _text(c))
    assert len(reply) == 1 and "12 entities asked" in _text(reply[0])
    with Session(engine) as s:
        chase = s.exec(select(Reminder).where(Reminder.kind == "mapping.reminder",
                                              Reminder.subject_id == img.mapping(s).id)).all()
    assert len(chase) == 12 * 3 and {r.recipient for r in chase} == set(img.focal.values())
    assert len([c for c in slack.calls_to("chat.postMessage") if "asks *CBD*" in _text(c)]) == 1

    # CBD's focal point: page 1 is strategic goal A, four targets, five questions each
    cbd = img.focal["CBD"]
    sender.click(cbd, "mapping.fill", f"{handle}:aichi:CBD")
    view = _opened(slack, "mapping.page")
    assert view_errors(view) == [] and _page(view) == 1 and view["submit"]["text"] == "Save and next"
    assert "Strategic goal A" in json.dumps(view) and len([b for b in view["blocks"] if b["type"] == "input"]) == 20
    wrong = sender.submit_view(cbd, view, page_values(view, {"t01": {"volunteer": "chair", "tools": "x" * 1001}}, []),
                               view_id="VCBD").json()["errors"]
    assert "choose one of We volunteer to lead, We volunteer to facilitate" in wrong["mapgrid:t01:volunteer"]
    assert "keep it under 1000 characters" in wrong["mapgrid:t01:tools"]
    assert img.responses()["CBD"].draft is None  # nothing saved from a page with errors

    # the grid pages, then the products page: three rows, all filled, so three more rows come
    products_page = None
    while True:
        answer = sender.submit_view(cbd, view, page_values(view, CBD_GRID, CBD_PRODUCTS[:3]), view_id="VCBD").json()
        view = answer["view"]
        assert view_errors(view) == []
        if "mapprod:1:title" in json.dumps(view):
            products_page = _page(view)
            break
    assert products_page == 6 and view["submit"]["text"] == "Submit"
    assert img.responses()["CBD"].draft["grid"] == CBD_GRID
    more = sender.submit_view(cbd, view, page_values(view, CBD_GRID, CBD_PRODUCTS[:3]), view_id="VCBD").json()
    assert more["response_action"] == "update" and _page(more["view"]) == 6
    shown = json.dumps(more["view"])
    assert "mapprod:6:title" in shown and "NBSAP forum" in shown  # six rows now, three of them saved
    view = more["view"]
    bad = CBD_PRODUCTS[:3] + [{**CBD_PRODUCTS[3], "link": "bio-bridge"}]
    errors = sender.submit_view(cbd, view, page_values(view, {}, bad), view_id="VCBD").json()["errors"]
    assert errors == {"mapprod:4:link": "Product 4: the link must be a web address starting with http:// or https://."}
    assert not sender.submit_view(cbd, view, page_values(view, {}, CBD_PRODUCTS), view_id="VCBD").content
    assert not sender.submit_view(cbd, view, page_values(view, {}, CBD_PRODUCTS), view_id="VCBD").content  # retry
    done = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == cbd and "are in" in _text(c))
    assert len(done) == 1
    cbd_row = img.responses()["CBD"]
    assert cbd_row.status == "submitted" and cbd_row.draft is None
    assert [p["title"] for p in cbd_row.answers["products"]] == [p["title"] for p in CBD_PRODUCTS]

    # a focal point cannot answer for another entity, even with the form's metadata changed
    forged = {**view, "private_metadata": json.dumps({"process": handle, "survey": "aichi", "entity": "UNEP",
                                                      "page": 1})}
    sender.submit_view(cbd, forged, {}, view_id="VFORGED")
    assert "Only a focal point of UNEP or the secretariat" in _text(
        slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == cbd and "UNEP" in _text(c))[0])

    # the eleven others
    unep = img.focal["UNEP"]
    slack.reset()
    sender.click(unep, "mapping.fill", f"{handle}:aichi:UNEP")
    assert answer_all(sender, unep, _opened(slack, "mapping.page"), UNEP_GRID, UNEP_PRODUCTS, "VUNEP") == {}
    for code, grid in OTHERS.items():
        slack.reset()
        sender.command(img.focal[code], f"mapping fill {handle} aichi")
        assert answer_all(sender, img.focal[code], _opened(slack, "mapping.page"), grid, [], f"V{code}") == {}
    with Session(engine) as s:
        submitted = s.exec(select(AuditEntry).where(AuditEntry.action == "mapping.submitted")).all()
    mine = [a for a in submitted if a.subject_id in {str(r.id) for r in img.responses().values()}]
    assert len(mine) == 11  # CBD once despite the retry; UNWTO never answered
    assert img.responses()["UNWTO"].status == "pending"

    # the secretariat returns UNEP's answers with a question; they still count
    slack.reset()
    sender.command(SECRETARIAT, f"mapping return {handle} aichi UNEP")
    view = _opened(slack, "mapping.return")
    empty = sender.submit_view(SECRETARIAT, view, {"mapping_question": state("plain_text_input", " ")})
    assert "Ask the question" in empty.json()["errors"]["mapping_question"]
    question = "Will you also lead target 19?"
    assert not sender.submit_view(SECRETARIAT, view, {"mapping_question": state("plain_text_input", question)},
                                  view_id="VRET").content
    told = _text(slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == unep)[0])
    assert question in told and "Revise the answers" in told
    assert img.responses()["UNEP"].status == "returned"

    # status: the secretariat only
    sender.command(unep, f"mapping status {handle} aichi")
    assert "secretariat / chair" in _text(slack.wait_for("response_url")[0])
    slack.reset()
    sender.command(SECRETARIAT, f"mapping status {handle} aichi")
    status = _text(slack.wait_for("response_url")[0])
    assert "12 entities asked — 10 submitted, 1 returned with a question, 0 with a draft, 1 not started" in status
    assert "UNWTO: not started" in status and "UNEP: returned with a question" in status

    # who covers what: anyone may look
    slack.reset()
    sender.command(img.focal["IMO"], f"mapping show {handle} aichi")
    shown = _text(slack.wait_for("response_url")[0])
    assert "*19. Sharing information and knowledge* — covered by CBD, UNEP · lead: CBD · facilitate: UNEP" in shown
    assert "*8. Pollution reduced* — covered by UNEP · lead: UNEP" in shown
    assert "*9. Invasive alien species prevented and controlled* — covered by IMO, WMO · lead: —" in shown
    assert "*Gaps* (Aichi Biodiversity Targets nobody covers): 16. Access to and sharing benefits from genetic " \
           "resources" in shown

    # who does what on one target: leads first, with the texts typed for it; a target not of the survey is named
    slack.reset()
    sender.command(img.focal["IMO"], f"mapping show {handle} aichi 19")
    reply = slack.wait_for("response_url")[0]
    assert block_kit_errors(reply.params["blocks"]) == []
    shown = [b["text"]["text"] for b in reply.params["blocks"] if b["type"] == "section"]
    assert shown[1].startswith("*CBD* (") and "— Lead\n*Tools:* Clearing-house mechanism" in shown[1]
    assert shown[2].startswith("*UNEP* (") and "— Facilitate\n*Key functions:* UN Biodiversity Lab" in shown[2]
    assert f"`/consult mapping export {handle} aichi matrix`" in _text(reply)
    slack.reset()
    sender.command(img.focal["IMO"], f"mapping show {handle} aichi 21")
    assert "21 is not one of the Aichi Biodiversity Targets of this survey (known: 1, 2, 3" in _text(
        slack.wait_for("response_url")[0])

    # the exports, posted as files
    slack.reset()
    sender.command(SECRETARIAT, f"mapping export {handle} aichi")
    slack.wait_for("files.completeUploadExternal")
    upload = slack.uploads_to("D" + SECRETARIAT)[-1]
    assert upload["filename"] == f"{handle}-aichi-matrix.xlsx"
    book = load_workbook(io.BytesIO(upload["bytes"]))
    texts = list(book["Answers per target"].iter_rows(values_only=True))
    assert ("8. Pollution reduced", "UNEP", "Lead", "Pollution assessments", None, None, None) in texts
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[2][0] == "Gaps (Aichi Biodiversity Targets nobody covers): 16"
    by_code = {r[0]: r[1:] for r in rows[5:]}
    assert len(by_code) == 12 and by_code["CBD"][16] == "Lead" and by_code["CBD"][18] == "Lead"
    assert by_code["UNEP"][7] == "Lead" and by_code["UNEP"][18] == "Facilitate" and by_code["UNEP"][1] == "✓"
    assert set(by_code["UNWTO"]) == {"no answer"}
    slack.reset()
    sender.command(SECRETARIAT, f"mapping export {handle} aichi catalogue csv topic=knowledge")
    slack.wait_for("files.completeUploadExternal")
    catalogue = list(csv.reader(io.StringIO(slack.uploads_to("D" + SECRETARIAT)[-1]["bytes"].decode("utf-8-sig"))))
    assert [r[1] for r in catalogue[1:]] == ["NBSAP forum", "CHM toolkit"]
    slack.reset()
    sender.command(SECRETARIAT, f"mapping export {handle} aichi catalogue docx type=atlas")
    assert "atlas is not a type of product" in _text(slack.wait_for("response_url")[0])
    sender.command(SECRETARIAT, f"mapping export {handle} aichi pdf")
    assert "mapping export PROCESS SURVEY" in _text(slack.wait_for("response_url", lambda c: "pdf" not in _text(c)
                                                                  and "export" in _text(c))[-1])

    # closing: the missing entity is named; nothing changes any more
    slack.reset()
    sender.command(SECRETARIAT, f"mapping close {handle} aichi")
    assert "11 of 12 entities answered. Not answered: UNWTO." in _text(slack.wait_for("response_url")[0])
    with Session(engine) as s:
        assert {r.status for r in s.exec(select(Reminder).where(Reminder.kind == "mapping.reminder",
                                                                Reminder.subject_id == img.mapping(s).id))} \
            == {"cancelled"}
    sender.command(img.focal["UNWTO"], f"mapping fill {handle} aichi")
    assert "is closed" in _text(slack.wait_for("response_url", lambda c: "closed" in _text(c)
                                               and "answered" not in _text(c))[0])
