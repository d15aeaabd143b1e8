"""Typed text, made safe to store and show, the same way whatever the database.

PostgreSQL refuses NUL in text and SQLite keeps it; control characters make unreadable
exports; a right-to-left override in a title or file name makes "report‮fdp.exe" read as
"reportexe.pdf". Every text a person typed passes through `clean` at the edge (the payload
models), before any service sees it.
"""

from __future__ import annotations

import re
import unicodedata

# C0 and C1 control characters except tab and line feed (a carriage return becomes a line feed), lone
# surrogates (JSON can carry them; no database can store them) and the two non-characters.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Bidirectional embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI): never
# needed to write Arabic or Hebrew (the marks U+200E / U+200F are kept), a spoofing trick otherwise.
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """NFC; CRLF and CR as LF; control characters and bidirectional overrides removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _BIDI_CONTROLS.sub("", _CONTROL.sub("", text))
    return unicodedata.normalize("NFC", text)


def clean_name(text: str) -> str:
    """A name or title: cleaned, on one line, its whitespace runs made single spaces."""
    return " ".join(clean(text).split())
