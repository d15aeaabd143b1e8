"""Slack Connect, as the secretariat sees it: the focal points whose workspace has not installed the app (no
direct message reaches them; their reminders are posted in the process channel, mentioning them)."""

from __future__ import annotations

from bot.installs.service import Unreachable
from bot.mrkdwn import mention
from bot.slack.blocks import Block, section, sections
from bot.texts import t

MAX_LINES = 100


def unreachable_blocks(unreachable: list[Unreachable], locale: str | None) -> list[Block]:
    """Nothing when every focal point can be sent a direct message."""
    if not unreachable:
        return []
    lines = [t("workspaces.unreachable_line", locale, entity=u.entity, process=u.process,
               person=mention(u.slack_user_id), team=u.team_id or "?") for u in unreachable[:MAX_LINES]]
    return [section(t("workspaces.unreachable", locale)), *sections(lines)]
