"""`consultbot entities import FILE.csv`: entities added or updated from a CSV `code,name,duty_station,timezone`.

Every line is checked first (a bad code, an empty name, an unknown IANA zone, a code twice in the file); the
problems are reported by line and nothing changes unless the whole file is good. A known code updates that
entity's name, duty station and zone (its history follows the code); an unknown code adds an entity. The file
never retires an entity: that is `/consult entity retire CODE`."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlmodel import Session

from bot.entities.admin import FIELDS, record_problems
from bot.entities.service import EntityRecord, seed_entities
from bot.texts import t_plain


@dataclass(frozen=True)
class Problem:
    line: int
    key: str
    params: dict

    def text(self, locale: str | None = None) -> str:
        return t_plain("entities.csv_line", locale, line=self.line, problem=t_plain(self.key, locale, **self.params))


@dataclass
class EntitiesImport:
    records: list[EntityRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    changed: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def check_csv(text: str) -> EntitiesImport:
    result = EntitiesImport()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in next(reader, [])]
    if sorted(header) != sorted(FIELDS):
        result.problems.append(Problem(1, "entities.csv_header", {"columns": ",".join(FIELDS)}))
        return result
    seen: dict[str, int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            result.problems.append(Problem(line, "entities.csv_cells", {"count": len(cells), "wanted": len(header)}))
            continue
        record, problems = record_problems(dict(zip(header, cells)))
        result.problems += [Problem(line, p.key, p.params) for p in problems]
        if record is None:
            continue
        if record.code in seen:
            result.problems.append(Problem(line, "entities.csv_twice", {"code": record.code, "first": seen[record.code]}))
            continue
        seen[record.code] = line
        result.records.append(record)
    if not result.records and not result.problems:
        result.problems.append(Problem(2, "entities.csv_empty", {}))
    return result


def import_csv(session: Session, actor: str, text: str) -> EntitiesImport:
    """Checks the whole file, then adds or updates every entity in it (the caller's transaction), or nothing."""
    result = check_csv(text)
    if result.ok:
        result.changed = seed_entities(session, result.records, actor=actor)
    return result
