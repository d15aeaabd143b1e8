"""Slack mrkdwn as terminal text: mentions, channels, dates in the reader's zone, links, escapes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.mrkdwn import unescape
from bot.texts import t_plain

TOKEN = re.compile(r"<([^<>\n]*)>")
BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
EMOJI_CODE = re.compile(r":([a-z0-9_+\-]+):")
DATE_PART = re.compile(r"\{(\w+)\}")
EMOJI = {"white_check_mark": "✅", "x": "❌", "warning": "⚠️", "wave": "👋", "tada": "🎉",
         "hourglass": "⏳", "hourglass_flowing_sand": "⏳", "calendar": "📅", "memo": "📝",
         "bell": "🔔", "information_source": "ℹ️", "heavy_check_mark": "✔️", "no_entry": "⛔",
         "lock": "🔒", "page_facing_up": "📄", "inbox_tray": "📥", "outbox_tray": "📤",
         "pushpin": "📌", "clipboard": "📋", "bar_chart": "📊", "speech_balloon": "💬", "alarm_clock": "⏰",
         "arrows_counterclockwise": "🔄", "grey_question": "❔", "leftwards_arrow_with_hook": "↩️",
         "pencil2": "✏️", "rotating_light": "🚨", "calendar_spiral": "🗓️", "busts_in_silhouette": "👥",
         "heavy_plus_sign": "➕"}
ANSI = {"bold": "1", "dim": "2", "underline": "4", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}


@dataclass
class Style:
    """ANSI styling, or none at all when the output is not a terminal."""

    color: bool = False

    def paint(self, text: str, *styles: str) -> str:
        if not self.color or not text:
            return text
        codes = ";".join(ANSI[s] for s in styles)
        return f"\033[{codes}m{text}\033[0m"

    def bold(self, text: str) -> str:
        return self.paint(text, "bold")

    def dim(self, text: str) -> str:
        return self.paint(text, "dim")


@dataclass
class Names:
    """How IDs read for the current person: names of people and channels, their time zone."""

    users: dict[str, str] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)
    timezone: str = "UTC"
    locale: str | None = None

    def user(self, user_id: str, label: str = "") -> str:
        return self.users.get(user_id) or label or user_id

    def channel(self, channel_id: str, label: str = "") -> str:
        return self.channels.get(channel_id) or label or channel_id

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _relative_day(moment: datetime, now: datetime) -> str | None:
    delta = (moment.date() - now.date()).days
    return {0: t_plain("console.date.today"), -1: t_plain("console.date.yesterday"),
            1: t_plain("console.date.tomorrow")}.get(delta)


def _ago(moment: datetime, now: datetime) -> str:
    seconds = abs((now - moment).total_seconds())
    if seconds < 3600:
        amount = t_plain("console.date.minutes", n=max(1, round(seconds / 60)))
    elif seconds < 86400:
        amount = t_plain("console.date.hours", n=round(seconds / 3600))
    else:
        amount = t_plain("console.date.days", n=round(seconds / 86400))
    key = "console.date.ago" if moment <= now else "console.date.from_now"
    return t_plain(key, amount=amount)


def format_date(timestamp: int, fmt: str, names: Names, now: datetime | None = None) -> str:
    """Slack's `{date_short_pretty} at {time}` tokens, in the reader's own time zone."""
    zone = names.zone
    moment = datetime.fromtimestamp(timestamp, zone)
    now = (now or datetime.now(zone)).astimezone(zone)
    twelve_hour = (names.locale or "en-US").replace("_", "-") == "en-US"
    clock = moment.strftime("%I:%M %p").lstrip("0") if twelve_hour else moment.strftime("%H:%M")
    clock += f" {moment.tzname()}"  # the reader's zone, as Slack's own clock would not say
    parts = {
        "date_num": moment.strftime("%Y-%m-%d"),
        "date": f"{moment:%B} {_ordinal(moment.day)}, {moment.year}",
        "date_short": f"{moment:%b} {moment.day}, {moment.year}",
        "date_long": f"{moment:%A}, {moment:%B} {_ordinal(moment.day)}, {moment.year}",
        "time": clock,
        "time_secs": moment.strftime("%I:%M:%S %p").lstrip("0") if twelve_hour else moment.strftime("%H:%M:%S"),
        "ago": _ago(moment, now),
    }
    for name in ("date", "date_short", "date_long"):
        parts[f"{name}_pretty"] = _relative_day(moment, now) or parts[name]
    return DATE_PART.sub(lambda m: parts.get(m.group(1), m.group(0)), fmt)


def _token(inner: str, names: Names) -> str:
    target, _, label = inner.partition("|")
    label = unescape(label)
    if target.startswith("@"):
        return "@" + names.user(target[1:], label.lstrip("@"))
    if target.startswith("#"):
        return "#" + names.channel(target[1:], label.lstrip("#"))
    if target.startswith("!date^"):
        pieces = target.split("^")
        try:
            return format_date(int(pieces[1]), unescape(pieces[2]) if len(pieces) > 2 else "{date_num}", names)
        except (ValueError, IndexError, OverflowError):
            return label
    if target.startswith("!subteam^"):
        return label or "@" + target.split("^", 1)[1]
    if target.startswith("!"):
        return "@" + target[1:]
    target = unescape(target)
    if target.startswith("mailto:"):
        return label or target.removeprefix("mailto:")
    return f"{label} ({target})" if label and label != target else target


def mrkdwn(text: str, names: Names, style: Style) -> str:
    """Readable text: tokens resolved, `&lt; &gt; &amp;` unescaped, emoji codes drawn, bold styled."""
    out: list[str] = []
    position = 0
    for match in TOKEN.finditer(text):
        out.append(_plain_part(text[position:match.start()], style))
        out.append(_token(match.group(1), names))
        position = match.end()
    out.append(_plain_part(text[position:], style))
    return "".join(out)


def _plain_part(text: str, style: Style) -> str:
    text = EMOJI_CODE.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), text)
    text = BOLD.sub(lambda m: style.bold(m.group(1)), text)  # without colour: the words, not the asterisks
    return unescape(text)


def plain_text(obj: dict | str | None, names: Names, style: Style) -> str:
    """A text object (plain_text or mrkdwn) as terminal text."""
    if obj is None:
        return ""
    if isinstance(obj, str):
        return mrkdwn(obj, names, style)
    text = str(obj.get("text") or "")
    if obj.get("type") == "mrkdwn":
        return mrkdwn(text, names, style)
    text = unescape(text)  # Slack shows &lt; as < in plain_text too
    return EMOJI_CODE.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), text) if obj.get("emoji", True) else text
