"""Past years from CSV (`consultbot hlcm import FILE`), so the trend starts with history.

The file has a header `year,entity,<indicator id>,...` (any subset of the questionnaire's ids, any order) and
one line per entity and year; a blank cell is a figure not reported. Every line is checked first: wrong
columns or bad values are reported by line and nothing is imported unless the whole file is good."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from bot import audit
from bot.errors import Invalid
from bot.hlcm.questionnaire import questionnaire
from bot.hlcm.service import FIRST_YEAR, imported, parse_figures
from bot.texts import t_plain
from storage.models import DataCall, Entity, Submission
from storage.types import utcnow


@dataclass(frozen=True)
class Problem:
    key: str
    params: dict[str, Any]

    def text(self, locale: str | None = None) -> str:
        return t_plain(self.key, locale, **self.params)


@dataclass
class ImportReport:
    problems: list[Problem] = field(default_factory=list)
    imported: list[Submission] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def years(self) -> list[int]:
        return sorted({s.year for s in self.imported})


@dataclass(frozen=True)
class _Line:
    line: int
    year: int
    entity: Entity
    figures: dict[str, Any]


def _header(header: list[str], report: ImportReport) -> list[str] | None:
    names = [h.strip().lower() for h in header]
    if len(names) < 3 or names[:2] != ["year", "entity"]:
        report.problems.append(Problem("hlcm.csv_no_year_entity", {}))
        return None
    known = questionnaire().by_id
    seen: set[str] = set()
    for name in names[2:]:
        if name not in known:
            report.problems.append(Problem("hlcm.csv_unknown_column",
                                           {"column": name[:40] or "(blank)", "known": ", ".join(known)}))
        elif name in seen:
            report.problems.append(Problem("hlcm.csv_duplicate_column", {"column": name}))
        seen.add(name)
    return None if report.problems else names


def check(session: Session, text: str, now: datetime, source: str = "") -> tuple[list[_Line], ImportReport]:
    report = ImportReport()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None:
        report.problems.append(Problem("hlcm.csv_empty", {"path": source}))
        return [], report
    names = _header(header, report)
    if names is None:
        return [], report
    entities = {e.code: e for e in session.exec(select(Entity)).all()}
    call_years = set(session.exec(select(DataCall.year)).all())
    first_line: dict[tuple[str, int], int] = {}
    lines: list[_Line] = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(names):
            report.problems.append(Problem("hlcm.csv_width", {"line": line, "found": len(row), "expected": len(names)}))
            continue
        year_text, code = row[0].strip(), row[1].strip().upper()
        year = int(year_text) if year_text.isdigit() else None
        if year is None or not FIRST_YEAR <= year <= now.year:
            report.problems.append(Problem("hlcm.csv_bad_year", {"line": line, "year": year_text[:12] or "(blank)",
                                                                 "first": FIRST_YEAR, "last": now.year}))
            continue
        entity = entities.get(code)
        if entity is None:
            report.problems.append(Problem("hlcm.csv_unknown_entity", {"line": line, "code": code[:20] or "(blank)"}))
            continue
        if (code, year) in first_line:
            report.problems.append(Problem("hlcm.csv_twice", {"line": line, "code": code, "year": year,
                                                              "first_line": first_line[(code, year)]}))
            continue
        first_line[(code, year)] = line
        if year in call_years:
            report.problems.append(Problem("hlcm.csv_has_call", {"line": line, "year": year}))
            continue
        if session.exec(select(Submission.id).where(Submission.entity_id == entity.id,
                                                    Submission.year == year)).first() is not None:
            report.problems.append(Problem("hlcm.csv_exists", {"line": line, "code": code, "year": year}))
            continue
        figures, errors = parse_figures(dict(zip(names[2:], row[2:])))
        for error in errors:
            report.problems.append(Problem("hlcm.csv_value", {"line": line, "error": _error_text(error)}))
        if not errors:
            lines.append(_Line(line, year, entity, figures))
    return lines, report


def _error_text(error: Invalid) -> str:
    return t_plain(error.key, None, **error.params)


def import_csv(session: Session, actor: str, text: str, now: datetime | None = None, source: str = "") -> ImportReport:
    """All lines or none: on any problem the report lists them and nothing is added to the session."""
    now = now or utcnow()
    lines, report = check(session, text, now, source)
    if not report.ok:
        return report
    for item in lines:
        row = imported(item.entity, item.year, item.figures, 1, actor, now)
        session.add(row)
        report.imported.append(row)
    session.flush()
    audit.record(session, actor, "hlcm.history_imported", subject_type="hlcm_submissions",
                 after={"count": len(lines), "years": report.years})
    return report
