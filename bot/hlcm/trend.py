"""The system-wide totals of every year with figures, in one query: the trend chart and the Trend sheet.

Compiling each year (bot/hlcm/summary.compile_year) costs a few queries and an annex; the trend needs only
each year's total, staff and per-capita figure, computed the way compile_year computes them: each entity's
current revision (submitted or returned, the highest revision wins), its total the sum of the emission sources
it reported, per capita over the entities that gave both a total and staff numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from bot.hlcm.questionnaire import Questionnaire, questionnaire
from bot.hlcm.service import CURRENT
from storage.models import Submission


@dataclass(frozen=True)
class YearPoint:
    year: int
    reporting: int
    total: float
    per_capita: float | None


def points_from_rows(rows: list[tuple[int, int, dict[str, Any]]], q: Questionnaire) -> list[YearPoint]:
    """(year, entity id, figures) rows, ordered by revision within an entity and year -> one point a year."""
    latest: dict[tuple[int, int], dict[str, Any]] = {}
    for year, entity_id, figures in rows:
        latest[(year, entity_id)] = figures  # later revisions overwrite earlier ones
    sources = [i.id for i in q.sources]
    years: dict[int, list[float]] = {}  # year -> [reporting, total, total with staff, staff covered]
    for (year, _), figures in latest.items():
        acc = years.setdefault(year, [0, 0.0, 0.0, 0])
        acc[0] += 1
        values = [figures[s] for s in sources if figures.get(s) is not None]
        if not values:
            continue
        total = float(sum(values))
        acc[1] += total
        staff = figures.get("staff")
        if staff:
            acc[2] += total
            acc[3] += int(staff)
    return [YearPoint(year=year, reporting=int(acc[0]), total=acc[1],
                      per_capita=(acc[2] / acc[3]) if acc[3] else None)
            for year, acc in sorted(years.items())]


def yearly_totals(session: Session, until: int | None = None, q: Questionnaire | None = None) -> list[YearPoint]:
    """Every year with figures (up to `until`), oldest first."""
    query = (select(Submission.year, Submission.entity_id, Submission.figures)
             .where(Submission.status.in_(CURRENT)))
    if until is not None:
        query = query.where(Submission.year <= until)
    rows = session.exec(query.order_by(Submission.year, Submission.entity_id, Submission.revision)).all()
    return points_from_rows([tuple(r) for r in rows], q or questionnaire())
