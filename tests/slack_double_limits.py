"""Block Kit limit checks of the Slack double: bot/slack_double/limits.py."""

from bot.slack_double.limits import MESSAGE_TEXT_MAX, block_kit_errors, view_errors  # noqa: F401
