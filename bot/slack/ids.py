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
BLOCK_PROCESS_LANGUAGE = "process_language"
BLOCK_CHAIRS = "chairs"
BLOCK_MEMBERS = "members"
INPUT = "value"  # every input element's action_id: state.values[block_id]["value"]

# Buttons (action_id)
ACTION_JOIN_APPROVE = "join.approve"
ACTION_JOIN_DECLINE = "join.decline"
ACTION_OPEN_NEW_PROCESS = "process.new.open"

# Rounds
VIEW_ROUND_OPEN = "round.open"
BLOCK_VERSION = "version"
BLOCK_DEADLINE_DATE = "deadline_date"
BLOCK_DEADLINE_TIME = "deadline_time"
BLOCK_ENTITIES = "entities"
BLOCK_INSTRUCTIONS = "instructions"
BLOCK_REFUSE_LATE = "refuse_late"
ACTION_INPUT_OPEN = "input.open"
ACTION_NIL_RETURN = "input.nil"

# Inputs
VIEW_INPUT = "input.save"
BLOCK_ENTITY = "entity"
BLOCK_SECTION = "section"
BLOCK_INPUT_KIND = "input_kind"
BLOCK_COMMENT = "comment"
BLOCK_PROPOSED_TEXT = "proposed_text"
BLOCK_RATIONALE = "rationale"
ACTION_INPUT_EDIT = "input.edit"
ACTION_INPUT_WITHDRAW = "input.withdraw"
ACTION_INPUT_RESPOND = "input.respond"
ACTION_INPUT_HISTORY = "input.history"
ACTION_INPUTS_PREVIOUS = "inputs.previous"  # value: bot.inputs.pages.InputFilter
ACTION_INPUTS_NEXT = "inputs.next"
ACTION_INPUTS_UNANSWERED = "inputs.unanswered"  # the same page turner, filtered to "not yet responded"
VIEW_RESPOND = "input.response"
BLOCK_DISPOSITION = "disposition"
BLOCK_RESPONSE = "response"

# Files uploaded in a modal (bot/slack/files.py)
VIEW_DOC_IMPORT = "doc.import"
VIEW_MATRIX_IMPORT = "matrix.import"
BLOCK_FILE = "file"
BLOCK_SLUG = "slug"

# Reminders
ACTION_REMIND_TOMORROW = "reminder.tomorrow"
ACTION_ESCALATION_EXTEND = "escalation.extend"
VIEW_ESCALATION_EXTEND = "escalation.extend"
BLOCK_REMINDERS = "reminders"

# Meetings (bot/slack/meetings.py)
VIEW_MEETING_NEW = "meeting.new"
VIEW_MEETING_ATTEND = "meeting.attend"
BLOCK_MEETING_DATE = "meeting_date"
BLOCK_MEETING_END_DATE = "meeting_end_date"
BLOCK_MEETING_START = "meeting_start"
BLOCK_MEETING_END = "meeting_end"
BLOCK_MEETING_PLACE = "meeting_place"
BLOCK_MEETING_LINK = "meeting_link"
BLOCK_MEETING_AGENDA = "meeting_agenda"
BLOCK_MEETING_DELEGATES = "meeting_delegates"
ACTION_MEETING_ATTENDING = "meeting.attending"
ACTION_MEETING_TENTATIVE = "meeting.tentative"
ACTION_MEETING_NOT_ATTENDING = "meeting.not_attending"

# Meeting outcomes and action items (bot/slack/outcomes.py)
VIEW_OUTCOMES = "outcomes.record"
BLOCK_OUTCOME_MINUTES = "outcome_minutes"
BLOCK_OUTCOME_KIND = "outcome_kind"
BLOCK_OUTCOME_OWNER = "outcome_owner"
BLOCK_OUTCOME_DUE = "outcome_due"
BLOCK_OUTCOME_TEXT = "outcome_text"
ACTION_OUTCOMES_OPEN = "outcomes.open"
ACTION_ITEM_DONE = "action_item.done"

# Availability polls (bot/slack/polls.py)
VIEW_POLL_NEW = "poll.new"
VIEW_POLL_ANSWER = "poll.answer"
BLOCK_POLL_DURATION = "poll_duration"
BLOCK_POLL_SLOTS = "poll_slots"
BLOCK_POLL_SLOT = "poll_slot:"  # + the slot's id: one select per slot in the answer modal
ACTION_POLL_ANSWER = "poll.answer.open"
ACTION_POLL_SCHEDULE = "poll.schedule"

# The HLCM annual data call (bot/slack/datacall.py)
VIEW_DATACALL_OPEN = "datacall.open"
VIEW_DATACALL_CHOOSE = "datacall.choose"
VIEW_DATACALL_PAGE = "datacall.page"
VIEW_DATACALL_REASONS = "datacall.reasons"
VIEW_DATACALL_RETURN = "datacall.return"
BLOCK_DATACALL_FIGURE = "figure:"  # + the indicator's id: one input per indicator on a questionnaire page
BLOCK_DATACALL_REASON = "reason:"  # + the indicator's id: why a figure changed by more than 50 %
BLOCK_DATACALL_QUESTION = "datacall_question"
ACTION_DATACALL_FILL = "datacall.fill"

# Mapping surveys (`/consult mapping ...`)
VIEW_MAPPING_OPEN = "mapping.open"
VIEW_MAPPING_PAGE = "mapping.page"
VIEW_MAPPING_RETURN = "mapping.return"
BLOCK_MAPPING_GRID = "mapgrid:"  # + target id + ":" + question id: one input per question of a target
BLOCK_MAPPING_PRODUCT = "mapprod:"  # + product number + ":" + title|type|link|topics
BLOCK_MAPPING_QUESTION = "mapping_question"
ACTION_MAPPING_FILL = "mapping.fill"

# Peer reviews (`/consult review ...`)
VIEW_REVIEW_OPEN = "review.open"
VIEW_REVIEW_PAGE = "review.page"
BLOCK_REVIEW_BODY = "review_body"
BLOCK_REVIEW_EXPERTS = "review_experts"
BLOCK_REVIEW_FOCAL = "review_focal"
BLOCK_REVIEW_ANSWER = "review:"  # + topic id + ":" + question id: one input per question of a topic
ACTION_REVIEW_EVIDENCE = "review.evidence"
ACTION_MAPPING_EXTEND = "mapping.extend"  # the escalation's "Extend": one entity, or the whole mapping
VIEW_MAPPING_EXTEND = "mapping.extend_form"
