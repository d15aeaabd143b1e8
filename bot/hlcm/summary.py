"""The compilation for a year, as plain data: what the HLCM summary, its narrative, charts and exports read.

System-wide totals and per-capita emissions, emissions by source, change against the previous year, the
counts the HLCM reads, the entities that did not report, and a per-entity annex. Only each entity's current
revision counts (bot/hlcm/service.current); drafts and superseded revisions do not."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from bot.hlcm.questionnaire import Questionnaire, questionnaire
from bot.hlcm.service import CURRENT, asked_entities
from storage.models import DataCall, Entity, Submission


@dataclass(frozen=True)
class EntityRow:
    """One line of the annex."""

    code: str
    name: str
    revision: int
    source: str  # slack | csv
    status: str  # submitted | returned
    figures: dict[str, Any]
    total: float | None  # the sum of the emission sources it reported
    per_capita: float | None
    reasons: dict[str, str] = field(default_factory=dict)  # changes of more than 50 %, explained


@dataclass(frozen=True)
class SourceLine:
    id: str
    label: str
    unit: str
    total: float
    share_pct: float | None  # of all emissions; for a part (air travel), of the whole
    entities: int  # how many entities reported it
    part_of: str | None = None


@dataclass(frozen=True)
class Change:
    previous_year: int
    previous_total: float
    previous_reporting: int  # entities reporting the previous year (the current year's: YearSummary.reporting)
    change_pct: float | None  # all entities reporting either year: coverage differs, not like for like
    comparable: tuple[str, ...]  # entities reporting both years
    comparable_previous: float
    comparable_current: float
    comparable_change_pct: float | None


@dataclass(frozen=True)
class Counts:
    reporting: int
    strategy_approved: int
    strategy_drafting: int
    climate_neutral: int
    ems_met: int
    ems_approaching: int
    procurement_policy: int
    staff_trained: int | None  # people, summed over the entities that reported it; None when none did
    staff_trained_entities: int  # how many entities reported it

    @property
    def ems_met_or_approaching(self) -> int:
        return self.ems_met + self.ems_approaching


@dataclass(frozen=True)
class YearSummary:
    year: int
    asked: int | None  # entities asked in the year's data call; None for a year imported from history
    reporting: tuple[str, ...]
    not_reported: tuple[str, ...]
    total: float
    staff: int
    per_capita: float | None  # emissions of the entities that gave staff numbers / their staff
    offsets: float
    net: float  # total less offsets retired
    sources: tuple[SourceLine, ...]
    change: Change | None
    counts: Counts
    annex: tuple[EntityRow, ...]


def _pct(new: float, old: float) -> float | None:
    return None if old == 0 else (new - old) / old * 100


def current_rows(session: Session, years: list[int]) -> dict[int, dict[int, Submission]]:
    """Year -> entity id -> its current revision, in one query."""
    rows = session.exec(select(Submission).where(Submission.year.in_(years), Submission.status.in_(CURRENT))
                        .order_by(Submission.revision)).all()
    out: dict[int, dict[int, Submission]] = {y: {} for y in years}
    for row in rows:
        out[row.year][row.entity_id] = row  # later revisions overwrite earlier ones
    return out


def entity_total(figures: dict[str, Any], q: Questionnaire) -> float | None:
    values = [figures[i.id] for i in q.sources if figures.get(i.id) is not None]
    return float(sum(values)) if values else None


def compile_year(session: Session, year: int, q: Questionnaire | None = None) -> YearSummary:
    q = q or questionnaire()
    rows = current_rows(session, [year, year - 1])
    entities = {e.id: e for e in session.exec(select(Entity)).all()}
    call = session.exec(select(DataCall).where(DataCall.year == year)).first()
    asked = asked_entities(session, call) if call else None

    annex: list[EntityRow] = []
    for entity_id, sub in sorted(rows[year].items(), key=lambda item: entities[item[0]].code):
        entity = entities[entity_id]
        total = entity_total(sub.figures, q)
        staff = sub.figures.get("staff")
        annex.append(EntityRow(code=entity.code, name=entity.name, revision=sub.revision, source=str(sub.source),
                               status=str(sub.status), figures=dict(sub.figures), total=total,
                               per_capita=(total / staff) if total is not None and staff else None,
                               reasons=dict(sub.reasons or {})))

    total = sum(r.total or 0.0 for r in annex)
    with_staff = [r for r in annex if r.total is not None and r.figures.get("staff")]
    staff = sum(int(r.figures.get("staff") or 0) for r in annex)
    staff_covered = sum(int(r.figures["staff"]) for r in with_staff)
    per_capita = sum(r.total for r in with_staff) / staff_covered if staff_covered else None
    offsets = sum(float(r.figures.get("offsets") or 0) for r in annex)

    sources = []
    for indicator in q.indicators:
        if not (indicator.in_total or indicator.part_of):
            continue
        reported = [r.figures[indicator.id] for r in annex if r.figures.get(indicator.id) is not None]
        amount = float(sum(reported))
        whole = total if indicator.in_total else sum(
            float(r.figures.get(indicator.part_of) or 0) for r in annex)
        sources.append(SourceLine(id=indicator.id, label=indicator.label, unit=indicator.unit or "", total=amount,
                                  share_pct=(amount / whole * 100) if whole else None, entities=len(reported),
                                  part_of=indicator.part_of))

    change = None
    before = rows[year - 1]
    if before:
        previous_total = sum(entity_total(s.figures, q) or 0.0 for s in before.values())
        both = sorted(entities[e].code for e in rows[year].keys() & before.keys())
        now_by_code = {r.code: r.total or 0.0 for r in annex}
        then_by_code = {entities[e].code: entity_total(s.figures, q) or 0.0 for e, s in before.items()}
        cp, cc = sum(then_by_code[c] for c in both), sum(now_by_code[c] for c in both)
        change = Change(previous_year=year - 1, previous_total=previous_total, previous_reporting=len(before),
                        change_pct=_pct(total, previous_total),
                        comparable=tuple(both), comparable_previous=cp, comparable_current=cc,
                        comparable_change_pct=_pct(cc, cp))

    def count(indicator_id: str, value: Any) -> int:
        return sum(1 for r in annex if r.figures.get(indicator_id) == value)

    trained = [int(r.figures["staff_trained"]) for r in annex if r.figures.get("staff_trained") is not None]
    counts = Counts(reporting=len(annex), strategy_approved=count("strategy", "approved"),
                    strategy_drafting=count("strategy", "drafting"), climate_neutral=count("climate_neutral", True),
                    ems_met=count("ems", "met"), ems_approaching=count("ems", "approaching"),
                    procurement_policy=count("procurement_policy", True),
                    staff_trained=sum(trained) if trained else None, staff_trained_entities=len(trained))
    reporting = tuple(r.code for r in annex)
    missing = tuple(e.code for e in asked if e.code not in set(reporting)) if asked is not None else ()
    return YearSummary(year=year, asked=len(asked) if asked is not None else None, reporting=reporting,
                       not_reported=missing, total=total, staff=staff, per_capita=per_capita, offsets=offsets,
                       net=total - offsets, sources=tuple(sources), change=change, counts=counts, annex=tuple(annex))
