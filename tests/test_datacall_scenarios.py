"""Scenario: the HLCM annual data call through signed requests to a running bot and the Slack double, on SQLite
and PostgreSQL. The secretariat opens the call for a year with a dozen entities; each entity's sustainability
focal point gets the questionnaire in a DM, fills it page by page (each page saved as a draft, so closing the
modal loses nothing), types a unit or a word where a figure goes, confirms a change of more than 50 % with a
reason and submits; a second submission is revision 2. The secretariat returns a submission with a question,
follows the status (late entities after the deadline) and closes the year.

Each test takes a recent reporting year no other test of the session uses (and whose previous year is free too,
for the history a flagged change compares with): the HLCM summary's scenarios compile 2005 and before in the
shared database, so these years stay after it."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import Session, delete, select

from bot.entities.service import get_entity
from bot.hlcm.history import import_csv
from bot.hlcm.calls import open_with_reminders
from bot.hlcm.service import save_draft, submit
from bot.people.service import find_person
from bot.processes.service import NewProcess, create_process, get_process
from bot.roles.service import grant
from storage.db import session_scope
from storage.models import DataCall, DataCallEntity, Reminder, ReminderStatus, Role, Submission, SubmissionStatus
from storage.types import utcnow
from tests.conftest import SECRETARIAT
from tests.questionnaire_modal import fill, page_number, page_values
from tests.slack_double_limits import view_errors
from tests.slack_requests import initial_state, state

ASKED = ["UNEP", "UNDP", "WMO", "UNIDO", "WFP", "UNCTAD", "UNESCO", "ILO", "UNOPS", "CBD", "UNFCCC", "UNU"]
FIRST_FREE = 2006  # tests/test_hlcm_summary_scenarios.py owns 2005 and the years before it
_n = itertools.count(1)

# UNEP's figures as its focal point types them; scope 2 more than doubles against the previous year (2,100).
UNEP = {"scope1": "1000", "scope2": "5000", "scope3_travel": "3000", "air_travel": "2500", "staff": "1000",
        "offsets": "6000", "climate_neutral": "yes", "strategy": "approved", "ems": "met",
        "procurement_policy": "yes", "staff_trained": "200", "waste": "", "water": ""}
WMO = {"scope1": "100", "scope2": "300", "scope3_travel": "600", "air_travel": "500", "staff": "400",
       "offsets": "1000", "climate_neutral": "yes", "strategy": "drafting", "ems": "met", "procurement_policy": "no"}


def _text(call) -> str:
    return json.dumps(call.params, ensure_ascii=False)


def _dump(view: dict) -> str:
    return json.dumps(view, ensure_ascii=False)


def _free_year(engine) -> int:
    with Session(engine) as s:
        taken = set(s.exec(select(DataCall.year)).all()) | set(s.exec(select(Submission.year)).all())
    return next(y for y in range(utcnow().year - 1, FIRST_FREE, -1)
                if y not in taken and y - 1 not in taken and y + 1 not in taken)


class Call:
    """A year, its focal points (one per entity asked, plus one person speaking for both WMO and UNIDO)."""

    def __init__(self, engine, slack) -> None:
        self.engine = engine
        self.year = _free_year(engine)
        n = next(_n)
        self.focal: dict[str, str] = {}
        with session_scope(engine) as s:
            self.handle = f"greening-{self.year}-{n}"
            process = create_process(s, find_person(s, SECRETARIAT), NewProcess(
                handle=self.handle, kind="consultation", timezone="Europe/Zurich",
                title="Environmental sustainability management", members=ASKED))
            for code in ASKED:
                user = f"U{self.year}{n:02d}{code}"
                slack.add_user(user, f"{code} sustainability focal point", tz="Europe/Zurich")
                grant(s, SECRETARIAT, user, Role.FOCAL_POINT, process, get_entity(s, code))
                self.focal[code] = user
            self.dual = f"U{self.year}{n:02d}DUAL"
            slack.add_user(self.dual, "Focal point for WMO and UNIDO", tz="Europe/Zurich")
            for code in ("WMO", "UNIDO"):
                grant(s, SECRETARIAT, self.dual, Role.FOCAL_POINT, process, get_entity(s, code))

    def open(self, days: int = 20, offsets=("T-7d", "T-2d")) -> None:
        """Opened by the secretariat's own hand (the modal is its own scenario)."""
        with session_scope(self.engine) as s:
            open_with_reminders(s, find_person(s, SECRETARIAT), self.year, utcnow() + timedelta(days=days),
                                "Europe/Zurich", ASKED, list(offsets))

    def history(self) -> None:
        """The previous year's figures, imported from a CSV as `consultbot hlcm import` does."""
        csv = (f"year,entity,scope1,scope2,scope3_travel,air_travel,staff,strategy\n"
               f"{self.year - 1},UNEP,900,2100,2800,2400,950,approved\n"
               f"{self.year - 1},WMO,100,300,700,600,400,none\n")
        with session_scope(self.engine) as s:
            assert import_csv(s, SECRETARIAT, csv).ok

    def submissions(self, code: str) -> list[Submission]:
        with Session(self.engine) as s:
            entity = get_entity(s, code)
            return list(s.exec(select(Submission).where(Submission.entity_id == entity.id,
                                                        Submission.year == self.year)
                               .order_by(Submission.revision)).all())

    def remove(self) -> None:
        """Gives the year (and the one before, for its history) back to the tests that follow: the shared
        database has twenty reporting years for every test of this file."""
        years = [self.year - 1, self.year]
        with session_scope(self.engine) as s:
            calls = list(s.exec(select(DataCall.id).where(DataCall.year.in_(years))).all())
            if calls:
                s.exec(delete(Reminder).where(Reminder.kind.startswith("datacall."), Reminder.subject_id.in_(calls)))
                s.exec(delete(DataCallEntity).where(DataCallEntity.data_call_id.in_(calls)))
            s.exec(delete(Submission).where(Submission.year.in_(years)))
            s.exec(delete(DataCall).where(DataCall.year.in_(years)))

    def draft(self, code: str) -> dict | None:
        rows = [r for r in self.submissions(code) if r.status == SubmissionStatus.DRAFT]
        return dict(rows[0].figures) if rows else None


@pytest.fixture
def call(bot, engine, slack) -> Iterator[Call]:
    made = Call(engine, slack)
    yield made
    made.remove()



def _opened_view(slack, callback: str = "datacall.page") -> dict:
    return slack.wait_for("views.open", lambda c: c.params["view"]["callback_id"] == callback)[-1].params["view"]




def test_the_secretariat_opens_the_call_and_every_focal_point_gets_the_questionnaire(sender, slack, call, engine):
    sender.command(call.focal["UNEP"], f"datacall open {call.year}")
    assert "*secretariat* role" in _text(slack.wait_for("response_url")[0])
    sender.command(SECRETARIAT, "datacall open 1999")
    assert "1999 is not a reporting year" in _text(slack.wait_for("response_url", lambda c: "1999" in _text(c))[0])

    sender.command(SECRETARIAT, f"datacall open {call.year}")
    view = _opened_view(slack, "datacall.open")
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    offered = [o["value"] for o in blocks["entities"]["element"]["initial_options"]]
    assert set(ASKED) <= set(offered)  # every entity, by default
    assert [o["value"] for o in blocks["reminders"]["element"]["initial_options"]] == ["T-14d", "T-7d", "T-2d", "T-0"]
    soon = (utcnow() + timedelta(days=21)).date().isoformat()
    values = {"deadline_date": state("datepicker", soon),
              "deadline_time": {"type": "timepicker", "selected_time": "17:00"},
              "timezone": state("plain_text_input", "Europe/Zurich"), "entities": state("multi_static_select", ASKED),
              "reminders": state("checkboxes", ["T-7d", "T-2d", "T-0"])}

    past = sender.submit_view(SECRETARIAT, view, {**values, "deadline_date": state("datepicker", "2020-01-10")})
    assert "deadline must be in the future" in past.json()["errors"]["deadline_date"]
    zone = sender.submit_view(SECRETARIAT, view, {**values, "timezone": state("plain_text_input", "Geneva")})
    assert "Europe/Zurich" in zone.json()["errors"]["timezone"]  # the suggestion
    with Session(engine) as s:
        assert s.exec(select(DataCall).where(DataCall.year == call.year)).first() is None  # nothing created

    assert not sender.submit_view(SECRETARIAT, view, values, view_id="VOPEN1").content
    for code, user in call.focal.items():
        dm = _text(slack.wait_for("chat.postMessage", lambda c, u=user: c.params.get("channel") == u)[0])
        assert f"*{code}* for its environmental sustainability figures for *{call.year}*" in dm
        assert "<!date^" in dm and "datacall.fill" in dm and f'"{call.year}:{code}"' in dm
    dual = [c for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == call.dual]
    assert len(dual) == 2  # one DM per entity they report for
    reply = _text(slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == SECRETARIAT
                                 and "is open" in _text(c))[0])
    assert f"The data call for {call.year} is open: 12 entities asked" in reply

    with Session(engine) as s:
        opened = s.exec(select(DataCall).where(DataCall.year == call.year)).one()
        rows = s.exec(select(Reminder).where(Reminder.kind == "datacall.reminder",
                                             Reminder.subject_id == opened.id)).all()
    mine = [r for r in rows if r.recipient == call.focal["UNEP"]]
    assert sorted(r.offset for r in mine) == ["T-0", "T-2d", "T-7d"]
    assert all(r.process_id is None and r.stale_at == opened.deadline for r in rows)
    assert any(r.key.startswith(f"datacall:{call.year}@") and r.key.endswith(f":UNEP:{call.focal['UNEP']}")
               for r in mine)

    def invitations() -> int:
        return len([c for c in slack.calls_to("chat.postMessage") if "for its environmental" in _text(c)])

    before = invitations()
    assert not sender.submit_view(SECRETARIAT, view, values, view_id="VOPEN1").content  # Slack's retry: once
    sender.command(SECRETARIAT, f"datacall open {call.year}")
    assert "already open" in _text(slack.wait_for("response_url", lambda c: "already open" in _text(c))[0])
    assert invitations() == before


def test_a_focal_point_fills_the_pages_with_drafts_and_confirms_a_flagged_change(sender, slack, call):
    call.history()
    call.open()
    unep = call.focal["UNEP"]
    sender.click(unep, "datacall.fill", f"{call.year}:UNEP")
    view = _opened_view(slack)
    assert page_number(view) == 1 and view["submit"]["text"] == "Save and next"

    wrong = {**UNEP, "scope1": "12 tCO2e", "scope2": "-5", "scope3_travel": "lots", "air_travel": "90000000"}
    errors = sender.submit_view(unep, view, page_values(1, wrong), view_id="VUNEP1").json()["errors"]
    assert "the unit is tCO2e" in errors["figure:scope1"]
    assert "cannot be negative" in errors["figure:scope2"]
    assert "type a number" in errors["figure:scope3_travel"]
    assert "above the plausible maximum of 5,000,000 tCO2e" in errors["figure:air_travel"]
    assert call.draft("UNEP") is None  # nothing saved from a page with errors

    answer = fill(sender, unep, view, UNEP, "VUNEP1", until=1)
    assert answer["response_action"] == "update" and page_number(answer["view"]) == 2
    assert call.draft("UNEP") == {"scope1": 1000, "scope2": 5000, "scope3_travel": 3000, "air_travel": 2500}

    # She closes the modal and comes back from the DM's button: page 1 shows what she saved.
    slack.reset()
    sender.click(unep, "datacall.fill", f"{call.year}:UNEP")
    view = _opened_view(slack)
    assert initial_state(view) == {k: v for k, v in page_values(1, UNEP).items()}
    too_big = fill(sender, unep, view, {**UNEP, "air_travel": "3500"}, "VUNEP2", until=1)
    assert "cannot be more than Scope 3 business travel" in too_big["errors"]["figure:air_travel"]
    assert call.draft("UNEP")["air_travel"] == 2500  # unchanged

    answer = fill(sender, unep, view, UNEP, "VUNEP2")
    reasons = answer["view"]
    assert answer["response_action"] == "update" and reasons["callback_id"] == "datacall.reasons"
    assert view_errors(reasons) == []
    shown = _dump(reasons)
    assert "Scope 2 emissions" in shown and "2100 → 5000 tCO2e (+138 %" in shown and "scope1" not in shown
    missing = sender.submit_view(unep, reasons, {"reason:scope2": state("plain_text_input", None)}, view_id="VUNEP2")
    assert "Confirm the figure with a reason" in missing.json()["errors"]["reason:scope2"]
    assert [r.status for r in call.submissions("UNEP")] == ["draft"]

    reason = {"reason:scope2": state("plain_text_input", "Two new offices moved onto grid electricity.")}
    assert not sender.submit_view(unep, reasons, reason, view_id="VUNEP2").content
    assert not sender.submit_view(unep, reasons, reason, view_id="VUNEP2").content  # a double click acts once
    [first] = call.submissions("UNEP")
    assert (first.status, first.revision, first.figures["scope2"], first.figures["strategy"]) == (
        "submitted", 1, 5000, "approved")
    assert first.figures["climate_neutral"] is True and "waste" not in first.figures
    assert first.reasons == {"scope2": "Two new offices moved onto grid electricity."}
    told = _text(slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == unep
                                and "are submitted" in _text(c))[0])
    assert "revision 1" in told

    # A second submission: the pages start from the submitted figures, and it becomes revision 2.
    slack.reset()
    sender.command(unep, f"datacall fill {call.year} UNEP")
    view = _opened_view(slack)
    assert "revision 1" in _dump(view) and initial_state(view) == page_values(1, UNEP)
    revised = {**UNEP, "staff": "1100"}
    answer = fill(sender, unep, view, revised, "VUNEP3")
    assert answer["view"]["callback_id"] == "datacall.reasons"  # scope 2 still needs its reason
    assert not sender.submit_view(unep, answer["view"], reason, view_id="VUNEP3").content
    first, second = call.submissions("UNEP")
    assert (first.revision, first.status, first.figures["staff"]) == (1, "superseded", 1000)
    assert (second.revision, second.status, second.figures["staff"]) == (2, "submitted", 1100)


def test_submitting_with_a_required_figure_missing_sends_back_to_itspage_number(sender, slack, call):
    call.open()
    user = call.focal["UNCTAD"]
    sender.command(user, f"datacall fill {call.year}")
    view = _opened_view(slack)
    figures = {**WMO, "staff": ""}  # no history for UNCTAD: nothing flagged
    answer = fill(sender, user, view, figures, "VUNCTAD")
    assert answer["response_action"] == "update" and page_number(answer["view"]) == 2  # the staff numbers' page
    assert "page 2: Staff numbers is needed to submit" in _dump(answer["view"])
    answer = fill(sender, user, answer["view"], WMO, "VUNCTAD")
    assert answer == {} and [r.status for r in call.submissions("UNCTAD")] == ["submitted"]


def test_the_secretariat_returns_a_submission_with_a_question_and_the_entity_revises(sender, slack, call):
    call.history()
    call.open()
    with session_scope(call.engine) as s:
        submit(s, find_person(s, call.focal["WMO"]), call.year, "WMO", WMO)
    sender.command(call.focal["WMO"], f"datacall return {call.year} WMO")
    assert "*secretariat* role" in _text(slack.wait_for("response_url")[0])

    sender.command(SECRETARIAT, f"datacall return {call.year} WMO")
    view = _opened_view(slack, "datacall.return")
    assert "Scope 1 emissions (tCO2e): 100" in _dump(view)
    empty = sender.submit_view(SECRETARIAT, view, {"datacall_question": state("plain_text_input", None)})
    assert "Ask the question" in empty.json()["errors"]["datacall_question"]
    question = "Scope 3 travel fell from 700 to 600 tCO2e: does 2025 include the regional offices?"
    assert not sender.submit_view(SECRETARIAT, view, {"datacall_question": state("plain_text_input", question)},
                                  view_id="VRET1").content
    for user in (call.focal["WMO"], call.dual):
        dm = _text(slack.wait_for("chat.postMessage", lambda c, u=user: c.params.get("channel") == u
                                  and "returned" in _text(c))[0])
        assert "does 2025 include the regional offices?" in dm and "Revise the figures" in dm
    assert [r.status for r in call.submissions("WMO")] == ["returned"]

    slack.reset()
    sender.click(call.focal["WMO"], "datacall.fill", f"{call.year}:WMO")
    view = _opened_view(slack)
    assert "returned these figures with a question" in _dump(view) and "regional offices" in _dump(view)
    assert fill(sender, call.focal["WMO"], view, {**WMO, "scope3_travel": "650"}, "VWMO1") == {}
    first, second = call.submissions("WMO")
    assert (first.status, first.question) == ("superseded", question)
    assert (second.status, second.revision, second.figures["scope3_travel"]) == ("submitted", 2, 650)


def test_status_who_may_report_late_entities_and_the_closed_year(sender, slack, call, engine):
    call.open()
    with session_scope(engine) as s:
        submit(s, find_person(s, call.focal["UNEP"]), call.year, "UNEP", UNEP)
        save_draft(s, find_person(s, call.focal["UNDP"]), call.year, "UNDP", {"scope1": "4000"})

    sender.command(call.focal["UNDP"], f"datacall fill {call.year} UNEP")  # the wrong person
    refused = _text(slack.wait_for("response_url")[0])
    assert "Only a focal point of UNEP or the secretariat" in refused and f"<@{call.focal['UNEP']}>" in refused
    sender.command(call.dual, f"datacall fill {call.year}")  # two entities: the first page asks which
    chooser = _opened_view(slack, "datacall.choose")
    answer = sender.submit_view(call.dual, chooser, {"entity": state("static_select", "UNIDO")}).json()
    assert answer["response_action"] == "update" and "*UNIDO* — figures for" in _dump(answer["view"])

    slack.reset()
    sender.command(call.focal["UNEP"], f"datacall status {call.year}")
    assert "*secretariat* role" in _text(slack.wait_for("response_url")[0])
    sender.command(SECRETARIAT, f"datacall status {call.year}")
    board = _text(slack.wait_for("response_url", lambda c: "HLCM data call" in _text(c))[0])
    assert "1 of 12 entities submitted" in board and "1 with a draft, 10 pending, 0 late" in board
    assert "*UNEP* — submitted, revision 1" in board and "*UNDP* — draft saved" in board
    assert "*WFP* — pending" in board

    sender.home_opened(call.focal["WFP"])  # the App Home shows the call to whoever has not submitted
    home = _text(slack.wait_for("views.publish", lambda c: c.params.get("user_id") == call.focal["WFP"])[0])
    assert f"*HLCM data call {call.year}*: *WFP* has not submitted" in home and f"{call.year}:WFP" in home
    sender.home_opened(call.focal["UNDP"])
    home = _text(slack.wait_for("views.publish", lambda c: c.params.get("user_id") == call.focal["UNDP"])[0])
    assert "*UNDP* has a draft, not submitted yet" in home
    sender.home_opened(call.focal["UNEP"])
    home = _text(slack.wait_for("views.publish", lambda c: c.params.get("user_id") == call.focal["UNEP"])[0])
    assert f"HLCM data call {call.year}" not in home

    with session_scope(engine) as s:  # time passes: the deadline is behind us
        opened = s.exec(select(DataCall).where(DataCall.year == call.year)).one()
        opened.deadline = utcnow() - timedelta(hours=1)
        s.add(opened)
    slack.reset()
    sender.command(SECRETARIAT, f"datacall status {call.year}")
    board = _text(slack.wait_for("response_url", lambda c: "HLCM data call" in _text(c))[0])
    assert "11 late" in board and "*UNDP* — late" in board and "*UNEP* — submitted" in board

    slack.reset()
    sender.command(SECRETARIAT, f"datacall close {call.year}")
    closed = _text(slack.wait_for("response_url", lambda c: "is closed" in _text(c))[0])
    assert "1 of 12 entities submitted" in closed and "UNDP" in closed
    with Session(engine) as s:
        rows = s.exec(select(Reminder).where(Reminder.kind == "datacall.reminder",
                                             Reminder.subject_id == opened.id)).all()
    assert rows and {r.status for r in rows} == {ReminderStatus.CANCELLED}
    sender.command(call.focal["WFP"], f"datacall fill {call.year}")
    assert slack.wait_for("response_url", lambda c: "can no longer change" in _text(c))



def _reminders(engine, call_id: int, kind: str = "datacall.reminder") -> list[Reminder]:
    with Session(engine) as s:
        return list(s.exec(select(Reminder).where(Reminder.kind == kind, Reminder.subject_id == call_id)
                           .order_by(Reminder.id)).all())


def _the_call(engine, year: int) -> DataCall:
    with Session(engine) as s:
        return s.exec(select(DataCall).where(DataCall.year == year)).one()


def test_a_call_opened_without_reminders_stays_without_them_after_a_role_change(sender, slack, call, engine):
    sender.command(SECRETARIAT, f"datacall open {call.year}")
    view = _opened_view(slack, "datacall.open")
    values = {"deadline_date": state("datepicker", (utcnow() + timedelta(days=21)).date().isoformat()),
              "deadline_time": {"type": "timepicker", "selected_time": "17:00"},
              "timezone": state("plain_text_input", "Europe/Zurich"), "entities": state("multi_static_select", ASKED),
              "reminders": state("checkboxes", [])}
    assert not sender.submit_view(SECRETARIAT, view, values, view_id=f"VQUIET{call.year}").content
    slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == SECRETARIAT and "is open" in _text(c)
                   and str(call.year) in _text(c))
    opened = _the_call(engine, call.year)
    assert opened.reminder_offsets == "" and _reminders(engine, opened.id) == []

    newcomer = f"U{call.year}NEWWFP"  # a new focal point: the replan keeps the call's choice of no reminders
    slack.add_user(newcomer, "WFP's new focal point", tz="Europe/Rome")
    with session_scope(engine) as s:
        grant(s, SECRETARIAT, newcomer, Role.FOCAL_POINT, get_process(s, call.handle), get_entity(s, "WFP"))
    assert _reminders(engine, opened.id) == []
    mine = [r for r in _reminders(engine, opened.id, "datacall.escalation") if r.recipient == SECRETARIAT]
    assert [(r.due_at, r.status) for r in mine] == [(opened.deadline, "pending")]  # who is late: still at the deadline


def test_a_call_opened_with_reminders_keeps_its_offsets_after_a_role_change(sender, slack, call, engine):
    call.open(offsets=("T-7d", "T-2d"))
    opened = _the_call(engine, call.year)
    assert opened.reminder_offsets == "T-7d,T-2d"
    newcomer = f"U{call.year}NEWUNU"
    slack.add_user(newcomer, "UNU's new focal point", tz="Asia/Tokyo")
    with session_scope(engine) as s:
        grant(s, SECRETARIAT, newcomer, Role.FOCAL_POINT, get_process(s, call.handle), get_entity(s, "UNU"))
    assert sorted(r.offset for r in _reminders(engine, opened.id) if r.recipient == newcomer) == ["T-2d", "T-7d"]


def test_the_secretariat_extends_the_deadline_and_the_entities_still_owing_figures_are_told(sender, slack, call,
                                                                                              engine):
    call.history()
    call.open()
    with session_scope(engine) as s:
        submit(s, find_person(s, call.focal["UNEP"]), call.year, "UNEP", UNEP,
               reasons={"scope2": "Two new offices moved onto grid electricity."})
        submit(s, find_person(s, call.focal["UNCTAD"]), call.year, "UNCTAD", WMO)
        submit(s, find_person(s, call.focal["WMO"]), call.year, "WMO", WMO)
    slack.reset()
    sender.command(SECRETARIAT, f"datacall return {call.year} WMO")
    returning = _opened_view(slack, "datacall.return")
    assert not sender.submit_view(SECRETARIAT, returning, {"datacall_question": state(
        "plain_text_input", "Does the travel figure include the regional offices?")}).content
    slack.wait_for("chat.postMessage", lambda c: "returned with your question" in _text(c))
    year, word = call.year, f"datacall extend {call.year}"

    def answer_to(user: str, text: str, expected: str) -> str:
        slack.reset()
        sender.command(user, text)
        return _text(slack.wait_for("response_url", lambda c: expected in _text(c))[0])

    answer_to(call.focal["UNDP"], f"{word} 2030-01-15", "*secretariat* role")
    answer_to(SECRETARIAT, word, "Give the date as YYYY-MM-DD")
    answer_to(SECRETARIAT, f"{word} 2030-13-45", "Give the date as YYYY-MM-DD")
    answer_to(SECRETARIAT, f"{word} 2020-01-10", "The deadline must be in the future")
    answer_to(SECRETARIAT, f"{word} 2030-03-31 02:30", "does not exist in Europe/Zurich")  # clocks jump forward
    answer_to(SECRETARIAT, f"{word} 2030-10-27 02:30", "happens twice in Europe/Zurich")  # and go back
    refused = answer_to(SECRETARIAT, f"{word} 2030-01-15 17:00 Geneva", "is not a time zone")
    assert "Europe/Zurich" in refused  # the suggestion
    assert _the_call(engine, year).deadline > utcnow()  # nothing changed

    with session_scope(engine) as s:  # time passes: the deadline is behind us, the status says who is late
        opened = s.exec(select(DataCall).where(DataCall.year == year)).one()
        opened.deadline = utcnow() - timedelta(hours=1)
        s.add(opened)
    board = answer_to(SECRETARIAT, f"datacall status {year}", "HLCM data call")
    assert "9 late" in board and "*WFP* — late" in board

    new_day = (utcnow() + timedelta(days=14)).date()
    reply = answer_to(SECRETARIAT, f"{word} {new_day.isoformat()} 12:00 America/New_York", "is now")
    assert f"The deadline of the data call for {year} is now <!date^" in reply
    assert "of the 10 entities that have not submitted were told" in reply  # 9 without figures, WMO returned
    extended = _the_call(engine, year)
    assert extended.timezone == "America/New_York" and extended.deadline.hour in (16, 17)  # noon in New York
    for code in ("WFP", "WMO", "UNDP"):
        dm = _text(slack.wait_for("chat.postMessage", lambda c, u=call.focal[code]: c.params.get("channel") == u
                                  and "moved the deadline" in _text(c))[0])
        assert f"*{code}* now has until <!date^" in dm and f'"{year}:{code}"' in dm
    told = {c.params["channel"] for c in slack.calls_to("chat.postMessage") if "moved the deadline" in _text(c)}
    assert call.focal["UNEP"] not in told and call.focal["UNCTAD"] not in told and call.dual in told

    pending = [r for r in _reminders(engine, extended.id) if r.status == "pending"]
    assert pending and all(r.stale_at == extended.deadline for r in pending)
    assert all(r.status == "cancelled" for r in _reminders(engine, extended.id) if r.stale_at != extended.deadline)
    escalation = [r for r in _reminders(engine, extended.id, "datacall.escalation") if r.recipient == SECRETARIAT]
    assert [(r.due_at, r.status) for r in escalation if r.status == "pending"] == [(extended.deadline, "pending")]

    board = answer_to(SECRETARIAT, f"datacall status {year}", "HLCM data call")
    assert "0 late" in board and "*WFP* — pending" in board and "*WMO* — returned" in board
    again = answer_to(SECRETARIAT, f"{word} {new_day.isoformat()} 12:00 America/New_York", "already has")
    assert "nothing changed" in again

    answer_to(SECRETARIAT, f"datacall close {year}", "is closed")
    answer_to(SECRETARIAT, f"{word} {new_day.isoformat()}", "can no longer change")
    assert {r.status for r in _reminders(engine, extended.id, "datacall.escalation")} == {"cancelled"}


def _focal_point_reading(call: Call, slack, code: str, locale: str) -> str:
    """A focal point of `code` whose Slack locale is `locale` (the bot learns it from Slack at their first click)."""
    user = f"U{call.year}{code}{locale.replace('-', '').upper()}"
    slack.add_user(user, f"{code} focal point ({locale})", tz="Europe/Zurich", locale=locale)
    with session_scope(call.engine) as s:
        grant(s, SECRETARIAT, user, Role.FOCAL_POINT, get_process(s, call.handle), get_entity(s, code))
    return user


@pytest.mark.parametrize("code, locale, typed, example", [
    ("ILO", "fr-FR", {"scope1": "1 234,5", "scope2": "2\u202f500", "scope3_travel": "3000.75", "air_travel": "1,5"},
     "1\u202f234,5"),
    ("UNESCO", "ar", {"scope1": "١٢٣٤٫٥", "scope2": "٢٬٥٠٠", "scope3_travel": "3000.75", "air_travel": "1.5"},
     "1,234.5"),
])
def test_a_focal_point_types_figures_as_their_language_writes_numbers(sender, slack, call, code, locale, typed,
                                                                       example):
    """A French focal point types `1 234,5` and `1,5`, an Arabic one Arabic-Indic digits `١٢٣٤٫٥`; both may type the
    plain `3000.75`. A word where a figure goes is refused with the format in their language."""
    call.open()
    user = _focal_point_reading(call, slack, code, locale)
    sender.click(user, "datacall.fill", f"{call.year}:{code}")
    view = _opened_view(slack)
    assert view["submit"]["text"] != "Save and next"  # the modal is in their language

    wrong = {**typed, "scope3_travel": "beaucoup"}
    errors = sender.submit_view(user, view, page_values(1, wrong), view_id=f"V{code}1").json()["errors"]
    assert example in errors["figure:scope3_travel"] and "1234.5" in errors["figure:scope3_travel"]
    assert "figure:scope1" not in errors and "figure:scope2" not in errors and "figure:air_travel" not in errors
    assert call.draft(code) is None

    answer = fill(sender, user, view, typed, f"V{code}1", until=1)
    assert answer["response_action"] == "update" and page_number(answer["view"]) == 2
    assert call.draft(code) == {"scope1": 1234.5, "scope2": 2500, "scope3_travel": 3000.75, "air_travel": 1.5}
