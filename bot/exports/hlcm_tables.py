"""The tables of the HLCM progress summary, once, for every format (DOCX, Markdown, XLSX, Slack).

Each table is a header row and rows of raw values: numbers stay numbers (the XLSX writes them as such, the
DOCX and Markdown format them with `shown`), texts come from prompts/en/hlcm.yaml and the questionnaire."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.hlcm.questionnaire import Indicator, Questionnaire, questionnaire
from bot.hlcm.summary import YearSummary
from bot.hlcm.trend import YearPoint
from bot.texts import t_plain

TONNES = "tCO2e"


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[Any]]
    kinds: list[str]  # per column: text | tonnes | ratio | share | pct | count | year | auto (key figures)

    def kind(self, row: list[Any], column: int) -> str:
        kind = self.kinds[column]
        return key_kind(row) if kind == "auto" else kind

    def texts(self) -> list[list[str]]:
        """The rows as a document shows them."""
        return [[shown(value, self.kind(row, c)) for c, value in enumerate(row)] for row in self.rows]


def shown(value: Any, kind: str) -> str:
    """A value as a document shows it: thousands separators, whole tonnes, two decimals per capita, one for
    percentages; "—" for a figure not reported."""
    if value is None or value == "":
        return "—" if kind != "text" else ""
    if kind == "text" or isinstance(value, str):
        return str(value)
    if kind == "year":
        return str(value)
    if kind == "pct":
        return f"{value:+.1f}"
    if kind == "share":
        return f"{value:.1f}"
    if kind == "ratio":
        return f"{value:,.2f}"
    if kind == "count":
        return f"{int(value):,}"
    return f"{value:,.0f}"  # tonnes, whole, as the narrative shows them (the XLSX keeps every decimal)


def key_figures(s: YearSummary, locale: str | None = None) -> Table:
    per_staff = t_plain("hlcm.unit.tco2e_per_staff", locale)
    rows: list[list[Any]] = []
    if s.asked is not None:
        rows.append([t_plain("hlcm.key.asked", locale), s.asked, t_plain("hlcm.unit.entities", locale)])
    rows += [[t_plain("hlcm.key.reporting", locale), s.counts.reporting, t_plain("hlcm.unit.entities", locale)],
             [t_plain("hlcm.key.total", locale), s.total, TONNES],
             [t_plain("hlcm.key.staff", locale), s.staff, t_plain("hlcm.unit.people", locale)],
             [t_plain("hlcm.key.per_capita", locale), s.per_capita, per_staff],
             [t_plain("hlcm.key.offsets", locale), s.offsets, TONNES],
             [t_plain("hlcm.key.net", locale), s.net, TONNES]]
    return Table([t_plain("hlcm.column.item", locale), t_plain("hlcm.column.value", locale),
                  t_plain("hlcm.column.unit", locale)], rows, ["text", "auto", "text"])


def key_kind(row: list[Any]) -> str:
    """How a key figure's value is shown: counts whole, per capita with two decimals, tonnes whole."""
    if row[2] == TONNES:
        return "tonnes"
    return "count" if isinstance(row[1], int) else "ratio"


def sources(s: YearSummary, locale: str | None = None) -> Table:
    rows: list[list[Any]] = []
    for line in s.sources:
        rows.append([line.label, line.total, line.share_pct, line.entities])
    rows.append([t_plain("hlcm.total_row", locale), s.total, 100.0 if s.total else None, None])
    return Table([t_plain("hlcm.column.source", locale), t_plain("hlcm.column.amount", locale, unit=TONNES),
                  t_plain("hlcm.column.share", locale), t_plain("hlcm.column.entities", locale)],
                 rows, ["text", "tonnes", "share", "count"])


def part_notes(s: YearSummary, locale: str | None = None) -> list[str]:
    labels = {line.id: line.label for line in s.sources}
    return [t_plain("hlcm.part_note", locale, label=line.label, whole=labels.get(line.part_of, line.part_of))
            for line in s.sources if line.part_of]


def change(s: YearSummary, locale: str | None = None) -> Table | None:
    c = s.change
    if c is None:
        return None
    return Table([t_plain("hlcm.column.count", locale),
                  t_plain("hlcm.change.previous", locale, year=c.previous_year) + f" ({TONNES})",
                  t_plain("hlcm.change.current", locale, year=s.year) + f" ({TONNES})",
                  t_plain("hlcm.change.pct", locale)],
                 [[t_plain("hlcm.change.all", locale), c.previous_total, s.total, c.change_pct],
                  [t_plain("hlcm.change.comparable", locale, count=len(c.comparable)), c.comparable_previous,
                   c.comparable_current, c.comparable_change_pct]],
                 ["text", "tonnes", "tonnes", "pct"])


def counts(s: YearSummary, locale: str | None = None) -> Table:
    c = s.counts
    values = [("reporting", c.reporting), ("strategy_approved", c.strategy_approved),
              ("strategy_drafting", c.strategy_drafting), ("climate_neutral", c.climate_neutral),
              ("ems_met", c.ems_met), ("ems_approaching", c.ems_approaching),
              ("ems_met_or_approaching", c.ems_met_or_approaching), ("procurement_policy", c.procurement_policy),
              ("staff_trained", c.staff_trained)]
    return Table([t_plain("hlcm.column.item", locale), t_plain("hlcm.column.count", locale)],
                 [[t_plain(f"hlcm.counts.{name}", locale), value] for name, value in values], ["text", "count"])


def indicator_header(indicator: Indicator, locale: str | None = None) -> str:
    if indicator.unit:
        return t_plain("hlcm.column.with_unit", locale, label=indicator.label, unit=indicator.unit)
    return indicator.label


def answer(indicator: Indicator, value: Any, locale: str | None = None) -> Any:
    """A stored figure as the annex shows it: numbers as numbers, yes/no and choices as their labels."""
    if value is None:
        return None
    if indicator.type == "yes_no":
        return t_plain("hlcm.answer.yes" if value else "hlcm.answer.no", locale)
    if indicator.type == "choice":
        return indicator.choices.get(value, str(value))
    if indicator.type == "integer":
        return int(value)
    return float(value)


def annex(s: YearSummary, locale: str | None = None, q: Questionnaire | None = None) -> Table:
    q = q or questionnaire()
    header = [t_plain("hlcm.column.entity", locale), t_plain("hlcm.column.name", locale)]
    header += [indicator_header(i, locale) for i in q.indicators]
    header += [t_plain("hlcm.column.total", locale, unit=TONNES),
               t_plain("hlcm.column.per_capita", locale, unit=TONNES),
               t_plain("hlcm.column.revision", locale), t_plain("hlcm.column.origin", locale)]
    kinds = ["text", "text"] + [("count" if i.type == "integer" else "tonnes") if i.numeric else "text"
                                for i in q.indicators] + ["tonnes", "ratio", "count", "text"]
    rows = []
    for row in s.annex:
        origin_key = f"hlcm.origin.{row.source}" if row.source in ("slack", "csv") else None
        rows.append([row.code, row.name] + [answer(i, row.figures.get(i.id), locale) for i in q.indicators]
                    + [row.total, row.per_capita, row.revision,
                       t_plain(origin_key, locale) if origin_key else row.source])
    return Table(header, rows, kinds)


def notes(s: YearSummary, locale: str | None = None, q: Questionnaire | None = None) -> Table:
    q = q or questionnaire()
    labels = q.by_id
    rows = [[row.code, labels[ident].label if ident in labels else ident, reason]
            for row in s.annex for ident, reason in sorted(row.reasons.items())]
    return Table([t_plain("hlcm.column.entity", locale), t_plain("hlcm.column.indicator", locale),
                  t_plain("hlcm.column.reason", locale)], rows, ["text", "text", "text"])


def trend(points: list[YearPoint], locale: str | None = None) -> Table:
    return Table([t_plain("hlcm.column.year", locale), t_plain("hlcm.column.reporting", locale),
                  t_plain("hlcm.column.total", locale, unit=TONNES),
                  t_plain("hlcm.column.per_capita", locale, unit=TONNES)],
                 [[p.year, p.reporting, p.total, p.per_capita] for p in points], ["year", "count", "tonnes", "ratio"])
