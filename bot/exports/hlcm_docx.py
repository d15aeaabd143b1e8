"""The HLCM progress summary as a Word document.

Portrait A4: the title, the narrative paragraph, key figures, emissions by source, change against the previous
year, the HLCM counts, the three charts as pictures, the trend, the entities that did not report; then a
landscape section with the per-entity annex (one column per indicator, units in the headers, 7 pt) and the
reasons given for changes of more than 50 %, as notes.

The tables are small (the annex has one row per entity, about seventy), so python-docx's `cell.text` is fast
enough here (see bench/hlcm.py); the header row of the annex repeats on every page."""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from bot.exports import hlcm_tables as tables
from bot.exports.matrix_columns import clean
from bot.hlcm.charts import all_charts
from bot.hlcm.narrative import paragraph
from bot.hlcm.summary import YearSummary
from bot.hlcm.trend import YearPoint
from bot.texts import t_plain

BODY_PT, TABLE_PT, ANNEX_PT = 10, 9, 7
MARGIN_MM = 20
ANNEX_MARGIN_MM = 10
PICTURE_MM = 165
NUMERIC = {"tonnes", "ratio", "share", "pct", "count", "auto"}


def write_docx(summary: YearSummary, trend: list[YearPoint], locale: str | None = None,
               charts: list | None = None) -> bytes:
    s = summary
    charts = charts if charts is not None else all_charts(s, trend, locale)
    doc = Document()
    _page(doc.sections[0], landscape=False)
    doc.styles["Normal"].font.size = Pt(BODY_PT)
    doc.core_properties.title = t_plain("hlcm.summary_title", locale, year=s.year)

    doc.add_heading(t_plain("hlcm.summary_title", locale, year=s.year), level=1)

    _heading(doc, t_plain("hlcm.section.narrative", locale))
    doc.add_paragraph(clean(paragraph(s, locale)))

    _heading(doc, t_plain("hlcm.section.key_figures", locale))
    _table(doc, tables.key_figures(s, locale))
    _heading(doc, t_plain("hlcm.section.sources", locale))
    _table(doc, tables.sources(s, locale))
    for note in tables.part_notes(s, locale):
        _small(doc, note)
    _heading(doc, t_plain("hlcm.section.change", locale))
    change = tables.change(s, locale)
    if change is None:
        doc.add_paragraph(t_plain("hlcm.section.no_previous", locale, year=s.year - 1))
    else:
        _table(doc, change)
        if s.change.comparable:
            _small(doc, t_plain("hlcm.change.comparable_list", locale, codes=", ".join(s.change.comparable)))
    _heading(doc, t_plain("hlcm.section.counts", locale))
    _table(doc, tables.counts(s, locale))

    _heading(doc, t_plain("hlcm.section.charts", locale))
    for chart in charts:
        doc.add_picture(BytesIO(chart.png), width=Mm(PICTURE_MM))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _heading(doc, t_plain("hlcm.section.trend", locale))
    _table(doc, tables.trend(trend, locale))

    _heading(doc, t_plain("hlcm.section.not_reported", locale))
    if s.asked is None:
        doc.add_paragraph(t_plain("hlcm.section.not_asked_history", locale, year=s.year))
    elif not s.not_reported:
        doc.add_paragraph(t_plain("hlcm.section.none_missing", locale))
    else:
        doc.add_paragraph(", ".join(s.not_reported))

    _page(doc.add_section(), landscape=True)
    _heading(doc, t_plain("hlcm.section.annex", locale))
    _table(doc, tables.annex(s, locale), size=ANNEX_PT, repeat_header=True)
    _heading(doc, t_plain("hlcm.section.notes", locale))
    notes = tables.notes(s, locale)
    if notes.rows:
        _table(doc, notes, size=TABLE_PT)
    else:
        doc.add_paragraph(t_plain("hlcm.section.no_notes", locale))

    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def _page(section, landscape: bool) -> None:
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    margin = Mm(ANNEX_MARGIN_MM if landscape else MARGIN_MM)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = margin


def _heading(doc, text: str) -> None:
    doc.add_heading(text, level=2)


def _small(doc, text: str) -> None:
    run = doc.add_paragraph().add_run(clean(text))
    run.font.size = Pt(ANNEX_PT + 1)
    run.italic = True


def _table(doc, table: tables.Table, size: int = TABLE_PT, repeat_header: bool = False) -> None:
    texts = table.texts()
    grid = doc.add_table(rows=len(texts) + 1, cols=len(table.header))
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    right = [k in NUMERIC for k in table.kinds]
    for r, values in enumerate([table.header, *texts]):
        cells = grid.rows[r].cells
        for c, value in enumerate(values):
            par = cells[c].paragraphs[0]
            run = par.add_run(clean(value))
            run.font.size = Pt(size)
            if r == 0:
                run.bold = True
            elif right[c]:
                par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if repeat_header:
        tr_pr = grid.rows[0]._tr.get_or_add_trPr()
        marker = OxmlElement("w:tblHeader")
        marker.set(qn("w:val"), "true")
        tr_pr.append(marker)
    doc.add_paragraph()
