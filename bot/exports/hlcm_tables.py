"""The tables of the HLCM progress summary, once, for every format (DOCX, Markdown, XLSX, Slack).

Each table is a header row and rows of raw values: numbers stay numbers (the XLSX writes them as such, the
DOCX and Markdown format them with `shown`), texts come from prompts/en/hlcm.yaml and the questionnaire."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot import formatting
from bot.hlcm.questionnaire import Indicator, Questionnaire, questionnaire
from bot.hlcm.summary import SourceLine, YearSummary
from bot.hlcm.trend import YearPoint
from bot.texts import t_plain

TONNES = "tCO2e"


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[Any]]
    kinds: list[str]  # per column: text | code | tonnes | ratio | share | pct | count | year | fixedN (N decimals)
    #                   | auto (key figures)
    locale: str | None = None  # the reader's: numbers grouped as their language groups them

    def kind(self, row: list[Any], column: int) -> str:
        kind = self.kinds[column]
        return key_kind(row) if kind == "auto" else kind

    def texts(self) -> list[list[str]]:
        """The rows as a document shows them."""
        return [[shown(value, self.kind(row, c), self.locale) for c, value in enumerate(row)] for row in self.rows]


def shown(value: Any, kind: str, locale: str | None = None) -> str:
    """A value as a document shows it in the reader's language (bot.formatting): thousands grouped, whole
    tonnes, two decimals per capita, one for percentages, an indicator at its own precision (`fixedN`); "—" for
    a figure not reported."""
    if value is None or value == "":
        return "" if kind in ("text", "code") else formatting.DASH
    if kind in ("text", "code") or isinstance(value, str):
        return str(value)
    if kind == "year":
        return str(value)
    if kind == "pct":
        return formatting.number(value, locale, 1, signed=True)
    if kind == "share":
        return formatting.number(value, locale, 1)
    if kind == "ratio":
        return formatting.number(value, locale, 2)
    if kind == "count":
        return formatting.count(int(value), locale)
    if kind.startswith("fixed"):
        return formatting.number(value, locale, int(kind[5:]))
    return formatting.number(value, locale)  # tonnes, whole, as the narrative has them (the XLSX keeps every decimal)


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
                  t_plain("hlcm.column.unit", locale)], rows, ["text", "auto", "text"], locale)


def key_kind(row: list[Any]) -> str:
    """How a key figure's value is shown: counts whole, per capita with two decimals, tonnes whole."""
    if row[2] == TONNES:
        return "tonnes"
    return "count" if isinstance(row[1], int) else "ratio"


def source_label(line: SourceLine, locale: str | None = None) -> str:
    """An emission source's label in the reader's language (the summary holds the English one)."""
    indicator = questionnaire(locale).by_id.get(line.id)
    return indicator.label if indicator is not None else line.label


def sources(s: YearSummary, locale: str | None = None) -> Table:
    rows: list[list[Any]] = []
    for line in s.sources:
        rows.append([source_label(line, locale), line.total, line.share_pct, line.entities])
    rows.append([t_plain("hlcm.total_row", locale), s.total, 100.0 if s.total else None, None])
    return Table([t_plain("hlcm.column.source", locale), t_plain("hlcm.column.amount", locale, unit=TONNES),
                  t_plain("hlcm.column.share", locale), t_plain("hlcm.column.entities", locale)],
                 rows, ["text", "tonnes", "share", "count"], locale)


def part_notes(s: YearSummary, locale: str | None = None) -> list[str]:
    labels = {i.id: i.label for i in questionnaire(locale).indicators}
    return [t_plain("hlcm.part_note", locale, label=labels.get(line.id, line.label),
                    whole=labels.get(line.part_of, line.part_of))
            for line in s.sources if line.part_of]


def change(s: YearSummary, locale: str | None = None) -> Table | None:
    c = s.change
    if c is None:
        return None
    return Table([t_plain("hlcm.column.count", locale),
                  t_plain("hlcm.change.previous", locale, year=c.previous_year) + f" ({TONNES})",
                  t_plain("hlcm.change.current", locale, year=s.year) + f" ({TONNES})",
                  t_plain("hlcm.change.pct", locale)],
                 [[t_plain("hlcm.change.all", locale, previous=c.previous_reporting, current=s.counts.reporting),
                   c.previous_total, s.total, c.change_pct],
                  [t_plain("hlcm.change.comparable", locale, count=len(c.comparable)), c.comparable_previous,
                   c.comparable_current, c.comparable_change_pct]],
                 ["text", "tonnes", "tonnes", "pct"], locale)


def counts(s: YearSummary, locale: str | None = None) -> Table:
    c = s.counts
    values = [("reporting", c.reporting), ("strategy_approved", c.strategy_approved),
              ("strategy_drafting", c.strategy_drafting), ("climate_neutral", c.climate_neutral),
              ("ems_met", c.ems_met), ("ems_approaching", c.ems_approaching),
              ("ems_met_or_approaching", c.ems_met_or_approaching), ("procurement_policy", c.procurement_policy)]
    return Table([t_plain("hlcm.column.item", locale), t_plain("hlcm.column.count", locale)],
                 [[t_plain(f"hlcm.counts.{name}", locale), value] for name, value in values], ["text", "count"],
                 locale)


def quantities(s: YearSummary, locale: str | None = None) -> Table:
    """What the HLCM reads that is not a number of entities: people trained, with how many entities reported it
    (a figure nobody reported is "not reported", never 0)."""
    c = s.counts
    trained = c.staff_trained if c.staff_trained is not None else t_plain("hlcm.not_reported", locale)
    return Table([t_plain("hlcm.column.item", locale), t_plain("hlcm.column.value", locale),
                  t_plain("hlcm.column.unit", locale), t_plain("hlcm.column.entities", locale)],
                 [[t_plain("hlcm.counts.staff_trained", locale), trained,
                   t_plain("hlcm.unit.people", locale) if c.staff_trained is not None else "",
                   c.staff_trained_entities]], ["text", "count", "text", "count"], locale)


def indicator_header(indicator: Indicator, locale: str | None = None, short: bool = False) -> str:
    label = (indicator.short or indicator.label) if short else indicator.label
    if indicator.unit and indicator.unit.lower() != label.lower():
        return t_plain("hlcm.column.with_unit", locale, label=label, unit=indicator.unit)
    return label


def indicator_kind(indicator: Indicator) -> str:
    """How the annex shows an indicator: at its precision from the questionnaire."""
    if not indicator.numeric:
        return "text"
    return "count" if indicator.type == "integer" else f"fixed{indicator.decimals}"


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
    q = q or questionnaire(locale)
    header = [t_plain("hlcm.column.entity", locale), t_plain("hlcm.column.name", locale)]
    header += [indicator_header(i, locale) for i in q.indicators]
    header += [t_plain("hlcm.column.total", locale, unit=TONNES),
               t_plain("hlcm.column.per_capita", locale, unit=TONNES),
               t_plain("hlcm.column.revision", locale), t_plain("hlcm.column.origin", locale)]
    kinds = ["code", "text"] + [indicator_kind(i) for i in q.indicators] + ["tonnes", "ratio", "count", "text"]
    rows = []
    for row in s.annex:
        rows.append([row.code, row.name] + [answer(i, row.figures.get(i.id), locale) for i in q.indicators]
                    + [row.total, row.per_capita, row.revision, _origin(row.source, locale)])
    return Table(header, rows, kinds, locale)


def _origin(source: str, locale: str | None) -> str:
    return t_plain(f"hlcm.origin.{source}", locale) if source in ("slack", "csv") else source


def annex_emissions(s: YearSummary, locale: str | None = None, q: Questionnaire | None = None) -> Table:
    """The annex's first table, for a page a UN document can carry: the entity's code, its emission sources, its
    total, staff, per capita and offsets (short headers with units; the full names are in `entity_names`)."""
    q = q or questionnaire(locale)
    chosen = [i for i in q.indicators if i.in_total or i.part_of]
    after = [q.get("staff"), q.get("offsets")]
    header = ([t_plain("hlcm.column.entity", locale)] + [indicator_header(i, locale, short=True) for i in chosen]
              + [t_plain("hlcm.column.total", locale, unit=TONNES)] + [indicator_header(i, locale, short=True)
                                                                        for i in after]
              + [t_plain("hlcm.column.per_capita", locale, unit=TONNES)])
    kinds = ["code"] + [indicator_kind(i) for i in chosen] + ["tonnes"] + [indicator_kind(i) for i in after] + ["ratio"]
    rows = [[row.code] + [answer(i, row.figures.get(i.id), locale) for i in chosen] + [row.total]
            + [answer(i, row.figures.get(i.id), locale) for i in after] + [row.per_capita] for row in s.annex]
    return Table(header, rows, kinds, locale)


def annex_practices(s: YearSummary, locale: str | None = None, q: Questionnaire | None = None) -> Table:
    """The annex's second table: every other indicator (management and policies, resources), then the revision
    and where the figures came from."""
    q = q or questionnaire(locale)
    shown_before = {i.id for i in q.indicators if i.in_total or i.part_of} | {"staff", "offsets"}
    chosen = [i for i in q.indicators if i.id not in shown_before]
    header = ([t_plain("hlcm.column.entity", locale)] + [indicator_header(i, locale, short=True) for i in chosen]
              + [t_plain("hlcm.column.revision", locale), t_plain("hlcm.column.origin", locale)])
    kinds = ["code"] + [indicator_kind(i) for i in chosen] + ["count", "text"]
    rows = [[row.code] + [answer(i, row.figures.get(i.id), locale) for i in chosen]
            + [row.revision, _origin(row.source, locale)] for row in s.annex]
    return Table(header, rows, kinds, locale)


def entity_names(s: YearSummary, locale: str | None = None) -> Table:
    return Table([t_plain("hlcm.column.entity", locale), t_plain("hlcm.column.name", locale)],
                 [[row.code, row.name] for row in s.annex], ["code", "text"], locale)


def coverage_notes(s: YearSummary, locale: str | None = None, q: Questionnaire | None = None) -> list[str]:
    """How many entities each table covers and what a dash means; the indicators few entities reported."""
    q = q or questionnaire(locale)
    out = [t_plain("hlcm.coverage.reporting", locale, reporting=s.counts.reporting, year=s.year)
           if s.asked is None else
           t_plain("hlcm.coverage.asked", locale, reporting=s.counts.reporting, asked=s.asked, year=s.year),
           t_plain("hlcm.coverage.dash", locale)]
    partial = [f"{i.short or i.label} {sum(1 for r in s.annex if r.figures.get(i.id) is not None)}"
               for i in q.indicators
               if any(r.figures.get(i.id) is None for r in s.annex)]
    if partial:
        out.append(t_plain("hlcm.coverage.partial", locale, indicators="; ".join(partial),
                           reporting=s.counts.reporting))
    return out


def notes(s: YearSummary, locale: str | None = None, q: Questionnaire | None = None) -> Table:
    q = q or questionnaire(locale)
    labels = q.by_id
    rows = [[row.code, labels[ident].label if ident in labels else ident, reason]
            for row in s.annex for ident, reason in sorted(row.reasons.items())]
    return Table([t_plain("hlcm.column.entity", locale), t_plain("hlcm.column.indicator", locale),
                  t_plain("hlcm.column.reason", locale)], rows, ["code", "text", "text"], locale)


def trend(points: list[YearPoint], locale: str | None = None) -> Table:
    return Table([t_plain("hlcm.column.year", locale), t_plain("hlcm.column.reporting", locale),
                  t_plain("hlcm.column.total", locale, unit=TONNES),
                  t_plain("hlcm.column.per_capita", locale, unit=TONNES)],
                 [[p.year, p.reporting, p.total, p.per_capita] for p in points], ["year", "count", "tonnes", "ratio"],
                 locale)
