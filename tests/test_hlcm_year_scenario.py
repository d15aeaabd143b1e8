"""Scenario: one year of HLCM reporting, end to end, through signed requests to the running bot and the Slack
double, on SQLite and PostgreSQL.

The previous year comes from past records (`consultbot hlcm import FILE`). The secretariat opens the data call for
a dozen entities through the modal; each entity's sustainability focal point gets the questionnaire in a DM and
fills it page by page in the modal: UNIDO types a unit in a number field first, UNESCO leaves a draft half-way and
finishes later, UNDP confirms a doubled scope 2 with a reason, WMO's submission is returned by the secretariat with
a question and revised (revision 2; revision 1 is kept), UNU leaves a draft and never submits, CBD and UNFCCC never
answer. After the deadline the status shows the three late entities and the secretariat closes the year. Then
`/consult hlcm summary YEAR` posts the summary (checked number by number against the sums worked out by hand
below), the three charts and the DOCX; `consultbot hlcm summary YEAR --format xlsx` writes the workbook. Both
documents are opened and read back.

The reporting year is last year; the year before it comes from the history file. The story runs on a private database served by a
`consultbot serve` of its own, talking to the same Slack double: the summary counts every entity, compares with
every earlier year and draws the trend over all years, so no other test's data call, focal points or imports may
share its database (tests/test_datacall_scenarios.py alone uses up most of the free years of the shared one)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from io import BytesIO
from typing import Any, Callable

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlmodel import Session, select

from bot.entities.service import get_entity
from bot.people.service import find_person
from bot.processes.service import NewProcess, create_process
from bot.roles.service import grant
from storage.db import session_scope
from storage.models import DataCall, Role, Submission
from storage.types import utcnow
from tests.bot_process import BotProcess, consultbot
from tests.conftest import SECRETARIAT
from tests.questionnaire_modal import fill, page_number, page_values
from tests.slack_double_limits import view_errors
from tests.slack_requests import SlackSender, initial_state, state

ASKED = ["UNEP", "UNDP", "WMO", "UNIDO", "WFP", "UNCTAD", "UNESCO", "ILO", "UNOPS", "CBD", "UNFCCC", "UNU"]
CHANNEL = "C0HLCMYEAR"
PNG = b"\x89PNG\r\n\x1a\n"

# The previous year, from past records: six entities, CBD among them (it will not report this year).
HISTORY = """\
year,entity,scope1,scope2,scope3_travel,air_travel,staff,offsets,climate_neutral,strategy,ems,procurement_policy
{p},UNEP,900,1800,2600,1800,1000,5000,yes,approved,met,yes
{p},UNDP,4000,3000,9000,7000,7500,0,no,drafting,approaching,yes
{p},WMO,200,300,500,400,500,1000,yes,drafting,met,no
{p},WFP,2500,1000,3500,2800,4800,0,no,approved,approaching,no
{p},ILO,300,700,1000,900,1000,0,no,drafting,none,no
{p},CBD,100,200,300,200,300,0,no,none,none,no
"""
# Previous year by hand: totals UNEP 900 + 1,800 + 2,600 = 5,300; UNDP 4,000 + 3,000 + 9,000 = 16,000; WMO 1,000;
# WFP 7,000; ILO 2,000; CBD 600 -> 31,900 over 1,000 + 7,500 + 500 + 4,800 + 1,000 + 300 = 15,100 staff (2.11).

IDS = ("scope1", "scope2", "scope3_travel", "air_travel", "staff", "offsets", "climate_neutral", "strategy", "ems",
       "procurement_policy", "staff_trained")
# As the focal points type them: scope 1, scope 2, business travel, of which air, staff, offsets, climate neutral,
# strategy, EMS, procurement policy, staff trained (blank: not given).
REPORTED = {
    "UNEP": ("1000", "2000", "3000", "2000", "1000", "6000", "yes", "approved", "met", "yes", "100"),
    "UNIDO": ("400", "600", "1000", "800", "500", "0", "no", "none", "none", "yes", "0"),
    "UNDP": ("4000", "6000", "10000", "8000", "8000", "0", "no", "approved", "approaching", "yes", "1000"),
    "WMO": ("200", "300", "500", "400", "500", "1000", "yes", "drafting", "met", "no", "50"),  # revision 2
    "WFP": ("3000", "1000", "4000", "3000", "5000", "0", "no", "approved", "approaching", "no", "300"),
    "UNCTAD": ("100", "100", "300", "200", "250", "500", "yes", "approved", "met", "yes", "20"),
    "ILO": ("300", "700", "1000", "900", "1000", "0", "no", "drafting", "none", "no", ""),
    "UNOPS": ("800", "200", "1000", "500", "800", "0", "no", "none", "approaching", "no", "30"),
    "UNESCO": ("500", "1500", "2000", "1500", "2000", "0", "no", "drafting", "approaching", "yes", "200"),
}
# WMO's revision 1, returned with a question: business travel 700 (air 500) and offsets 500 -- not counted.
WMO_FIRST = ("200", "300", "700", "500", "500", "500", "yes", "drafting", "met", "no", "50")
UNU_DRAFT = ("50", "80", "120", "100", "", "", "", "", "", "", "")  # page 1 saved, never submitted -- not counted
# UNDP's scope 2 doubles against the previous year (3,000 -> 6,000, +100 %): the only change over 50 %.
REASON = "Country offices moved from own generators to grid electricity."
QUESTION = "Business travel rose from 500 to 700 tCO2e while offsets halved: are the regional offices included twice?"

# ---- the hand computation, over the nine entities reporting (revision 2 for WMO; UNU's draft does not count)
# scope 1      = 1,000 + 400 + 4,000 + 200 + 3,000 + 100 + 300 + 800 + 500          = 10,300
# scope 2      = 2,000 + 600 + 6,000 + 300 + 1,000 + 100 + 700 + 200 + 1,500        = 12,400
# travel       = 3,000 + 1,000 + 10,000 + 500 + 4,000 + 300 + 1,000 + 1,000 + 2,000 = 22,800
# of which air = 2,000 + 800 + 8,000 + 400 + 3,000 + 200 + 900 + 500 + 1,500        = 17,300
# total        = 10,300 + 12,400 + 22,800 = 45,500 (by entity: UNEP 6,000, UNIDO 2,000, UNDP 20,000, WMO 1,000,
#                WFP 8,000, UNCTAD 500, ILO 2,000, UNOPS 2,000, UNESCO 4,000)
# staff        = 1,000 + 500 + 8,000 + 500 + 5,000 + 250 + 1,000 + 800 + 2,000      = 19,050
# per capita   = 45,500 / 19,050 = 2.388 -> 2.39
# offsets      = 6,000 + 1,000 (WMO) + 500 (UNCTAD) = 7,500; net 45,500 - 7,500 = 38,000
# shares       = 10,300 / 45,500 = 22.64 %; 12,400 / 45,500 = 27.25 %; 22,800 / 45,500 = 50.11 %;
#                air of business travel 17,300 / 22,800 = 75.88 %
# change       = all: 31,900 -> 45,500, +13,600 / 31,900 = +42.63 %;
#                both years (ILO, UNDP, UNEP, WFP, WMO): 5,300 + 16,000 + 1,000 + 7,000 + 2,000 = 31,300
#                -> 6,000 + 20,000 + 1,000 + 8,000 + 2,000 = 37,000, +5,700 / 31,300 = +18.21 %
# strategy approved: UNEP, UNDP, WFP, UNCTAD = 4; drafting: WMO, ILO, UNESCO = 3
# climate neutral: UNEP, WMO, UNCTAD = 3
# EMS met: UNEP, WMO, UNCTAD = 3; approaching: UNDP, WFP, UNOPS, UNESCO = 4; either 7
# procurement policy: UNEP, UNIDO, UNDP, UNCTAD, UNESCO = 5
# staff trained = 100 + 0 + 1,000 + 50 + 300 + 20 + 30 + 200 (ILO blank) = 1,700
# not reporting: CBD, UNFCCC, UNU
NARRATIVE = (
    "In {y}, 9 of the 12 entities asked reported their environmental sustainability figures. "
    "Together they emitted 45,500 tCO2e (2.39 tCO2e per staff member): 10,300 from their own sources (scope 1), "
    "12,400 from purchased energy (scope 2) and 22,800 from business travel, of which 17,300 from air travel. "
    "Like for like, the 5 entities that reported for both {p} and {y} raised their emissions by 18.2 % "
    "(31,300 → 37,000 tCO2e). The totals cover different entities: 31,900 tCO2e from 6 entities in {p}, "
    "45,500 tCO2e from 9 in {y}. "
    "4 entities had an emission reduction strategy approved by senior management, 3 were climate neutral, "
    "3 had an environmental management system in place and 4 more took concrete steps to implement one; "
    "5 had a sustainable procurement policy. "
    "3 entities did not report: CBD, UNFCCC, UNU.")
KEY_FIGURES = [["Entities asked", "12", "entities"], ["Entities reporting", "9", "entities"],
               ["Total emissions", "45,500", "tCO2e"], ["Staff", "19,050", "people"],
               ["Emissions per staff member", "2.39", "tCO2e/staff"], ["Offsets retired", "7,500", "tCO2e"],
               ["Emissions net of offsets", "38,000", "tCO2e"]]
SOURCES = [["Scope 1 emissions", "10,300", "22.6", "9"], ["Scope 2 emissions", "12,400", "27.3", "9"],
           ["Scope 3 business travel emissions", "22,800", "50.1", "9"], ["of which air travel", "17,300", "75.9", "9"],
           ["Total", "45,500", "100.0", "—"]]
CHANGE = [["All entities reporting (6, then 9)", "31,900", "45,500", "+42.6"],
          ["Entities reporting both years (5)", "31,300", "37,000", "+18.2"]]
COUNTS = [["Entities reporting", "9"], ["Emission reduction strategy approved by senior management", "4"],
          ["Emission reduction strategy being drafted", "3"], ["Climate neutral", "3"],
          ["Environmental management system in place", "3"],
          ["Concrete steps towards an environmental management system", "4"],
          ["Environmental management system in place or approaching", "7"],
          ["Sustainable procurement policy", "5"]]
QUANTITIES = [["Staff trained", "1,700", "people", "8"]]  # people, by the 8 entities that gave it (ILO blank)
# The annex lines of the two entities the story turned on: WMO's revision 2 (1,000 in total, not revision 1's
# 1,200) and UNDP's explained scope 2; per staff member 1,000 / 500 = 2.00 and 20,000 / 8,000 = 2.50.
# The DOCX annex: emissions (sources, total, staff, offsets, per staff member), then practices and resources.
ANNEX_WMO = (["WMO", "200", "300", "500", "400", "1,000", "500", "1,000", "2.00"],
             ["WMO", "Yes", "Being drafted", "In place", "No", "50", "—", "—", "2", "data call"])
ANNEX_UNDP = (["UNDP", "4,000", "6,000", "10,000", "8,000", "20,000", "8,000", "0", "2.50"],
              ["UNDP", "No", "Approved by senior management", "Concrete steps taken", "Yes", "1,000", "—", "—", "1",
               "data call"])


def figures(values: tuple[str, ...]) -> dict[str, str]:
    return dict(zip(IDS, values))


def _text(call) -> str:
    return json.dumps(call.params, ensure_ascii=False)


def next_call(slack, method: str, action: Callable[[], Any], predicate: Callable = lambda c: True,
              timeout: float = 5.0):
    """The first call to `method` (matching `predicate`) the bot makes after `action`."""
    seen = len([c for c in slack.calls_to(method) if predicate(c)])
    action()
    return slack.wait_for(method, predicate, timeout=timeout, count=seen + 1)[seen]


def opened_view(slack, action: Callable[[], Any], callback: str = "datacall.page") -> dict:
    view = next_call(slack, "views.open", action).params["view"]
    assert view["callback_id"] == callback and view_errors(view) == []
    return view





class Year:
    """The reporting year, its focal points (one per entity, in a consultation of its own) and the database."""

    def __init__(self, engine, slack, database_url: str) -> None:
        self.engine, self.slack, self.url = engine, slack, database_url
        self.year = utcnow().year - 1
        self.previous = self.year - 1
        self.focal: dict[str, str] = {}
        with session_scope(engine) as s:
            process = create_process(s, find_person(s, SECRETARIAT), NewProcess(
                handle=f"greening-{self.year}", kind="consultation", timezone="Europe/Zurich",
                title="Environmental sustainability management", members=ASKED))
            for code in ASKED:
                user = f"UHY{self.year}{code}"
                slack.add_user(user, f"{code} sustainability focal point", tz="Europe/Zurich")
                grant(s, SECRETARIAT, user, Role.FOCAL_POINT, process, get_entity(s, code))
                self.focal[code] = user

    def revisions(self, code: str) -> list[tuple[int, str, dict]]:
        with Session(self.engine) as s:
            entity = get_entity(s, code)
            rows = s.exec(select(Submission).where(Submission.entity_id == entity.id, Submission.year == self.year)
                          .order_by(Submission.revision)).all()
            return [(r.revision, str(r.status), dict(r.figures)) for r in rows]

    def dm_button(self, code: str, about: str = "for its environmental") -> str:
        """The value of the questionnaire's button in the latest DM (`about` something) the entity's focal point got."""
        user = self.focal[code]
        dm = [c for c in self.slack.calls_to("chat.postMessage") if c.params.get("channel") == user
              and about in _text(c)][-1]
        blocks = dm.params["blocks"]
        blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
        return next(e["value"] for b in blocks for e in b.get("elements", []) if e.get("action_id") == "datacall.fill")

    def reply(self, sender, user: str, command: str, predicate: Callable = lambda c: True) -> str:
        return _text(next_call(self.slack, "response_url", lambda: sender.command(user, command), predicate))


@pytest.fixture
def own_bot(bot_env, slack, private_database_url, tmp_path) -> Iterator[BotProcess]:
    """`consultbot serve` on a private database (seeded), with the same settings and Slack double as `bot`."""
    slack.add_user(SECRETARIAT, "Amina (EMG secretariat)", tz="Europe/Zurich")
    process = BotProcess({**bot_env, "DATABASE_URL": private_database_url}, tmp_path / "serve.log").start()
    yield process
    process.stop()


@pytest.fixture
def year(own_bot, slack, private_engine, private_database_url) -> Year:
    return Year(private_engine, slack, private_database_url)


@pytest.fixture
def own_sender(own_bot, slack) -> SlackSender:
    slack.reset()
    return SlackSender(own_bot.url, slack.base_url)


# ---- the chapters of the year


def history_from_past_records(year: Year, tmp_path) -> None:
    path = tmp_path / "history.csv"
    path.write_text(HISTORY.format(p=year.previous), encoding="utf-8")
    result = consultbot("hlcm", "import", str(path), env={"DATABASE_URL": year.url})
    assert result.stdout.strip() == f"{path}: 6 submission(s) imported for {year.previous}."


def the_secretariat_opens_the_call(sender, slack, year: Year) -> None:
    view = opened_view(slack, lambda: sender.command(SECRETARIAT, f"datacall open {year.year}"), "datacall.open")
    deadline = (utcnow() + timedelta(days=21)).date().isoformat()
    values = {"deadline_date": state("datepicker", deadline),
              "deadline_time": {"type": "timepicker", "selected_time": "17:00"},
              "timezone": state("plain_text_input", "Europe/Zurich"), "entities": state("multi_static_select", ASKED),
              "reminders": state("checkboxes", ["T-7d", "T-2d"])}
    reply = next_call(slack, "chat.postMessage",
                      lambda: sender.submit_view(SECRETARIAT, view, values, view_id=f"VHY{year.year}OPEN"),
                      lambda c: c.params.get("channel") == SECRETARIAT and "is open" in _text(c))
    assert f"The data call for {year.year} is open: 12 entities asked" in _text(reply)
    assert "12 focal point(s) have the questionnaire in a DM" in _text(reply)
    for code, user in year.focal.items():
        dm = _text(slack.wait_for("chat.postMessage", lambda c, u=user: c.params.get("channel") == u)[0])
        assert f"*{code}* for its environmental sustainability figures for *{year.year}*" in dm
        assert year.dm_button(code) == f"{year.year}:{code}"


def open_from_the_dm(sender, slack, year: Year, code: str) -> dict:
    view = opened_view(slack, lambda: sender.click(year.focal[code], "datacall.fill", year.dm_button(code)))
    assert page_number(view) == 1 and f"*{code}* — figures for" in json.dumps(view, ensure_ascii=False)
    return view


def an_entity_fills_everypage_number(sender, slack, year: Year, code: str, typed: tuple[str, ...]) -> None:
    view = open_from_the_dm(sender, slack, year, code)
    assert fill(sender, year.focal[code], view, figures(typed), f"VHY{year.year}{code}1") == {}
    assert [(r, s) for r, s, _ in year.revisions(code)] == [(1, "submitted")]


def unido_types_a_unit_first(sender, slack, year: Year) -> None:
    user, typed = year.focal["UNIDO"], figures(REPORTED["UNIDO"])
    view = open_from_the_dm(sender, slack, year, "UNIDO")
    wrong = sender.submit_view(user, view, page_values(1, {**typed, "scope1": "400 tCO2e"}),
                               view_id=f"VHY{year.year}UNIDO1").json()
    assert wrong["response_action"] == "errors" and list(wrong["errors"]) == ["figure:scope1"]
    assert "Scope 1 emissions: type the figure only — the unit is tCO2e" in wrong["errors"]["figure:scope1"]
    assert year.revisions("UNIDO") == []  # nothing saved from a page with an error
    assert fill(sender, user, view, typed, f"VHY{year.year}UNIDO1") == {}
    [(revision, status, saved)] = year.revisions("UNIDO")
    assert (revision, status, saved["scope1"]) == (1, "submitted", 400)


def unesco_saves_half_a_draft(sender, slack, year: Year) -> None:
    view = open_from_the_dm(sender, slack, year, "UNESCO")
    answer = fill(sender, year.focal["UNESCO"], view, figures(REPORTED["UNESCO"]), f"VHY{year.year}UNESCO1", until=2)
    assert answer["response_action"] == "update" and page_number(answer["view"]) == 3  # she closes the modal here
    [(revision, status, saved)] = year.revisions("UNESCO")
    assert status == "draft" and saved == {"scope1": 500, "scope2": 1500, "scope3_travel": 2000, "air_travel": 1500,
                                           "staff": 2000, "offsets": 0}


def unesco_finishes_later(sender, slack, year: Year) -> None:
    """Back from the DM's button: the saved pages come prefilled and go through as they are."""
    user, view_id = year.focal["UNESCO"], f"VHY{year.year}UNESCO2"
    view = open_from_the_dm(sender, slack, year, "UNESCO")
    for number in (1, 2):
        assert page_number(view) == number and initial_state(view) == page_values(number, figures(REPORTED["UNESCO"]))
        view = sender.submit_view(user, view, initial_state(view), view_id=view_id).json()["view"]
    assert fill(sender, user, view, figures(REPORTED["UNESCO"]), view_id) == {}
    assert [(r, s) for r, s, _ in year.revisions("UNESCO")] == [(1, "submitted")]


def undp_confirms_a_doubled_scope_2(sender, slack, year: Year) -> None:
    user, view_id = year.focal["UNDP"], f"VHY{year.year}UNDP1"
    view = open_from_the_dm(sender, slack, year, "UNDP")
    answer = fill(sender, user, view, figures(REPORTED["UNDP"]), view_id)
    reasons = answer["view"]
    assert answer["response_action"] == "update" and reasons["callback_id"] == "datacall.reasons"
    shown = json.dumps(reasons, ensure_ascii=False)
    assert f"*Scope 2 emissions*: 3000 → 6000 tCO2e (+100 % against {year.previous})" in shown
    assert [b["block_id"] for b in reasons["blocks"] if b["type"] == "input"] == ["reason:scope2"]  # nothing else
    assert not sender.submit_view(user, reasons, {"reason:scope2": state("plain_text_input", REASON)},
                                  view_id=view_id).content
    [(revision, status, saved)] = year.revisions("UNDP")
    assert (revision, status, saved["scope2"]) == (1, "submitted", 6000)
    with Session(year.engine) as s:
        row = s.exec(select(Submission).where(Submission.year == year.year,
                                              Submission.entity_id == get_entity(s, "UNDP").id)).one()
        assert row.reasons == {"scope2": REASON}


def unu_saves_a_draft_and_stops(sender, slack, year: Year) -> None:
    view = open_from_the_dm(sender, slack, year, "UNU")
    answer = fill(sender, year.focal["UNU"], view, figures(UNU_DRAFT), f"VHY{year.year}UNU1", until=1)
    assert page_number(answer["view"]) == 2
    assert [s for _, s, _ in year.revisions("UNU")] == ["draft"]


def the_secretariat_returns_wmo_with_a_question(sender, slack, year: Year) -> None:
    view = opened_view(slack, lambda: sender.command(SECRETARIAT, f"datacall return {year.year} WMO"),
                       "datacall.return")
    assert "Scope 3 business travel emissions (tCO2e): 700" in json.dumps(view, ensure_ascii=False)
    user = year.focal["WMO"]
    dm = next_call(slack, "chat.postMessage",
                   lambda: sender.submit_view(SECRETARIAT, view, {"datacall_question": state("plain_text_input",
                                                                                             QUESTION)},
                                              view_id=f"VHY{year.year}RETURN"),
                   lambda c: c.params.get("channel") == user and "returned" in _text(c))
    assert f"returned *WMO*'s environmental sustainability figures for *{year.year}*" in _text(dm)
    assert QUESTION in _text(dm)
    assert [(r, s) for r, s, _ in year.revisions("WMO")] == [(1, "returned")]


def wmo_revises(sender, slack, year: Year) -> None:
    """From the *Revise* button of the DM that brought the question: revision 2; revision 1 and the question kept."""
    user, button = year.focal["WMO"], year.dm_button("WMO", about="returned")
    view = opened_view(slack, lambda: sender.click(user, "datacall.fill", button))
    assert "returned these figures with a question" in json.dumps(view, ensure_ascii=False)
    assert initial_state(view) == page_values(1, figures(WMO_FIRST))  # revision 1's figures, to correct
    assert fill(sender, user, view, figures(REPORTED["WMO"]), f"VHY{year.year}WMO2") == {}
    first, second = year.revisions("WMO")
    assert first[:2] == (1, "superseded") and (first[2]["scope3_travel"], first[2]["offsets"]) == (700, 500)
    assert second[:2] == (2, "submitted") and (second[2]["scope3_travel"], second[2]["offsets"]) == (500, 1000)
    with Session(year.engine) as s:
        asked = s.exec(select(Submission.question).where(Submission.year == year.year, Submission.revision == 1,
                                                         Submission.entity_id == get_entity(s, "WMO").id)).one()
    assert asked == QUESTION


def the_status_board(sender, year: Year) -> str:
    return year.reply(sender, SECRETARIAT, f"datacall status {year.year}", lambda c: "HLCM data call" in _text(c))


def the_deadline_passes(year: Year) -> None:
    """Time passes: the deadline is behind us (as the data call's status scenario does)."""
    with session_scope(year.engine) as s:
        call = s.exec(select(DataCall).where(DataCall.year == year.year)).one()
        call.deadline = utcnow() - timedelta(hours=1)
        s.add(call)


def _sections(blocks: list[dict]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


def _xlsx_blocks(ws) -> dict[str, list[tuple]]:
    """A sheet's blocks (separated by blank rows) by their first cell: the rows after it, trailing blanks cut."""
    blocks: dict[str, list[tuple]] = {}
    group: list[tuple] = []
    for row in [*ws.iter_rows(values_only=True), ()]:
        cut = tuple(row)
        while cut and cut[-1] is None:
            cut = cut[:-1]
        if cut:
            group.append(cut)
        elif group:
            blocks[group[0][0]] = group[1:]
            group = []
    return blocks


def _cells(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


# ---- the story


def test_one_year_of_hlcm_reporting_from_the_data_call_to_the_summary(own_sender, slack, year, tmp_path):
    sender, y, p = own_sender, year.year, year.previous
    history_from_past_records(year, tmp_path)
    the_secretariat_opens_the_call(sender, slack, year)

    an_entity_fills_everypage_number(sender, slack, year, "UNEP", REPORTED["UNEP"])
    unido_types_a_unit_first(sender, slack, year)
    unesco_saves_half_a_draft(sender, slack, year)
    undp_confirms_a_doubled_scope_2(sender, slack, year)
    an_entity_fills_everypage_number(sender, slack, year, "WMO", WMO_FIRST)
    for code in ("WFP", "UNCTAD", "ILO", "UNOPS"):
        an_entity_fills_everypage_number(sender, slack, year, code, REPORTED[code])
    unu_saves_a_draft_and_stops(sender, slack, year)
    the_secretariat_returns_wmo_with_a_question(sender, slack, year)

    board = the_status_board(sender, year)  # UNEP, UNIDO, UNDP, WFP, UNCTAD, ILO, UNOPS; WMO; UNESCO, UNU; CBD, UNFCCC
    assert "7 of 12 entities submitted, 1 returned with a question, 2 with a draft, 2 pending, 0 late" in board
    assert "*WMO* — returned with a question (revision 1)" in board and "*UNESCO* — draft saved" in board
    assert "*CBD* — pending" in board

    wmo_revises(sender, slack, year)
    unesco_finishes_later(sender, slack, year)
    the_deadline_passes(year)
    board = the_status_board(sender, year)
    assert "9 of 12 entities submitted, 0 returned with a question, 0 with a draft, 0 pending, 3 late" in board
    for code in ("CBD", "UNFCCC", "UNU"):
        assert f"*{code}* — late, nothing submitted" in board
    assert "*WMO* — submitted, revision 2" in board and "*UNDP* — submitted, revision 1" in board
    closed = year.reply(sender, SECRETARIAT, f"datacall close {y}", lambda c: "is closed" in _text(c))
    assert f"The data call for {y} is closed: 9 of 12 entities submitted. Not submitted: CBD, UNFCCC, UNU." in closed

    # ---- the summary in Slack: the message, the three charts and the DOCX
    narrative = NARRATIVE.format(y=y, p=p)
    upload = next_call(slack, "files.completeUploadExternal",
                       lambda: sender.command(SECRETARIAT, f"hlcm summary {y}", channel=CHANNEL),
                       lambda c: c.params.get("channel_id") == CHANNEL, timeout=30)
    [post] = [c for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == CHANNEL]
    assert post.params["text"] == (f"Progress summary {y} for the HLCM: 9 entities reporting, "
                                   f"compiled by <@{SECRETARIAT}>.")
    sections = _sections(post.params["blocks"])
    assert sections[0] == "*Overview*\n" + narrative
    assert sections[1] == ("*Key figures*\nEntities asked: *12* entities\nEntities reporting: *9* entities\n"
                           "Total emissions: *45,500* tCO2e\nStaff: *19,050* people\n"
                           "Emissions per staff member: *2.39* tCO2e/staff\nOffsets retired: *7,500* tCO2e\n"
                           "Emissions net of offsets: *38,000* tCO2e")
    assert sections[2] == ("*Emissions by source*\nScope 1 emissions: *10,300* tCO2e (22.6 %)\n"
                           "Scope 2 emissions: *12,400* tCO2e (27.3 %)\n"
                           "Scope 3 business travel emissions: *22,800* tCO2e (50.1 %)\n"
                           "of which air travel: *17,300* tCO2e (75.9 %)")
    assert sections[3] == ("*Change against the previous year*\n"
                           "All entities reporting (6, then 9): 31,900 → *45,500* tCO2e (+42.6 %)\n"
                           "Entities reporting both years (5): 31,300 → *37,000* tCO2e (+18.2 %)")
    assert sections[4] == ("*What the HLCM reads: entities*\nEntities reporting: *9*\n"
                           "Emission reduction strategy approved by senior management: *4*\n"
                           "Emission reduction strategy being drafted: *3*\nClimate neutral: *3*\n"
                           "Environmental management system in place: *3*\n"
                           "Concrete steps towards an environmental management system: *4*\n"
                           "Environmental management system in place or approaching: *7*\n"
                           "Sustainable procurement policy: *5*")
    assert sections[5] == ("*What the HLCM reads: quantities*\n"
                           "Staff trained: *1,700* people (reported by 8 entities)")
    assert sections[6] == "*Entities that did not report*\n3 of 12: CBD, UNFCCC, UNU"

    files = [slack.uploaded_files[f["id"]] for f in upload.params["files"]]
    assert [f["filename"] for f in files] == [f"hlcm-{y}-emissions-by-source.png", f"hlcm-{y}-trend.png",
                                              f"hlcm-{y}-ems-status.png", f"hlcm-summary-{y}.docx"]
    assert all(f["bytes"].startswith(PNG) and len(f["bytes"]) > 5000 for f in files[:3])
    doc = Document(BytesIO(files[3]["bytes"]))
    assert narrative in [para.text for para in doc.paragraphs] and len(doc.inline_shapes) == 3
    key, sources, change, counts, quantities, trend, emissions, practices, names, notes = (
        _cells(t) for t in doc.tables)
    assert key[1:] == KEY_FIGURES and sources[1:] == SOURCES and change[1:] == CHANGE and counts[1:] == COUNTS
    assert quantities[1:] == QUANTITIES
    assert change[0][1:3] == [f"{p} (tCO2e)", f"{y} (tCO2e)"]
    assert trend[1:] == [[str(p), "6", "31,900", "2.11"], [str(y), "9", "45,500", "2.39"]]  # 31,900 / 15,100 staff
    by_code = {row[0]: row for row in emissions[1:]}
    practice = {row[0]: row for row in practices[1:]}
    assert sorted(by_code) == sorted(practice) == ["ILO", "UNCTAD", "UNDP", "UNEP", "UNESCO", "UNIDO", "UNOPS", "WFP",
                                                   "WMO"]
    assert (by_code["WMO"], practice["WMO"]) == ANNEX_WMO and (by_code["UNDP"], practice["UNDP"]) == ANNEX_UNDP
    assert [by_code[c][5] for c in sorted(by_code)] == ["2,000", "500", "20,000", "6,000", "4,000", "2,000",
                                                        "2,000", "8,000", "1,000"]  # each entity's total
    assert ["WMO", "World Meteorological Organization"] in [row[:2] for row in names] + [row[2:] for row in names]
    assert notes == [["Entity", "Indicator", "Reason given"], ["UNDP", "Scope 2 emissions", REASON]]

    # ---- the workbook from the command line, on the bot's database: numbers as numbers
    out = tmp_path / f"hlcm-{y}.xlsx"
    result = consultbot("hlcm", "summary", str(y), "--format", "xlsx", "--out", str(out),
                        env={"DATABASE_URL": year.url})
    assert result.stdout.strip() == f"{out}: progress summary {y} written (xlsx)."
    wb = load_workbook(out)
    summary = _xlsx_blocks(wb["Summary"])
    assert summary[narrative] == [] and summary["Entities that did not report"] == [("CBD, UNFCCC, UNU",)]
    key = summary["Key figures"]
    assert key[0] == ("Item", "Value", "Unit")
    assert [row for row in key[1:] if row[0] != "Emissions per staff member"] == [
        ("Entities asked", 12, "entities"), ("Entities reporting", 9, "entities"), ("Total emissions", 45500, "tCO2e"),
        ("Staff", 19050, "people"), ("Offsets retired", 7500, "tCO2e"), ("Emissions net of offsets", 38000, "tCO2e")]
    [per_capita] = [row for row in key if row[0] == "Emissions per staff member"]
    assert (round(per_capita[1], 4), per_capita[2]) == (2.3885, "tCO2e/staff")  # 45,500 / 19,050
    change = summary["Change against the previous year"]
    assert change[0] == ("Entities", f"{p} (tCO2e)", f"{y} (tCO2e)", "Change (%)")
    assert [(label, before, after, round(pct, 2)) for label, before, after, pct in change[1:]] == [
        ("All entities reporting (6, then 9)", 31900, 45500, 42.63),  # 13,600 / 31,900
        ("Entities reporting both years (5)", 31300, 37000, 18.21)]  # 5,700 / 31,300
    assert summary["What the HLCM reads: entities"][1:] == [(label, int(value.replace(",", "")))
                                                            for label, value in COUNTS]
    assert summary["What the HLCM reads: quantities"][1:] == [("Staff trained", 1700, "people", 8)]
    by_source = {row[0]: row[1:] for row in wb["By source"].iter_rows(min_row=2, values_only=True)}
    assert [(by_source[label][0], round(by_source[label][1], 2)) for label, *_ in SOURCES[:4]] == [
        (10300, 22.64), (12400, 27.25), (22800, 50.11), (17300, 75.88)]
    sheet = list(wb["Annex"].iter_rows(values_only=True))
    rows = {row[0]: dict(zip(sheet[0], row)) for row in sheet[1:]}
    assert sorted(rows) == sorted(by_code)
    assert tuple(rows["WMO"].values()) == ("WMO", "World Meteorological Organization", 200, 300, 500, 400, 500, 1000,
                                           "Yes", "Being drafted", "In place", "No", 50, None, None, 1000, 2, 2,
                                           "data call")  # revision 2's figures, not revision 1's 700 and 500
    undp = rows["UNDP"]
    assert (undp["Scope 2 emissions (tCO2e)"], undp["Staff numbers (staff)"], undp["Total (tCO2e)"],
            undp["Per staff member (tCO2e/staff)"], undp["Revision"]) == (6000, 8000, 20000, 2.5, 1)
    assert [rows[c]["Total (tCO2e)"] for c in sorted(rows)] == [2000, 500, 20000, 6000, 4000, 2000, 2000, 8000, 1000]
    wmo_cells = next(row for row in wb["Annex"].iter_rows(min_row=2) if row[0].value == "WMO")
    assert [c.data_type for c in wmo_cells[2:8]] == ["n"] * 6  # numbers, not texts that look like numbers
    assert [row[:3] for row in wb["Trend"].iter_rows(min_row=2, values_only=True)] == [(p, 6, 31900), (y, 9, 45500)]
    assert [c.value for c in wb["Notes"][2]] == ["UNDP", "Scope 2 emissions", REASON]
