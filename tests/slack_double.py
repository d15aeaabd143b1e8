"""The tests' Slack Web API double is the package's: bot/slack_double/ (the console runs on it too)."""

from bot.slack_double import Call, RateLimit, SlackDouble, block_kit_errors, view_errors

__all__ = ["Call", "RateLimit", "SlackDouble", "block_kit_errors", "view_errors"]
