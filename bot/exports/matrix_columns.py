"""What every matrix format shares: the columns, their labels, the title block, cell texts.

Labels come from prompts/<locale>/matrix.yaml. `Labels` fetches them once per export, so a
5,000-row matrix does not look up the catalogue 50,000 times.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from bot.exports.matrix_model import Matrix, MatrixRow
from bot.formatting import datetime_text
from bot.texts import catalog, t_plain

COLUMNS = ("no", "entity", "section", "kind", "comment", "proposed_text", "rationale",
           "disposition", "response", "late", "ref")
KINDS = ("general", "substantive", "editorial")
DISPOSITIONS = ("accepted", "partially_accepted", "not_accepted", "noted")
INPUT_COLUMNS = ("comment", "proposed_text", "rationale")  # the input's own words: read-only in the round trip
EXCEL_CELL_LIMIT = 32_767

# Characters no XML 1.0 document (xlsx, docx) may hold; carriage returns become newlines.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\r\ud800-\udfff\ufffe\uffff]")
_UNSAFE_NO_CR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str | None) -> str:
    """Text safe in any of the formats: no control characters, `\\n` line ends."""
    if not text:
        return ""
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE_NO_CR.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def xlsx_text(text: str | None) -> str:
    """`clean`, cut to what one Excel cell holds (the round trip compares with this)."""
    text = clean(text)
    if len(text) > EXCEL_CELL_LIMIT:
        text = text[: EXCEL_CELL_LIMIT - 1] + "…"
    return text


_SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_title(text: str) -> str:
    """A worksheet title Excel accepts: none of []:*?/\\, at most 31 characters."""
    return _SHEET_TITLE_BAD.sub("", text)[:31].strip()


def column_labels(locale: str | None) -> dict[str, str]:
    return {
        "no": t_plain("matrix.column.no", locale),
        "entity": t_plain("matrix.column.entity", locale),
        "section": t_plain("matrix.column.section", locale),
        "kind": t_plain("matrix.column.kind", locale),
        "comment": t_plain("matrix.column.comment", locale),
        "proposed_text": t_plain("matrix.column.proposed_text", locale),
        "rationale": t_plain("matrix.column.rationale", locale),
        "disposition": t_plain("matrix.column.disposition", locale),
        "response": t_plain("matrix.column.response", locale),
        "late": t_plain("matrix.column.late", locale),
        "ref": t_plain("matrix.column.ref", locale),
    }


def kind_labels(locale: str | None) -> dict[str, str]:
    return {
        "general": t_plain("matrix.kind.general", locale),
        "substantive": t_plain("matrix.kind.substantive", locale),
        "editorial": t_plain("matrix.kind.editorial", locale),
    }


def disposition_labels(locale: str | None) -> dict[str, str]:
    return {
        "accepted": t_plain("matrix.disposition.accepted", locale),
        "partially_accepted": t_plain("matrix.disposition.partially_accepted", locale),
        "not_accepted": t_plain("matrix.disposition.not_accepted", locale),
        "noted": t_plain("matrix.disposition.noted", locale),
    }


def known_locales() -> list[str]:
    """Every locale with texts: a file exported in one may be re-imported in another."""
    return list(catalog().locales)


def title(locale: str | None) -> str:
    return t_plain("matrix.title", locale)


def title_block(matrix: Matrix, locale: str | None) -> list[str]:
    """The lines under the title: process, document and version, round and deadline, generated."""
    return [
        t_plain("matrix.block.process", locale, process=clean(matrix.process_title)),
        t_plain("matrix.block.document", locale, document=clean(matrix.document_title),
                version=matrix.version_number),
        t_plain("matrix.block.round", locale, round=matrix.round_number, deadline=clean(
            datetime_text(matrix.deadline, matrix.timezone, locale) if matrix.deadline else matrix.deadline_text)),
        t_plain("matrix.block.generated", locale, generated=clean(
            datetime_text(matrix.generated_at, matrix.timezone, locale) if matrix.generated_at
            else matrix.generated_at_text)),
    ]


@dataclass
class Labels:
    """The labels of one export, fetched once."""

    locale: str | None
    columns: dict[str, str] = field(init=False)
    kinds: dict[str, str] = field(init=False)
    dispositions: dict[str, str] = field(init=False)
    late: str = field(init=False)
    _sections: dict[tuple[str, str], str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.columns = column_labels(self.locale)
        self.kinds = kind_labels(self.locale)
        self.dispositions = disposition_labels(self.locale)
        self.late = t_plain("matrix.late_yes", self.locale)

    def section(self, row: MatrixRow) -> str:
        key = (row.section_number, row.section_heading)
        text = self._sections.get(key)
        if text is None:
            number, heading = clean(row.section_number).strip(), clean(row.section_heading).strip()
            if number and heading:
                text = t_plain("matrix.section.numbered", self.locale, number=number, heading=heading)
            else:
                text = number or heading or t_plain("matrix.section.general", self.locale)
            self._sections[key] = text
        return text

    def kind(self, code: str) -> str:
        return self.kinds.get(code, code)

    def disposition(self, code: str | None) -> str:
        return self.dispositions.get(code, code) if code else ""


def cells(matrix: Matrix, labels: Labels, text=clean) -> Iterator[tuple]:
    """Each row's cells in COLUMNS order: No. is an int, the rest texts ("" when empty)."""
    for number, row in enumerate(matrix.rows, 1):
        yield (number, clean(row.entity_code), labels.section(row), labels.kind(row.kind),
               text(row.comment), text(row.proposed_text), text(row.rationale),
               labels.disposition(row.disposition), text(row.response),
               labels.late if row.late else "", clean(row.ref))
