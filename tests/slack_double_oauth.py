"""Workspaces, tokens and OAuth of the Slack double: bot/slack_double/teams.py."""

from bot.slack_double.teams import OAuthTeams, Team  # noqa: F401
