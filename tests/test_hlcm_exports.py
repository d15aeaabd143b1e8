"""The HLCM progress summary's outputs, on SQLite and PostgreSQL: the same hand-computed figures read back from
the Markdown, the DOCX (python-docx) and the XLSX (openpyxl), the three PNG charts, and the command line.

The world: 2023 and 2024 from past records (CSV), then the 2025 data call to twelve entities, nine of which
submit (UNDP explaining a doubled scope 2); CBD, UNFCCC and UNU never report. Every expected number below was
added up by hand from these figures, not by the code under test."""

from __future__ import annotations

import logging
import warnings
from datetime import datetime, timedelta, timezone
from io import BytesIO

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlmodel import Session

from bot.hlcm.chart_text import has_glyphs, shaped
from bot.hlcm.charts import all_charts, ems_counts, every_year, trend_chart
from bot.hlcm.history import import_csv
from bot.hlcm.report import build_report, render
from bot.hlcm.service import open_data_call, submit
from bot.hlcm.summary import compile_year
from bot.hlcm.summary_blocks import summary_message
from bot.hlcm.trend import YearPoint, yearly_totals
from bot.people.service import ensure_person
from bot.roles.service import sync_secretariat
from storage.db import session_scope
from tests.bot_process import consultbot

UTC = timezone.utc
NOW = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
DEADLINE = datetime(2026, 3, 31, 16, 0, tzinfo=UTC)
SECRETARIAT = "U0HXSEC"
ASKED = ["UNEP", "UNDP", "WMO", "UNIDO", "WFP", "UNCTAD", "UNESCO", "ILO", "UNOPS", "CBD", "UNFCCC", "UNU"]
PNG = b"\x89PNG\r\n\x1a\n"

HISTORY = """year,entity,scope1,scope2,scope3_travel,air_travel,staff,strategy
2023,UNEP,800,1900,2300,1600,950,drafting
2023,UNDP,4000,2500,8500,6500,7000,drafting
2024,UNEP,900,2000,2600,1800,1000,approved
2024,UNDP,4500,2500,9000,7000,7500,drafting
2024,WMO,200,300,500,400,500,none
2024,WFP,2500,1000,3500,2800,4800,drafting
2024,ILO,300,700,1000,900,1000,none
"""
# scope 1, scope 2, business travel, of which air, staff, offsets, climate neutral, strategy, EMS, procurement, trained
REPORTED_2025 = {
    "UNEP": ("1000", "2000", "3000", "2000", "1000", "6000", "yes", "approved", "met", "yes", "100"),
    "UNDP": ("5000", "5000", "10000", "8000", "8000", "0", "no", "approved", "approaching", "yes", "1000"),
    "WMO": ("200", "300", "500", "400", "500", "1000", "yes", "drafting", "met", "no", "50"),
    "UNIDO": ("400", "600", "1000", "800", "500", "0", "no", "none", "none", "yes", "0"),
    "WFP": ("3000", "1000", "4000", "3000", "5000", "0", "no", "approved", "approaching", "no", "300"),
    "UNCTAD": ("100", "100", "300", "200", "250", "500", "yes", "approved", "met", "yes", "20"),
    "UNESCO": ("500", "1500", "2000", "1500", "2000", "0", "no", "drafting", "approaching", "yes", "200"),
    "ILO": ("300", "700", "1000", "900", "1000", "0", "no", "drafting", "none", "no", ""),
    "UNOPS": ("800", "200", "1000", "500", "800", "0", "no", "none", "approaching", "no", "30"),
}
IDS = ("scope1", "scope2", "scope3_travel", "air_travel", "staff", "offsets", "climate_neutral", "strategy", "ems",
       "procurement_policy", "staff_trained")
# UNDP's scope 2 doubled (2,500 -> 5,000): explained, with text a document must keep as text.
REASON = "=1+1: country offices <b>*all*</b> included | first time"

NARRATIVE = (
    "In 2025, 9 of the 12 entities asked reported their environmental sustainability figures. "
    "Together they emitted 45,500 tCO2e (2.39 tCO2e per staff member): 11,300 from their own sources (scope 1), "
    "11,400 from purchased energy (scope 2) and 22,800 from business travel, of which 17,300 from air travel. "
    "Like for like, the 5 entities that reported for both 2024 and 2025 raised their emissions by 17.5 % "
    "(31,500 → 37,000 tCO2e). The totals cover different entities: 31,500 tCO2e from 5 entities in 2024, "
    "45,500 tCO2e from 9 in 2025. "
    "4 entities had an emission reduction strategy approved by senior management, 3 were climate neutral, "
    "3 had an environmental management system in place and 4 more took concrete steps to implement one; "
    "5 had a sustainable procurement policy. "
    "3 entities did not report: CBD, UNFCCC, UNU.")
# By hand: totals per entity UNEP 6,000, UNDP 20,000, WMO 1,000, UNIDO 2,000, WFP 8,000, UNCTAD 500, UNESCO 4,000,
# ILO 2,000, UNOPS 2,000 = 45,500; staff 19,050; offsets 6,000 + 1,000 + 500 = 7,500.
KEY_FIGURES = [["Entities asked", "12", "entities"], ["Entities reporting", "9", "entities"],
               ["Total emissions", "45,500", "tCO2e"], ["Staff", "19,050", "people"],
               ["Emissions per staff member", "2.39", "tCO2e/staff"],  # 45,500 / 19,050 = 2.3885
               ["Offsets retired", "7,500", "tCO2e"], ["Emissions net of offsets", "38,000", "tCO2e"]]
SOURCES = [["Scope 1 emissions", "11,300", "24.8", "9"],  # 11,300 / 45,500 = 24.835 %
           ["Scope 2 emissions", "11,400", "25.1", "9"],  # 25.055 %
           ["Scope 3 business travel emissions", "22,800", "50.1", "9"],  # 50.110 %
           ["of which air travel", "17,300", "75.9", "9"],  # of business travel: 17,300 / 22,800 = 75.877 %
           ["Total", "45,500", "100.0", "—"]]
# 2024: UNEP 5,500, UNDP 16,000, WMO 1,000, WFP 7,000, ILO 2,000 = 31,500 (+44.4 %); the five reporting both
# years: 37,000 in 2025 (+17.5 %).
CHANGE = [["All entities reporting (5, then 9)", "31,500", "45,500", "+44.4"],
          ["Entities reporting both years (5)", "31,500", "37,000", "+17.5"]]
COUNTS = [["Entities reporting", "9"],
          ["Emission reduction strategy approved by senior management", "4"],  # UNEP, UNDP, WFP, UNCTAD
          ["Emission reduction strategy being drafted", "3"],  # WMO, UNESCO, ILO
          ["Climate neutral", "3"],  # UNEP, WMO, UNCTAD
          ["Environmental management system in place", "3"],  # UNEP, WMO, UNCTAD
          ["Concrete steps towards an environmental management system", "4"],  # UNDP, WFP, UNESCO, UNOPS
          ["Environmental management system in place or approaching", "7"],
          ["Sustainable procurement policy", "5"]]  # UNEP, UNDP, UNIDO, UNCTAD, UNESCO
# people, not entities: 100 + 1,000 + 50 + 0 + 300 + 20 + 200 + 30, by the 8 entities that gave it (ILO blank)
QUANTITIES = [["Staff trained", "1,700", "people", "8"]]
# 2023: 5,000 + 15,000 = 20,000 over 7,950 staff; 2024: 31,500 over 14,800 staff.
TREND = [["2023", "2", "20,000", "2.52"], ["2024", "5", "31,500", "2.13"], ["2025", "9", "45,500", "2.39"]]


@pytest.fixture
def world(private_engine, private_database_url) -> str:
    with session_scope(private_engine) as s:
        sync_secretariat(s, [SECRETARIAT])
        assert import_csv(s, "test", HISTORY, now=NOW).ok
        open_data_call(s, ensure_person(s, SECRETARIAT), 2025, DEADLINE, "Europe/Zurich", ASKED, now=NOW)
    for n, (code, values) in enumerate(REPORTED_2025.items()):
        with session_scope(private_engine) as s:
            submit(s, ensure_person(s, SECRETARIAT), 2025, code, dict(zip(IDS, values)),
                   reasons={"scope2": REASON} if code == "UNDP" else None, now=NOW + timedelta(days=1, hours=n))
    return private_database_url


@pytest.fixture
def report(world, private_engine):
    with Session(private_engine) as s:
        return build_report(s, 2025, now=NOW)


def _docx_tables(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    doc = Document(BytesIO(data))
    return [p.text for p in doc.paragraphs], [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def _md_rows(text: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in text.splitlines()
            if line.startswith("| ") and not line.startswith("| ---")]


def test_the_trend_is_one_query_over_every_year_and_agrees_with_each_years_compilation(report, private_engine):
    assert [(p.year, p.reporting, p.total) for p in report.trend] == [(2023, 2, 20000), (2024, 5, 31500),
                                                                      (2025, 9, 45500)]
    assert [round(p.per_capita, 4) for p in report.trend] == [round(20000 / 7950, 4), round(31500 / 14800, 4),
                                                              round(45500 / 19050, 4)]
    with Session(private_engine) as s:
        for point in yearly_totals(s):
            compiled = compile_year(s, point.year)
            assert (compiled.total, compiled.per_capita, compiled.counts.reporting) == (
                point.total, point.per_capita, point.reporting)
        assert [p.year for p in yearly_totals(s, until=2024)] == [2023, 2024]


def test_the_markdown_has_every_figure_worked_out_by_hand(report):
    text = render(report, "md").decode("utf-8")
    assert text.startswith("# Environmental sustainability in the UN system: progress summary 2025\n")
    assert NARRATIVE in text
    rows = _md_rows(text)
    for expected in (KEY_FIGURES, SOURCES, CHANGE, COUNTS, QUANTITIES, TREND):
        for row in expected:
            assert row in rows, row
    assert "Entities reporting both years: ILO, UNDP, UNEP, WFP, WMO." in text
    assert "## Entities that did not report\n\nCBD, UNFCCC, UNU\n" in text
    annex = {row[0]: row for row in rows if row[0] in REPORTED_2025 and len(row) > 10}
    assert len(annex) == 9
    assert annex["UNDP"] == ["UNDP", "United Nations Development Programme", "5,000", "5,000", "10,000", "8,000",
                             "8,000", "0", "No", "Approved by senior management", "Concrete steps taken", "Yes",
                             "1,000", "—", "—", "20,000", "2.50", "1", "data call"]
    assert annex["ILO"][12] == "—" and annex["UNCTAD"][-4:] == ["500", "2.00", "1", "data call"]
    # the reason, typed by a person, stays text: HTML and Markdown characters escaped
    assert ("| UNDP | Scope 2 emissions | =1+1: country offices &lt;b&gt;\\*all\\*&lt;/b&gt; included \\| first time |"
            in text)


def test_the_docx_has_the_same_figures_the_charts_and_the_notes(report):
    data = render(report, "docx")
    paragraphs, found = _docx_tables(data)
    assert paragraphs[0] == "Environmental sustainability in the UN system: progress summary 2025"
    assert NARRATIVE in paragraphs
    key, sources, change, counts, quantities, trend, emissions, practices, names, notes = found
    assert key[1:] == KEY_FIGURES and key[0] == ["Item", "Value", "Unit"]
    assert sources[1:] == SOURCES
    assert change[1:] == CHANGE and change[0][1:3] == ["2024 (tCO2e)", "2025 (tCO2e)"]
    assert counts[1:] == COUNTS and counts[0] == ["Item", "Entities"]
    assert quantities[1:] == QUANTITIES and quantities[0] == ["Item", "Value", "Unit", "Entities reporting it"]
    assert trend[1:] == TREND
    assert "CBD, UNFCCC, UNU" in paragraphs
    # the annex: two tables of short headers with units, codes only; the full names in a list of their own
    assert emissions[0] == ["Entity", "Scope 1 (tCO2e)", "Scope 2 (tCO2e)", "Business travel (tCO2e)",
                            "of which air (tCO2e)", "Total (tCO2e)", "Staff", "Offsets retired (tCO2e)",
                            "Per staff member (tCO2e/staff)"]
    assert [row[0] for row in emissions[1:]] == ["ILO", "UNCTAD", "UNDP", "UNEP", "UNESCO", "UNIDO", "UNOPS", "WFP",
                                                 "WMO"]
    assert emissions[3][1:] == ["5,000", "5,000", "10,000", "8,000", "20,000", "8,000", "0", "2.50"]
    assert practices[0] == ["Entity", "Climate neutral", "Reduction strategy", "EMS", "Sustainable procurement",
                            "Staff trained (staff)", "Waste (t)", "Water (m3)", "Revision", "Source of the figures"]
    assert practices[3][1:] == ["No", "Approved by senior management", "Concrete steps taken", "Yes", "1,000", "—",
                                "—", "1", "data call"]
    assert practices[1][5] == "—"  # ILO did not report staff trained: not reported, not 0
    assert names[0] == ["Entity", "Name", "Entity", "Name"]
    assert names[3] == ["UNDP", "United Nations Development Programme", "WFP", "World Food Programme"]
    assert "9 of the 12 entities asked reported for 2025; each row is one reporting entity." in paragraphs
    assert notes == [["Entity", "Indicator", "Reason given"], ["UNDP", "Scope 2 emissions", REASON]]
    doc = Document(BytesIO(data))
    assert len(doc.inline_shapes) == 3
    images = [p for p in doc.part.related_parts.values() if p.content_type == "image/png"]
    assert len(images) == 3 and all(p.blob.startswith(PNG) and len(p.blob) > 5000 for p in images)
    assert doc.sections[-1].page_width > doc.sections[-1].page_height  # the annex is landscape


def test_the_xlsx_keeps_numbers_as_numbers(report):
    wb = load_workbook(BytesIO(render(report, "xlsx")))
    assert wb.sheetnames == ["Summary", "By source", "Annex", "Trend", "Notes"]
    summary = list(wb["Summary"].iter_rows(values_only=True))
    assert summary[0][0] == "Environmental sustainability in the UN system: progress summary 2025"
    assert summary[2][0] == NARRATIVE
    by_label = {row[0]: row[1:] for row in summary if row and row[0]}
    assert by_label["Entities asked"][:2] == (12, "entities")
    assert by_label["Total emissions"][:2] == (45500, "tCO2e")
    assert by_label["Staff"][:2] == (19050, "people")
    assert by_label["Emissions per staff member"][0] == pytest.approx(45500 / 19050)
    assert by_label["Emissions net of offsets"][0] == 38000
    assert by_label["All entities reporting (5, then 9)"][:3] == (31500, 45500,
                                                                pytest.approx((45500 - 31500) / 31500 * 100))
    assert by_label["Entities reporting both years (5)"][:2] == (31500, 37000)
    assert by_label["Climate neutral"][0] == 3 and by_label["Staff trained"] == (1700, "people", 8)
    assert by_label["Concrete steps towards an environmental management system"][0] == 4
    assert "CBD, UNFCCC, UNU" in by_label
    sources = list(wb["By source"].iter_rows(values_only=True))
    assert sources[0] == ("Source", "Emissions (tCO2e)", "Share (%)", "Entities reporting it")
    assert sources[1][:2] == ("Scope 1 emissions", 11300) and sources[1][2] == pytest.approx(11300 / 45500 * 100)
    assert sources[4][:2] == ("of which air travel", 17300) and sources[4][2] == pytest.approx(17300 / 22800 * 100)
    assert sources[5][:2] == ("Total", 45500)
    annex = list(wb["Annex"].iter_rows(values_only=True))
    header = annex[0]
    assert header[2] == "Scope 1 emissions (tCO2e)" and header[6] == "Staff numbers (staff)"
    undp = next(row for row in annex if row[0] == "UNDP")
    column = {name: value for name, value in zip(header, undp)}
    assert column["Scope 2 emissions (tCO2e)"] == 5000 and column["Staff numbers (staff)"] == 8000
    undp_row = next(row for row in wb["Annex"].iter_rows(min_row=2) if row[0].value == "UNDP")
    assert [c.data_type for c in undp_row[2:8]] == ["n"] * 6  # numbers, not texts that look like numbers
    assert column["Climate neutral"] == "No" and column["Environmental management system"] == "Concrete steps taken"
    assert column["Total (tCO2e)"] == 20000 and column["Per staff member (tCO2e/staff)"] == 2.5
    assert column["Water consumed (m3)"] is None
    assert len(annex) == 10
    trend = list(wb["Trend"].iter_rows(values_only=True))
    assert [row[:3] for row in trend[1:]] == [(2023, 2, 20000), (2024, 5, 31500), (2025, 9, 45500)]
    # each number with its indicator's format: waste at one decimal, emissions whole, per capita two decimals
    formats = {cell.value: wb["Annex"].cell(row=2, column=cell.column).number_format for cell in wb["Annex"][1]}
    assert formats["Waste generated (t)"] == "#,##0.0" and formats["Scope 1 emissions (tCO2e)"] == "#,##0"
    assert formats["Per staff member (tCO2e/staff)"] == "#,##0.00" and formats["Staff numbers (staff)"] == "#,##0"
    for sheet in wb.worksheets:  # every sheet prints: landscape, one page wide, its header row on every page
        assert sheet.page_setup.orientation == "landscape" and sheet.sheet_properties.pageSetUpPr.fitToPage
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert wb["Annex"].freeze_panes == "C2" and wb["Annex"].print_title_rows == "$1:$1"
    assert wb["Annex"].print_title_cols == "$A:$B"
    notes = wb["Notes"]
    assert [c.value for c in notes[2]] == ["UNDP", "Scope 2 emissions", REASON]
    assert notes["C2"].data_type == "s"  # typed "=1+1…": text, not a formula


def test_the_three_charts_are_png(report):
    assert ems_counts(report.summary) == {"met": 3, "approaching": 4, "none": 2, "not_reported": 3}
    charts = all_charts(report.summary, report.trend)
    assert [c.name for c in charts] == ["hlcm-2025-emissions-by-source.png", "hlcm-2025-trend.png",
                                        "hlcm-2025-ems-status.png"]
    assert charts[1].title == "System-wide greenhouse gas emissions, 2023–2025"
    for chart in charts:
        assert chart.png.startswith(PNG) and len(chart.png) > 5000
        width, height = int.from_bytes(chart.png[16:20], "big"), int.from_bytes(chart.png[20:24], "big")
        assert (width, height) == (840, 432)  # 7 × 3.6 inches at 120 dpi


def _glyph_problems(draw, caplog) -> list[str]:
    """What matplotlib says while `draw` runs about a glyph no font has or a font it cannot find."""
    caplog.clear()
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING, logger="matplotlib"):
        warnings.simplefilter("always")
        draw()
    said = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    return [line for line in said if "Glyph" in line or "findfont" in line]


def test_matplotlib_says_when_a_glyph_is_missing(caplog):
    """The check below can fail: Chinese drawn in matplotlib's own font alone is reported."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    def draw() -> None:
        figure = Figure()
        FigureCanvasAgg(figure)
        figure.add_subplot().set_title("温室气体排放", fontfamily=["DejaVu Sans"])
        figure.savefig(BytesIO(), format="png")

    assert _glyph_problems(draw, caplog)


@pytest.mark.parametrize("locale", ["zh-CN", "ar"])
def test_the_chinese_and_arabic_charts_have_every_glyph(report, locale, caplog):
    if not has_glyphs(locale):
        pytest.skip(f"no font with {locale}'s glyphs here: Debian's fonts-noto-cjk and fonts-noto-core "
                    "(.ci/office-binaries installs them)")
    charts = []
    assert _glyph_problems(lambda: charts.extend(all_charts(report.summary, report.trend, locale)), caplog) == []
    assert len(charts) == 3 and all(chart.png.startswith(PNG) and len(chart.png) > 5000 for chart in charts)


def test_arabic_chart_labels_are_shaped_and_in_visual_order():
    word = "انبعاثات"  # emissions: eight letters, joined
    number, letters = shaped(f"{word} 2025", "ar").split(" ")
    assert number == "2025" and len(letters) == len(word)  # the year first, read from the left: visual order
    assert all("\ufe70" <= c <= "\ufeff" for c in letters)  # each letter in its joined presentation form
    assert letters[::-1][0] == "\ufe8d"  # the word's first letter (alef, isolated) drawn rightmost
    assert shaped("温室气体排放 2025", "zh") == "温室气体排放 2025" and shaped("émissions", "fr") == "émissions"


def test_the_trend_chart_leaves_a_gap_for_a_year_without_figures():
    points = [YearPoint(2008, 33, 90000.0, 2.9), YearPoint(2009, 40, 100000.0, 3.0), YearPoint(2012, 7, 20000.0, None)]
    assert [(year, point.reporting if point else None) for year, point in every_year(points)] == [
        (2008, 33), (2009, 40), (2010, None), (2011, None), (2012, 7)]
    png = trend_chart(points)
    assert png.startswith(PNG) and len(png) > 5000


def test_the_command_line_writes_each_format_and_refuses_a_year_without_figures(world, tmp_path):
    env = {"DATABASE_URL": world}
    for fmt in ("md", "docx", "xlsx"):
        out = tmp_path / f"summary.{fmt}"
        result = consultbot("hlcm", "summary", "2025", "--format", fmt, "--out", str(out), env=env)
        assert result.stdout.strip() == f"{out}: progress summary 2025 written ({fmt})."
    assert NARRATIVE in (tmp_path / "summary.md").read_text(encoding="utf-8")
    paragraphs, found = _docx_tables((tmp_path / "summary.docx").read_bytes())
    assert NARRATIVE in paragraphs and found[0][1:] == KEY_FIGURES
    wb = load_workbook(tmp_path / "summary.xlsx")
    assert wb["Trend"]["C4"].value == 45500
    for year, message in (("2019", "There are no figures for 2019 yet"),
                          ("1999", "1999 is not a reporting year: give a year from 2000 to"),
                          ("last", "last is not a year")):
        out = tmp_path / f"{year}.md"
        result = consultbot("hlcm", "summary", year, "--format", "md", "--out", str(out), env=env, check=False)
        assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr
        assert not out.exists()
    result = consultbot("hlcm", "summary", "2025", "--format", "pdf", "--out", str(tmp_path / "x.pdf"), env=env,
                        check=False)
    assert result.returncode == 2 and "invalid choice: 'pdf'" in result.stderr


def test_the_slack_message_of_a_data_call_year_names_who_did_not_report_within_block_kit_limits(report):
    text, blocks = summary_message(report.summary, "U0HXSEC")
    assert text == "Progress summary 2025 for the HLCM: 9 entities reporting, compiled by <@U0HXSEC>."
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert len(blocks) <= 50 and all(len(s) <= 3000 for s in sections)
    assert sections[0] == "*Overview*\n" + NARRATIVE
    assert "Entities asked: *12* entities" in sections[1] and "Total emissions: *45,500* tCO2e" in sections[1]
    assert "All entities reporting (5, then 9): 31,500 → *45,500* tCO2e (+44.4 %)" in sections[3]
    assert sections[5] == "*What the HLCM reads: quantities*\nStaff trained: *1,700* people (reported by 8 entities)"
    assert sections[-1] == "*Entities that did not report*\n3 of 12: CBD, UNFCCC, UNU"
