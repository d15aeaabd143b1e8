"""Scenario: the mapping matrix as a reader opens it — the DOCX and the XLSX printed to PDF by LibreOffice
(headless, a profile per conversion: tests/test_hlcm_annex_pdf.py's to_pdf) and read back with `pdftotext`.
Besides the matrix's marks, the reader finds, per target, who does what there: the key functions, tools,
indicators and decisions each entity typed, leads first; a target nobody covers says so. Pure: the matrix is
built from answers in memory (bot/mapping/matrix.py: build), no database."""

from __future__ import annotations

import re
from pathlib import Path

from bot.mapping.exports import export
from bot.mapping.matrix import build
from bot.mapping.survey import surveys
from tests.test_hlcm_annex_pdf import needs_office, pdf_text, to_pdf

ANSWERS = {
    "CBD": {"t17": {"functions": "Guidance on national biodiversity strategies", "volunteer": "lead"},
            "t19": {"tools": "Clearing-house mechanism", "volunteer": "lead"}},
    "UNEP": {"t19": {"functions": "UN Biodiversity Lab", "indicators": "Biodiversity Indicators Partnership",
                     "volunteer": "facilitate"},
             "t08": {"decisions": "UNEA resolution 3/4 on pollution & health"}},
    "FAO": {"t07": {"functions": "Sustainable forest management " * 20}},  # 600 characters: wrapped, not cut
}


def matrix():
    rows = [(code, code, {"grid": grid, "products": []}) for code, grid in ANSWERS.items()]
    return build(surveys()["aichi"], "Issue Management Group on Biodiversity", rows + [("WMO", "WMO", None)])


def printed(tmp_path: Path, fmt: str) -> str:
    """The matrix exported as `fmt`, printed to PDF by LibreOffice and read back, one space between words."""
    source = tmp_path / f"matrix.{fmt}"
    source.write_bytes(export(matrix(), "matrix", fmt))
    return re.sub(r"\s+", " ", pdf_text(to_pdf(source, tmp_path)))


@needs_office
def test_the_docx_matrix_says_per_target_who_does_what_with_the_texts(tmp_path: Path):
    text = printed(tmp_path, "docx")
    assert "Who does what, per target (Aichi Biodiversity Targets)" in text
    part = text[text.index("19. Sharing information and knowledge Entity"):]
    part = part[:part.index("20. Mobilizing")]
    assert part.index("CBD Lead") < part.index("UNEP Facilitate")  # leads first
    assert "Clearing-house mechanism" in part and "UN Biodiversity Lab" in part
    assert "Biodiversity Indicators Partnership" in part
    assert "UNEA resolution 3/4 on pollution & health" in text
    assert "16. Access to and sharing benefits from genetic resources No entity covers this Aichi Biodiversity " \
           "Target." in text
    assert text.count("Sustainable forest management") == 20  # every word of a long answer is on the page


@needs_office
def test_the_xlsx_matrix_has_a_sheet_of_the_answers_per_target(tmp_path: Path):
    text = printed(tmp_path, "xlsx")
    assert "What each entity answered for the Aichi Biodiversity Targets it covers" in text
    assert "Target Entity Role Key functions Tools Indicators Governing body decisions" in text
    assert "17. Biodiversity strategies and action plans CBD Lead Guidance on national biodiversity strategies" in text
    assert "19. Sharing information and knowledge CBD Lead Clearing-house mechanism" in text
    assert "UNEA resolution 3/4 on pollution & health" in text
