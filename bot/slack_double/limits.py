"""Block Kit limit checks used by the Slack Web API double (see bot/slack_double/).

The limits are the ones Slack enforces server-side (answering ``invalid_blocks``); slack-sdk's
block models check only some of them and never check raw dict blocks. Error strings mimic
Slack's: ``"must be at most 3000 characters [json-pointer:/blocks/0/text/text]"``.
"""

from __future__ import annotations

import json
from typing import Any

MAX_BLOCKS = {"message": 50, "modal": 100, "home": 100}
SECTION_TEXT_MAX = 3000
SECTION_FIELDS_MAX = 10
SECTION_FIELD_TEXT_MAX = 2000
HEADER_TEXT_MAX = 150
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
ID_MAX = 255  # action_id, block_id, callback_id
ACTIONS_ELEMENTS_MAX = 25
VIEW_TEXT_MAX = 24  # modal title, submit, close
PRIVATE_METADATA_MAX = 3000
PLAIN_TEXT_INPUT_MAX_LENGTH = 3000
SELECT_OPTIONS_MAX = 100
VIEW_JSON_MAX_BYTES = 250_000
MESSAGE_TEXT_MAX = 40_000  # longer message text is accepted but truncated

_SELECTS_WITH_OPTIONS = {"static_select", "multi_static_select"}


def _text_of(obj: Any) -> str:
    """The string inside a text object (``{"type": "plain_text", "text": ...}``), else ''."""
    if isinstance(obj, dict):
        text = obj.get("text")
        return text if isinstance(text, str) else ""
    return obj if isinstance(obj, str) else ""


def _too_long(errors: list[str], value: Any, limit: int, pointer: str) -> None:
    if isinstance(value, str) and len(value) > limit:
        errors.append(f"must be at most {limit} characters (got {len(value)}) [json-pointer:{pointer}]")


def _too_many(errors: list[str], items: Any, limit: int, pointer: str) -> None:
    if isinstance(items, list) and len(items) > limit:
        errors.append(f"must be at most {limit} items (got {len(items)}) [json-pointer:{pointer}]")


def _element_errors(element: Any, pointer: str, errors: list[str]) -> None:
    """Checks an interactive element (button, select, input, ...)."""
    if not isinstance(element, dict):
        errors.append(f"expected an object [json-pointer:{pointer}]")
        return
    kind = element.get("type")
    _too_long(errors, element.get("action_id"), ID_MAX, f"{pointer}/action_id")
    if kind == "button":
        _too_long(errors, _text_of(element.get("text")), BUTTON_TEXT_MAX, f"{pointer}/text/text")
        _too_long(errors, element.get("value"), BUTTON_VALUE_MAX, f"{pointer}/value")
    elif kind == "plain_text_input":
        max_length = element.get("max_length")
        if isinstance(max_length, int) and max_length > PLAIN_TEXT_INPUT_MAX_LENGTH:
            errors.append(
                f"max_length must be at most {PLAIN_TEXT_INPUT_MAX_LENGTH} (got {max_length}) "
                f"[json-pointer:{pointer}/max_length]"
            )
    elif kind in _SELECTS_WITH_OPTIONS:
        _too_many(errors, element.get("options"), SELECT_OPTIONS_MAX, f"{pointer}/options")
        groups = element.get("option_groups")
        if isinstance(groups, list):
            total = sum(len(g.get("options") or []) for g in groups if isinstance(g, dict))
            if total > SELECT_OPTIONS_MAX:
                errors.append(
                    f"must be at most {SELECT_OPTIONS_MAX} options in all groups (got {total}) "
                    f"[json-pointer:{pointer}/option_groups]"
                )


def block_kit_errors(blocks: Any, surface: str = "message") -> list[str]:
    """Slack-style error strings for every Block Kit limit ``blocks`` breaks on ``surface``.

    ``surface`` is ``"message"`` (50 blocks) or ``"modal"`` / ``"home"`` (100 blocks).
    An empty list means Slack would accept the blocks (as far as these limits go).
    """
    if surface not in MAX_BLOCKS:
        raise ValueError(f"surface must be one of {sorted(MAX_BLOCKS)}, not {surface!r}")
    if blocks is None:
        return []
    if not isinstance(blocks, list):
        return ["expected an array of blocks [json-pointer:/blocks]"]
    errors: list[str] = []
    _too_many(errors, blocks, MAX_BLOCKS[surface], "/blocks")
    for i, block in enumerate(blocks):
        p = f"/blocks/{i}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            errors.append(f"missing required field: type [json-pointer:{p}]")
            continue
        _too_long(errors, block.get("block_id"), ID_MAX, f"{p}/block_id")
        kind = block["type"]
        if kind == "section":
            _too_long(errors, _text_of(block.get("text")), SECTION_TEXT_MAX, f"{p}/text/text")
            fields = block.get("fields")
            _too_many(errors, fields, SECTION_FIELDS_MAX, f"{p}/fields")
            for j, field in enumerate(fields if isinstance(fields, list) else []):
                _too_long(errors, _text_of(field), SECTION_FIELD_TEXT_MAX, f"{p}/fields/{j}/text")
            if "accessory" in block:
                _element_errors(block["accessory"], f"{p}/accessory", errors)
        elif kind == "header":
            _too_long(errors, _text_of(block.get("text")), HEADER_TEXT_MAX, f"{p}/text/text")
        elif kind == "actions":
            elements = block.get("elements")
            _too_many(errors, elements, ACTIONS_ELEMENTS_MAX, f"{p}/elements")
            for j, element in enumerate(elements if isinstance(elements, list) else []):
                _element_errors(element, f"{p}/elements/{j}", errors)
        elif kind == "input" and "element" in block:
            _element_errors(block["element"], f"{p}/element", errors)
    return errors


def view_errors(view: Any) -> list[str]:
    """Errors for a whole view object as sent to views.open/update/push/publish."""
    if not isinstance(view, dict):
        return ["expected a view object [json-pointer:/view]"]
    errors: list[str] = []
    size = len(json.dumps(view, ensure_ascii=False).encode("utf-8"))
    if size > VIEW_JSON_MAX_BYTES:
        errors.append(f"view must be at most {VIEW_JSON_MAX_BYTES} bytes of JSON (got {size}) [json-pointer:/view]")
    kind = view.get("type")
    if kind not in ("modal", "home"):
        errors.append(f"view type must be modal or home (got {kind!r}) [json-pointer:/view/type]")
        kind = "modal"
    for key in ("title", "submit", "close"):
        _too_long(errors, _text_of(view.get(key)), VIEW_TEXT_MAX, f"/view/{key}/text")
    _too_long(errors, view.get("private_metadata"), PRIVATE_METADATA_MAX, "/view/private_metadata")
    _too_long(errors, view.get("callback_id"), ID_MAX, "/view/callback_id")
    block_errors = block_kit_errors(view.get("blocks"), kind)
    errors.extend(e.replace("[json-pointer:/blocks", "[json-pointer:/view/blocks") for e in block_errors)
    return errors
