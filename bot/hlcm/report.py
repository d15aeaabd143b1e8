"""The year's progress summary as the CLI and Slack produce it: the compilation, the trend up to that year,
and the document in the format asked for (DOCX with the charts, Markdown, XLSX)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.errors import Invalid, NotFound
from bot.hlcm.service import check_year
from bot.hlcm.summary import YearSummary, compile_year
from bot.hlcm.trend import YearPoint, yearly_totals
from bot.texts import t_plain
from storage.types import utcnow

FORMATS = ("docx", "md", "xlsx")


@dataclass(frozen=True)
class Report:
    summary: YearSummary
    trend: list[YearPoint]


def parse_year(text: str, now: datetime | None = None) -> int:
    now = now or utcnow()
    if not text.strip().isdigit():
        raise Invalid("hlcm.summary_not_a_year", field="year", year=text.strip()[:20])
    return check_year(int(text), now)


def build_report(session: Session, year: int, now: datetime | None = None) -> Report:
    """The compilation of `year` and the trend up to it; NotFound when nobody reported that year."""
    check_year(year, now or utcnow())
    summary = compile_year(session, year)
    if not summary.annex:
        raise NotFound("hlcm.summary_no_data", year=year)
    return Report(summary=summary, trend=yearly_totals(session, until=year))


def file_name(year: int, fmt: str, locale: str | None = None) -> str:
    return t_plain("hlcm.file_name", locale, year=year, ext=fmt)


def render(report: Report, fmt: str, locale: str | None = None) -> bytes:
    """The document's bytes (Markdown as UTF-8)."""
    if fmt == "docx":
        from bot.exports.hlcm_docx import write_docx

        return write_docx(report.summary, report.trend, locale)
    if fmt == "md":
        from bot.exports.hlcm_md import write_markdown

        return write_markdown(report.summary, report.trend, locale).encode("utf-8")
    if fmt == "xlsx":
        from bot.exports.hlcm_xlsx import write_xlsx

        return write_xlsx(report.summary, report.trend, locale)
    raise Invalid("hlcm.cli_bad_format", format=fmt)
