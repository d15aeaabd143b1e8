"""The comment matrix as an Excel workbook, the file of the bulk round trip.

One sheet: the title block (rows 1-5), the header row (row 6), one row per input. The header
is frozen and filtered, the text columns wrap (top-aligned), the Disposition cells offer the
human labels in a list, and the Ref column (last) is the key `matrix_import.read_responses`
matches rows by.

Written in openpyxl's write-only mode: rows stream straight to the file. Column widths and
styles, and the frozen panes, must be set before the first row; filter and validation after.
A styled cell costs openpyxl about 4 µs more than a plain one (a fresh cell, a failed value
bind, a style lookup per cell), so only the free-text columns are styled: styling all eleven
made the export 1.65x the plain write-only baseline, these five 1.4x (bench/matrix.py). The
short columns (No., Entity, Type, Disposition, Late, Ref) keep Excel's default look. Each
styled column's style lives on one `WriteOnlyCell` reused row after row (write-only mode
serialises a row as soon as it is appended).
"""

from __future__ import annotations

import re
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from bot.exports.direction import xlsx_right_to_left
from bot.exports.matrix_columns import COLUMNS, Labels, cells, title, title_block, xlsx_text
from bot.exports.matrix_model import Matrix
from bot.formatting import right_to_left
from bot.texts import t_plain

HEADER_ROW = 6  # title (1) and four title-block lines (2-5) above it
WIDTHS = {"no": 6, "entity": 11, "section": 24, "kind": 13, "comment": 50, "proposed_text": 42,
          "rationale": 34, "disposition": 18, "response": 48, "late": 7, "ref": 16}
WRAPPED = {"section", "comment", "proposed_text", "rationale", "response"}  # free text: wraps, top-aligned
LETTERS = {column: get_column_letter(i) for i, column in enumerate(COLUMNS, 1)}
BODY = Alignment(wrap_text=True, vertical="top")
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
SHEET_NAME_LIMIT = 31
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def write_xlsx(matrix: Matrix, locale: str | None = None) -> bytes:
    labels = Labels(locale)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_name(locale))
    _set_up(ws)

    ws.append([_cell(ws, title(locale), font=Font(bold=True, size=14))])
    for line in title_block(matrix, locale):
        ws.append([line])
    ws.append([_cell(ws, labels.columns[c], font=Font(bold=True), fill=HEADER_FILL, alignment=BODY)
               for c in COLUMNS])

    column_cells = [_cell(ws, None, alignment=BODY) if c in WRAPPED else None for c in COLUMNS]
    for values in cells(matrix, labels, xlsx_text):
        row = []
        for cell, value in zip(column_cells, values):
            if value == "":
                value = None
            elif cell is not None:
                cell.value = value
                value = cell
            elif value.__class__ is str and value.startswith("="):
                value = _cell(ws, value)
            if value.__class__ is Cell and value.data_type == "f":  # "=..." typed by a person: text
                value.data_type = "s"
            row.append(value)
        ws.append(row)

    last = HEADER_ROW + len(matrix.rows)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{LETTERS[COLUMNS[-1]]}{last}"
    if matrix.rows:
        _disposition_list(ws, labels, f"{LETTERS['disposition']}{HEADER_ROW + 1}:{LETTERS['disposition']}{last}")
    if right_to_left(locale):
        xlsx_right_to_left(wb)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def sheet_name(locale: str | None) -> str:
    return _SHEET_NAME_BAD.sub("", t_plain("matrix.sheet_name", locale))[:SHEET_NAME_LIMIT].strip() or "Sheet1"


def _set_up(ws) -> None:
    """Everything write-only mode writes before the rows."""
    for column in COLUMNS:
        dimension = ws.column_dimensions[LETTERS[column]]
        dimension.width = WIDTHS[column]
        if column in WRAPPED:
            dimension.alignment = BODY  # a response typed into an empty cell wraps as well
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _cell(ws, value, **style) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value)
    for name, item in style.items():
        setattr(cell, name, item)
    return cell


def _disposition_list(ws, labels: Labels, ref: str) -> None:
    """A drop-down of the human labels. Excel separates list items with commas and caps the
    list at 255 characters: a translation breaking either gets no list (the import still checks)."""
    choices = list(labels.dispositions.values())
    formula = '"' + ",".join(c.replace('"', '""') for c in choices) + '"'
    if any("," in c for c in choices) or len(formula) > 257:
        return
    validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                                errorTitle=t_plain("matrix.xlsx.pick_title", labels.locale)[:32],
                                error=t_plain("matrix.xlsx.pick_error", labels.locale)[:225])
    validation.add(ref)
    ws.data_validations.append(validation)  # write-only sheets lack add_data_validation
