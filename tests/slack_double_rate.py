"""Per-channel rate limits of the Slack double: bot/slack_double/rate.py."""

from bot.slack_double.rate import RateLimit, channel_of, minimum_seconds, over_limit  # noqa: F401
