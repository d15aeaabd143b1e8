"""The comment matrix: XLSX, DOCX, CSV and Markdown exports, and the Excel round trip.

No database: the writers take a plain `Matrix`. Files are opened with openpyxl and
python-docx and checked cell by cell against texts written out here (prompts/en/matrix.yaml).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from openpyxl import Workbook, load_workbook

from bot.errors import Invalid
from bot.exports import (
    Matrix, MatrixFileErrors, MatrixProblem, MatrixRow, ResponseUpdate, read_responses, write_csv, write_docx,
    write_markdown, write_xlsx,
)
from bot.texts import t

TRICKY = "Sécurité | sûreté: the two\nare not the same <!channel> & co."
HEADERS = ["No.", "Entity", "Section", "Type", "Comment", "Proposed text", "Rationale", "Disposition", "Response",
           "Late", "Ref"]
BLOCK = ["Process: Consultation on the sustainability framework",
         "Document: Interim guidance on the sustainability framework, version 2",
         "Round 2, deadline Friday 14 March 2014, 18:00 (Geneva)",
         "Generated Monday 17 March 2014, 09:12 (Geneva)"]
KIND = {"general": "General", "substantive": "Substantive", "editorial": "Editorial"}
DISPOSITION = {"accepted": "Accepted", "partially_accepted": "Partially accepted", "not_accepted": "Not accepted",
               "noted": "Noted", None: None}
SECTION = {"1": "1 Purpose and scope", "2.1": "2.1 Roles of senior management",
           "3.2": "3.2 Emission reduction strategies", "para 14": "para 14", "": "General"}
HEADINGS = {"1": "Purpose and scope", "2.1": "Roles of senior management", "3.2": "Emission reduction strategies",
            "para 14": "", "": ""}
NAMES = {"UNEP": "United Nations Environment Programme", "UNDP": "United Nations Development Programme",
         "WMO": "World Meteorological Organization", "UNIDO": "United Nations Industrial Development Organization",
         "WFP": "World Food Programme", "UNCTAD": "United Nations Conference on Trade and Development",
         "UNESCO": "United Nations Educational, Scientific and Cultural Organization",
         "ILO": "International Labour Organization", "UNOPS": "United Nations Office for Project Services",
         "CBD": "Secretariat of the Convention on Biological Diversity", "FAO": "Food and Agriculture Organization",
         "UNFCCC": "United Nations Framework Convention on Climate Change secretariat"}
FIRST = 7  # the first input's row in the sheet: title, four title-block lines, header


def _row(ref, code, section, kind, comment, proposed="", rationale="", disposition=None, response="", late=False):
    return MatrixRow(ref=ref, entity_code=code, entity_name=NAMES[code], section_number=section,
                     section_heading=HEADINGS[section], kind=kind, comment=comment, proposed_text=proposed,
                     rationale=rationale, disposition=disposition, response=response, late=late)


ROWS = [
    _row("R2-UNEP-1", "UNEP", "1", "substantive", "The scope should name facilities and procurement explicitly.",
         "This guidance covers facilities, procurement and travel.", "HLCM asked for measurable progress.",
         "accepted", "Reflected in paragraph 3."),
    _row("R2-WMO-1", "WMO", "1", "editorial", "Spell out EMS on first use.", disposition="accepted"),
    _row("R2-UNDP-1", "UNDP", "2.1", "substantive", "Who signs off the emission reduction strategy?",
         rationale="Thirteen entities have one approved by senior management.", disposition="partially_accepted",
         response="The head of administration, or as the entity decides.\nSee footnote 4."),
    _row("R2-UNIDO-3", "UNIDO", "2.1", "substantive", TRICKY, "Safety and security are distinct.", late=True),
    _row("R2-WFP-1", "WFP", "3.2", "substantive", "=Air travel should be counted per trip, not per mission.",
         disposition="not_accepted", response="The GHG inventory counts per trip already."),
    _row("R2-UNCTAD-2", "UNCTAD", "3.2", "editorial", "Typo: \"inventroy\".", "inventory", disposition="noted"),
    _row("R2-UNESCO-1", "UNESCO", "3.2", "substantive", "Offsets bought before 2012 should count.",
         "Offsets bought since 2009 count.", "The retreat of 3-5 June 2013 agreed.", late=True),
    _row("R2-ILO-1", "ILO", "para 14", "substantive", "Add the social safeguards next to the environmental ones."),
    _row("R2-UNOPS-1", "UNOPS", "para 14", "editorial", "- delete \"inter alia\"", disposition="accepted",
         response="Done."),
    _row("R2-CBD-1", "CBD", "para 14", "substantive", "Mention biodiversity in the procurement criteria."),
    _row("R2-FAO-1", "FAO", "", "general", "We support the guidance as a whole.", disposition="noted"),
    _row("R2-UNFCCC-1", "UNFCCC", "", "general", "Please align with the climate neutral UN strategy.", late=True),
]
MATRIX = Matrix("Consultation on the sustainability framework", "Interim guidance on the sustainability framework",
                2, 2, "Friday 14 March 2014, 18:00 (Geneva)", "Monday 17 March 2014, 09:12 (Geneva)", ROWS)
KNOWN = {r.ref: r for r in ROWS}


def expected_cells(number: int, r: MatrixRow) -> list:
    """A row as openpyxl reads it back: empty cells are None."""
    return [number, r.entity_code, SECTION[r.section_number], KIND[r.kind], r.comment, r.proposed_text or None,
            r.rationale or None, DISPOSITION[r.disposition], r.response or None, "Yes" if r.late else None, r.ref]


# ---------------------------------------------------------------- XLSX

@pytest.fixture(scope="module")
def xlsx() -> bytes:
    return write_xlsx(MATRIX)


def test_xlsx_has_the_title_block_the_header_and_every_input_in_order(xlsx):
    wb = load_workbook(io.BytesIO(xlsx))
    assert wb.sheetnames == ["Comment matrix"]
    ws = wb.active
    rows = list(ws.iter_rows(values_only=True))
    assert [r[0] for r in rows[:5]] == ["Comment matrix", *BLOCK]
    assert all(v is None for r in rows[:5] for v in r[1:])
    assert list(rows[5]) == HEADERS
    assert len(rows) == 6 + len(ROWS)
    for number, (got, row) in enumerate(zip(rows[6:], ROWS), 1):
        assert list(got) == expected_cells(number, row), f"row {number}"


def test_xlsx_header_is_frozen_filtered_and_bold_and_text_wraps(xlsx):
    ws = load_workbook(io.BytesIO(xlsx)).active
    last = FIRST + len(ROWS) - 1
    assert ws.freeze_panes == "A7"
    assert ws.auto_filter.ref == f"A6:K{last}"
    assert all(ws.cell(6, c).font.b for c in range(1, 12))
    for row in range(FIRST, last + 1):
        for column in "CEFGI":  # section, comment, proposed text, rationale, response
            cell = ws[f"{column}{row}"]
            if cell.value is not None:
                assert cell.alignment.wrap_text and cell.alignment.vertical == "top", cell.coordinate
    assert ws.column_dimensions["I"].alignment.wrap_text  # a response typed into an empty cell wraps too
    assert ws.column_dimensions["E"].width == 50 and ws.column_dimensions["A"].width == 6
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$6:$6"


def test_xlsx_offers_the_disposition_labels_in_a_list(xlsx):
    validations = load_workbook(io.BytesIO(xlsx)).active.data_validations.dataValidation
    assert len(validations) == 1
    assert validations[0].type == "list"
    assert validations[0].formula1 == '"Accepted,Partially accepted,Not accepted,Noted"'
    assert str(validations[0].sqref) == f"H7:H{FIRST + len(ROWS) - 1}"


def test_xlsx_keeps_text_that_looks_like_a_formula_as_text(xlsx):
    cell = load_workbook(io.BytesIO(xlsx)).active[f"E{FIRST + 4}"]
    assert cell.value == "=Air travel should be counted per trip, not per mission."
    assert cell.data_type == "s"


def test_xlsx_drops_control_characters_and_cuts_at_excels_cell_limit():
    long = "x" * 40_000
    matrix = Matrix("P", "D", 1, 1, "d", "g", [_row("R1-WMO-1", "WMO", "1", "general", "bell\x07\r\nnext", long)])
    ws = load_workbook(io.BytesIO(write_xlsx(matrix))).active
    assert ws["E7"].value == "bell\nnext"
    assert ws["F7"].value == "x" * 32_766 + "…"


def test_an_empty_matrix_still_makes_every_file():
    empty = Matrix("P", "D", 1, 1, "d", "g", [])
    ws = load_workbook(io.BytesIO(write_xlsx(empty))).active
    assert [c.value for c in ws[6]] == HEADERS and ws.max_row == 6 and ws.auto_filter.ref == "A6:K6"
    assert len(Document(io.BytesIO(write_docx(empty))).tables[0].rows) == 1
    assert write_csv(empty).decode("utf-8-sig").splitlines() == [",".join(HEADERS)]
    assert write_markdown(empty).rstrip().endswith("| --- |")
    assert read_responses(write_xlsx(empty), {}) == []


# ---------------------------------------------------------------- DOCX

@pytest.fixture(scope="module")
def docx_file() -> Document:
    return Document(io.BytesIO(write_docx(MATRIX)))


def test_docx_is_landscape_a4_with_narrow_margins_and_9_pt(docx_file):
    section = docx_file.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert round(section.page_width.mm) == 297 and round(section.page_height.mm) == 210
    assert all(round(getattr(section, f"{side}_margin").mm, 1) == 12.7 for side in ("left", "right", "top", "bottom"))
    assert docx_file.styles["Normal"].font.size.pt == 9
    assert docx_file.core_properties.author == "" and "python-docx" not in docx_file.core_properties.comments
    footer = section.footer.paragraphs[0]._p.xml
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer


def test_docx_has_the_title_block_and_one_table_with_a_repeated_header(docx_file):
    assert [p.text for p in docx_file.paragraphs] == ["Comment matrix", *BLOCK]
    assert docx_file.paragraphs[0].runs[0].bold
    assert len(docx_file.tables) == 1
    table = docx_file.tables[0]
    assert table.style.name == "Table Grid"
    header = table.rows[0]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    assert [c.text for c in header.cells] == ["No.\nRef", *HEADERS[1:10]]
    assert all(table.rows[i]._tr.trPr is None for i in range(1, len(table.rows)))  # only the header repeats
    widths = [c.width.mm for c in header.cells]
    assert sum(widths) <= 297 - 2 * 12.7 + 0.5 and min(widths) > 8.9


def test_docx_rows_cell_by_cell(docx_file):
    rows = docx_file.tables[0].rows
    assert len(rows) == 1 + len(ROWS)
    for number, (got, r) in enumerate(zip(rows[1:], ROWS), 1):
        expected = [f"{number}\n{r.ref}", f"{r.entity_code}\n{r.entity_name}"] + \
                   ["" if v is None else str(v) for v in expected_cells(number, r)[2:10]]
        assert [c.text for c in got.cells] == expected, f"row {number}"
    ref_run = rows[1].cells[0].paragraphs[1].runs[0]
    assert ref_run.text == "R2-UNEP-1" and ref_run.font.size.pt == 7
    assert [p.text for p in rows[4].cells[4].paragraphs] == TRICKY.split("\n")


# ---------------------------------------------------------------- CSV and Markdown

def test_csv_has_a_bom_the_header_and_the_rows_and_keeps_every_character():
    data = write_csv(MATRIX)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == HEADERS
    assert len(rows) == 1 + len(ROWS)
    for number, (got, r) in enumerate(zip(rows[1:], ROWS), 1):
        expected = ["" if v is None else str(v) for v in expected_cells(number, r)]
        if expected[4][0] in "=+-@":
            expected[4] = "'" + expected[4]  # a spreadsheet must not run it as a formula
        assert got == expected, f"row {number}"
    assert rows[4][4] == TRICKY


def _md_cells(line: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", line)[1:-1]
    return [c.strip().replace("<br>", "\n").replace("\\|", "|").replace("&lt;", "<").replace("&gt;", ">")
            .replace("&amp;", "&") for c in cells]


def test_markdown_has_the_title_block_and_a_table_that_survives_pipes_newlines_and_mentions():
    text = write_markdown(MATRIX)
    lines = text.splitlines()
    assert lines[:6] == ["# Comment matrix", "", *[f"- {b}" for b in BLOCK]]
    table = lines[7:]
    assert _md_cells(table[0]) == HEADERS
    assert table[1] == "| ---: | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    assert len(table) == 2 + len(ROWS)
    for number, (line, r) in enumerate(zip(table[2:], ROWS), 1):
        assert _md_cells(line) == ["" if v is None else str(v) for v in expected_cells(number, r)], f"row {number}"
    assert "Sécurité \\| sûreté: the two<br>are not the same &lt;!channel&gt; &amp; co." in table[5]
    assert "<!channel>" not in text


# ---------------------------------------------------------------- the Excel round trip

def _filled(xlsx: bytes, cells: dict[str, object]) -> bytes:
    """Open the export as a person would, type into cells, save."""
    wb = load_workbook(io.BytesIO(xlsx))
    ws = wb.active
    for coordinate, value in cells.items():
        ws[coordinate] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_filled_matrix_comes_back_as_updates_in_file_order(xlsx):
    filled = _filled(xlsx, {
        "H10": "partially accepted", "I10": "  Partly: safety and security stay distinct.\n  ",  # UNIDO, late
        "H14": "NOT_ACCEPTED", "I14": "Social safeguards are in the framework itself.",     # ILO
        "H16": "Accepted",                                                                    # CBD, no response
        "I17": "Noted, with thanks.",                       # FAO already noted: a response alone
        "I11": "The GHG inventory counts per trip already.",  # WFP: typed again as it was: no change
        "H12": "noted",                                     # UNCTAD: the same disposition in lower case
        "H9": "accepted",                                   # UNDP: disposition changed, response kept
    })
    assert read_responses(filled, KNOWN) == [
        ResponseUpdate("R2-UNDP-1", "accepted", ROWS[2].response),
        ResponseUpdate("R2-UNIDO-3", "partially_accepted", "Partly: safety and security stay distinct."),
        ResponseUpdate("R2-ILO-1", "not_accepted", "Social safeguards are in the framework itself."),
        ResponseUpdate("R2-CBD-1", "accepted", ""),
        ResponseUpdate("R2-FAO-1", "noted", "Noted, with thanks."),
    ]


def test_an_unchanged_or_sorted_matrix_brings_no_or_the_same_updates(xlsx):
    assert read_responses(xlsx, KNOWN) == []
    wb = load_workbook(io.BytesIO(xlsx))
    ws = wb.active
    first, last = [c.value for c in ws[FIRST]], [c.value for c in ws[FIRST + len(ROWS) - 1]]
    for column, (a, b) in enumerate(zip(first, last), 1):  # a person sorted the sheet: rows swapped
        ws.cell(FIRST, column).value = b  # (ws.cell(r, c, None) would not clear the cell)
        ws.cell(FIRST + len(ROWS) - 1, column).value = a
    ws.cell(FIRST, 8, "noted")  # now the UNFCCC row
    out = io.BytesIO()
    wb.save(out)
    assert read_responses(out.getvalue(), KNOWN) == [ResponseUpdate("R2-UNFCCC-1", "noted", "")]


def _refused(data: bytes) -> list[MatrixProblem]:
    with pytest.raises(MatrixFileErrors) as caught:
        read_responses(data, KNOWN)
    assert isinstance(caught.value, Invalid)
    return caught.value.problems


def test_an_unknown_ref_is_refused_with_its_row_and_nothing_else_applies(xlsx):
    problems = _refused(_filled(xlsx, {"K8": "R2-WMO-9", "H14": "accepted"}))  # H14 alone would be fine
    assert problems == [MatrixProblem(8, "ref", "matrix.import.unknown_ref", {"ref": "R2-WMO-9"})]


def test_a_bad_disposition_is_refused_with_its_row(xlsx):
    problems = _refused(_filled(xlsx, {"H12": "Acepted", "I12": "Fixed."}))
    assert problems == [MatrixProblem(12, "disposition", "matrix.import.bad_disposition", {
        "value": "Acepted", "choices": "Accepted, Partially accepted, Not accepted, Noted"})]


def test_an_edited_comment_is_refused_with_its_row(xlsx):
    problems = _refused(_filled(xlsx, {"E13": "Add the social safeguards.", "G15": "Because."}))
    params = {"disposition": "Disposition", "response": "Response"}
    assert problems == [MatrixProblem(13, "comment", "matrix.import.edited", params),
                        MatrixProblem(15, "rationale", "matrix.import.edited", params)]


def test_a_repeated_ref_and_a_response_without_disposition_are_refused(xlsx):
    problems = _refused(_filled(xlsx, {"K9": "R2-UNEP-1", "I13": "We will consider it."}))
    assert problems == [
        MatrixProblem(9, "ref", "matrix.import.duplicate_ref", {"ref": "R2-UNEP-1", "first_row": 7}),
        MatrixProblem(13, "response", "matrix.import.response_needs_disposition",
                      {"choices": "Accepted, Partially accepted, Not accepted, Noted"}),
    ]


def test_every_problem_is_in_the_message_the_error_handler_shows(xlsx):
    with pytest.raises(MatrixFileErrors) as caught:
        read_responses(_filled(xlsx, {"H12": "<!channel>", "K8": "R2-WMO-9"}), KNOWN)
    text = t(caught.value.key, None, **caught.value.params)
    assert text.startswith("Nothing was imported: the file has problems (2).")
    assert "Row 8, Ref: “R2-WMO-9” is not an input of this round." in text
    assert "Row 12, Disposition: “&lt;!channel&gt;” is not a disposition." in text


@pytest.mark.parametrize("data", [
    b"No.,Entity,Ref\n1,UNEP,R2-UNEP-1\n",       # a CSV
    b"%PDF-1.4 not a workbook",
    b"",
    b"PK\x03\x04 a broken zip",
], ids=["csv", "pdf", "empty", "broken-zip"])
def test_a_file_that_is_not_an_xlsx_is_refused(data):
    assert _refused(data) == [MatrixProblem(None, None, "matrix.import.not_xlsx", {})]


def test_a_word_file_is_not_an_xlsx():
    assert _refused(write_docx(MATRIX))[0].key == "matrix.import.not_xlsx"
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("hello.txt", "hi")
    assert _refused(zipped.getvalue())[0].key == "matrix.import.not_xlsx"


def test_an_xlsx_of_another_shape_is_refused():
    wb = Workbook()
    wb.active.append(["Entity", "Emissions 2012 (t CO2e)"])
    wb.active.append(["UNEP", 1234])
    out = io.BytesIO()
    wb.save(out)
    problems = _refused(out.getvalue())
    assert problems == [MatrixProblem(None, None, "matrix.import.not_ours",
                                      {"ref": "Ref", "disposition": "Disposition", "response": "Response"})]
    with pytest.raises(MatrixFileErrors) as caught:
        read_responses(out.getvalue(), KNOWN)
    assert caught.value.key == "matrix.import.not_ours"  # one reason for the whole file: said directly


def test_a_matrix_with_a_deleted_column_is_refused_at_its_header_row(xlsx):
    wb = load_workbook(io.BytesIO(xlsx))
    wb.active.delete_cols(9)  # Response
    out = io.BytesIO()
    wb.save(out)
    assert _refused(out.getvalue()) == [MatrixProblem(6, "response", "matrix.import.missing_column",
                                                      {"column": "Response"})]


def test_a_file_too_big_for_a_matrix_is_refused_before_it_is_read(xlsx, monkeypatch):
    from bot.exports import matrix_import

    monkeypatch.setattr(matrix_import, "MAX_ROWS", FIRST + len(ROWS) - 2)
    assert _refused(xlsx) == [MatrixProblem(None, None, "matrix.import.too_big", {})]
    monkeypatch.setattr(matrix_import, "MAX_ROWS", 50_000)
    monkeypatch.setattr(matrix_import, "MAX_UNPACKED_MB", 0.01)
    assert _refused(xlsx) == [MatrixProblem(None, None, "matrix.import.too_big", {})]


def test_an_over_long_cell_round_trips_as_unchanged():
    row = _row("R1-WMO-1", "WMO", "1", "general", "c" * 40_000)
    data = _filled(write_xlsx(Matrix("P", "D", 1, 1, "d", "g", [row])), {"H7": "noted"})
    assert read_responses(data, {row.ref: row}) == [ResponseUpdate("R1-WMO-1", "noted", "")]


def test_the_benchmark_runs_and_reports_each_format(tmp_path):
    """bench/matrix.py end to end on a tiny round (the harness, not the timings)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    figures = tmp_path / "matrix.json"
    result = subprocess.run([sys.executable, str(root / "bench" / "matrix.py"), "--entities", "3", "--inputs", "2",
                             "--repeat", "1", "--max-ratio", "1000", "--json", str(figures)],
                            cwd=root, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| what | ours s | baseline | baseline s | ratio ours / baseline | goal |" in result.stdout
    data = json.loads(figures.read_text())
    assert data["rows"] == 6
    assert [r["what"] for r in data["results"]] == ["XLSX export", "DOCX export", "DOCX export", "XLSX re-import"]
