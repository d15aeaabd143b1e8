"""Re-import of an exported comment matrix: the secretariat's dispositions and responses.

The secretariat fills the Disposition and Response columns of the XLSX from `write_xlsx` and
uploads it. Rows are matched by Ref. Every problem (a bad value, an unknown or repeated Ref,
an edited cell of the input itself, a missing column) is collected with its row and column,
and if there is any, `MatrixFileErrors` is raised and nothing is returned: the file is
applied whole or not at all. A file that is no XLSX, or no matrix of ours, is refused.

Headers and dispositions are recognised in every locale the bot has texts for, any case; a
disposition may also be given as its code (`partially_accepted`). A row whose Disposition and
Response are both empty is left as it is; so is a row that repeats what is on record.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from openpyxl import load_workbook

from bot.errors import Invalid
from bot.exports.matrix_columns import (
    COLUMNS, DISPOSITIONS, INPUT_COLUMNS, clean, column_labels, disposition_labels, known_locales, xlsx_text,
)
from bot.exports.matrix_model import MatrixRow, ResponseUpdate
from bot.texts import t_plain

HEADER_SEARCH_ROWS = 30  # the title block sits above the header row
MAX_UNPACKED_MB = 100  # our 5,000-row export (bench/matrix.py) unpacks to 4.7 MB
MAX_ROWS = 50_000
REQUIRED = ("ref", "disposition", "response", *INPUT_COLUMNS)
SHOWN_PROBLEMS = 25  # in the message; all of them are on the exception

__all__ = ["MatrixFileErrors", "MatrixProblem", "ResponseUpdate", "read_responses"]


@dataclass(frozen=True)
class MatrixProblem:
    """One thing wrong in the file. `row` is the sheet's row number as Excel shows it (None: the
    whole file); `column` a column code of COLUMNS (None: the whole row or file)."""

    row: int | None
    column: str | None
    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, locale: str | None = None) -> str:
        problem = t_plain(self.key, locale, **self.params)
        if self.row is None:
            return problem
        if self.column is None:
            return t_plain("matrix.import.at_row", locale, row=self.row, problem=problem)
        return t_plain("matrix.import.at_cell", locale, row=self.row, column=column_labels(locale)[self.column],
                       problem=problem)


def _at(row: int | None, column: str | None, what: Invalid) -> MatrixProblem:
    """A problem at a place. `what` is an Invalid only to carry the text key and its values:
    naming the key in an `Invalid(...)` call lets the start-up check see it."""
    return MatrixProblem(row, column, what.key, what.params)


class MatrixFileErrors(Invalid):
    """The file was refused; `problems` lists every reason. The message shows them (the first
    SHOWN_PROBLEMS), so the one error handler can tell the person without knowing this class."""

    key = "matrix.import.errors"

    def __init__(self, problems: list[MatrixProblem], locale: str | None = None) -> None:
        self.problems = problems
        if len(problems) == 1 and problems[0].row is None:  # the file as a whole: say just that
            super().__init__(problems[0].key, **problems[0].params)
            return
        lines = [p.text(locale) for p in problems[:SHOWN_PROBLEMS]]
        if len(problems) > SHOWN_PROBLEMS:
            lines.append(t_plain("common.more_not_shown", locale, count=len(problems) - SHOWN_PROBLEMS))
        super().__init__(None, count=len(problems), problems="\n".join(lines))


def read_responses(data: bytes, known_refs: dict[str, MatrixRow], locale: str | None = None) -> list[ResponseUpdate]:
    """The changed dispositions and responses of a filled-in matrix, in file order."""
    rows = _sheet_rows(data, locale)
    header_row, columns = _find_header(rows, locale)
    choices = _disposition_codes()
    choice_list = ", ".join(disposition_labels(locale).values())
    labels = column_labels(locale)
    problems: list[MatrixProblem] = []
    seen: dict[str, int] = {}
    updates: list[ResponseUpdate] = []

    for number, values in rows[header_row:]:
        cell = {code: _text(values[i]) if i < len(values) else "" for code, i in columns.items()}
        if not any(_text(v) for v in values):
            continue
        ref = cell["ref"]
        if not ref:
            problems.append(_at(number, "ref", Invalid("matrix.import.missing_ref", ref=labels["ref"])))
            continue
        if ref in seen:
            problems.append(_at(number, "ref", Invalid("matrix.import.duplicate_ref", ref=ref, first_row=seen[ref])))
            continue
        seen[ref] = number
        known = known_refs.get(ref)
        if known is None:
            problems.append(_at(number, "ref", Invalid("matrix.import.unknown_ref", ref=ref)))
            continue
        for code in INPUT_COLUMNS:
            if cell[code] != _text(xlsx_text(getattr(known, code))):
                problems.append(_at(number, code, Invalid("matrix.import.edited", disposition=labels["disposition"],
                                                          response=labels["response"])))
        update = _update(number, known, cell["disposition"], cell["response"], choices, choice_list, problems)
        if update is not None:
            updates.append(update)

    if problems:
        raise MatrixFileErrors(problems, locale)
    return updates


def _update(number: int, known: MatrixRow, typed: str, response: str, choices: dict[str, str],
            choice_list: str, problems: list[MatrixProblem]) -> ResponseUpdate | None:
    if not typed and not response:
        return None
    disposition = known.disposition
    if typed:
        disposition = choices.get(_fold(typed))
        if disposition is None:
            problems.append(_at(number, "disposition",
                                Invalid("matrix.import.bad_disposition", value=typed, choices=choice_list)))
            return None
    elif disposition is None:
        problems.append(_at(number, "response", Invalid("matrix.import.response_needs_disposition",
                                                        choices=choice_list)))
        return None
    if disposition == known.disposition and response == _text(xlsx_text(known.response)):
        return None  # what is on record already
    return ResponseUpdate(known.ref, disposition, response)


# ---------------------------------------------------------------- reading the file

def _sheet_rows(data: bytes, locale: str | None) -> list[tuple[int, tuple]]:
    """Every sheet's rows, numbered, the first sheet with our header first."""
    not_xlsx = MatrixFileErrors([_at(None, None, Invalid("matrix.import.not_xlsx"))], locale)
    too_big = MatrixFileErrors([_at(None, None, Invalid("matrix.import.too_big"))], locale)
    try:  # the sizes the zip declares bound what reading it can unpack (a zip bomb stops here)
        with zipfile.ZipFile(BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 (zip, XML and openpyxl errors alike mean: not a workbook we can read)
        raise not_xlsx from None
    if unpacked > MAX_UNPACKED_MB * 2**20:
        workbook.close()
        raise too_big
    ref_labels = _header_labels("ref")
    try:
        for sheet in workbook.worksheets:
            head = list(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True))
            if _header_index(list(enumerate(head, 1)), ref_labels) is None:
                continue
            rows = []
            for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
                if number > MAX_ROWS:
                    raise too_big
                rows.append((number, values))
            return rows
    except MatrixFileErrors:
        raise
    except Exception:  # noqa: BLE001 (a damaged sheet inside a valid zip)
        raise not_xlsx from None
    finally:
        workbook.close()
    labels = column_labels(locale)
    raise MatrixFileErrors([_at(None, None, Invalid("matrix.import.not_ours", ref=labels["ref"],
                                                    disposition=labels["disposition"],
                                                    response=labels["response"]))], locale)


def _find_header(rows: list[tuple[int, tuple]], locale: str | None) -> tuple[int, dict[str, int]]:
    """The header row's index in `rows` and each column code's position in it."""
    index = _header_index(rows, _header_labels("ref"))
    number, header = rows[index]
    names = [_fold(_text(v)) for v in header]
    columns: dict[str, int] = {}
    problems = []
    for code in COLUMNS:
        position = next((i for i, name in enumerate(names) if name in _header_labels(code)), None)
        if position is not None:
            columns[code] = position
        elif code in REQUIRED:
            problems.append(_at(number, code, Invalid("matrix.import.missing_column",
                                                      column=column_labels(locale)[code])))
    if problems:
        raise MatrixFileErrors(problems, locale)
    return index + 1, columns


def _header_index(rows: list[tuple[int, tuple]], ref_labels: set[str]) -> int | None:
    for index, (_, values) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if any(_fold(_text(v)) in ref_labels for v in values):
            return index
    return None


def _header_labels(code: str) -> set[str]:
    return {_fold(column_labels(locale)[code]) for locale in known_locales()}


def _disposition_codes() -> dict[str, str]:
    """Folded label or code → code, for every locale."""
    codes = {_fold(code): code for code in DISPOSITIONS}
    for locale in known_locales():
        codes.update({_fold(label): code for code, label in disposition_labels(locale).items()})
    return codes


_SPACES = re.compile(r"[\s_\-]+")


def _fold(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()


def _text(value: Any) -> str:
    """A cell as the text the round trip compares: "" for empty, `\\n` line ends, no outer spaces."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean(str(value)).strip()
