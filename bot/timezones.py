"""IANA time zone names: validation with suggestions."""

from __future__ import annotations

import difflib
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# Cities whose zone carries another city's name (Geneva keeps Zurich's clock).
CITY_ZONES = {"geneva": "Europe/Zurich", "bonn": "Europe/Berlin", "new york": "America/New_York"}


@lru_cache(maxsize=1)
def _known() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def suggest_timezones(name: str, limit: int = 3) -> list[str]:
    city = name.rsplit("/", 1)[-1].replace("_", " ").lower()
    hints = [CITY_ZONES[city]] if city in CITY_ZONES else []
    close = difflib.get_close_matches(name, _known(), n=limit, cutoff=0.6)
    return list(dict.fromkeys(hints + close))[:limit]


def zone(name: str) -> ZoneInfo:
    """Return the zone, or raise ValueError whose message suggests close names."""
    try:
        if name and name in _known():
            return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        pass
    suggestions = suggest_timezones(name or "")
    hint = f" (did you mean {', '.join(suggestions)}?)" if suggestions else ""
    raise ValueError(f"{name!r} is not an IANA time zone{hint}")


def is_timezone(name: str | None) -> bool:
    return bool(name) and name in _known()
