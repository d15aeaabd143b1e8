"""Parsing the words typed after a subcommand: numbers, dates, times, zones."""

from __future__ import annotations

import re
from datetime import date, time

from bot.errors import Invalid
from bot.rounds.service import OpenRound

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIME = re.compile(r"^\d{1,2}:\d{2}$")


def round_number(words: list[str]) -> tuple[int | None, list[str]]:
    """An optional round number first (`3` or `R3`), and the remaining words."""
    if words and re.fullmatch(r"[Rr]?\d{1,4}", words[0]):
        return int(words[0].lstrip("Rr")), words[1:]
    return None, words


def when(process: str, words: list[str]) -> OpenRound:
    """`YYYY-MM-DD [HH:MM] [Area/City]` as a deadline request."""
    if not words or not DATE.match(words[0]):
        raise Invalid("errors.when_usage")
    try:
        day = date.fromisoformat(words[0])
        at = time.fromisoformat(words[1].zfill(5)) if len(words) > 1 and TIME.match(words[1]) else time(17, 0)
    except ValueError:
        raise Invalid("errors.when_usage") from None
    rest = words[2:] if len(words) > 1 and TIME.match(words[1]) else words[1:]
    return OpenRound(process=process, deadline_date=day, deadline_time=at, timezone=rest[0] if rest else "")
