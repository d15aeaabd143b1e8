"""Mapping surveys as the domain sees them, on SQLite and PostgreSQL; time is a parameter.

The biodiversity IMG maps the UN system's support to the Aichi Biodiversity Targets: a dozen entities asked,
drafts, bad answers refused whole, submissions, one returned with a question (its answers still count), two
entities volunteering to lead targets; then the matrix, the catalogue filtered by type and topic, the gaps,
and the three exports read back."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlmodel import select

from bot.entities.service import get_entity
from bot.errors import Conflict, Invalid, NotAllowed, NotFound
from bot.mapping.answers import parse_answers
from bot.mapping.exports import export
from bot.mapping.matrix import build, load
from bot.mapping.pages import paginate
from bot.mapping.render import page_view, target_view
from bot.mapping.reminders import REMINDER, close_with_reminders, open_with_reminders
from bot.mapping.service import (close_mapping, get_mapping, not_answered, open_mapping, return_response,
                                 save_draft, status, submit)
from bot.mapping.survey import DATA_DIR, SurveyError, load as load_survey, surveys
from bot.people.service import ensure_person
from bot.processes.service import NewProcess, create_process
from bot.reminders.delivery import KINDS
from bot.reminders.outcomes import Skip
from bot.roles.service import grant, sync_secretariat
from storage.db import session_scope
from storage.models import AuditEntry, MappingResponse, Reminder, ReminderStatus, Role
from tests.bot_process import consultbot
from tests.slack_double_limits import block_kit_errors, view_errors

UTC = timezone.utc
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DEADLINE = datetime(2026, 4, 30, 16, 0, tzinfo=UTC)
ASKED = ["CBD", "UNEP", "UNDP", "FAO", "UNESCO", "CITES", "UNCCD", "UNFCCC", "UNU", "WMO", "IMO", "UNWTO"]
SECRETARIAT = "U0MSEC"


def user(code: str) -> str:
    return f"U0M{code}"


@pytest.fixture
def engine(private_engine):
    return private_engine


@pytest.fixture
def img(engine) -> None:
    """The biodiversity IMG with a dozen member entities, a focal point each."""
    with session_scope(engine) as s:
        sync_secretariat(s, [SECRETARIAT])
        secretariat = ensure_person(s, SECRETARIAT)
        process = create_process(s, secretariat, NewProcess(
            handle="img-biodiversity", kind="img", title="Issue Management Group on Biodiversity",
            timezone="Europe/Zurich", members=ASKED))
        for code in ASKED:
            grant(s, SECRETARIAT, user(code), Role.FOCAL_POINT, process, get_entity(s, code))


def answers(grid: dict, products: list | None = None) -> dict:
    return {"grid": grid, "products": products or []}


CBD = answers({"t17": {"functions": "Guidance on NBSAPs", "volunteer": "lead"},
               "t19": {"tools": "Clearing-house mechanism", "volunteer": "lead"},
               "t11": {"indicators": "Protected area coverage"}},
              [{"title": "NBSAP forum", "type": "database", "link": "https://nbsapforum.net", "topics": "knowledge"},
               {"title": "Global Biodiversity Outlook", "type": "report", "link": "", "topics": ["ecosystems",
                                                                                                 "species"]}])
UNEP = answers({"t08": {"functions": "Pollution assessments", "volunteer": "lead"},
                "t19": {"functions": "UN Biodiversity Lab", "volunteer": "facilitate"},
                "t02": {"decisions": "UNEA resolution 2/16"}},
               [{"title": "TEEB toolkit", "type": "toolkit", "link": "https://teebweb.org", "topics": "mainstreaming,finance"}])
FAO = answers({"t07": {"functions": "Sustainable agriculture and forestry", "volunteer": "facilitate"},
               "t06": {"tools": "FAO fisheries code of conduct"}, "t13": {"functions": "Genebanks"}},
              [{"title": "Voluntary guidelines on small-scale fisheries", "type": "guidance",
                "topics": ["mainstreaming"]}])
OTHERS = {"UNDP": {"t03": {"functions": "BIOFIN"}, "t20": {"functions": "BIOFIN", "volunteer": "facilitate"}},
          "UNESCO": {"t18": {"functions": "Local and indigenous knowledge"}, "t01": {"tools": "World heritage"}},
          "CITES": {"t12": {"decisions": "Appendix listings"}, "t04": {"functions": "Legal and sustainable trade"}},
          "UNCCD": {"t15": {"functions": "Land degradation neutrality"}, "t05": {"indicators": "Land cover"}},
          "UNFCCC": {"t10": {"functions": "Coral reefs and climate"}},
          "UNU": {"t14": {"functions": "Satoyama initiative"}},
          "IMO": {"t09": {"functions": "Ballast water convention"}}}


def test_the_three_surveys_ship_as_data():
    aichi, chemicals, green = surveys()["aichi"], surveys()["chemicals"], surveys()["green_economy"]
    assert len(aichi.targets) == 20
    assert aichi.target("t01").title == "Awareness of biodiversity increased"
    assert aichi.target("t20").label == "20. Mobilizing resources from all sources"
    assert [g for g in aichi.groups] == ["goal_a", "goal_b", "goal_c", "goal_d", "goal_e"]
    assert [f.id for f in aichi.grid] == ["functions", "tools", "indicators", "decisions", "volunteer"]
    assert [t.title for t in chemicals.targets] == [
        "Risk reduction", "Knowledge and information", "Governance", "Capacity-building and technical cooperation",
        "Illegal international traffic"]
    assert {"toolkit", "best_practice", "assessment_method"} <= set(green.types)


def test_a_bad_survey_file_fails_start_up_with_one_line(tmp_path, private_database_url):
    good = (DATA_DIR / "mapping-aichi.yaml").read_text(encoding="utf-8")
    bad_files = [
        ("type: text}\n  - {id: tools", "type: memo}\n  - {id: tools", "functions: type must be one of text, choice"),
        ("{id: t02, code: \"2\", group: goal_a", "{id: t01, code: \"2\", group: goal_a", "t01 defined twice"),
        ("group: goal_e, title: Traditional", "group: goal_f, title: Traditional", "group 'goal_f' is not listed"),
        ("  - id: volunteer\n", "  - id: volunteers\n", "the grid needs a volunteer choice of lead, facilitate"),
        ("target_names: Aichi", "target_plural: Aichi", "unknown field target_plural"),
    ]
    for old, new, message in bad_files:
        assert old in good, old
        path = tmp_path / "mapping-aichi.yaml"
        path.write_text(good.replace(old, new, 1), encoding="utf-8")
        with pytest.raises(SurveyError, match=message):
            load_survey(path)
    # the command line (as serving) stops before anything else, with that one line
    result = consultbot("mapping", "show", "img-biodiversity", "aichi", check=False,
                        env={"DATABASE_URL": private_database_url, "CONSULTBOT_MAPPING_SURVEYS": str(tmp_path)})
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "prompts:" in result.stderr and "unknown field target_plural" in result.stderr
    assert "Traceback" not in result.stderr


def test_answers_are_checked_field_by_field_and_blank_rows_dropped():
    aichi = surveys()["aichi"]
    clean, errors = parse_answers(aichi, {
        "grid": {"t01": {"functions": "  ", "volunteer": "chair"}, "t99": {"functions": "x"},
                 "t02": {"colour": "red", "tools": "x" * 1001}, "t03": {"functions": " Campaigns "}},
        "products": [{"title": "", "type": "toolkit"}, {"title": "Atlas", "type": "map", "link": "ftp://x"},
                     {"title": "", "type": "", "link": ""}, {"title": "Ok", "type": "tool", "topics": "species, art"},
                     {"title": "Fine", "type": "Tool", "link": "https://example.org/a?b=c", "topics": "species"}]})
    assert sorted((e.key, e.field) for e in errors) == [
        ("mapping.bad_link", "products.2.link"), ("mapping.not_a_choice", "t01.volunteer"),
        ("mapping.product_title_needed", "products.1.title"), ("mapping.text_too_long", "t02.tools"),
        ("mapping.unknown_field", "t02.colour"), ("mapping.unknown_target", "t99"),
        ("mapping.unknown_topic", "products.4.topics"), ("mapping.unknown_type", "products.2.type")]
    assert clean == {"grid": {"t03": {"functions": "Campaigns"}},
                     "products": [{"title": "Fine", "type": "tool", "link": "https://example.org/a?b=c",
                                   "topics": ["species"]}]}


def test_a_biodiversity_mapping_answered_by_a_dozen_entities(engine, img, tmp_path, private_database_url):
    with session_scope(engine) as s:
        secretariat = ensure_person(s, SECRETARIAT)
        with pytest.raises(NotAllowed):
            open_mapping(s, ensure_person(s, user("CBD")), "img-biodiversity", "aichi", DEADLINE, "Europe/Zurich",
                         now=NOW)
        with pytest.raises(Invalid) as caught:
            open_mapping(s, secretariat, "img-biodiversity", "aichy", DEADLINE, "Europe/Zurich", now=NOW)
        assert caught.value.params["known"] == "aichi, chemicals, green_economy"
        with pytest.raises(Invalid, match="deadline_past"):
            open_mapping(s, secretariat, "img-biodiversity", "aichi", NOW - timedelta(days=1), "Europe/Zurich",
                         now=NOW)
        open_mapping(s, secretariat, "img-biodiversity", "aichi", DEADLINE, "Europe/Zurich", now=NOW)
    with session_scope(engine) as s:
        with pytest.raises(Conflict):
            open_mapping(s, ensure_person(s, SECRETARIAT), "img-biodiversity", "aichi", DEADLINE, "UTC", now=NOW)
    with session_scope(engine) as s:
        mapping = get_mapping(s, "img-biodiversity", "aichi")
        assert [x.state for x in status(s, mapping, NOW)] == ["pending"] * 12
        cbd = ensure_person(s, user("CBD"))
        # a focal point answers only for its own entity
        with pytest.raises(NotAllowed):
            save_draft(s, cbd, mapping, "UNEP", UNEP, NOW)
        with pytest.raises(Invalid, match="not_asked"):
            save_draft(s, ensure_person(s, SECRETARIAT), mapping, "WFP", UNEP, NOW)
        save_draft(s, cbd, mapping, "CBD", answers({"t17": {"functions": "Guidance on NBSAPs"}}), NOW)
        # a draft with one bad field is not saved at all: the earlier draft stays
        with pytest.raises(Invalid, match="bad_link"):
            save_draft(s, cbd, mapping, "CBD", answers({"t17": {"functions": "changed"}},
                                                       [{"title": "x", "type": "tool", "link": "nbsap"}]), NOW)
    with session_scope(engine) as s:
        mapping = get_mapping(s, "img-biodiversity", "aichi")
        row = s.exec(select(MappingResponse).where(MappingResponse.status == "draft")).one()
        assert row.draft["grid"] == {"t17": {"functions": "Guidance on NBSAPs"}}
        submit(s, ensure_person(s, user("CBD")), mapping, "CBD", CBD, NOW)
        submit(s, ensure_person(s, user("UNEP")), mapping, "UNEP", UNEP, NOW)
        save_draft(s, ensure_person(s, user("FAO")), mapping, "FAO", FAO, NOW)
        submit(s, ensure_person(s, user("FAO")), mapping, "FAO", None, NOW)  # its draft
        with pytest.raises(Conflict, match="nothing_to_submit"):
            submit(s, ensure_person(s, user("WMO")), mapping, "WMO", None, NOW)
        for code, grid in OTHERS.items():
            submit(s, ensure_person(s, user(code)), mapping, code, answers(grid), NOW)
        with pytest.raises(Conflict, match="nothing_to_return"):
            return_response(s, ensure_person(s, SECRETARIAT), mapping, "WMO", "Anything?", NOW)
        with pytest.raises(Invalid, match="question_needed"):
            return_response(s, ensure_person(s, SECRETARIAT), mapping, "UNEP", "  ", NOW)
        return_response(s, ensure_person(s, SECRETARIAT), mapping, "UNEP", "Do you also lead target 19?", NOW)
        save_draft(s, ensure_person(s, user("WMO")), mapping, "WMO", answers({"t10": {"functions": "Climate"}}), NOW)
    with session_scope(engine) as s:
        mapping = get_mapping(s, "img-biodiversity", "aichi")
        states = {x.code: x.state for x in status(s, mapping, NOW)}
        assert states["UNEP"] == "returned" and states["WMO"] == "draft" and states["CBD"] == "submitted"
        assert {x.code: x.state for x in status(s, mapping, DEADLINE + timedelta(hours=1))}["WMO"] == "late"
        assert [e.code for e in not_answered(s, mapping)] == ["UNWTO", "WMO"]
        m = load(s, mapping)
        assert len(s.exec(select(AuditEntry).where(AuditEntry.action == "mapping.submitted")).all()) == 10
    # who covers which target, who volunteered, what nobody covers
    assert m.coverage("t19").covering == ("CBD", "UNEP") and m.coverage("t19").leads == ("CBD",)
    assert m.coverage("t19").facilitators == ("UNEP",)  # returned answers still count
    assert m.coverage("t08").leads == ("UNEP",) and m.coverage("t17").leads == ("CBD",)
    assert sorted({c for t in m.survey.targets for c in m.coverage(t.id).leads}) == ["CBD", "UNEP"]
    assert [t.code for t in m.gaps] == ["16"]  # WMO's target 10 is only a draft; nobody maps 16
    assert m.coverage("t10").covering == ("UNFCCC",)
    # the catalogue, filtered
    assert [p.title for p in m.catalogue()] == ["NBSAP forum", "Global Biodiversity Outlook",
                                                "Voluntary guidelines on small-scale fisheries", "TEEB toolkit"]
    assert [p.entity for p in m.catalogue(topic="mainstreaming")] == ["FAO", "UNEP"]
    assert [p.title for p in m.catalogue(kind="report", topic="species")] == ["Global Biodiversity Outlook"]
    # the exports read back
    rows = list(csv.reader(io.StringIO(export(m, "matrix", "csv").decode("utf-8-sig"))))
    assert rows[0] == ["Entity", "Target", "Question", "Answer"]  # a row per entity, target and question answered
    assert ["CBD", "17. Biodiversity strategies and action plans", "Key functions", "Guidance on NBSAPs"] in rows
    assert ["CBD", "17. Biodiversity strategies and action plans",
            "We volunteer to lead or facilitate this target", "Lead"] in rows
    assert ["UNEP", "2. Biodiversity values integrated", "Governing body decisions", "UNEA resolution 2/16"] in rows
    assert [r for r in rows if r[0] == "WMO"] == [["WMO", "", "", "no answer"]]
    assert len({r[0] for r in rows[1:]}) == 12
    book = load_workbook(io.BytesIO(export(m, "matrix", "xlsx")))
    assert book.sheetnames == ["Mapping matrix", "Answers per target"]
    per_target = list(book["Answers per target"].iter_rows(values_only=True))
    assert per_target[3] == ("Target", "Entity", "Role", "Key functions", "Tools", "Indicators",
                          "Governing body decisions")
    assert ("19. Sharing information and knowledge", "CBD", "Lead", None, "Clearing-house mechanism", None,
            None) in per_target
    sheet = book.active
    values = [[c for c in r] for r in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "System-wide mapping of support to the Aichi Biodiversity Targets"
    assert values[2][0] == "Gaps (Aichi Biodiversity Targets nobody covers): 16"
    assert values[4][0] == "Entity" and values[5][0] == "CBD" and values[5][17] == "Lead"
    assert sheet.freeze_panes == "B6"
    doc = Document(io.BytesIO(export(m, "catalogue", "docx", kind="guidance")))
    table = doc.tables[0]
    assert [c.text for c in table.rows[1].cells] == ["FAO", "Voluntary guidelines on small-scale fisheries",
                                                     "Guidance", "Mainstreaming", ""]
    assert len(table.rows) == 2
    catalogue = list(csv.reader(io.StringIO(export(m, "catalogue", "csv").decode("utf-8-sig"))))
    assert catalogue[1] == ["CBD", "NBSAP forum", "Database or portal", "Knowledge and information",
                            "https://nbsapforum.net"]
    with pytest.raises(Invalid, match="filter_unknown_topic"):
        export(m, "catalogue", "csv", topic="art")
    # the command line: a file, or one line on stderr and none
    out = tmp_path / "matrix.xlsx"
    env = {"DATABASE_URL": private_database_url}
    result = consultbot("mapping", "export", "img-biodiversity", "aichi", "--format", "xlsx", "--out", str(out),
                        env=env)
    assert out.read_bytes()[:2] == b"PK" and "matrix of the aichi mapping" in result.stdout
    result = consultbot("mapping", "export", "img-biodiversity", "aichi", "--what", "catalogue", "--type", "atlas",
                        "--format", "csv", "--out", str(tmp_path / "no.csv"), env=env, check=False)
    assert result.returncode == 1 and "atlas is not a type of product" in result.stderr
    assert not (tmp_path / "no.csv").exists()
    result = consultbot("mapping", "show", "img-biodiversity", "chemicals", env=env, check=False)
    assert result.returncode == 1 and "There is no chemicals mapping on img-biodiversity" in result.stderr
    shown = consultbot("mapping", "show", "img-biodiversity", "aichi", env=env).stdout
    assert "19. Sharing information and knowledge: covered by CBD, UNEP; lead: CBD; facilitate: UNEP" in shown
    assert shown.splitlines()[-1] == "Gaps (Aichi Biodiversity Targets nobody covers): 16. Access to and sharing " \
                                     "benefits from genetic resources"
    # closing: nothing changes any more
    with session_scope(engine) as s:
        mapping = get_mapping(s, "img-biodiversity", "aichi")
        with pytest.raises(NotAllowed):
            close_mapping(s, ensure_person(s, user("CBD")), mapping, NOW)
        close_mapping(s, ensure_person(s, SECRETARIAT), mapping, NOW)
    with session_scope(engine) as s:
        mapping = get_mapping(s, "img-biodiversity", "aichi")
        with pytest.raises(Conflict, match="closed"):
            submit(s, ensure_person(s, user("WMO")), mapping, "WMO", answers({}), NOW)
        with pytest.raises(NotFound):
            get_mapping(s, "img-biodiversity", "green_economy")


def test_the_mapping_benchmark_runs_and_reports_the_three_formats(tmp_path):
    """The harness only (the figures are in docs/benchmarks.md): a few entities, one repetition."""
    root = Path(__file__).resolve().parents[1]
    figures = tmp_path / "mapping.json"
    result = subprocess.run([sys.executable, str(root / "bench" / "mapping.py"), "--entities", "5", "--repeat", "1",
                             "--max-ratio", "1000", "--json", str(figures)],
                            cwd=root, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| what | ours ms | baseline | baseline ms | ratio ours / baseline | goal |" in result.stdout
    data = json.loads(figures.read_text())
    assert (data["entities"], data["targets"]) == (5, 20)
    assert [r["what"] for r in data["results"]] == ["XLSX matrix", "DOCX matrix", "CSV matrix"]


def test_the_entities_that_have_not_answered_are_chased_until_the_mapping_closes(engine, img):
    """Each focal point at T-7d, T-2d and T-0; at send time, an entity that submitted hears nothing, one with a
    draft is told it is saved, one whose answers came back is chased with the question; closing cancels."""
    with session_scope(engine) as s:
        mapping = open_with_reminders(s, ensure_person(s, SECRETARIAT), "img-biodiversity", "aichi", DEADLINE,
                                      "Europe/Zurich", None, NOW)
        rows = s.exec(select(Reminder).where(Reminder.kind == REMINDER, Reminder.subject_id == mapping.id)).all()
        assert len(rows) == 12 * 3 and {r.offset for r in rows} == {"T-7d", "T-2d", "T-0"}
        assert {r.recipient for r in rows} == {user(c) for c in ASKED}
        submit(s, ensure_person(s, user("CBD")), mapping, "CBD", CBD, NOW)
        save_draft(s, ensure_person(s, user("FAO")), mapping, "FAO", FAO, NOW)
        submit(s, ensure_person(s, user("UNEP")), mapping, "UNEP", UNEP, NOW)
        return_response(s, ensure_person(s, SECRETARIAT), mapping, "UNEP", "Do you also lead target 19?", NOW)
    due = DEADLINE - timedelta(days=2)
    with session_scope(engine) as s:
        mapping = get_mapping(s, "img-biodiversity", "aichi")

        def said(code: str):
            row = s.exec(select(Reminder).where(Reminder.kind == REMINDER, Reminder.offset == "T-2d",
                                                Reminder.recipient == user(code))).one()
            return KINDS[row.kind](s, row, due)

        assert said("CBD") == Skip("submitted")
        assert "has not yet answered *System-wide mapping" in said("WMO").text
        fao = said("FAO")
        assert "Your draft is saved" in json.dumps(fao.blocks) and "mapping.fill" in json.dumps(fao.blocks)
        assert "Do you also lead target 19?" in said("UNEP").text
        close_with_reminders(s, ensure_person(s, SECRETARIAT), mapping, NOW)
    with session_scope(engine) as s:
        statuses = s.exec(select(Reminder.status).where(Reminder.kind == REMINDER)).all()
        assert set(statuses) == {ReminderStatus.CANCELLED}


@pytest.mark.parametrize("key", ["aichi", "chemicals", "green_economy"])
def test_every_page_of_every_survey_fits_a_modal(key):
    """Each grid page, and the products pages of an entity that lists 45 products, within Slack's limits."""
    survey = surveys()[key]
    listed = {"products": [{"title": f"Product {n}", "type": next(iter(survey.types)), "link": "https://x.org",
                            "topics": list(survey.topics)} for n in range(1, 46)],
              "grid": {t.id: {f.id: "x" * 1000 if f.type == "text" else "lead" for f in survey.grid}
                       for t in survey.targets}}
    pages = paginate(survey, listed)
    assert sum(len(p.targets) for p in pages) == len(survey.targets)
    assert [p.first for p in pages if p.products] == [1, 20, 39] and pages[-1].rows == 48 - 38
    for page in pages:
        view = page_view("img-biodiversity", survey, "UNESCO", page, len(pages), listed, None, "A question " * 200)
        assert view_errors(view) == [], (page.number, view_errors(view))
    assert paginate(survey, {})[-1].rows == 3  # nothing listed yet: three blank rows


@pytest.mark.parametrize("key", ["aichi", "chemicals"])
def test_who_covers_a_target_fits_a_message_whatever_the_answers(key):
    """60 entities on one target, every text 1,000 characters of markup-looking text: within one message's
    limits, the texts cut, the entities left out named, the export pointed to."""
    survey = surveys()[key]
    target = survey.targets[0]
    rows = [(f"E{n:03d}", f"Entity {n}", {"grid": {target.id: {
        **{f.id: ("<!channel> & " * 80)[:1000] for f in survey.text_fields},
        **({"volunteer": "lead"} if n == 60 else {})}}, "products": []}) for n in range(1, 61)]
    text, blocks = target_view(build(survey, "Issue Management Group", rows), target, "img-x", None)
    assert block_kit_errors(blocks) == [] and len(blocks) == 50
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert sections[1].startswith("*E060* (Entity 60) — Lead")  # the lead first
    assert "<!channel>" not in json.dumps(blocks) and "&lt;!channel&gt;" in sections[1]
    assert all(len(s) <= 3000 for s in sections)
    notes = [b["elements"][0]["text"] for b in blocks if b["type"] == "context"]
    assert notes[0] == "Not shown here: " + ", ".join(f"E{n:03d}" for n in range(46, 60)) + "."
    assert "cut at 500 characters" in notes[1] and "`/consult mapping export img-x " + key + " matrix`" in notes[1]
