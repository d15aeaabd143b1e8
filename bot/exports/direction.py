"""Right-to-left documents (Arabic): every paragraph, run and table of a DOCX, every sheet of an XLSX.

Applied to a finished document just before it is saved, so each writer stays as it is and only says whether
its reader's language is written right to left (bot.formatting.right_to_left)."""

from __future__ import annotations

from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

# What may follow w:bidi in a w:pPr (ECMA-376 CT_PPrBase order, as python-docx's CT_PPr lists it)
_AFTER_BIDI = ("w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
               "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
               "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def _flag(tag: str) -> Any:
    element = OxmlElement(tag)
    element.set(qn("w:val"), "1")
    return element


def _roots(doc: Any) -> list[Any]:
    roots = [doc.element.body]
    for section in doc.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            if not part.is_linked_to_previous:
                roots.append(part._element)
    return roots


def docx_right_to_left(doc: Any) -> None:
    """w:bidi on every paragraph, w:rtl on every run, w:bidiVisual on every table (columns right to left)."""
    for root in _roots(doc):
        for paragraph in root.iter(qn("w:p")):
            properties = paragraph.get_or_add_pPr()
            if properties.find(qn("w:bidi")) is None:
                properties.insert_element_before(_flag("w:bidi"), *_AFTER_BIDI)
        for run in root.iter(qn("w:r")):
            run.get_or_add_rPr().get_or_add_rtl().set(qn("w:val"), "1")
        for table in root.iter(qn("w:tbl")):
            table.tblPr.get_or_add_bidiVisual().set(qn("w:val"), "1")


def xlsx_right_to_left(workbook: Any) -> None:
    """Every sheet shown right to left (column A on the right), as Excel shows an Arabic workbook."""
    for sheet in workbook.worksheets:
        sheet.sheet_view.rightToLeft = True
