"""Numbers, percentages, dates and times as the reader's language writes them (CLDR data, through Babel).

Every function takes the reader's locale (`fr-FR`, `fr`, None for English); a language the bot has no texts for
is formatted as English, like its texts. `1,234.5` in English, `1 234,5` in French (CLDR's narrow no-break space),
`1.234,5` in Spanish. English dates and times keep the ISO form (`2026-12-04 17:00 Europe/Zurich (CET)`) the
secretariat's documents have always used; the other languages get CLDR's medium date and 24-hour time.
Percent signs stay in the texts (`{change} %`), where each language places them; `percent()` is for the
few places that show a percentage outside a text (chart labels).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from babel import Locale
from babel.dates import format_skeleton, get_day_names
from babel.lists import format_list
from babel.numbers import NumberFormatError, format_decimal, get_decimal_symbol, get_group_symbol, parse_decimal

from bot.texts import BASE_LOCALE, Number, babel_locale, format_number, reader_language
from bot.timezones import local_text, zone

DASH = "—"  # a figure not reported, in every language
__all__ = ["DASH", "Number", "count", "date_text", "datetime_text", "decimal", "language", "number", "parse_number",
           "percent", "right_to_left", "time_text", "weekday_time", "weekdays"]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # a weekly rule's days (cron), Babel's 0..6
_GAPS = re.compile(r"[\s\u00a0\u202f\u2009']")  # 12 500, 12'500: thousands separators typed as spaces or quotes
_PLAIN = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$|^[+-]?\.\d+$")  # 1234.5, 1,234.5
_FIGURE = re.compile(r"^[+-]?[\d.,]*\d[\d.,]*$")
ARABIC_DECIMAL, ARABIC_GROUP = "\u066b", "\u066c"  # ٫ ٬ typed with Arabic-Indic digits


def language(locale: str | None) -> str:
    """The language a reader gets: theirs if the bot has its texts, else English."""
    return reader_language(locale)


def _babel(locale: str | None) -> Locale:
    return babel_locale(language(locale))


def number(value: float, locale: str | None, decimals: int = 0, signed: bool = False) -> str:
    """`value` rounded to `decimals` digits, grouped as the language groups thousands; `+` shown if `signed`."""
    return format_number(value, locale, decimals, signed)


def count(value: int, locale: str | None) -> str:
    return number(value, locale, 0)


def decimal(value: float | int, locale: str | None) -> str:
    """As many decimals as the value has (up to three): `1,234.5`, `1 234,5`."""
    return format_decimal(value, locale=_babel(locale))


def parse_number(text: str, locale: str | None) -> Decimal | None:
    """A number as the reader types it, or None: their language's form (`1 234,5` in French, `1.234,5` in Spanish,
    Arabic-Indic digits `١٢٣٤٫٥`), read with Babel's parse_decimal (strict grouping), else the plain form
    `1234.5` / `1,234.5`, which every language accepts. Spaces, no-break spaces and `'` between digits are
    thousands separators and are dropped."""
    loc = _babel(locale)
    compact = _GAPS.sub("", text.strip())
    compact = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in compact)  # ١٢ -> 12
    compact = compact.replace(ARABIC_DECIMAL, get_decimal_symbol(loc)).replace(ARABIC_GROUP, get_group_symbol(loc))
    if not _FIGURE.match(compact):
        return None
    try:
        return parse_decimal(compact, locale=loc, strict=True)
    except (NumberFormatError, InvalidOperation, ValueError):
        pass
    if _PLAIN.match(compact):
        return Decimal(compact.replace(",", ""))
    return None


def percent(value_pct: float, locale: str | None, decimals: int = 1) -> str:
    """A percentage given in percent (12.3 -> `12.3%` in English, `12,3 %` in French)."""
    return format_number(value_pct / 100, locale, decimals, kind="percent")


def date_text(day: date, locale: str | None) -> str:
    """A calendar date: `2026-12-04` in English, `4 déc. 2026` in French, `2026年12月4日` in Chinese."""
    if language(locale) == BASE_LOCALE:
        return day.isoformat()
    return format_skeleton("yMMMd", day, locale=_babel(locale))


def time_text(moment: datetime, zone_name: str, locale: str | None) -> str:
    """A 24-hour wall-clock time in the zone (`17:00`)."""
    return format_skeleton("Hm", moment, tzinfo=zone(zone_name), locale=_babel(locale))


def weekday_time(moment: datetime, zone_name: str, locale: str | None) -> str:
    """The short weekday and time in the zone: `Fri 17:00`, `ven. 17:00`."""
    return format_skeleton("EHm", moment, tzinfo=zone(zone_name), locale=_babel(locale), fuzzy=True)


def weekdays(cron_days: str, locale: str | None) -> str:
    """A weekly rule's days (`mon,thu`) as the language names them, listed as it lists (CLDR): `Monday and
    Thursday`, `lundi et jeudi`, `星期一和星期四`. A word that is not a day is shown as it is."""
    loc = _babel(locale)
    names = get_day_names("wide", "format", locale=loc)
    days = [names[WEEKDAYS.index(d)] if d in WEEKDAYS else d for d in cron_days.split(",") if d]
    return format_list(days, locale=loc)


def datetime_text(moment: datetime, zone_name: str, locale: str | None) -> str:
    """A moment in a zone, the zone named: `2026-12-04 17:00 Europe/Zurich (CET)` in English,
    `4 déc. 2026, 17:00 (Europe/Zurich)` in French (CLDR's date-time pattern of the language)."""
    if language(locale) == BASE_LOCALE:
        return local_text(moment, zone_name)
    loc = _babel(locale)
    tz = zone(zone_name)
    day = format_skeleton("yMMMd", moment, tzinfo=tz, locale=loc)
    clock = format_skeleton("Hm", moment, tzinfo=tz, locale=loc)
    joined = str(loc.datetime_formats["medium"]).replace("{1}", day).replace("{0}", clock)
    return f"{joined} ({zone_name})"


def right_to_left(locale: str | None) -> bool:
    """Whether the language is written right to left (Arabic): documents set their paragraphs and sheets so."""
    return _babel(locale).character_order == "right-to-left"
