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


DATE_AT_TIME = "{date_short_pretty} at {time}"  # English; bot/texts.py words it in the reader's language


class DateToken(Raw):
    """Slack's `<!date^…>` token: Slack renders the moment in the reader's own zone (and Slack's language). The
    words around Slack's parts (`at`) are the bot's: a text renders the token again in its reader's language."""

    moment: datetime
    fallback: str
    fmt: str

    def reworded(self, fmt: str) -> "DateToken":
        return date_token(self.moment, self.fallback, fmt)


def date_token(moment: datetime, fallback: str, fmt: str = DATE_AT_TIME) -> DateToken:
    """Slack renders this in the reader's own time zone; the fallback is shown elsewhere."""
    token = DateToken(f"<!date^{int(moment.timestamp())}^{fmt}|{escape(fallback)}>")
    token.moment, token.fallback, token.fmt = moment, fallback, fmt
    return token
