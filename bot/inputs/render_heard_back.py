"""The DM a focal point gets when the secretariat has responded to their entity's inputs."""

from __future__ import annotations

from bot.slack.blocks import Block, section, sections
from bot.texts import t, t_count, t_plain
from storage.models import Input, Response, Section


def message(process: str, round_number: int, entity: str, found: list[tuple[Input, Section | None, Response]],
            locale: str | None) -> tuple[str, list[Block]]:
    title = t("inputs.heard_back", locale, entity=entity, process=process, number=round_number,
              count=t_count("inputs.heard_back_count", len(found), locale))
    lines = [t("inputs.heard_back_line", locale, ref=item.ref,
               section=f"{where.number} {where.heading}".strip() if where else t_plain("inputs.general", locale),
               disposition=t_plain(f"dispositions.{response.disposition}", locale),
               comment=item.comment[:200], response=response.text[:1000] or "—")
             for item, where, response in found]
    return title, [section(title), *sections(lines)]
