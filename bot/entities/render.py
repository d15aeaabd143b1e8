"""How entities look in Slack (`/consult entities`)."""

from __future__ import annotations

from bot.slack.blocks import Block, header, sections
from bot.texts import t, t_plain
from storage.models import Entity


def render_entities(entities: list[Entity], locale: str | None) -> tuple[str, list[Block]]:
    lines = [t("entities.line", locale, code=e.code, name=e.name, duty_station=e.duty_station, timezone=e.timezone)
             if e.retired_at is None else
             t("entities.retired_line", locale, code=e.code, name=e.name, duty_station=e.duty_station,
               date=e.retired_at.date().isoformat()) for e in entities]
    if not lines:
        lines = [t("entities.none", locale)]
    return (t("entities.fallback", locale, count=len(entities)),
            [header(t_plain("entities.header", locale, count=len(entities))), *sections(lines)])
