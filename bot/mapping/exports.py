"""The mapping matrix (entities x targets) and the catalogue of products as CSV, XLSX and DOCX.

Each output is first a Table (title lines, header, rows of plain values, from bot/mapping/matrix.py and the
texts); one writer per format turns any Table into a file, so the matrix and the catalogue look alike.
XLSX is written in openpyxl's write-only mode (bench/mapping.py: against the same cells written plainly)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from docx import Document
from docx.shared import Pt
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


def matrix_table(m: MappingMatrix, locale: str | None = None) -> Table:
    s = m.survey
    marks = {"lead": t_plain("mapping.cell_lead", locale), "facilitate": t_plain("mapping.cell_facilitate", locale),
             "covers": t_plain("mapping.cell_covers", locale), "": ""}
    no_answer = t_plain("mapping.cell_no_answer", locale)
    rows = tuple((e.code, *(marks[m.cell(e, t.id)] if e.answered else no_answer for t in s.targets))
                 for e in m.entities)
    gaps = ", ".join(t.code for t in m.gaps) or "—"
    lines = (s.title, m.process_title, t_plain("mapping.export_gaps", locale, targets=s.target_names, gaps=gaps),
             t_plain("mapping.export_legend", locale))
    header = (t_plain("mapping.col_entity", locale), *(t.label for t in s.targets))
    return Table(t_plain("mapping.sheet_matrix", locale), lines, header, rows, (12,) + (14,) * len(s.targets))


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


def write_xlsx(table: Table) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(table.sheet[:31])
    for n, width in enumerate(table.widths, 1):
        ws.column_dimensions[get_column_letter(n)].width = width
    ws.freeze_panes = f"B{len(table.lines) + 2}"
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
    for row in table.rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_docx(table: Table) -> bytes:
    doc = Document()
    doc.add_heading(table.lines[0], level=1)
    for line in table.lines[1:]:
        doc.add_paragraph(line)
    grid = doc.add_table(rows=len(table.rows) + 1, cols=len(table.header))
    grid.style = "Table Grid"
    for row, values in zip(grid.rows, (table.header,) + table.rows):
        for cell, value in zip(row.cells, values):
            cell.text = value
    for cell in grid.rows[0].cells:
        for run in cell.paragraphs[0].runs:
            run.font.bold, run.font.size = True, Pt(8)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


WRITERS = {"csv": write_csv, "xlsx": write_xlsx, "docx": write_docx}


def export(m: MappingMatrix, what: str, fmt: str, locale: str | None = None, kind: str | None = None,
           topic: str | None = None) -> bytes:
    survey = m.survey
    if kind is not None and kind not in survey.types:
        raise Invalid("mapping.filter_unknown_type", field="type", value=kind[:40], known=", ".join(survey.types))
    if topic is not None and topic not in survey.topics:
        raise Invalid("mapping.filter_unknown_topic", field="topic", value=topic[:40], known=", ".join(survey.topics))
    table = matrix_table(m, locale) if what == "matrix" else catalogue_table(m, locale, kind, topic)
    return WRITERS[fmt](table)


def file_name(process_handle: str, survey_id: str, what: str, fmt: str) -> str:
    return f"{process_handle}-{survey_id}-{what}.{fmt}"
