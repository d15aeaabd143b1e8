"""The narrative paragraph of the HLCM summary, from templates in prompts/en/hlcm.yaml; every number computed.

Plain text (t_plain): it holds numbers, years and entity codes only, and goes into documents as well as Slack."""

from __future__ import annotations

from bot.hlcm.summary import YearSummary
from bot.texts import Number, t_count, t_plain

DASH = "—"


def tonnes(value: float) -> Number:
    return Number(value)


def ratio(value: float | None) -> Number | str:
    return DASH if value is None else Number(value, 2)


def percent(value: float) -> Number:
    return Number(abs(value), 1)


def sentences(summary: YearSummary, locale: str | None = None) -> list[str]:
    s, c = summary, summary.counts
    out = []
    if s.asked is not None:
        out.append(t_plain("hlcm.narrative_reporting", locale, year=s.year, reporting=c.reporting, asked=s.asked))
    else:
        out.append(t_count("hlcm.narrative_reporting_history", c.reporting, locale, year=s.year))
    by_id = {line.id: line.total for line in s.sources}
    out.append(t_plain("hlcm.narrative_emissions", locale, total=tonnes(s.total), per_capita=ratio(s.per_capita),
                       scope1=tonnes(by_id.get("scope1", 0.0)), scope2=tonnes(by_id.get("scope2", 0.0)),
                       travel=tonnes(by_id.get("scope3_travel", 0.0)), air=tonnes(by_id.get("air_travel", 0.0))))
    if s.change is not None:
        out += change_sentences(s, locale)
    out.append(t_plain("hlcm.narrative_counts", locale,
                       strategy=t_count("hlcm.narrative_strategy", c.strategy_approved, locale),
                       neutral=t_count("hlcm.narrative_neutral", c.climate_neutral, locale),
                       ems_met=c.ems_met, ems_approaching=c.ems_approaching, procurement=c.procurement_policy))
    if s.not_reported:
        out.append(t_count("hlcm.narrative_missing", len(s.not_reported), locale, codes=", ".join(s.not_reported)))
    return out


def change_sentences(s: YearSummary, locale: str | None = None) -> list[str]:
    """The change like for like (the entities that reported both years, and how many), then the totals with
    the coverage of each year when it differs: a drop made by an entity not reporting is not a drop."""
    c = s.change
    out = []
    if c.comparable and c.comparable_change_pct is not None:
        pct = c.comparable_change_pct
        key = ("hlcm.narrative_change_flat" if round(pct, 1) == 0 else
               "hlcm.narrative_change_up" if pct > 0 else "hlcm.narrative_change_down")
        out.append(t_count(key, len(c.comparable), locale, change=percent(pct), previous_year=c.previous_year,
                           year=s.year, previous=tonnes(c.comparable_previous), current=tonnes(c.comparable_current)))
    else:
        out.append(t_plain("hlcm.narrative_change_none", locale, previous_year=c.previous_year, year=s.year))
    if len(c.comparable) != c.previous_reporting or len(c.comparable) != s.counts.reporting:
        out.append(t_plain("hlcm.narrative_change_total", locale, previous=tonnes(c.previous_total),
                           previous_reporting=c.previous_reporting, previous_year=c.previous_year,
                           total=tonnes(s.total), reporting=s.counts.reporting, year=s.year))
    return out


def paragraph(summary: YearSummary, locale: str | None = None) -> str:
    return " ".join(sentences(summary, locale))
