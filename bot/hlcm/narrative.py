"""The narrative paragraph of the HLCM summary, from templates in prompts/en/hlcm.yaml; every number computed.

Plain text (t_plain): it holds numbers, years and entity codes only, and goes into documents as well as Slack."""

from __future__ import annotations

from bot.hlcm.summary import YearSummary
from bot.texts import t_count, t_plain


def tonnes(value: float) -> str:
    return f"{value:,.0f}"


def ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def percent(value: float) -> str:
    return f"{abs(value):.1f}"


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
    if s.change is not None and s.change.change_pct is not None:
        pct = s.change.change_pct
        key = ("hlcm.narrative_change_flat" if round(pct, 1) == 0 else
               "hlcm.narrative_change_up" if pct > 0 else "hlcm.narrative_change_down")
        out.append(t_plain(key, locale, change=percent(pct), previous_year=s.change.previous_year,
                           previous=tonnes(s.change.previous_total)))
    out.append(t_plain("hlcm.narrative_counts", locale,
                       strategy=t_count("hlcm.narrative_strategy", c.strategy_approved, locale),
                       neutral=t_count("hlcm.narrative_neutral", c.climate_neutral, locale),
                       ems_met=c.ems_met, ems_approaching=c.ems_approaching, procurement=c.procurement_policy))
    if s.not_reported:
        out.append(t_count("hlcm.narrative_missing", len(s.not_reported), locale, codes=", ".join(s.not_reported)))
    return out


def paragraph(summary: YearSummary, locale: str | None = None) -> str:
    return " ".join(sentences(summary, locale))
