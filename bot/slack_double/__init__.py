"""One Slack Web API double for the tests and the console (`consultbot console` ships in the wheel).

server (SlackDouble: HTTP on 127.0.0.1, routing, tokens) → recorder (calls, faults, waits) +
teams (workspaces, tokens, OAuth) + directory (people, channels, shared channels, external users)
+ messages (chat.*, response URLs) + views (views.*, triggers) + files (files_upload_v2, private
files); limits (Block Kit checks) and rate (per-channel rate limits); records (what it keeps).
"""

from bot.slack_double.limits import block_kit_errors, view_errors
from bot.slack_double.rate import RateLimit
from bot.slack_double.records import Call, Message, SlackError, Surface, View
from bot.slack_double.server import SlackDouble
from bot.slack_double.teams import Team

__all__ = ["Call", "Message", "RateLimit", "SlackDouble", "SlackError", "Surface", "Team", "View",
           "block_kit_errors", "view_errors"]
