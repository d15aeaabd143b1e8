"""The HLCM progress summary as an Excel workbook: numbers as numbers, for the secretariat's own analysis.

Sheets: Summary (title, narrative, key figures, change, the HLCM counts, entities that did not report),
By source, Annex (one row per entity, one column per indicator with its unit in the header; yes/no and choices
as their labels, each indicator at its precision from the questionnaire), Trend (every year with figures), and
Notes (reasons given for changes of more than 50 %). A text typed by a person that starts with "=" is stored as
text, never as a formula.

Every sheet prints: A4 landscape, fitted to one page wide (as many pages tall as it needs), its header row (the
annex: also the entity column) repeated on every page and frozen on screen, the sheet's name and page number in
the footer."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from bot.exports import hlcm_tables as tables
from bot.exports.direction import xlsx_right_to_left
from bot.exports.matrix_columns import sheet_title, xlsx_text
from bot.formatting import right_to_left
from bot.hlcm.narrative import paragraph
from bot.hlcm.summary import YearSummary
from bot.hlcm.trend import YearPoint
from bot.texts import t_plain

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
WRAP = Alignment(wrap_text=True, vertical="top")
FORMATS = {"tonnes": "#,##0", "ratio": "#,##0.00", "share": "0.0", "pct": "+0.0;-0.0;0.0", "count": "#,##0",
           "fixed0": "#,##0", "fixed1": "#,##0.0", "fixed2": "#,##0.00", "fixed3": "#,##0.000"}


def _sheet_title(name: str, locale: str | None) -> str:
    """A sheet's title in the reader's language, without what Excel refuses in one ([]:*?/\\, over 31 characters)."""
    return sheet_title(t_plain(f"hlcm.sheet.{name}", locale)) or name


def write_xlsx(summary: YearSummary, trend: list[YearPoint], locale: str | None = None) -> bytes:
    s = summary
    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_title("summary", locale)
    ws.append([_text(t_plain("hlcm.summary_title", locale, year=s.year))])
    ws["A1"].font = TITLE
    ws.append([])
    ws.append([_text(paragraph(s, locale))])
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=4)
    ws["A3"].alignment = WRAP
    ws.row_dimensions[3].height = 150
    ws.append([])
    _block(ws, t_plain("hlcm.section.key_figures", locale), tables.key_figures(s, locale))
    change = tables.change(s, locale)
    if change is not None:
        _block(ws, t_plain("hlcm.section.change", locale), change)
    _block(ws, t_plain("hlcm.section.counts", locale), tables.counts(s, locale))
    _block(ws, t_plain("hlcm.section.quantities", locale), tables.quantities(s, locale))
    ws.append([t_plain("hlcm.section.not_reported", locale)])
    ws.cell(row=ws.max_row, column=1).font = BOLD
    ws.append([", ".join(s.not_reported) if s.not_reported else
               t_plain("hlcm.section.none_missing" if s.asked is not None else "hlcm.section.not_asked_history",
                       locale, year=s.year)])
    _widths(ws, [62, 16, 16, 12])
    _print(ws, None)

    sources = wb.create_sheet(_sheet_title("sources", locale))
    _write(sources, tables.sources(s, locale))
    _print(sources, "A2")
    for note in tables.part_notes(s, locale):
        sources.append([])
        sources.append([note])
    _widths(sources, [36, 18, 12, 20])

    annex = wb.create_sheet(_sheet_title("annex", locale))
    table = tables.annex(s, locale)
    _write(annex, table)
    _print(annex, "C2", columns="A:B")
    _fit(annex, table)
    annex.row_dimensions[1].height = 45

    sheet = wb.create_sheet(_sheet_title("trend", locale))
    _write(sheet, tables.trend(trend, locale))
    _print(sheet, "A2")
    _widths(sheet, [8, 18, 18, 26])

    notes = wb.create_sheet(_sheet_title("notes", locale))
    _write(notes, tables.notes(s, locale))
    _print(notes, "A2")
    for row in notes.iter_rows(min_row=2, min_col=3, max_col=3):
        row[0].alignment = WRAP
    _widths(notes, [12, 36, 80])

    if right_to_left(locale):
        xlsx_right_to_left(wb)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _print(ws, freeze: str | None, columns: str | None = None) -> None:
    """A4 landscape, one page wide, the header row (and `columns`) on every page; frozen at `freeze` on screen."""
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_options.gridLines = freeze is not None
    ws.oddFooter.center.text = "&A — &P / &N"
    if freeze:
        ws.freeze_panes = freeze
        ws.print_title_rows = "1:1"
    if columns:
        ws.print_title_cols = columns


def _text(value: str) -> str:
    return xlsx_text(value)


def _block(ws, title: str, table: tables.Table) -> None:
    ws.append([title])
    ws.cell(row=ws.max_row, column=1).font = BOLD
    _write(ws, table)
    ws.append([])


def _write(ws, table: tables.Table) -> None:
    ws.append([_text(h) for h in table.header])
    header_row = ws.max_row
    for c in range(1, len(table.header) + 1):
        cell = ws.cell(row=header_row, column=c)
        cell.font, cell.fill, cell.alignment = BOLD, HEADER_FILL, WRAP
    for values in table.rows:
        ws.append([_value(v) for v in values])
        row = ws.max_row
        for c, value in enumerate(values, 1):
            cell = ws.cell(row=row, column=c)
            if isinstance(value, str) and cell.data_type == "f":
                cell.data_type = "s"  # "=..." typed by a person: text
            kind = table.kind(values, c - 1)
            if (value is None or isinstance(value, (int, float))) and kind in FORMATS:  # blank: typed in later
                cell.number_format = FORMATS[kind]


def _value(value: Any) -> Any:
    if isinstance(value, str):
        return _text(value)
    return value


def _fit(ws, table: tables.Table, most: int = 36) -> None:
    """Columns as wide as their content (codes and numbers whole), at most `most` characters; longer texts (names,
    choices) wrap within their cell instead of being cut by the next one."""
    texts = table.texts()
    lines = [1] * len(texts)
    for c, kind in enumerate(table.kinds):
        header = max((len(w) for w in table.header[c].split()), default=4)
        content = max((len(row[c]) for row in texts), default=4)
        width = min(max(header, content) + 2, most)
        ws.column_dimensions[get_column_letter(c + 1)].width = width
        if kind == "text" and content + 2 > most:
            for r, row in enumerate(ws.iter_rows(min_row=2, max_row=len(texts) + 1, min_col=c + 1, max_col=c + 1)):
                row[0].alignment = WRAP
                lines[r] = max(lines[r], -(-len(texts[r][c]) * 11 // ((width - 2) * 10)))  # rounded up, 10 % spare
    for r, count in enumerate(lines, 2):
        if count > 1:
            ws.row_dimensions[r].height = 13 * count  # a spreadsheet does not grow a row for wrapped text it loads


def _widths(ws, widths: list[int]) -> None:
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
