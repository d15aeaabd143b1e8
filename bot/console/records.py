"""The console workspace's app: the bot's user, bot and app IDs, its name and its token."""

from __future__ import annotations

BOT_USER, BOT_ID, APP_ID = "U0CONSULTBOT", "B0CONSULTBOT", "A0CONSULTBOT"
BOT_NAME = "consultbot"
BOT_TOKEN = "xoxb-console"  # the bot's token: the Web API and private file URLs take no other
