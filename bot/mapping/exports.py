"""The mapping matrix (entities x targets) and the catalogue of products as CSV, XLSX and DOCX.

Each output is first a Table (title lines, header, rows of plain values, from bot/mapping/matrix.py and the
texts); one writer per format turns Tables into a file, so the matrix and the catalogue look alike. The matrix
carries the answers typed per target too: XLSX a second sheet (a row per entity and target it covers: its mark
and its texts), DOCX a part per target (who does what, leads first), CSV a row per entity, target and question.
XLSX is written in openpyxl's write-only mode (bench/mapping.py: against the same cells written plainly)."""

from __future__ import annotations

import csv
import io
from copy import copy
from dataclasses import dataclass

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from bot.errors import Invalid
from bot.mapping.matrix import MappingMatrix
from bot.texts import t_plain

MEDIA_TYPES = {"csv": "text/csv",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


@dataclass(frozen=True)
class Table:
    sheet: str
    lines: tuple[str, ...]  # above the table: title, process, gaps
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[int, ...]  # XLSX column widths, in characters
    wrap_from: int | None = None  # XLSX: the columns from this one (0-based) wrap their text, printed landscape


@dataclass(frozen=True)
class Part:
    """A DOCX part under the matrix: a target, and who does what on it (or `empty` when nobody covers it)."""
    heading: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty: str


def _marks(locale: str | None) -> dict[str, str]:
    return {"lead": t_plain("mapping.cell_lead", locale), "facilitate": t_plain("mapping.cell_facilitate", locale),
            "covers": t_plain("mapping.cell_covers", locale), "": ""}


def matrix_table(m: MappingMatrix, locale: str | None = None) -> Table:
    s = m.survey
    marks = _marks(locale)
    no_answer = t_plain("mapping.cell_no_answer", locale)
    rows = tuple((e.code, *(marks[m.cell(e, t.id)] if e.answered else no_answer for t in s.targets))
                 for e in m.entities)
    gaps = ", ".join(t.code for t in m.gaps) or "—"
    lines = (s.title, m.process_title, t_plain("mapping.export_gaps", locale, targets=s.target_names, gaps=gaps),
             t_plain("mapping.export_legend", locale))
    header = (t_plain("mapping.col_entity", locale), *(t.label for t in s.targets))
    return Table(t_plain("mapping.sheet_matrix", locale), lines, header, rows, (12,) + (14,) * len(s.targets))


def _answer_columns(m: MappingMatrix, locale: str | None) -> tuple[str, ...]:
    return (t_plain("mapping.col_entity", locale), t_plain("mapping.col_role", locale),
            *(f.label for f in m.survey.text_fields))


def _answer_row(m: MappingMatrix, entity, given: dict[str, str], marks: dict[str, str]) -> tuple[str, ...]:
    return (entity.code, marks[given.get("volunteer", "covers")], *(given.get(f.id, "") for f in m.survey.text_fields))


def answers_table(m: MappingMatrix, locale: str | None = None) -> Table:
    """The XLSX matrix's second sheet: a row per target and entity covering it, with its mark and its texts."""
    s, marks = m.survey, _marks(locale)
    rows = tuple((t.label, *_answer_row(m, e, given, marks)) for t in s.targets for e, given in m.who_does_what(t.id))
    lines = (s.title, m.process_title, t_plain("mapping.export_answers_intro", locale, targets=s.target_names))
    header = (t_plain("mapping.col_target", locale), *_answer_columns(m, locale))
    return Table(t_plain("mapping.sheet_answers", locale), lines, header, rows,
                 (40, 12, 12) + (40,) * len(s.text_fields), wrap_from=3)


def answer_parts(m: MappingMatrix, locale: str | None = None) -> list[Part]:
    """The DOCX matrix's parts: per target, who does what."""
    marks, header = _marks(locale), _answer_columns(m, locale)
    empty = t_plain("mapping.export_nobody", locale, target=m.survey.target_name)
    return [Part(t.label, header, tuple(_answer_row(m, e, given, marks) for e, given in m.who_does_what(t.id)), empty)
            for t in m.survey.targets]


def long_table(m: MappingMatrix, locale: str | None = None) -> Table:
    """The CSV matrix: a row per entity, target and question answered; an entity with no answer, one row."""
    s, marks = m.survey, _marks(locale)
    no_answer = t_plain("mapping.cell_no_answer", locale)
    rows: list[tuple[str, ...]] = []
    for e in m.entities:
        if not e.answered:
            rows.append((e.code, "", "", no_answer))
            continue
        for target in s.targets:
            given = m.given(e, target.id)
            rows += [(e.code, target.label, f.label, marks[given[f.id]] if f.type == "choice" else given[f.id])
                     for f in s.grid if given.get(f.id)]
    header = tuple(t_plain(f"mapping.col_{c}", locale) for c in ("entity", "target", "question", "answer"))
    return Table(t_plain("mapping.sheet_matrix", locale), (), header, tuple(rows), (12, 30, 30, 60))


def catalogue_table(m: MappingMatrix, locale: str | None = None, kind: str | None = None,
                    topic: str | None = None) -> Table:
    s = m.survey
    rows = tuple((p.entity, p.title, s.types[p.type], ", ".join(s.topics[x] for x in p.topics), p.link)
                 for p in m.catalogue(kind, topic))
    shown = ", ".join(x for x in (s.types.get(kind or ""), s.topics.get(topic or "")) if x) or "—"
    lines = (s.title, m.process_title, t_plain("mapping.export_filter", locale, filter=shown, count=len(rows)))
    header = tuple(t_plain(f"mapping.col_{c}", locale) for c in ("entity", "title", "type", "topics", "link"))
    return Table(t_plain("mapping.sheet_catalogue", locale), lines, header, rows, (12, 50, 22, 40, 50))


def write_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.header)
    writer.writerows(table.rows)
    return out.getvalue().encode("utf-8-sig")  # Excel opens it as UTF-8


def write_xlsx(*tables: Table) -> bytes:
    """Each table a sheet."""
    wb = Workbook(write_only=True)
    for table in tables:
        _sheet(wb, table)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _sheet(wb: Workbook, table: Table) -> None:
    ws = wb.create_sheet(table.sheet[:31])
    for n, width in enumerate(table.widths, 1):
        ws.column_dimensions[get_column_letter(n)].width = width
    ws.freeze_panes = f"B{len(table.lines) + 2}"
    if table.wrap_from is not None:  # set before the first row: write-only mode writes the sheet's head then
        ws.page_setup.orientation = "landscape"
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for n, line in enumerate(table.lines):
        cell = WriteOnlyCell(ws, line)
        if n == 0:
            cell.font = Font(bold=True, size=14)
        ws.append([cell])
    head = []
    for value in table.header:
        cell = WriteOnlyCell(ws, value)
        cell.font, cell.alignment = bold, wrap
        head.append(cell)
    ws.append(head)
    if table.wrap_from is None:
        for row in table.rows:
            ws.append(row)
        return
    start, wrapped = table.wrap_from, WriteOnlyCell(ws)
    wrapped.alignment = wrap  # registered once; each long text copies its style array (bench/mapping.py)
    for row in table.rows:
        texts = []
        for n, value in enumerate(row[start:], start):
            if len(value) <= table.widths[n]:  # fits its column: no style to write
                texts.append(value)
                continue
            cell = WriteOnlyCell(ws, value)
            cell._style = copy(wrapped._style)
            texts.append(cell)
        ws.append([*row[:start], *texts])


def _docx_table(doc, header: tuple[str, ...], rows: tuple[tuple[str, ...], ...], widths: list | None = None) -> None:
    grid = doc.add_table(rows=len(rows) + 1, cols=len(header))
    grid.style = "Table Grid"
    for row, values in zip(grid.rows, (header,) + rows):
        for n, (cell, value) in enumerate(zip(row.cells, values)):
            cell.text = value
            if widths:
                cell.width = widths[n]
    for column, width in zip(grid.columns, widths or ()):
        column.width = width
    for cell in grid.rows[0].cells:
        for run in cell.paragraphs[0].runs:
            run.font.bold, run.font.size = True, Pt(8)


def write_docx(table: Table, parts: list[Part] | None = None, parts_title: str = "") -> bytes:
    """The table, then each part (a heading and its own table) under `parts_title`."""
    doc = Document()
    page = doc.sections[0]
    page.orientation, page.page_width, page.page_height = WD_ORIENT.LANDSCAPE, Cm(29.7), Cm(21)
    page.left_margin = page.right_margin = Cm(1.5)
    doc.add_heading(table.lines[0], level=1)
    for line in table.lines[1:]:
        doc.add_paragraph(line)
    _docx_table(doc, table.header, table.rows)
    if parts:
        doc.add_heading(parts_title, level=1)
    for part in parts or ():
        doc.add_heading(part.heading, level=2)
        if part.rows:
            texts = len(part.header) - 2
            _docx_table(doc, part.header, part.rows, [Cm(2.4), Cm(2.4), *[Cm(21.9 / texts)] * texts])
        else:
            doc.add_paragraph(part.empty)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def export(m: MappingMatrix, what: str, fmt: str, locale: str | None = None, kind: str | None = None,
           topic: str | None = None) -> bytes:
    survey = m.survey
    if kind is not None and kind not in survey.types:
        raise Invalid("mapping.filter_unknown_type", field="type", value=kind[:40], known=", ".join(survey.types))
    if topic is not None and topic not in survey.topics:
        raise Invalid("mapping.filter_unknown_topic", field="topic", value=topic[:40], known=", ".join(survey.topics))
    if what != "matrix":
        table = catalogue_table(m, locale, kind, topic)
        return write_csv(table) if fmt == "csv" else write_xlsx(table) if fmt == "xlsx" else write_docx(table)
    if fmt == "csv":
        return write_csv(long_table(m, locale))
    if fmt == "xlsx":
        return write_xlsx(matrix_table(m, locale), answers_table(m, locale))
    return write_docx(matrix_table(m, locale), answer_parts(m, locale),
                      t_plain("mapping.export_by_target", locale, targets=m.survey.target_names))


def file_name(process_handle: str, survey_id: str, what: str, fmt: str) -> str:
    return f"{process_handle}-{survey_id}-{what}.{fmt}"
