"""The digest as a Word document (python-docx): headings, lists, and "Table Grid" tables whose
header row repeats across pages. A digest's tables are short, so python-docx's own calls suffice."""

from __future__ import annotations

from datetime import datetime, timezone
from io import BytesIO

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from bot.digests.document import Bullets, Heading, Outline, Para, Table, outline
from bot.digests.service import Digest
from bot.exports.direction import docx_right_to_left
from bot.exports.matrix_columns import clean
from bot.formatting import right_to_left

BODY_PT = 10


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    properties.append(flag)


def write_outline(doc_outline: Outline, created: datetime | None = None, rtl: bool = False) -> bytes:
    doc = Document()
    doc.styles["Normal"].font.size = Pt(BODY_PT)
    doc.core_properties.title = clean(doc_outline.title)
    doc.core_properties.author = "consultbot"
    if created is not None:
        doc.core_properties.created = created.astimezone(timezone.utc).replace(tzinfo=None)
    doc.add_heading(clean(doc_outline.title), level=0)
    for part in doc_outline.parts:
        if isinstance(part, Heading):
            doc.add_heading(clean(part.text), level=min(part.level, 9))
        elif isinstance(part, Para):
            doc.add_paragraph(clean(part.text))
        elif isinstance(part, Bullets):
            for item in part.items:
                doc.add_paragraph(clean(item), style="List Bullet")
        elif isinstance(part, Table):
            table = doc.add_table(rows=1 + len(part.rows), cols=len(part.columns))
            table.style = "Table Grid"
            _repeat_header(table.rows[0])
            for cell, text in zip(table.rows[0].cells, part.columns):
                cell.text = ""
                cell.paragraphs[0].add_run(clean(text)).bold = True
            for row, values in zip(table.rows[1:], part.rows):
                for cell, text in zip(row.cells, values):
                    cell.text = clean(text)
            doc.add_paragraph()
    if rtl:
        docx_right_to_left(doc)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def write_docx(digest: Digest, locale: str | None = None) -> bytes:
    return write_outline(outline(digest, locale), digest.now, right_to_left(locale))
