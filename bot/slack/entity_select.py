"""The options of an entity picker past Slack's 100 static options (bot/slack/entity_picker.py): a
multi_external_select asks, as the person types, and `suggestions` (the `block_suggestion` listener registered
in bot/slack/app.py) answers with the entities matching, the process's members for a mapping's picker."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from bot.entities.service import active_entities, matching
from bot.processes.service import get_process, member_codes
from bot.slack import ids
from bot.slack.blocks import option
from bot.slack.forms import parse_metadata
from bot.slack.payloads import BlockSuggestion
from storage.models import Entity

SUGGESTED_MAX = 100  # options in one answer to a block_suggestion
MEMBER_PICKERS = {ids.VIEW_MAPPING_OPEN}  # the modals whose picker offers the process's members only


def _offered(session: Session, suggestion: BlockSuggestion) -> list[Entity]:
    entities = active_entities(session)
    view = suggestion.view
    if view is not None and view.callback_id in MEMBER_PICKERS:
        process = get_process(session, parse_metadata(view.callback_id, view.private_metadata).process)
        members = set(member_codes(session, process))
        entities = [e for e in entities if e.code in members]
    return entities


def _suggest(session: Session, suggestion: BlockSuggestion) -> list[dict[str, Any]]:
    found = matching(_offered(session, suggestion), suggestion.value, SUGGESTED_MAX)
    return [option(f"{e.code} — {e.name}", e.code) for e in found]


async def suggestions(deps: Any, body: dict) -> list[dict[str, Any]]:
    """The options for what the person typed in an entity picker; none for any other menu."""
    suggestion = BlockSuggestion.model_validate(body)
    if suggestion.block_id not in (ids.BLOCK_ENTITIES, ids.BLOCK_MEMBERS):
        return []
    return await deps.db(_suggest, suggestion)
