"""Slack mrkdwn helpers: user text can never ping, link or format by accident."""

from __future__ import annotations

from datetime import datetime


def escape(text: str) -> str:
    """Escape the three control characters, so `<!channel>` typed by a user stays text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


class Raw(str):
    """Mrkdwn the bot built itself (a mention, a date token): inserted as is."""


def mention(slack_user_id: str) -> Raw:
    return Raw(f"<@{slack_user_id}>")


def channel(channel_id: str) -> Raw:
    return Raw(f"<#{channel_id}>")


def date_token(moment: datetime, fallback: str, fmt: str = "{date_short_pretty} at {time}") -> Raw:
    """Slack renders this in the reader's own time zone; the fallback is shown elsewhere."""
    return Raw(f"<!date^{int(moment.timestamp())}^{fmt}|{escape(fallback)}>")
