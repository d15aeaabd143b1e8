"""The HLCM progress summary as Markdown: the DOCX's content, tables as Markdown tables.

Texts that come from people or the entity list (names, reasons given for a change) are escaped: `&`, `<` and
`>` become entities and Markdown's own characters (`* _ [ ] ` # | \\`) are backslashed, so a reason reading
`<script>` or `**urgent**` stays text in any renderer. The charts are files of their own (DOCX, Slack); here the
trend is a table."""

from __future__ import annotations

import re

from bot.exports import hlcm_tables as tables
from bot.exports.matrix_columns import clean
from bot.hlcm.narrative import paragraph
from bot.hlcm.summary import YearSummary
from bot.hlcm.trend import YearPoint
from bot.texts import t_plain

_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")
_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
RIGHT = {"tonnes", "ratio", "share", "pct", "count", "auto", "fixed0", "fixed1", "fixed2", "fixed3"}


def md_text(text: str) -> str:
    """One line of text from outside, safe in a paragraph or a table cell."""
    text = " ".join(clean(str(text)).split())
    return _MD_SPECIAL.sub(r"\\\1", text.translate(_HTML))


def md_table(table: tables.Table) -> list[str]:
    lines = ["| " + " | ".join(md_text(h) for h in table.header) + " |",
             "| " + " | ".join("---:" if k in RIGHT else "---" for k in table.kinds) + " |"]
    lines += ["| " + " | ".join(md_text(v) for v in row) + " |" for row in table.texts()]
    return lines


def write_markdown(summary: YearSummary, trend: list[YearPoint], locale: str | None = None) -> str:
    s = summary
    out = [f"# {md_text(t_plain('hlcm.summary_title', locale, year=s.year))}", ""]

    def section(key: str) -> None:
        out.extend([f"## {md_text(t_plain(key, locale))}", ""])

    section("hlcm.section.narrative")
    out += [md_text(paragraph(s, locale)), ""]
    section("hlcm.section.key_figures")
    out += md_table(tables.key_figures(s, locale)) + [""]
    section("hlcm.section.sources")
    out += md_table(tables.sources(s, locale)) + [""]
    out += [f"- {md_text(note)}" for note in tables.part_notes(s, locale)] + [""]
    section("hlcm.section.change")
    change = tables.change(s, locale)
    if change is None:
        out += [md_text(t_plain("hlcm.section.no_previous", locale, year=s.year - 1)), ""]
    else:
        out += md_table(change) + [""]
        if s.change.comparable:
            out += [md_text(t_plain("hlcm.change.comparable_list", locale, codes=", ".join(s.change.comparable))),
                    ""]
    section("hlcm.section.counts")
    out += md_table(tables.counts(s, locale)) + [""]
    section("hlcm.section.quantities")
    out += md_table(tables.quantities(s, locale)) + [""]
    section("hlcm.section.trend")
    out += md_table(tables.trend(trend, locale)) + [""]
    section("hlcm.section.not_reported")
    if s.asked is None:
        out += [md_text(t_plain("hlcm.section.not_asked_history", locale, year=s.year)), ""]
    elif not s.not_reported:
        out += [md_text(t_plain("hlcm.section.none_missing", locale)), ""]
    else:
        out += [md_text(", ".join(s.not_reported)), ""]
    section("hlcm.section.annex")
    out += [f"- {md_text(note)}" for note in tables.coverage_notes(s, locale)] + [""]
    out += md_table(tables.annex(s, locale)) + [""]
    section("hlcm.section.notes")
    notes = tables.notes(s, locale)
    out += (md_table(notes) if notes.rows else [md_text(t_plain("hlcm.section.no_notes", locale))]) + [""]
    return "\n".join(out)
