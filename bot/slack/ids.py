"""Every action, block and view ID the bot uses, in one place."""

COMMAND = "/consult"

# Views (callback_id)
VIEW_NEW_PROCESS = "process.new"

# Blocks of the new-process modal (block_id) and their elements (action_id)
BLOCK_HANDLE = "handle"
BLOCK_KIND = "kind"
BLOCK_TITLE = "title"
BLOCK_DESCRIPTION = "description"
BLOCK_CHANNEL = "channel"
BLOCK_TIMEZONE = "timezone"
BLOCK_MANDATE_END = "mandate_end"
BLOCK_CHAIRS = "chairs"
BLOCK_MEMBERS = "members"
INPUT = "value"  # every input element's action_id: state.values[block_id]["value"]

# Buttons (action_id)
ACTION_JOIN_APPROVE = "join.approve"
ACTION_JOIN_DECLINE = "join.decline"
ACTION_OPEN_NEW_PROCESS = "process.new.open"
