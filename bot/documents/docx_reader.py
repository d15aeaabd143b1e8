"""DOCX to blocks with python-docx: headings by style ("Heading N", "Title", or an
outline level), list numbers computed from numbering.xml as Word would show them.

Tracked changes read as accepted (inserted text counts, deleted text does not), tables
become text rows inside the section they sit in."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from docx.oxml.ns import qn

from bot.documents.outline import Block
from bot.errors import Invalid

HEADING_STYLE = re.compile(r"^heading\s*([1-9])$", re.I)
STYLE_DEPTH = 10
BULLET = "•"  # a bulleted item stays text of its section, marked as a list item


@dataclass(frozen=True)
class _Level:
    start: int
    fmt: str
    text: str


def _val(element, tag: str, default: str | None = None) -> str | None:
    child = element.find(qn(tag)) if element is not None else None
    return child.get(qn("w:val"), default) if child is not None else default


def _letters(value: int, upper: bool) -> str:
    if value < 1:
        return str(value)
    letter = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
    return letter.upper() if upper else letter


def _roman(value: int, upper: bool) -> str:
    if value < 1:
        return str(value)
    digits = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
              (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
    out = ""
    for amount, letters in digits:
        while value >= amount:
            out, value = out + letters, value - amount
    return out.upper() if upper else out


def format_number(value: int, fmt: str) -> str:
    formats = {"lowerLetter": lambda v: _letters(v, False), "upperLetter": lambda v: _letters(v, True),
               "lowerRoman": lambda v: _roman(v, False), "upperRoman": lambda v: _roman(v, True),
               "decimalZero": lambda v: f"{v:02d}"}
    return formats.get(fmt, str)(value)


class Numbering:
    """List numbers as Word displays them: one counter per list (numId) and level."""

    def __init__(self, root) -> None:
        self.lists: dict[str, dict[int, _Level]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        if root is None:
            return
        abstracts = {a.get(qn("w:abstractNumId")): a for a in root.findall(qn("w:abstractNum"))}
        linked = {_val(a, "w:styleLink"): a for a in abstracts.values() if _val(a, "w:styleLink")}
        for num in root.findall(qn("w:num")):
            abstract = abstracts.get(_val(num, "w:abstractNumId"))
            if abstract is not None and _val(abstract, "w:numStyleLink") in linked:
                abstract = linked[_val(abstract, "w:numStyleLink")]
            levels = self._levels(abstract)
            for override in num.findall(qn("w:lvlOverride")):
                ilvl = int(override.get(qn("w:ilvl"), "0"))
                start = _val(override, "w:startOverride")
                if start is not None and ilvl in levels:
                    levels[ilvl] = _Level(int(start), levels[ilvl].fmt, levels[ilvl].text)
            self.lists[num.get(qn("w:numId"))] = levels

    @staticmethod
    def _levels(abstract) -> dict[int, _Level]:
        if abstract is None:
            return {}
        return {int(lvl.get(qn("w:ilvl"), "0")): _Level(int(_val(lvl, "w:start", "0") or 0),
                                                         _val(lvl, "w:numFmt", "decimal") or "decimal",
                                                         _val(lvl, "w:lvlText", "") or "")
                for lvl in abstract.findall(qn("w:lvl"))}

    def label(self, num_id: str | None, ilvl: int) -> str:
        levels = self.lists.get(num_id or "0", {})
        level = levels.get(ilvl)
        if level is None or level.fmt == "none":
            return ""
        if level.fmt == "bullet":
            return BULLET
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]

        def shown(match: re.Match) -> str:
            k = int(match[1]) - 1
            at = levels.get(k, level)
            return format_number(counters.get(k, at.start), at.fmt)

        return re.sub(r"%([1-9])", shown, level.text).strip()


def _style_chain(style):
    for _ in range(STYLE_DEPTH):
        if style is None:
            return
        yield style
        style = style.base_style


def _paragraph_kind(paragraph) -> tuple[bool, int]:
    """(is the Title, heading level 1-9 or 0)."""
    direct = _val(paragraph._p.pPr, "w:outlineLvl")
    if direct is not None and direct.isdigit() and int(direct) < 9:
        return False, int(direct) + 1
    for style in _style_chain(paragraph.style):
        name = (style.name or "").strip()
        if name.lower() == "title":
            return True, 0
        match = HEADING_STYLE.match(name)
        if match:
            return False, int(match[1])
        outline = _val(style.element.pPr, "w:outlineLvl")
        if outline is not None and outline.isdigit() and int(outline) < 9:
            return False, int(outline) + 1
    return False, 0


def _num_pr(paragraph) -> tuple[str | None, int]:
    num_id, ilvl = None, None
    sources = [paragraph._p.pPr] + [s.element.pPr for s in _style_chain(paragraph.style)]
    for ppr in sources:
        num_pr = ppr.find(qn("w:numPr")) if ppr is not None else None
        if num_pr is None:
            continue
        num_id = num_id if num_id is not None else _val(num_pr, "w:numId")
        ilvl = ilvl if ilvl is not None else _val(num_pr, "w:ilvl")
    return num_id, int(ilvl or 0)


def paragraph_text(element) -> str:
    parts = []
    for node in element.iter(qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")):
        parts.append(node.text or "" if node.tag == qn("w:t") else "\t" if node.tag == qn("w:tab") else "\n")
    return "".join(parts).strip()


def _paragraph_block(paragraph, numbering: Numbering) -> Block | None:
    text = paragraph_text(paragraph._p)
    title, level = _paragraph_kind(paragraph)
    num_id, ilvl = _num_pr(paragraph)
    label = numbering.label(num_id, ilvl) if num_id not in (None, "0") else ""
    if not text and label in ("", BULLET):
        return None
    if title or (level and label == BULLET):
        label = ""
    return Block(text, level=level, label=label, title=title)


def _table_blocks(table) -> list[Block]:
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                cells.append(" ".join(paragraph_text(p) for p in cell._tc.iter(qn("w:p"))).strip())
        if any(cells):
            rows.append(Block(" | ".join(cells), plain=True))
    return rows


def _open(data: bytes):
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    try:
        return docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, XMLSyntaxError, zipfile.BadZipFile, KeyError, ValueError):
        raise Invalid("documents.docx_unreadable") from None


def read_docx(data: bytes) -> list[Block]:
    from docx.table import Table

    document = _open(data)
    try:
        root = document.part.numbering_part.element
    except (NotImplementedError, KeyError):
        root = None
    numbering = Numbering(root)
    blocks: list[Block] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            blocks.extend(_table_blocks(item))
        else:
            block = _paragraph_block(item, numbering)
            if block is not None:
                blocks.append(block)
    return blocks
