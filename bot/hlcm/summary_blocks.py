"""The progress summary as one Slack message: the narrative, key figures, emissions by source, the change
against the previous year, the HLCM counts and the entities that did not report. A dozen blocks at most (the
limit is 50), each section clipped to 3,000 characters; the charts and the full document (with the per-entity
annex) are attached as files after it."""

from __future__ import annotations

from bot.exports import hlcm_tables as tables
from bot.hlcm.narrative import paragraph
from bot.hlcm.summary import YearSummary
from bot.mrkdwn import escape, mention
from bot.slack.blocks import Block, context, divider, fit_message, header, section
from bot.texts import t, t_plain


def _section(title: str, lines: list[str], locale: str | None = None) -> Block:
    return section("\n".join([t("hlcm.blocks.heading", locale, title=title), *lines]))


def summary_message(summary: YearSummary, user_id: str, locale: str | None = None,
                    note: str | None = None) -> tuple[str, list[Block]]:
    """The message's fallback text and its blocks."""
    s = summary
    text = t("hlcm.summary_posted", locale, year=s.year, reporting=s.counts.reporting, user=mention(user_id))
    blocks: list[Block] = [header(t_plain("hlcm.summary_title", locale, year=s.year)), context(text)]
    if note:
        blocks.append(context(note))
    blocks.append(_section(t_plain("hlcm.section.narrative", locale), [escape(paragraph(s, locale))]))

    key = tables.key_figures(s, locale)
    blocks.append(_section(t_plain("hlcm.section.key_figures", locale), [
        t("hlcm.blocks.line", locale, label=row[0], value=shown, unit=row[2])
        for row, (_, shown, _) in zip(key.rows, key.texts())]))

    blocks.append(_section(t_plain("hlcm.section.sources", locale), [
        t("hlcm.blocks.source_line", locale, label=tables.source_label(line, locale),
          value=tables.shown(line.total, "tonnes", locale), share=tables.shown(line.share_pct, "share", locale))
        for line in s.sources]))

    change = tables.change(s, locale)
    if change is not None:
        blocks.append(_section(t_plain("hlcm.section.change", locale), [
            t("hlcm.blocks.change_line", locale, label=label, previous=previous, current=current, change=pct)
            for label, previous, current, pct in change.texts()]))

    counts = tables.counts(s, locale)
    blocks.append(_section(t_plain("hlcm.section.counts", locale), [
        t("hlcm.blocks.count_line", locale, label=label, value=value) for label, value in counts.texts()]))
    blocks.append(_section(t_plain("hlcm.section.quantities", locale), [
        t("hlcm.blocks.quantity_line", locale, label=label, value=value, unit=unit, entities=entities)
        if entities != "0" else t("hlcm.blocks.quantity_missing", locale, label=label)
        for label, value, unit, entities in tables.quantities(s, locale).texts()]))

    if s.asked is None:
        missing = t("hlcm.section.not_asked_history", locale, year=s.year)
    elif not s.not_reported:
        missing = t("hlcm.section.none_missing", locale)
    else:
        missing = t("hlcm.blocks.missing", locale, count=len(s.not_reported), asked=s.asked,
                    codes=", ".join(s.not_reported))
    blocks.append(_section(t_plain("hlcm.section.not_reported", locale), [missing]))
    blocks += [divider(), context(t("hlcm.summary_attached", locale))]
    return text, fit_message(blocks, locale)


def files_comment(summary: YearSummary, locale: str | None = None) -> str:
    return t("hlcm.summary_files", locale, year=summary.year)

