"""The summary's charts as PNG bytes: emissions by source, the trend over the years, entities by EMS status.

matplotlib is imported inside the functions (the bot's start-up does not pay for it) and used without pyplot's
global state: a `Figure` drawn by its own `FigureCanvasAgg`, so charts drawn at once on worker threads do not
share anything. Titles, axis labels and legends come from prompts/<lang>/hlcm.yaml, source and status labels
from the questionnaire; each drawn in a font with the language's glyphs, Arabic shaped (bot/hlcm/chart_text.py)."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from bot import formatting
from bot.hlcm.chart_text import fonts, shaped
from bot.hlcm.questionnaire import Questionnaire, questionnaire
from bot.hlcm.summary import YearSummary
from bot.hlcm.trend import YearPoint
from bot.texts import t_plain

WIDTH_IN, HEIGHT_IN, DPI = 7.0, 3.6, 120
COLOURS = ("#1f5f8b", "#4c9ac9", "#8cc3e8", "#c9e3f5")  # UN blues, darkest first
EMS_COLOURS = {"met": "#2e7d32", "approaching": "#9ccc65", "none": "#e0a040", "not_reported": "#b0b0b0"}
EMS_ORDER = ("met", "approaching", "none")


@dataclass(frozen=True)
class Chart:
    name: str  # file name
    title: str
    png: bytes


def _figure():
    """Constrained layout fits the margins to the labels (they come from the questionnaire and the texts, any
    length); it costs 30-80 ms a chart against fixed margins (bench/hlcm.py), well inside the 2 s goal."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure, locale: str | None) -> bytes:
    """The PNG, every text drawn in the language's fonts (bot/hlcm/chart_text.py)."""
    from matplotlib.text import Text

    families = fonts(locale)
    for text in figure.findobj(Text):
        text.set_fontfamily(families)
    for ax in figure.axes:
        ax.tick_params(labelfontfamily=families)
    out = BytesIO()
    figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


def _thousands(axis, locale: str | None) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axis.set_major_locator(MaxNLocator(nbins=6))
    axis.set_major_formatter(FuncFormatter(lambda value, _: formatting.number(value, locale)))


def sources_chart(summary: YearSummary, locale: str | None = None) -> bytes:
    """Horizontal bars, one per emission source (a part, such as air travel, in a lighter colour)."""
    lines = list(summary.sources)
    figure = _figure()
    ax = figure.add_subplot()
    names = questionnaire(locale).by_id
    labels = [names[line.id].label if line.id in names else line.label for line in lines]
    values = [line.total for line in lines]
    positions = list(range(len(lines)))[::-1]
    colours = [COLOURS[2] if line.part_of else COLOURS[0] for line in lines]
    bars = ax.barh(positions, values, color=colours, height=0.6)
    ax.set_yticks(positions, [shaped(label, locale) for label in labels])
    top = max(values, default=0) or 1
    for bar, line in zip(bars, lines):
        share = "" if line.share_pct is None else f"  ({formatting.percent(line.share_pct, locale)})"
        amount = formatting.number(line.total, locale)
        ax.text(bar.get_width() + top * 0.01, bar.get_y() + bar.get_height() / 2, shaped(f"{amount}{share}", locale),
                va="center", fontsize=8)
    ax.set_xlim(0, top * 1.3)
    _thousands(ax.xaxis, locale)
    ax.set_xlabel(shaped(t_plain("hlcm.chart.axis_tco2e", locale), locale))
    ax.set_title(shaped(t_plain("hlcm.chart.sources_title", locale, year=summary.year), locale), fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(figure, locale)


def every_year(points: list[YearPoint]) -> list[tuple[int, YearPoint | None]]:
    """Each year from the first with figures to the last, with its point, or None for a year without figures."""
    by_year = {p.year: p for p in points}
    return [(y, by_year.get(y)) for y in range(points[0].year, points[-1].year + 1)] if points else []


def trend_chart(points: list[YearPoint], locale: str | None = None) -> bytes:
    """Total emissions per year (bars) with the number of entities reporting above each bar, per staff member on
    a second axis (line) where staff numbers exist. Every year from the first to the last has its place: a year
    with no figures is a gap marked "no data", and the line breaks there instead of joining its neighbours."""
    figure = _figure()
    ax = figure.add_subplot()
    years = [y for y, _ in every_year(points)]
    bars = ax.bar([p.year for p in points], [p.total for p in points], color=COLOURS[1], width=0.7,
                  label=shaped(t_plain("hlcm.chart.legend_total", locale), locale))
    top = max((p.total for p in points), default=0) or 1
    ax.set_ylim(0, top * 1.35)  # room for the counts and the legend above the bars
    for bar, point in zip(bars, points):
        ax.text(bar.get_x() + bar.get_width() / 2, bar.get_height() + top * 0.01,
                shaped(t_plain("hlcm.chart.reporting_count", locale, count=point.reporting), locale), ha="center",
                va="bottom", fontsize=6.5)
    for year, point in every_year(points):
        if point is None:
            ax.text(year, top * 0.02, shaped(t_plain("hlcm.chart.no_data", locale), locale), ha="center",
                    va="bottom", fontsize=6.5, rotation=90, color="#707070")
    _thousands(ax.yaxis, locale)
    ax.set_ylabel(shaped(t_plain("hlcm.chart.axis_tco2e", locale), locale))
    ax.set_xlabel(shaped(t_plain("hlcm.chart.axis_year", locale), locale))
    ax.set_xticks(years, [str(y) for y in years], rotation=45 if len(years) > 8 else 0, fontsize=8)
    handles = [bars]
    if any(p.per_capita is not None for p in points):
        right = ax.twinx()
        values = [p.per_capita if p is not None and p.per_capita is not None else float("nan")
                  for _, p in every_year(points)]  # NaN: the line breaks there
        (line,) = right.plot(years, values, color=COLOURS[0], marker="o", linewidth=2,
                             label=shaped(t_plain("hlcm.chart.legend_per_capita", locale), locale))
        right.set_ylabel(shaped(t_plain("hlcm.chart.axis_per_capita", locale), locale))
        right.set_ylim(0, max(v for v in values if v == v) * 1.45 or 1)
        handles.append(line)
    ax.legend(handles=handles, loc="upper left", ncols=2, fontsize=8, frameon=False)
    first, last = (years[0], years[-1]) if years else ("", "")
    ax.set_title(shaped(t_plain("hlcm.chart.trend_title", locale, first=first, last=last), locale), fontsize=11)
    return _png(figure, locale)


def ems_counts(summary: YearSummary) -> dict[str, int]:
    """Entities by EMS status; "not reported" counts the entities asked that did not report and those reporting
    without an EMS status (past records may not have one)."""
    counts = {status: 0 for status in (*EMS_ORDER, "not_reported")}
    for row in summary.annex:
        status = row.figures.get("ems")
        counts[status if status in EMS_ORDER else "not_reported"] += 1
    counts["not_reported"] += len(summary.not_reported)
    return counts


def ems_chart(summary: YearSummary, locale: str | None = None, q: Questionnaire | None = None) -> bytes:
    q = q or questionnaire(locale)
    counts = ems_counts(summary)
    choices = q.get("ems").choices
    names = [choices[s] for s in EMS_ORDER] + [t_plain("hlcm.chart.not_reported", locale)]
    labels = [shaped(name, locale) for name in names]
    keys = [*EMS_ORDER, "not_reported"]
    figure = _figure()
    ax = figure.add_subplot()
    bars = ax.bar(labels, [counts[k] for k in keys], color=[EMS_COLOURS[k] for k in keys], width=0.6)
    for bar, key in zip(bars, keys):
        ax.text(bar.get_x() + bar.get_width() / 2, bar.get_height(), str(counts[key]), ha="center", va="bottom",
                fontsize=9)
    ax.set_ylim(0, max(max(counts.values()), 1) * 1.2)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel(shaped(t_plain("hlcm.chart.axis_entities", locale), locale))
    ax.set_title(shaped(t_plain("hlcm.chart.ems_title", locale, year=summary.year), locale), fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(figure, locale)


def all_charts(summary: YearSummary, points: list[YearPoint], locale: str | None = None) -> list[Chart]:
    """The three charts, in the order the document shows them."""
    year = summary.year
    return [Chart(t_plain("hlcm.chart.sources_file", locale, year=year),
                  t_plain("hlcm.chart.sources_title", locale, year=year), sources_chart(summary, locale)),
            Chart(t_plain("hlcm.chart.trend_file", locale, year=year),
                  t_plain("hlcm.chart.trend_title", locale, first=points[0].year if points else year,
                          last=points[-1].year if points else year), trend_chart(points, locale)),
            Chart(t_plain("hlcm.chart.ems_file", locale, year=year),
                  t_plain("hlcm.chart.ems_title", locale, year=year), ems_chart(summary, locale))]
