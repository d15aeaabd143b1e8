"""Every area that plans or delivers reminders, imported here once: each registers its planners and its kinds'
messages with bot/reminders/registry.py when its module is imported. bot/startup.py imports this module, so
serving, the console and every command that prepares the bot have them all before the app serves, the scheduler
ticks or the command runs; `prepare` then checks that every kind still to send has a message.

A new area: call `register_process_planner` / `register_focal_point_planner` / `register_secretariat_planner`
and `register_kind` at the end of its planner and message modules, and import those modules here."""

from __future__ import annotations

import bot.digests.weekly  # noqa: F401 - process.weekly_digest
import bot.hlcm.reminder_messages  # noqa: F401 - datacall.reminder, datacall.escalation
import bot.hlcm.reminder_plan  # noqa: F401 - the data call's planners
import bot.inputs.heard_back  # noqa: F401 - inputs.responses
import bot.mapping.escalation  # noqa: F401 - mapping.escalation
import bot.mapping.reminders  # noqa: F401 - mapping.reminder: planner and message
import bot.meetings.reminder_messages  # noqa: F401 - meeting.reminder, meeting.outcomes
import bot.meetings.reminder_plan  # noqa: F401 - the meetings' planners
import bot.outcomes.reminder_messages  # noqa: F401 - action.due
import bot.outcomes.reminder_plan  # noqa: F401 - the action items' planner
import bot.peer_review.reminder_plan  # noqa: F401 - peer_review.evidence: planner and message
import bot.polls.reminder_messages  # noqa: F401 - poll.reminder
import bot.polls.reminder_plan  # noqa: F401 - the polls' planner
import bot.rounds.reminder_messages  # noqa: F401 - round.deadline, round.escalation, process.weekly_status
import bot.rounds.reminder_plan  # noqa: F401 - the rounds' planners
from bot.reminders import registry

# Every planner, in the order they run after a change of who is reminded (as bot/reminders/replan.py called them
# before the registry): a name here that no area registered, or one registered and not here, stops the import.
PLANNERS = ("rounds", "polls", "meetings", "outcomes", "datacall", "mapping", "peer_review")
registry.complete(PLANNERS)
