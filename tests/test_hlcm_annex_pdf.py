"""Scenario: the HLCM summary as a reader at the HLCM gets it — the DOCX and the XLSX opened by a word processor
and a spreadsheet (LibreOffice, headless) and printed to PDF, read back with poppler's `pdftotext -layout` and
`pdfinfo`; and the seed's 2011 year replayed from a CSV of its 63 entities. SQLite and PostgreSQL.

The world: 70 UN entities of the bundled registry reported for 2024 (from past records); for 2025 all but ILO did.
Every figure is invented but fixed; UNEP reports 1.5 t of waste (a small figure the annex must not round to 2).

`to_pdf` is the one conversion helper: each conversion runs with a private LibreOffice profile
(`-env:UserInstallation`), so conversions running at the same time never share one. Without `soffice` (a developer's
machine without LibreOffice) these tests are skipped, saying so; CI installs it (.ci/office-binaries)."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document

from bot.entities.service import bundled_entities
from tests.bot_process import consultbot

NEEDED = ("soffice", "pdftotext", "pdfinfo")
needs_office = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in NEEDED),
    reason="LibreOffice (soffice) or poppler-utils (pdftotext, pdfinfo) is not installed: apt-get install "
           "libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils (CI runs .ci/office-binaries)")

COLUMNS = ("scope1", "scope2", "scope3_travel", "air_travel", "staff", "offsets", "climate_neutral", "strategy",
           "ems", "procurement_policy", "staff_trained", "waste", "water")
MUST_HAVE = ("UN-HABITAT", "UN-WOMEN", "WORLD-BANK", "UNCTAD", "UNEP", "ILO", "MINAMATA", "UNESCO", "CTBTO")
NON_BREAKING_HYPHEN = "\u2011"


def to_pdf(source: Path, out_dir: Path) -> Path:
    """`source` (DOCX or XLSX) printed to PDF by LibreOffice, with a profile of its own."""
    profile = Path(f"/tmp/lo-{uuid.uuid4().hex}")
    try:
        result = subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                                 "--convert-to", "pdf", "--outdir", str(out_dir), str(source)],
                                capture_output=True, text=True, timeout=180)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdf = out_dir / (source.stem + ".pdf")
    assert result.returncode == 0 and pdf.is_file(), result.stdout + result.stderr
    return pdf


def pdf_text(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    text = subprocess.run(["pdftotext", "-layout", *pages, str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.replace(NON_BREAKING_HYPHEN, "-")


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]


def seventy_codes() -> list[str]:
    codes = [e.code for e in bundled_entities()]
    rest = [c for c in codes if c not in MUST_HAVE]
    return sorted([*MUST_HAVE, *rest[:70 - len(MUST_HAVE)]])


def figures(n: int, year: int) -> list[str]:
    """Invented but fixed figures for the nth entity; 2025 a little above 2024."""
    grow = 1.0 if year == 2024 else 1.04
    staff = 150 + (n * 977) % 24000
    s1, s2, travel = (round(staff * k * grow, 1) for k in (0.61, 0.93, 1.37 + (n % 5) / 10))
    return [str(s1), str(s2), str(travel), str(round(travel * 0.8, 1)), str(staff), str(round(s1 / 2, 1)) if n % 3
            else "0", "yes" if n % 9 == 0 else "no", ("approved", "drafting", "none")[n % 3],
            ("met", "approaching", "none")[n % 3], "yes" if n % 2 else "no", "" if n % 7 == 0 else str(n * 13),
            str(round(0.7 + n * 2.35, 1)), "" if n % 4 == 0 else str(staff * 11)]


def history_csv(codes: list[str]) -> str:
    lines = [",".join(("year", "entity", *COLUMNS))]
    for year in (2024, 2025):
        for n, code in enumerate(codes):
            if year == 2025 and code == "ILO":
                continue  # ILO did not report for 2025
            values = figures(n, year)
            if code == "UNEP":
                values[11] = "1.5"  # tonnes of waste
            lines.append(",".join([str(year), code, *values]))
    return "\n".join(lines) + "\n"


@pytest.fixture
def seventy(private_database_url, tmp_path) -> dict:
    codes = seventy_codes()
    csv = tmp_path / "history.csv"
    csv.write_text(history_csv(codes), encoding="utf-8")
    env = {"DATABASE_URL": private_database_url}
    assert "139 submission(s) imported" in consultbot("hlcm", "import", str(csv), env=env).stdout
    return {"env": env, "codes": codes}


def _summary(seventy, tmp_path: Path, fmt: str) -> Path:
    out = tmp_path / f"hlcm-summary-2025.{fmt}"
    consultbot("hlcm", "summary", "2025", "--format", fmt, "--out", str(out), env=seventy["env"])
    return out


def _split_codes(text: str, codes: list[str]) -> list[str]:
    """Tokens that are a piece of an entity code and not a code themselves: "UNCTA", "UN-HABITA", "UN-"."""
    whole = set(codes)
    pieces = {code[:i] for code in codes for i in range(3, len(code))} | {code[i:] for code in codes
                                                                         for i in range(1, len(code) - 1)}
    pieces = {p for p in pieces if p not in whole and len(p) >= 2 and (p.isupper() or "-" in p)}
    tokens = {token.strip(",.;:()") for token in text.split()}
    return sorted(tokens & pieces)


@needs_office
def test_the_docx_annex_prints_on_six_landscape_pages_with_every_code_whole_and_every_number_as_written(
        seventy, tmp_path):
    docx = _summary(seventy, tmp_path, "docx")
    pdf = to_pdf(docx, tmp_path)
    sizes = page_sizes(pdf)
    landscape = [n for n, (w, h) in enumerate(sizes, 1) if w > h]
    assert landscape and landscape == list(range(landscape[0], len(sizes) + 1))  # the annex, at the end
    assert len(landscape) <= 6, f"the 70-entity annex takes {len(landscape)} landscape pages"
    text = pdf_text(pdf)
    annex = pdf_text(pdf, first=landscape[0])

    # every code whole: in the two annex tables and the list of names (ILO: in none of them, it did not report)
    reporting = [c for c in seventy["codes"] if c != "ILO"]
    for code in reporting:
        assert len(re.findall(rf"(?<![\w-]){re.escape(code)}(?![\w-])", annex)) >= 3, code
    assert _split_codes(text, seventy["codes"]) == []
    # headers repeat on every annex page that has rows
    for page in landscape[1:]:
        body = pdf_text(pdf, first=page, last=page)
        if any(re.search(rf"(?m)^\s*{re.escape(c)}\s", body) for c in reporting):
            assert "Entity" in body, f"page {page} has rows without their header"

    # each number of the summary appears as the document writes it
    doc = Document(BytesIO(docx.read_bytes()))
    narrative = next(p.text for p in doc.paragraphs if p.text.startswith("In 2025, "))
    assert "Like for like, the 69 entities that reported for both 2024 and 2025" in narrative
    assert "from 70 entities in 2024" in narrative and "from 69 in 2025" in narrative
    flat = " ".join(text.split())
    for number in re.findall(r"\d[\d,]*(?:\.\d+)?", narrative):
        assert number in flat, number
    for table in doc.tables[:6]:  # key figures, sources, change, counts, quantities, trend
        for row in table.rows[1:]:
            for cell in row.cells[1:]:
                if re.fullmatch(r"[+-]?\d[\d,]*(?:\.\d+)?", cell.text):
                    assert cell.text in flat, cell.text
    unep = next(line for line in annex.splitlines() if re.match(r"\s*UNEP\s+(Yes|No)\s", line))
    assert " 1.5 " in f" {unep} "  # waste at its precision (one decimal), not rounded to 2
    assert "(tCO2e)" in annex and "Waste (t)" in annex and "Water (m3)" in annex  # units in the headers
    assert "— : not reported by the entity (not zero)" in annex
    assert "United Nations Human Settlements Programme" in annex  # full names in a list


@needs_office
def test_the_workbook_prints_one_page_wide_with_its_labels_beside_their_values(seventy, tmp_path):
    xlsx = _summary(seventy, tmp_path, "xlsx")
    pdf = to_pdf(xlsx, tmp_path)
    sizes = page_sizes(pdf)
    assert all(w > h for w, h in sizes)  # landscape
    assert len(sizes) <= 8, f"the workbook prints on {len(sizes)} pages"
    text = pdf_text(pdf)
    assert "Environmental sustainability in the UN system: progress summary 2025" in text  # the title, whole
    lines = text.splitlines()
    for label in ("Entities reporting", "Total emissions", "Emissions per staff member", "Staff trained"):
        line = next(line for line in lines if line.strip().startswith(label))
        assert re.search(r"\d", line), f"{label} printed without its value: {line!r}"
    annex_pages = []
    for page in range(1, len(sizes) + 1):
        body = pdf_text(pdf, first=page, last=page)
        if re.search(r"(?m)^\s*UNESCO\s", body) or re.search(r"(?m)^\s*BRS\s", body):
            annex_pages.append(body)
    assert annex_pages
    for body in annex_pages:  # one page wide: the first and the last column on the same page, under their headers
        assert "Entity" in body and "Source of the" in body
    unep = next(line for body in annex_pages for line in body.splitlines() if re.match(r"\s*UNEP\s", line))
    assert " 1.5 " in f" {unep} "  # waste at its precision (one decimal), not rounded to 2
    assert _split_codes(text, seventy["codes"]) == []


def test_the_seeds_2011_year_replays_from_a_csv_of_63_entities(private_database_url, tmp_path):
    """63 entities reported for 2011: 13 with an emission reduction strategy approved by senior management, 5
    climate neutral, 5 taking concrete steps towards an environmental management system."""
    codes = sorted(e.code for e in bundled_entities())[:63]
    lines = ["year,entity,scope1,scope2,scope3_travel,air_travel,staff,climate_neutral,strategy,ems"]
    for n, code in enumerate(codes):
        strategy = "approved" if n < 13 else "drafting" if n < 30 else "none"
        neutral = "yes" if n % 12 == 3 and n < 60 else "no"
        ems = "approaching" if n in (7, 19, 31, 43, 55) else "none"
        lines.append(f"2011,{code},{100 + n * 7},{200 + n * 11},{300 + n * 13},{200 + n * 9},{400 + n * 50},"
                     f"{neutral},{strategy},{ems}")
    assert sum(1 for line in lines if ",yes," in line) == 5
    csv = tmp_path / "2011.csv"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {"DATABASE_URL": private_database_url}
    assert "63 submission(s) imported for 2011" in consultbot("hlcm", "import", str(csv), env=env).stdout
    out = tmp_path / "2011.md"
    consultbot("hlcm", "summary", "2011", "--format", "md", "--out", str(out), env=env)
    text = out.read_text(encoding="utf-8")
    assert "In 2011, 63 entities reported their environmental sustainability figures." in text
    assert ("13 entities had an emission reduction strategy approved by senior management, 5 were climate neutral, "
            "0 had an environmental management system in place and 5 more took concrete steps to implement one"
            in text)
