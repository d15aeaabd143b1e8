"""The HLCM data call as the domain sees it, on SQLite and PostgreSQL; time is a parameter.

A data call for 2025 with a dozen entities, after 2024 came in from a CSV of past years: drafts, a change of
more than 50 % confirmed with a reason, a submission returned with a question and answered by a revision (the
first kept), a late entity, entities that never reported, a closed year; then the compilation checked number
by number against the figures below, added up by hand, and the narrative sentence."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import Session, select

from bot.entities.service import get_entity
from bot.errors import Conflict, Invalid, NotAllowed, NotFound
from bot.hlcm.history import import_csv
from bot.hlcm.narrative import paragraph
from bot.hlcm.questionnaire import QUESTIONNAIRE_FILE, QuestionnaireError, load, questionnaire
from bot.hlcm.service import (call_status, close_data_call, current, not_submitted, open_data_call, parse_figures,
                              parse_value, return_submission, revisions, save_draft, submit)
from bot.hlcm.summary import compile_year
from bot.people.service import ensure_person
from bot.processes.service import NewProcess, create_process
from bot.roles.service import grant, sync_secretariat
from bot.texts import t_plain
from storage.db import session_scope
from storage.models import AuditEntry, Role, Submission, SubmissionSource, SubmissionStatus
from tests.bot_process import consultbot

UTC = timezone.utc
NOW = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
DEADLINE = datetime(2026, 3, 31, 16, 0, tzinfo=UTC)
ASKED = ["UNEP", "UNDP", "WMO", "UNIDO", "WFP", "UNCTAD", "UNESCO", "ILO", "UNOPS", "CBD", "UNFCCC", "UNU"]
SECRETARIAT = "U0HSEC"

HISTORY = """year,entity,scope1,scope2,scope3_travel,air_travel,staff,strategy
2024,UNEP,900,2100,2800,2400,950,approved
2024,UNDP,4000,3000,9000,7000,7800,drafting
2024,WMO,100,300,700,600,400,none
2024,WFP,1800,1100,2500,1700,4800,drafting
"""


def figures(s1, s2, s3, air, staff, offsets, neutral, strategy, ems, procurement, trained=""):
    return {"scope1": s1, "scope2": s2, "scope3_travel": s3, "air_travel": air, "staff": staff, "offsets": offsets,
            "climate_neutral": neutral, "strategy": strategy, "ems": ems, "procurement_policy": procurement,
            "staff_trained": trained}


# 2025 as the entities report it (strings, as typed in a form).
UNEP = figures("1000", "2000", "3000", "2500", "1000", "6000", "yes", "approved", "met", "yes", "200")
UNDP = figures("4000", "6,000", "10 000", "8000", "8000", "0", "no", "approved", "approaching", "yes", "1000")
WMO = figures("100", "300", "600", "500", "400", "1000", "yes", "drafting", "met", "no", "50")
UNIDO = figures("500", "1500", "2000", "1800", "700", "0", "no", "none", "none", "yes")
WFP_FIRST = figures("2000", "1000", "3000", "2000", "5000", "0", "no", "approved", "approaching", "no", "300")
WFP_REVISED = figures("2000", "1000", "2000", "1500", "5000", "0", "no", "approved", "approaching", "no", "300")
UNCTAD = figures("50", "150", "300", "250", "400", "500", "yes", "approved", "met", "yes", "400")
ILO = figures("300", "700", "1000", "900", "1000", "0", "no", "drafting", "approaching", "yes", "0")


@pytest.fixture
def engine(private_engine):
    return private_engine


@pytest.fixture
def focal(engine) -> dict[str, str]:
    """The secretariat, and one sustainability focal point per entity asked (their focal point role is held in
    a sustainability-management process)."""
    with session_scope(engine) as s:
        sync_secretariat(s, [SECRETARIAT])
        secretariat = ensure_person(s, SECRETARIAT)
        process = create_process(s, secretariat, NewProcess(
            handle="sustainability", kind="consultation", title="Environmental sustainability management",
            timezone="Europe/Zurich", members=ASKED))
        users = {}
        for code in ASKED:
            users[code] = f"U0H{code}"
            grant(s, SECRETARIAT, users[code], Role.FOCAL_POINT, process, get_entity(s, code))
    return users


def _person(s: Session, user: str):
    return ensure_person(s, user)


def test_each_figure_is_checked_by_type_unit_and_bounds():
    q = questionnaire()
    cases = [("scope1", "twelve hundred", "hlcm.not_a_number"), ("scope1", "1200 tCO2e", "hlcm.unit_typed"),
             ("scope1", "1200kg", "hlcm.unit_typed"), ("scope1", "-5", "hlcm.negative"),
             ("scope1", "9000000", "hlcm.too_large"), ("staff", "12.5", "hlcm.not_whole"),
             ("staff", "0", "hlcm.below_min"), ("climate_neutral", "perhaps", "hlcm.not_yes_no"),
             ("strategy", "finished", "hlcm.not_a_choice"), ("water", "1,5", "hlcm.not_a_number")]
    for ident, raw, key in cases:
        with pytest.raises(Invalid) as caught:
            parse_value(q.get(ident), raw)
        assert (caught.value.key, caught.value.field) == (key, ident), raw
    assert parse_value(q.get("scope1"), " 12 500.5 ") == 12500.5
    assert parse_value(q.get("scope2"), "1,234") == 1234.0
    assert parse_value(q.get("staff"), "1200") == 1200 and isinstance(parse_value(q.get("staff"), "1200"), int)
    assert parse_value(q.get("strategy"), "Approved by senior management") == "approved"
    assert parse_value(q.get("climate_neutral"), "No") is False
    assert parse_value(q.get("waste"), "  ") is None
    values, errors = parse_figures({"scope3_travel": "100", "air_travel": "150", "scope2": "abc", "colour": "red"})
    assert values == {"scope3_travel": 100.0, "air_travel": 150.0}
    assert sorted((e.key, e.field) for e in errors) == [
        ("hlcm.not_a_number", "scope2"), ("hlcm.part_exceeds", "air_travel"), ("hlcm.unknown_indicator", "colour")]


def test_a_bad_questionnaire_fails_start_up_with_one_line(tmp_path, private_database_url):
    good = QUESTIONNAIRE_FILE.read_text(encoding="utf-8")
    bad_files = [  # (text of the good file, replaced by, the line start-up prints)
        ("type: number", "type: percentage", "scope1: type must be one of number, integer, yes_no, choice"),
        ("    max: 5000000\n", "    maximum: 5000000\n", "scope1: unknown field maximum"),
        ("  - id: water", "  - id: scope1", "scope1 is defined twice"),
        ("  - id: ems\n    group: management\n    type: choice\n    choices: [none, approaching, met]\n", "",
         "the compilation needs ems"),
        ("[none, approaching, met]", "[none, met]", "ems must offer the choices none, approaching, met"),
        ("  - id: water\n", "  - id: water\n    label: Water\n", "water: label are texts now"),
        ("  - id: water", "  - id: rain", "the text questionnaire.indicators.rain.label is missing"),
        ("groups: [emissions,", "groups: [energy, emissions,", "the text questionnaire.groups.energy.title is missing"),
    ]
    path = tmp_path / "questionnaire.yaml"
    for old, new, message in bad_files:
        assert old in good
        path.write_text(good.replace(old, new, 1), encoding="utf-8")
        with pytest.raises(QuestionnaireError, match=message):
            load(path)
    path.write_text("indicators: [\n", encoding="utf-8")
    with pytest.raises(QuestionnaireError, match="not valid YAML"):
        load(path)
    history = tmp_path / "history.csv"
    history.write_text(HISTORY, encoding="utf-8")
    result = consultbot("hlcm", "import", str(history), check=False,
                        env={"DATABASE_URL": private_database_url, "CONSULTBOT_HLCM_QUESTIONNAIRE": str(path)})
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "prompts:" in result.stderr and "not valid YAML" in result.stderr and "Traceback" not in result.stderr


def test_a_bad_history_file_is_reported_by_line_and_nothing_is_imported(engine, private_database_url, tmp_path):
    bad = (HISTORY.replace("2024,WMO,100", "2024,WMO,-100").replace("2024,WFP,1800,1100", "2024,WFP,1800 t,1100")
           + "2024,UNEP,1,1,1,1,1,none\n2031,UNU,1,1,1,1,1,none\n2023,NOPE,1,1,1,1,1,none\n2023,ILO,1,1\n"
           + "2023,ILO,1,2,4,3,5,sometimes\n")
    path = tmp_path / "bad.csv"
    path.write_text(bad, encoding="utf-8")
    result = consultbot("hlcm", "import", str(path), env={"DATABASE_URL": private_database_url}, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == f"{path}: nothing imported, 7 problem(s):"
    assert lines[1:] == [
        "  line 4: Scope 1 emissions cannot be negative.",
        "  line 5: Scope 1 emissions: type the figure only — the unit is tCO2e, already set; convert the figure to "
        "tCO2e if it is in another unit.",
        "  line 6: UNEP 2024 already appears on line 2.",
        "  line 7: 2031 is not a reporting year (2000–2026).",
        "  line 8: no entity NOPE.",
        "  line 9: 4 values for 8 columns.",
        "  line 10: Emission reduction strategy: choose one of none, drafting, approved.",
    ]
    wrong_columns = tmp_path / "columns.csv"
    wrong_columns.write_text("year,entity,scope1,co2\n2024,UNEP,1,2\n", encoding="utf-8")
    result = consultbot("hlcm", "import", str(wrong_columns), env={"DATABASE_URL": private_database_url}, check=False)
    assert result.returncode == 1 and "line 1: co2 is not an indicator of the questionnaire" in result.stderr
    with Session(engine) as s:
        assert s.exec(select(Submission)).all() == []
    good = tmp_path / "good.csv"
    good.write_text(HISTORY, encoding="utf-8")
    result = consultbot("hlcm", "import", str(good), env={"DATABASE_URL": private_database_url})
    assert result.stdout.strip() == f"{good}: 4 submission(s) imported for 2024."
    again = consultbot("hlcm", "import", str(good), env={"DATABASE_URL": private_database_url}, check=False)
    assert again.returncode == 1 and "line 2: UNEP already has figures for 2024." in again.stderr
    with Session(engine) as s:
        rows = s.exec(select(Submission).order_by(Submission.id)).all()
        assert len(rows) == 4 and {r.source for r in rows} == {SubmissionSource.CSV}
        assert rows[0].figures == {"scope1": 900.0, "scope2": 2100.0, "scope3_travel": 2800.0, "air_travel": 2400.0,
                                   "staff": 950, "strategy": "approved"}


def test_a_data_call_year_from_drafts_to_the_compilation(engine, focal):
    with session_scope(engine) as s:
        assert import_csv(s, "test", HISTORY, now=NOW).ok
    with session_scope(engine) as s:
        with pytest.raises(NotAllowed):
            open_data_call(s, _person(s, focal["UNEP"]), 2025, DEADLINE, "Europe/Zurich", ASKED, now=NOW)
        with pytest.raises(Invalid) as caught:
            open_data_call(s, _person(s, SECRETARIAT), 2027, DEADLINE, "Europe/Zurich", ASKED, now=NOW)
        assert caught.value.key == "hlcm.bad_year"
        with pytest.raises(Invalid):
            open_data_call(s, _person(s, SECRETARIAT), 2025, NOW - timedelta(hours=1), "Europe/Zurich", ASKED, now=NOW)
        open_data_call(s, _person(s, SECRETARIAT), 2025, DEADLINE, "Europe/Zurich", ASKED, now=NOW)
    with session_scope(engine) as s, pytest.raises(Conflict):
        open_data_call(s, _person(s, SECRETARIAT), 2025, DEADLINE, "Europe/Zurich", ASKED, now=NOW)

    def act(fn, user, *args, **kwargs):
        with session_scope(engine) as s:
            return fn(s, _person(s, user), 2025, *args, now=kwargs.pop("now", NOW + timedelta(days=1)), **kwargs)

    # Drafts: partial, each figure still checked; saving again updates the same draft.
    act(save_draft, focal["UNESCO"], "UNESCO", {"scope1": "120"})
    act(save_draft, focal["UNESCO"], "UNESCO", {"scope1": "130", "scope2": "400"})
    with pytest.raises(Invalid) as caught:
        act(save_draft, focal["UNESCO"], "UNESCO", {"scope1": "130 tCO2e"})
    assert caught.value.field == "scope1"
    act(save_draft, focal["UNEP"], "UNEP", {"scope1": "1000"})
    with pytest.raises(Invalid) as caught:
        act(save_draft, SECRETARIAT, "FAO", {"scope1": "1"})
    assert caught.value.key == "hlcm.not_asked"
    with pytest.raises(NotAllowed):
        act(save_draft, focal["UNDP"], "UNEP", {"scope1": "1"})  # not UNDP's to report
    with pytest.raises(Invalid) as caught:
        act(submit, focal["UNIDO"], "UNIDO", {"scope1": "500"})
    assert caught.value.key == "hlcm.required"

    act(submit, focal["UNEP"], "UNEP", UNEP)  # the draft becomes the submission
    # UNDP's scope 2 doubled against 2024 (3,000 -> 6,000): flagged, and refused until a reason is given.
    with pytest.raises(Invalid) as caught:
        act(submit, focal["UNDP"], "UNDP", UNDP)
    assert (caught.value.key, caught.value.field) == ("hlcm.reason_needed", "scope2")
    assert str(caught.value.params["change"]) == "+100" and str(caught.value.params["previous"]) == "3,000"
    act(submit, focal["UNDP"], "UNDP", UNDP, reasons={"scope2": "Country offices included for the first time",
                                                      "scope1": "not flagged, not kept"})
    for code, answers in (("WMO", WMO), ("UNIDO", UNIDO), ("WFP", WFP_FIRST), ("UNCTAD", UNCTAD)):
        act(submit, focal[code], code, answers)

    # The secretariat returns WFP's figures with a question; WFP answers with a revision; the first is kept.
    with pytest.raises(NotAllowed):
        act(return_submission, focal["UNEP"], "WFP", "Is air travel right?")
    with pytest.raises(Invalid):
        act(return_submission, SECRETARIAT, "WFP", "   ")
    with pytest.raises(Conflict):
        act(return_submission, SECRETARIAT, "ILO", "Where are your figures?")
    act(return_submission, SECRETARIAT, "WFP", "Business travel rose by 20 %; does it include field missions?")
    with session_scope(engine) as s:
        states = {st.code: st.state for st in call_status(s, 2025, now=NOW + timedelta(days=2))}
        assert states["WFP"] == "returned" and states["UNESCO"] == "draft" and states["ILO"] == "pending"
    act(submit, focal["WFP"], "WFP", WFP_REVISED, now=NOW + timedelta(days=3))

    # After the deadline: ILO reports late (accepted while the call is open); UNESCO stays a draft.
    late = DEADLINE + timedelta(days=2)
    with session_scope(engine) as s:
        states = {st.code: st.state for st in call_status(s, 2025, now=late)}
        assert states == {"UNEP": "submitted", "UNDP": "submitted", "WMO": "submitted", "UNIDO": "submitted",
                          "WFP": "submitted", "UNCTAD": "submitted", "UNESCO": "late", "ILO": "late",
                          "UNOPS": "late", "CBD": "late", "UNFCCC": "late", "UNU": "late"}
        assert [e.code for e in not_submitted(s, 2025)] == ["CBD", "ILO", "UNESCO", "UNFCCC", "UNOPS", "UNU"]
    act(submit, focal["ILO"], "ILO", ILO, now=late)
    act(close_data_call, SECRETARIAT, now=late + timedelta(days=1))
    with pytest.raises(Conflict) as caught:
        act(submit, focal["UNESCO"], "UNESCO", UNIDO, now=late + timedelta(days=2))
    assert caught.value.key == "hlcm.call_closed"
    with pytest.raises(Conflict):
        act(save_draft, focal["UNEP"], "UNEP", {"scope1": "1"}, now=late + timedelta(days=2))

    with Session(engine) as s:
        wfp = get_entity(s, "WFP")
        first, second = revisions(s, wfp.id, 2025)
        assert (first.revision, first.status, first.question) == (
            1, SubmissionStatus.SUPERSEDED, "Business travel rose by 20 %; does it include field missions?")
        assert first.figures["scope3_travel"] == 3000.0 and second.figures["scope3_travel"] == 2000.0
        assert (second.revision, second.status) == (2, SubmissionStatus.SUBMITTED)
        assert current(s, wfp.id, 2025).id == second.id
        undp = current(s, get_entity(s, "UNDP").id, 2025)
        assert undp.reasons == {"scope2": "Country offices included for the first time"}
        assert undp.figures["scope3_travel"] == 10000.0
        unesco = revisions(s, get_entity(s, "UNESCO").id, 2025)
        assert [(r.status, r.figures) for r in unesco] == [(SubmissionStatus.DRAFT, {"scope1": 130.0, "scope2": 400.0})]
        actions = list(s.exec(select(AuditEntry.action).where(AuditEntry.action.like("hlcm.%"))).all())
        assert actions.count("hlcm.submitted") == 8 and actions.count("hlcm.returned") == 1

        summary = compile_year(s, 2025)
    # By hand, from the figures above (reporting: ILO, UNCTAD, UNDP, UNEP, UNIDO, WFP rev. 2, WMO).
    assert summary.asked == 12
    assert summary.reporting == ("ILO", "UNCTAD", "UNDP", "UNEP", "UNIDO", "WFP", "WMO")
    assert summary.not_reported == ("CBD", "UNESCO", "UNFCCC", "UNOPS", "UNU")
    by_source = {line.id: line for line in summary.sources}
    assert by_source["scope1"].total == 1000 + 4000 + 100 + 500 + 2000 + 50 + 300 == 7950
    assert by_source["scope2"].total == 2000 + 6000 + 300 + 1500 + 1000 + 150 + 700 == 11650
    assert by_source["scope3_travel"].total == 3000 + 10000 + 600 + 2000 + 2000 + 300 + 1000 == 18900
    assert by_source["air_travel"].total == 2500 + 8000 + 500 + 1800 + 1500 + 250 + 900 == 15450
    assert summary.total == 7950 + 11650 + 18900 == 38500
    assert by_source["scope1"].share_pct == pytest.approx(7950 / 38500 * 100)
    assert by_source["scope2"].share_pct == pytest.approx(11650 / 38500 * 100)
    assert by_source["scope3_travel"].share_pct == pytest.approx(18900 / 38500 * 100)
    assert by_source["air_travel"].share_pct == pytest.approx(15450 / 18900 * 100)
    assert by_source["air_travel"].part_of == "scope3_travel" and by_source["scope1"].entities == 7
    assert summary.staff == 1000 + 8000 + 400 + 700 + 5000 + 400 + 1000 == 16500
    assert summary.per_capita == pytest.approx(38500 / 16500)
    assert summary.offsets == 6000 + 1000 + 500 == 7500
    assert summary.net == 38500 - 7500
    change = summary.change
    assert change.previous_year == 2024
    assert change.previous_total == ((900 + 2100 + 2800) + (4000 + 3000 + 9000) + (100 + 300 + 700)
                                     + (1800 + 1100 + 2500)) == 28300
    assert change.change_pct == pytest.approx((38500 - 28300) / 28300 * 100)
    assert change.comparable == ("UNDP", "UNEP", "WFP", "WMO")
    assert change.comparable_current == 20000 + 6000 + 5000 + 1000 == 32000
    assert change.comparable_change_pct == pytest.approx((32000 - 28300) / 28300 * 100)
    counts = summary.counts
    assert counts.reporting == 7
    assert counts.strategy_approved == 4  # UNEP, UNDP, WFP, UNCTAD
    assert counts.strategy_drafting == 2  # WMO, ILO
    assert counts.climate_neutral == 3  # UNEP, WMO, UNCTAD
    assert counts.ems_met == 3 and counts.ems_approaching == 3 and counts.ems_met_or_approaching == 6
    assert counts.procurement_policy == 5  # UNEP, UNDP, UNIDO, UNCTAD, ILO
    assert counts.staff_trained == 200 + 1000 + 50 + 300 + 400 + 0 == 1950 and counts.staff_trained_entities == 6
    assert change.previous_reporting == 4
    annex = {row.code: row for row in summary.annex}
    assert [row.code for row in summary.annex] == list(summary.reporting)
    assert (annex["WFP"].revision, annex["WFP"].total, annex["WFP"].per_capita) == (2, 5000, 1.0)
    assert (annex["UNDP"].total, annex["UNDP"].per_capita) == (20000, 2.5)
    assert annex["UNDP"].reasons == {"scope2": "Country offices included for the first time"}
    assert annex["UNIDO"].figures.get("staff_trained") is None and annex["UNIDO"].total == 4000
    assert annex["UNEP"].name == "United Nations Environment Programme" and annex["UNEP"].source == "slack"

    assert paragraph(summary) == (
        "In 2025, 7 of the 12 entities asked reported their environmental sustainability figures. "
        "Together they emitted 38,500 tCO2e (2.33 tCO2e per staff member): 7,950 from their own sources (scope 1), "
        "11,650 from purchased energy (scope 2) and 18,900 from business travel, of which 15,450 from air travel. "
        "Like for like, the 4 entities that reported for both 2024 and 2025 raised their emissions by 13.1 % "
        "(28,300 → 32,000 tCO2e). The totals cover different entities: 28,300 tCO2e from 4 entities in 2024, "
        "38,500 tCO2e from 7 in 2025. "
        "4 entities had an emission reduction strategy approved by senior management, 3 were climate neutral, "
        "3 had an environmental management system in place and 3 more took concrete steps to implement one; "
        "5 had a sustainable procurement policy. "
        "5 entities did not report: CBD, UNESCO, UNFCCC, UNOPS, UNU.")

    with Session(engine) as s:
        history = compile_year(s, 2024)
    assert history.asked is None and history.not_reported == () and history.total == 28300
    assert history.counts.strategy_approved == 1 and history.change is None
    assert paragraph(history).startswith("In 2024, 4 entities reported their environmental sustainability figures.")
    with Session(engine) as s, pytest.raises(NotFound):
        close_data_call(s, _person(s, SECRETARIAT), 2024)


def test_a_figure_is_read_as_the_persons_language_writes_numbers_and_in_the_plain_form():
    q = questionnaire()
    typed = [("fr-FR", "1 234,5"), ("fr", "1\u202f234,5"), ("es-ES", "1.234,5"), ("ru-RU", "1\u00a0234,5"),
             ("ar", "١٢٣٤٫٥"), ("ar", "١٬٢٣٤٫٥"), ("zh-CN", "1,234.5")]
    for locale, raw in typed:
        assert parse_value(q.get("scope1"), raw, locale) == 1234.5, (locale, raw)
        assert parse_value(q.get("scope1"), "1234.5", locale) == 1234.5, locale  # the plain form, everywhere
    assert parse_value(q.get("water"), "1,5", "fr-FR") == 1.5  # a decimal comma in French, refused in English
    with pytest.raises(Invalid) as caught:
        parse_value(q.get("scope1"), "1 234,5 t", "fr-FR")
    assert caught.value.key == "hlcm.unit_typed"
    with pytest.raises(Invalid) as caught:
        parse_value(q.get("scope1"), "beaucoup", "fr-FR")
    assert caught.value.key == "hlcm.not_a_number"
    assert t_plain(caught.value.key, "fr-FR", **caught.value.params).count("1\u202f234,5") == 1
