"""The comment matrix as a Word document to circulate: landscape A4, narrow margins, 9 pt.

A title and the title block, then one "Table Grid" table whose header row repeats on every
page (`w:tblHeader`). The Ref of each input is printed small under its number; the entity's
name small under its code. Page numbers are fields in the footer.

python-docx's `table.add_row()` and `cell.text` cost milliseconds per row on a long table,
so the rows are written as one WordprocessingML string and parsed by lxml in one go (about
ten times faster than python-docx's fastest plain way: see bench/matrix.py).
"""

from __future__ import annotations

import string
from datetime import datetime, timezone
from html import escape
from io import BytesIO

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt

from bot.exports.direction import docx_right_to_left
from bot.exports.matrix_columns import COLUMNS, Labels, clean, title, title_block
from bot.exports.matrix_model import Matrix, MatrixRow
from bot.formatting import right_to_left
from bot.texts import t_plain

DOCX_COLUMNS = COLUMNS[:-1]  # the Ref goes under the No.
# 271 mm: A4 landscape less the margins. At 9 pt Calibri "Substantive" is 15 mm wide, bold
# "Disposition" 15 mm, bold "Late" 6 mm: each column fits its longest word inside the cell margins.
WIDTHS_MM = {"no": 16, "entity": 19, "section": 26, "kind": 20, "comment": 49, "proposed_text": 42,
             "rationale": 31, "disposition": 21, "response": 35, "late": 12}
MARGIN_MM = 12.7
CELL_MARGIN_TWIPS = 68  # 1.2 mm left and right, not Table Grid's 1.9 mm
BODY_PT, SMALL_PT, TITLE_PT, FOOTER_PT = 9, 7, 14, 8
HEADER_FILL = "D9D9D9"
SMALL_COLOR = "595959"
TWIPS_PER_MM = 1440 / 25.4
_FIELDS = {"page": "PAGE", "pages": "NUMPAGES"}

_SMALL = f'<w:rPr><w:color w:val="{SMALL_COLOR}"/><w:sz w:val="{SMALL_PT * 2}"/></w:rPr>'
_BOLD = "<w:rPr><w:b/></w:rPr>"
_TAB = '</w:t><w:tab/><w:t xml:space="preserve">'


def write_docx(matrix: Matrix, locale: str | None = None) -> bytes:
    labels = Labels(locale)
    doc = Document()
    _page(doc)
    _styles(doc)
    _properties(doc, matrix, locale)

    heading = doc.add_paragraph()
    heading.paragraph_format.space_after = Pt(4)
    run = heading.add_run(title(locale))
    run.bold, run.font.size = True, Pt(TITLE_PT)
    lines = title_block(matrix, locale)
    for i, line in enumerate(lines):
        doc.add_paragraph(line).paragraph_format.space_after = Pt(8 if i == len(lines) - 1 else 0)

    table = doc.add_table(rows=0, cols=len(DOCX_COLUMNS))
    table.style = doc.styles["Table Grid"]
    table.autofit = False  # fixed layout: Word need not measure 5,000 rows to lay them out
    _cell_margins(table)
    for grid_col, column in zip(table._tbl.tblGrid.gridCol_lst, DOCX_COLUMNS):
        grid_col.w = Mm(WIDTHS_MM[column])
    widths = [round(WIDTHS_MM[c] * TWIPS_PER_MM) for c in DOCX_COLUMNS]
    rows = [_header_row(labels, widths)]
    rows.extend(_row(number, row, labels, widths) for number, row in enumerate(matrix.rows, 1))
    fragment = parse_xml(f"<w:tbl {nsdecls('w')}>{''.join(rows)}</w:tbl>")
    table._tbl.extend(list(fragment))

    _footer(doc, matrix, locale)
    if right_to_left(locale):
        docx_right_to_left(doc)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- table XML

def _paragraphs(text: str, rpr: str = "") -> str:
    """One paragraph per line; tabs kept as tabs."""
    if not text:
        return "<w:p/>"
    return "".join(f'<w:p><w:r>{rpr}<w:t xml:space="preserve">{escape(line, quote=False).replace(chr(9), _TAB)}'
                   f"</w:t></w:r></w:p>" for line in text.split("\n"))


def _tc(width: int, content: str, shading: str = "") -> str:
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shading}</w:tcPr>{content}</w:tc>'


def _header_row(labels: Labels, widths: list[int]) -> str:
    shading = f'<w:shd w:val="clear" w:color="auto" w:fill="{HEADER_FILL}"/>'
    cells = [_paragraphs(labels.columns[c], _BOLD) for c in DOCX_COLUMNS]
    cells[0] += _paragraphs(labels.columns["ref"], _SMALL)
    return ("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"
            + "".join(_tc(w, content, shading) for w, content in zip(widths, cells)) + "</w:tr>")


def _row(number: int, row: MatrixRow, labels: Labels, widths: list[int]) -> str:
    code, name = clean(row.entity_code), clean(row.entity_name)
    entity = _paragraphs(code) + (_paragraphs(name, _SMALL) if name and name != code else "")
    cells = (
        _paragraphs(str(number)) + _paragraphs(clean(row.ref), _SMALL),
        entity,
        _paragraphs(labels.section(row)),
        _paragraphs(labels.kind(row.kind)),
        _paragraphs(clean(row.comment)),
        _paragraphs(clean(row.proposed_text)),
        _paragraphs(clean(row.rationale)),
        _paragraphs(labels.disposition(row.disposition)),
        _paragraphs(clean(row.response)),
        _paragraphs(labels.late if row.late else ""),
    )
    return "<w:tr>" + "".join(_tc(w, content) for w, content in zip(widths, cells)) + "</w:tr>"


def _cell_margins(table) -> None:
    margins = parse_xml(f'<w:tblCellMar {nsdecls("w")}><w:left w:w="{CELL_MARGIN_TWIPS}" w:type="dxa"/>'
                        f'<w:right w:w="{CELL_MARGIN_TWIPS}" w:type="dxa"/></w:tblCellMar>')
    look = table._tbl.tblPr.find(qn("w:tblLook"))
    if look is not None:  # the schema's order: tblCellMar comes before tblLook
        look.addprevious(margins)
    else:
        table._tbl.tblPr.append(margins)


# ---------------------------------------------------------------- page, styles, footer

def _page(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(MARGIN_MM))
    section.header_distance = section.footer_distance = Mm(6)


def _styles(doc) -> None:
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0


def _properties(doc, matrix: Matrix, locale: str | None) -> None:
    """The template's own ("python-docx", 2013) must not travel with a circulated document."""
    props = doc.core_properties
    now = datetime.now(timezone.utc).replace(microsecond=0)
    props.title = clean(matrix.document_title)
    props.subject = title(locale)
    props.author = props.last_modified_by = props.comments = props.keywords = ""
    props.created = props.modified = now


def _footer(doc, matrix: Matrix, locale: str | None) -> None:
    """The footer template's {page} and {pages} become Word fields; the rest is text."""
    template = t_plain("matrix.docx.footer", locale, document="{document}", version="{version}",
                       round="{round}", page="{page}", pages="{pages}")
    values = {"document": clean(matrix.document_title), "version": matrix.version_number,
              "round": matrix.round_number}
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for literal, name, spec, conversion in string.Formatter().parse(template):
        if literal:
            paragraph.add_run(literal).font.size = Pt(FOOTER_PT)
        if name in _FIELDS:
            field = OxmlElement("w:fldSimple")
            field.set(qn("w:instr"), _FIELDS[name])
            run = paragraph.add_run("1")
            run.font.size = Pt(FOOTER_PT)
            field.append(run._r)
            paragraph._p.append(field)
        elif name:
            paragraph.add_run(format(values[name], spec or "")).font.size = Pt(FOOTER_PT)
