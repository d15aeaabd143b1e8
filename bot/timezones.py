"""IANA time zone names: validation with suggestions."""

from __future__ import annotations

import difflib
from datetime import datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# Cities whose zone carries another city's name (Geneva keeps Zurich's clock).
CITY_ZONES = {"geneva": "Europe/Zurich", "bonn": "Europe/Berlin", "new york": "America/New_York"}


@lru_cache(maxsize=1)
def _known() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


@lru_cache(maxsize=1)
def _known_set() -> frozenset[str]:
    return frozenset(_known())


def suggest_timezones(name: str, limit: int = 3) -> list[str]:
    city = name.rsplit("/", 1)[-1].replace("_", " ").lower()
    hints = [CITY_ZONES[city]] if city in CITY_ZONES else []
    close = difflib.get_close_matches(name, _known(), n=limit, cutoff=0.6)
    return list(dict.fromkeys(hints + close))[:limit]


def zone(name: str) -> ZoneInfo:
    """Return the zone, or raise ValueError whose message suggests close names."""
    try:
        if name and name in _known_set():
            return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        pass
    suggestions = suggest_timezones(name or "")
    hint = f" (did you mean {', '.join(suggestions)}?)" if suggestions else ""
    raise ValueError(f"{name!r} is not an IANA time zone{hint}")


def is_timezone(name: str | None) -> bool:
    return bool(name) and name in _known_set()


class LocalTimeError(ValueError):
    """A wall-clock time that does not exist (spring forward) or happens twice (fall back)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind  # "nonexistent" or "ambiguous"


def to_utc(local: datetime, timezone_name: str) -> datetime:
    """A naive wall-clock time in a zone, as an aware UTC datetime; refuses DST gaps and overlaps."""
    tz = zone(timezone_name)
    first, second = local.replace(tzinfo=tz, fold=0), local.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        # In a gap the round trip through UTC lands on another wall-clock time; in an overlap it does not.
        back = first.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None)
        raise LocalTimeError("nonexistent" if back != local else "ambiguous")
    return first.astimezone(timezone.utc)


def local_text(moment: datetime, timezone_name: str) -> str:
    """'2026-12-04 17:00 Europe/Zurich (CET)' for texts shown outside Slack's date tokens."""
    local = moment.astimezone(zone(timezone_name))
    return f"{local:%Y-%m-%d %H:%M} {timezone_name} ({local:%Z})"
