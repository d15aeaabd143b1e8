"""The entity pickers of the opening modals (`/consult new`, `datacall open`, `mapping open`): a
multi_static_select while the entities fit Slack's 100 options, else a multi_external_select whose options
come, as the person types, from bot/slack/entity_select.py, so no entity is ever silently dropped. A
preselection of more than 100 is not sent: the input is then optional and left empty means all of them (the
services read "no codes" as "all")."""

from __future__ import annotations

from bot.slack.blocks import Block, input_block
from bot.texts import t_plain

STATIC_MAX = 100  # options in a static select


def entity_input(block_id: str, label: str, options: list[dict], locale: str | None, preselect: bool = False,
                 hint: str | None = None) -> Block:
    """The picker of `options` (all preselected when `preselect`), static or, past 100, external."""
    if len(options) <= STATIC_MAX:
        element: Block = {"type": "multi_static_select", "options": options}
        if preselect and options:
            element["initial_options"] = options
        return input_block(block_id, label, element, hint=hint)
    element = {"type": "multi_external_select", "min_query_length": 0}
    if preselect:  # too many to preselect: empty means all of them
        hint = t_plain("entities.picker_all_when_empty", locale, count=len(options))
    return input_block(block_id, label, element, optional=preselect, hint=hint)
