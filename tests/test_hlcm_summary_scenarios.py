"""Scenario: `/consult hlcm summary YEAR` through signed requests to the running bot and the Slack double, on
SQLite and PostgreSQL. The secretariat asks for 2005 (2004 and 2005 came from past records): the channel gets a
short message within Block Kit's limits, then the three charts and the DOCX in one upload. A focal point is
refused; a year without figures, a year out of range and a missing year get a clear ephemeral answer; where the
bot cannot post, the summary comes by direct message.

The years are far in the past so that no other test's data call or import touches them in the shared database."""

from __future__ import annotations

import json
from io import BytesIO

import pytest
from docx import Document
from sqlmodel import Session

from bot.hlcm.history import import_csv
from bot.hlcm.summary import compile_year
from storage.db import session_scope
from tests.conftest import SECRETARIAT

PNG = b"\x89PNG\r\n\x1a\n"
CHANNEL = "C0FRAMEWORK"
HISTORY = """year,entity,scope1,scope2,scope3_travel,air_travel,staff,strategy,ems,climate_neutral,procurement_policy,offsets
2004,UNEP,500,1000,1500,1200,800,drafting,none,no,no,0
2004,UNDP,2000,1000,3000,2500,5000,drafting,none,no,no,0
2005,UNEP,600,1000,1400,1100,800,approved,met,yes,yes,3000
2005,UNDP,2200,1300,3500,3000,5200,drafting,approaching,no,yes,0
2005,WMO,100,200,200,150,300,none,none,no,no,0
2005,WFP,1500,500,2000,1600,4000,approved,approaching,no,no,0
2005,ILO,300,400,300,200,700,drafting,met,no,yes,0
"""
# By hand: 2005 totals UNEP 3,000, UNDP 7,000, WMO 500, WFP 4,000, ILO 1,000 = 15,500 over 11,000 staff (1.41);
# 2004: 3,000 + 6,000 = 9,000 (+72.2 % for the totals, of 2 and 5 entities); UNEP and UNDP reported both years:
# 9,000 -> 10,000, +11.1 % like for like.
NARRATIVE = (
    "In 2005, 5 entities reported their environmental sustainability figures. "
    "Together they emitted 15,500 tCO2e (1.41 tCO2e per staff member): 4,700 from their own sources (scope 1), "
    "3,400 from purchased energy (scope 2) and 7,400 from business travel, of which 6,050 from air travel. "
    "Like for like, the 2 entities that reported for both 2004 and 2005 raised their emissions by 11.1 % "
    "(9,000 → 10,000 tCO2e). The totals cover different entities: 9,000 tCO2e from 2 entities in 2004, "
    "15,500 tCO2e from 5 in 2005. "
    "2 entities had an emission reduction strategy approved by senior management, 1 was climate neutral, "
    "2 had an environmental management system in place and 2 more took concrete steps to implement one; "
    "3 had a sustainable procurement policy.")


@pytest.fixture
def history(bot, engine) -> None:
    with Session(engine) as s:
        if compile_year(s, 2005).annex:
            return
    with session_scope(engine) as s:
        report = import_csv(s, "test", HISTORY)
        assert report.ok, [p.text() for p in report.problems]


def _text(call) -> str:
    return json.dumps(call.params, ensure_ascii=False)


def _sections(blocks: list[dict]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]



def test_the_secretariat_gets_the_summary_the_charts_and_the_document_in_the_channel(sender, slack, history):
    response = sender.command(SECRETARIAT, "hlcm summary 2005", channel=CHANNEL)
    assert response.status_code == 200 and not response.content  # acked at once, the work comes after
    slack.wait_for("files.completeUploadExternal", timeout=30)
    [post] = [c for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == CHANNEL]
    blocks = post.params["blocks"]
    assert len(blocks) <= 50 and all(len(text) <= 3000 for text in _sections(blocks))
    assert blocks[0] == {"type": "header", "text": {
        "type": "plain_text", "text": "Environmental sustainability in the UN system: progress summary 2005",
        "emoji": True}}
    sections = _sections(blocks)
    assert sections[0] == "*Overview*\n" + NARRATIVE
    assert sections[1] == ("*Key figures*\nEntities reporting: *5* entities\nTotal emissions: *15,500* tCO2e\n"
                           "Staff: *11,000* people\nEmissions per staff member: *1.41* tCO2e/staff\n"
                           "Offsets retired: *3,000* tCO2e\nEmissions net of offsets: *12,500* tCO2e")
    assert sections[2] == ("*Emissions by source*\nScope 1 emissions: *4,700* tCO2e (30.3 %)\n"  # 4,700 / 15,500
                           "Scope 2 emissions: *3,400* tCO2e (21.9 %)\n"
                           "Scope 3 business travel emissions: *7,400* tCO2e (47.7 %)\n"
                           "of which air travel: *6,050* tCO2e (81.8 %)")  # of business travel: 6,050 / 7,400
    assert sections[3] == ("*Change against the previous year*\n"
                           "All entities reporting (2, then 5): 9,000 → *15,500* tCO2e (+72.2 %)\n"
                           "Entities reporting both years (2): 9,000 → *10,000* tCO2e (+11.1 %)")
    assert "Emission reduction strategy approved by senior management: *2*" in sections[4]
    assert "Environmental management system in place or approaching: *4*" in sections[4]
    # nobody reported staff trained for 2005: not reported, not 0
    assert sections[5] == "*What the HLCM reads: quantities*\nStaff trained: _not reported by any entity_"
    assert sections[6].startswith("*Entities that did not report*\n2005 was imported from past records")
    assert f"compiled by <@{SECRETARIAT}>" in _text(post)

    files = slack.uploads_to(CHANNEL)
    assert [f["filename"] for f in files] == ["hlcm-2005-emissions-by-source.png", "hlcm-2005-trend.png",
                                              "hlcm-2005-ems-status.png", "hlcm-summary-2005.docx"]
    assert all(f["bytes"].startswith(PNG) and len(f["bytes"]) > 5000 for f in files[:3])
    assert files[0]["comment"].startswith("Progress summary 2005: the charts and the full document")
    doc = Document(BytesIO(files[3]["bytes"]))
    assert NARRATIVE in [p.text for p in doc.paragraphs] and len(doc.inline_shapes) == 3
    assert [[c.text for c in row.cells] for row in doc.tables[0].rows][2] == ["Total emissions", "15,500", "tCO2e"]
    trend = [[c.text for c in row.cells] for row in doc.tables[5].rows]
    assert trend[1:] == [["2004", "2", "9,000", "1.55"], ["2005", "5", "15,500", "1.41"]]  # 9,000 / 5,800 staff
    assert not slack.calls_to("response_url")


def test_others_are_refused_and_bad_years_get_a_clear_answer(sender, slack, consultation, history):
    focal = consultation["focal"]["WMO"]
    sender.command(focal, "hlcm summary 2005", channel=CHANNEL)
    refused = _text(slack.wait_for("response_url")[0])
    assert "This needs the *secretariat* role" in refused
    for text, answer in (("hlcm summary 2002", "There are no figures for 2002 yet"),
                         ("hlcm summary 1999", "1999 is not a reporting year: give a year from 2000 to"),
                         ("hlcm summary twenty", "twenty is not a year"),
                         ("hlcm summary", "Use `/consult hlcm summary YEAR`"),
                         ("hlcm chart 2005", "Use `/consult hlcm summary YEAR`")):
        sender.command(SECRETARIAT, text, channel=CHANNEL)
        slack.wait_for("response_url", lambda c, a=answer: a in _text(c))
    assert not slack.calls_to("chat.postMessage") and not slack.calls_to("files.getUploadURLExternal")


def test_where_the_bot_cannot_post_the_summary_comes_by_direct_message(sender, slack, history):
    slack.fail_next("chat.postMessage", status=200, error="not_in_channel")
    sender.command(SECRETARIAT, "hlcm summary 2005", channel="C0NOTMEMBER")
    slack.wait_for("files.completeUploadExternal", timeout=30)
    dm = f"D{SECRETARIAT}"
    [post] = [c for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == dm]
    assert "I could not post in this channel" in _text(post) and NARRATIVE in _text(post)
    assert len(slack.uploads_to(dm)) == 4 and not slack.uploads_to("C0NOTMEMBER")
