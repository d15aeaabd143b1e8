"""Read a draft: DOCX or Markdown in, a title and ordered sections out. Pure, no database.

`parse_file` decides by content, never by the file name: a DOCX is a ZIP holding
word/document.xml; anything else must be UTF-8 text (read as Markdown). PDFs, old .doc
files, other archives and binary data are refused with a message that says which.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile

from bot.documents.outline import Block, ParsedDocument, ParsedSection, build, is_numbered
from bot.errors import Invalid
from bot.texts import Number

__all__ = ["MAX_BYTES", "too_large", "ParsedDocument", "ParsedSection", "parse_docx", "parse_file", "parse_markdown"]

MAX_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED = 50 * 1024 * 1024  # a DOCX that inflates beyond this is refused as too large
MB = 1024 * 1024

ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
THEMATIC = re.compile(r"^ {0,3}([-*_])([ \t]*\1){2,}[ \t]*$")
FENCE = re.compile(r"^ {0,3}(```|~~~)")
LINE_ITEM = re.compile(r"^(?:[-*+|>]\s|\|)")
EMPHASIS = re.compile(r"^([*_]{1,3})(.+)\1$")


def too_large(size: int) -> Invalid:
    return Invalid("documents.too_large", size=Number(size / MB, 1), limit=MAX_BYTES // MB)


def parse_file(name: str, data: bytes) -> ParsedDocument:
    if len(data) > MAX_BYTES:
        raise too_large(len(data))
    if not data.strip():
        raise Invalid("documents.empty")
    if data.startswith(b"PK\x03\x04"):
        _check_docx_archive(name, data)
        return parse_docx(data)
    _refuse_known_binary(name, data)
    text = _decode(data)
    if text is None:
        raise Invalid("documents.refused_binary", name=name)
    return parse_markdown(text)


def _check_docx_archive(name: str, data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError):  # a ZIP header, then damage: most likely a broken DOCX
        raise Invalid("documents.docx_unreadable") from None
    if not any(m.filename == "word/document.xml" for m in members):
        raise Invalid("documents.refused_zip", name=name)
    unzipped = sum(m.file_size for m in members)
    if unzipped > MAX_UNZIPPED:
        raise too_large(unzipped)


def _refuse_known_binary(name: str, data: bytes) -> None:
    if b"%PDF-" in data[:1024]:
        raise Invalid("documents.refused_pdf", name=name)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise Invalid("documents.refused_doc", name=name)
    if data.lstrip().startswith(b"{\\rtf"):
        raise Invalid("documents.refused_rtf", name=name)


def _decode(data: bytes) -> str | None:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    return None if "\x00" in text or controls > len(text) // 100 else text


def parse_docx(data: bytes) -> ParsedDocument:
    from bot.documents.docx_reader import read_docx

    return build(read_docx(data))


def parse_markdown(text: str) -> ParsedDocument:
    return build(markdown_blocks(text))


def _heading_text(raw: str) -> str:
    text = re.sub(r"[ \t]+#+$", "", raw.strip()).strip()
    text = "" if set(text) <= {"#"} else text
    match = EMPHASIS.match(text)
    return match[2].strip() if match else text


def _join(lines: list[str]) -> str:
    """Wrapped lines rejoin with a space; a list item or table row keeps its own line."""
    text = lines[0]
    for line in lines[1:]:
        text += ("\n" if LINE_ITEM.match(line) else " ") + line
    return text


class _Reader:
    """Markdown lines to blocks: ATX and setext headings, paragraphs split at blank lines,
    and a numbered line starting a new block (see `is_numbered` for which may interrupt
    a paragraph of plain text)."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.lines: list[str] = []
        self.numbered = False
        self.fenced = False

    def flush(self) -> None:
        if self.lines:
            self.blocks.append(Block(_join(self.lines)))
        self.lines, self.numbered = [], False

    def feed(self, line: str) -> None:
        stripped = line.strip()
        if FENCE.match(line):
            self.fenced = not self.fenced
        if self.fenced or FENCE.match(line):
            self.lines.append(line.rstrip())
            return
        if not stripped:
            self.flush()
            return
        atx = ATX.match(line)
        if atx:
            self.flush()
            self.blocks.append(Block(_heading_text(atx[2] or ""), level=len(atx[1])))
            return
        if SETEXT.match(line) and self.lines and not self.numbered:
            text = " ".join(self.lines)
            self.lines = []
            self.blocks.append(Block(_heading_text(text), level=1 if stripped[0] == "=" else 2))
            return
        if SETEXT.match(line) or THEMATIC.match(line):
            self.flush()
            return
        if is_numbered(stripped, interrupting=bool(self.lines) and not self.numbered):
            self.flush()
            self.numbered = True
        self.lines.append(stripped)


def markdown_blocks(text: str) -> list[Block]:
    reader = _Reader()
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        reader.feed(line)
    reader.flush()
    return [b for b in reader.blocks if b.text.strip()]
