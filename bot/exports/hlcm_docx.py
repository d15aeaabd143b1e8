"""The HLCM progress summary as a Word document a UN document can carry as an annex.

Portrait A4: the title, the narrative paragraph, key figures, emissions by source, change against the previous
year (like for like, with each year's coverage), what the HLCM reads (entities in one table, quantities in
another), the three charts as pictures, the trend, the entities that did not report. Then landscape A4 for the
annex: coverage notes, table A.1 (emissions, staff, offsets) and table A.2 (management, policies, resources), one
row per entity with its code only, short headers with units, each indicator at its precision from the
questionnaire; the entities' full names in a list; the reasons given for changes of more than 50 %.

Acronyms never break: entity codes sit in cells that do not wrap (`w:noWrap`) in columns as wide as their
longest content (widths computed from the text, the table laid out fixed), and a hyphen between capitals or
digits (UN-HABITAT) is Word's non-breaking hyphen everywhere in the document. Header rows repeat on every page.
Seventy entities take at most six landscape pages (tests/test_hlcm_annex_pdf.py converts with LibreOffice)."""

from __future__ import annotations

import re
from io import BytesIO

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from bot.exports import hlcm_tables as tables
from bot.exports.direction import docx_right_to_left
from bot.exports.matrix_columns import clean
from bot.formatting import right_to_left
from bot.hlcm.charts import all_charts
from bot.hlcm.narrative import paragraph
from bot.hlcm.summary import YearSummary
from bot.hlcm.trend import YearPoint
from bot.texts import t_plain

BODY_PT, TABLE_PT, ANNEX_PT = 10, 9, 7.5
MARGIN_MM = 20
ANNEX_MARGIN_MM = 12
PICTURE_MM = 165
CELL_PAD_MM = 1.2  # left and right, each
NUMERIC = {"tonnes", "ratio", "share", "pct", "count", "auto"}
KEEP_WHOLE = NUMERIC | {"code", "year"}  # never wrapped
_CODE_HYPHEN = re.compile(r"(?<=[A-Z0-9])-(?=[A-Z0-9])")
_PT_MM = 0.3528
FONT = "Arial"


def write_docx(summary: YearSummary, trend: list[YearPoint], locale: str | None = None,
               charts: list | None = None) -> bytes:
    s = summary
    charts = charts if charts is not None else all_charts(s, trend, locale)
    doc = Document()
    _page(doc.sections[0], landscape=False)
    doc.styles["Normal"].font.size = Pt(BODY_PT)
    doc.styles["Normal"].font.name = FONT  # Liberation Sans where Arial is absent: the same widths
    doc.core_properties.title = t_plain("hlcm.summary_title", locale, year=s.year)
    body_mm = 210 - 2 * MARGIN_MM

    doc.add_heading(t_plain("hlcm.summary_title", locale, year=s.year), level=1)

    _heading(doc, t_plain("hlcm.section.narrative", locale))
    _text(doc.add_paragraph(), paragraph(s, locale))

    _heading(doc, t_plain("hlcm.section.key_figures", locale))
    _table(doc, tables.key_figures(s, locale), body_mm)
    _heading(doc, t_plain("hlcm.section.sources", locale))
    _table(doc, tables.sources(s, locale), body_mm)
    for note in tables.part_notes(s, locale):
        _small(doc, note)
    _heading(doc, t_plain("hlcm.section.change", locale))
    change = tables.change(s, locale)
    if change is None:
        doc.add_paragraph(t_plain("hlcm.section.no_previous", locale, year=s.year - 1))
    else:
        _table(doc, change, body_mm)
        if s.change.comparable:
            _small(doc, t_plain("hlcm.change.comparable_list", locale, codes=", ".join(s.change.comparable)))
    _heading(doc, t_plain("hlcm.section.counts", locale))
    _table(doc, tables.counts(s, locale), body_mm)
    _heading(doc, t_plain("hlcm.section.quantities", locale))
    _table(doc, tables.quantities(s, locale), body_mm)

    _heading(doc, t_plain("hlcm.section.charts", locale))
    for chart in charts:
        doc.add_picture(BytesIO(chart.png), width=Mm(PICTURE_MM))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _heading(doc, t_plain("hlcm.section.trend", locale))
    _table(doc, tables.trend(trend, locale), body_mm)

    _heading(doc, t_plain("hlcm.section.not_reported", locale))
    if s.asked is None:
        doc.add_paragraph(t_plain("hlcm.section.not_asked_history", locale, year=s.year))
    elif not s.not_reported:
        doc.add_paragraph(t_plain("hlcm.section.none_missing", locale))
    else:
        _text(doc.add_paragraph(), ", ".join(s.not_reported))

    _page(doc.add_section(), landscape=True)
    annex_mm = 297 - 2 * ANNEX_MARGIN_MM
    _heading(doc, t_plain("hlcm.section.annex", locale))
    for note in tables.coverage_notes(s, locale):
        _small(doc, note)
    _subheading(doc, t_plain("hlcm.section.annex_emissions", locale))
    _table(doc, tables.annex_emissions(s, locale), annex_mm, size=ANNEX_PT, repeat_header=True)
    _subheading(doc, t_plain("hlcm.section.annex_practices", locale))
    _table(doc, tables.annex_practices(s, locale), annex_mm, size=ANNEX_PT, repeat_header=True)
    _subheading(doc, t_plain("hlcm.section.names", locale))
    _table(doc, _two_up(tables.entity_names(s, locale)), annex_mm, size=ANNEX_PT, repeat_header=True)
    _subheading(doc, t_plain("hlcm.section.notes", locale))
    notes = tables.notes(s, locale)
    if notes.rows:
        _table(doc, notes, annex_mm, size=ANNEX_PT, repeat_header=True)
    else:
        doc.add_paragraph(t_plain("hlcm.section.no_notes", locale))

    if right_to_left(locale):
        docx_right_to_left(doc)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def _two_up(table: tables.Table) -> tables.Table:
    """A two-column list side by side: half the rows (code, name | code, name)."""
    half = (len(table.rows) + 1) // 2
    left, right = table.rows[:half], table.rows[half:]
    rows = [a + (right[i] if i < len(right) else [None] * len(a)) for i, a in enumerate(left)]
    return tables.Table(table.header * 2, rows, table.kinds * 2, table.locale)


def _page(section, landscape: bool) -> None:
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    margin = Mm(ANNEX_MARGIN_MM if landscape else MARGIN_MM)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = margin


def _heading(doc, text: str) -> None:
    doc.add_heading(text, level=2)


def _subheading(doc, text: str) -> None:
    heading = doc.add_heading(text, level=3)
    heading.paragraph_format.keep_with_next = True


def _small(doc, text: str) -> None:
    par = doc.add_paragraph()
    par.paragraph_format.space_after = Pt(2)
    run = _text(par, text)
    run.font.size = Pt(ANNEX_PT + 0.5)
    run.italic = True


def _text(par, text: str):
    """A run of `text` in which a hyphen inside an acronym (UN-HABITAT) is Word's non-breaking hyphen."""
    run = par.add_run()
    for n, piece in enumerate(_CODE_HYPHEN.split(clean(text))):
        if n:
            run._r.append(OxmlElement("w:noBreakHyphen"))
        if piece:
            element = OxmlElement("w:t")
            element.text = piece
            element.set(qn("xml:space"), "preserve")
            run._r.append(element)
    return run


def _em(ch: str) -> float:
    """A character's advance in Arial (Liberation Sans has the same metrics), rounded up."""
    if ch in "WM":
        return 0.94
    if ch in "IJ":
        return 0.5
    if ch.isupper() or ch in "%@mw—":
        return 0.78
    if ch.isdigit():
        return 0.56
    if ch in " .,:;'|!il()[]-–/ftjr":
        return 0.34
    return 0.56


def text_mm(text: str, size: float, bold: bool = False) -> float:
    """The printed width of `text` in the document's font (Arial), with a margin for the renderer."""
    return sum(_em(ch) for ch in text) * size * _PT_MM * (1.1 if bold else 1.0) * 1.06


def widths(table: tables.Table, texts: list[list[str]], available_mm: float, size: float) -> list[float]:
    """Column widths from the content: a column never wrapped (codes, numbers) is as wide as its longest value;
    a header wraps between words only (its longest word fits); text columns share what is left, as wide as
    their content allows. Room to spare goes to the headers that would wrap."""
    pad = 2 * CELL_PAD_MM + 0.8
    need, full, flexible = [], [], []
    for c, kind in enumerate(table.kinds):
        header = table.header[c]
        word = max((text_mm(w, size, bold=True) for w in header.split()), default=0.0)
        content = max((text_mm(row[c], size) for row in texts), default=0.0)
        head_full = text_mm(header, size, bold=True)
        if kind in KEEP_WHOLE or kind.startswith("fixed"):
            need.append(max(word, content) + pad)
            full.append(max(head_full, content) + pad)
            flexible.append(False)
        else:
            need.append(max(word, min(content, 25.0)) + pad)
            full.append(max(head_full, content) + pad)
            flexible.append(True)
    spare = available_mm - sum(need)
    if spare <= 0:
        return need  # the page cannot hold more; codes and numbers still keep their width
    wants = [max(f - n, 0.0) for f, n in zip(full, need)]
    total_want = sum(wants)
    if total_want <= spare:
        return [f for f in full]
    return [n + spare * w / total_want for n, w in zip(need, wants)]


def _no_wrap(cell) -> None:
    cell._tc.get_or_add_tcPr().append(OxmlElement("w:noWrap"))


def _fixed_layout(grid, column_mm: list[float]) -> None:
    tbl_pr = grid._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(round(CELL_PAD_MM / 25.4 * 1440)))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    tbl_pr.append(margins)
    grid.autofit = False
    for column, mm in zip(grid.columns, column_mm):
        column.width = Mm(mm)


def _table(doc, table: tables.Table, available_mm: float, size: float = TABLE_PT,
           repeat_header: bool = False) -> None:
    texts = table.texts()
    column_mm = widths(table, texts, available_mm, size)
    grid = doc.add_table(rows=len(texts) + 1, cols=len(table.header))
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fixed_layout(grid, column_mm)
    whole = [k in KEEP_WHOLE or k.startswith("fixed") for k in table.kinds]
    right = [k in NUMERIC or k.startswith("fixed") for k in table.kinds]
    for r, row in enumerate(grid.rows):
        values = table.header if r == 0 else texts[r - 1]
        for c, cell in enumerate(row.cells):
            cell.width = Mm(column_mm[c])
            par = cell.paragraphs[0]
            par.paragraph_format.space_after = Pt(0)
            par.paragraph_format.space_before = Pt(0)
            par.paragraph_format.line_spacing = 1.0
            run = _text(par, values[c])
            run.font.size = Pt(size)
            if r == 0:
                run.bold = True
                continue
            if whole[c]:
                _no_wrap(cell)
            if right[c]:
                par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if repeat_header:
        tr_pr = grid.rows[0]._tr.get_or_add_trPr()
        marker = OxmlElement("w:tblHeader")
        marker.set(qn("w:val"), "true")
        tr_pr.append(marker)
    doc.add_paragraph().paragraph_format.space_after = Pt(2)
