"""A modal's input blocks as a form: the fields, what `/fill` accepts, and `view.state.values`.

Values are kept as Slack's pickers would hold them: a string for text inputs, an option dict for
selects, lists for multi-selects, IDs for user and conversation pickers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Any

TEXT_INPUTS = ("plain_text_input", "email_text_input", "url_text_input", "number_input")
ONE_OPTION = ("static_select", "radio_buttons", "external_select")
MANY_OPTIONS = ("multi_static_select", "checkboxes", "multi_external_select")
ONE_ID = {"users_select": "user", "conversations_select": "conversation", "channels_select": "channel"}
MANY_IDS = {"multi_users_select": "users", "multi_conversations_select": "conversations",
            "multi_channels_select": "channels"}
FILE_INPUT = "file_input"  # filled by the shell: the workspace keeps the file (bot/console/files.py)
# A type's label in the modal; every value is a key of prompts/en/console.yaml (files.yaml for files).
TYPE_KEYS = {**{kind: "console.type.text" for kind in TEXT_INPUTS},
             **{kind: "console.type.select" for kind in ONE_OPTION},
             **{kind: "console.type.multi_select" for kind in MANY_OPTIONS},
             "datepicker": "console.type.date", "timepicker": "console.type.time",
             "users_select": "console.type.user", "multi_users_select": "console.type.users",
             "conversations_select": "console.type.channel", "channels_select": "console.type.channel",
             "multi_conversations_select": "console.type.channels", "multi_channels_select": "console.type.channels",
             FILE_INPUT: "files.console.type"}


class FillError(Exception):
    """A value the picker could not produce; `key` is a console text."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key, self.params = key, params


@dataclass(frozen=True)
class Field:
    number: int
    block_id: str
    action_id: str
    kind: str
    block: dict

    @property
    def element(self) -> dict:
        return self.block.get("element") or {}

    @property
    def optional(self) -> bool:
        return bool(self.block.get("optional"))

    @property
    def options(self) -> list[dict]:
        element = self.element
        groups = [o for g in element.get("option_groups") or [] for o in g.get("options") or []]
        return list(element.get("options") or []) + groups


def fields(view: dict) -> list[Field]:
    """The input blocks, numbered from 1 in the order Slack shows them."""
    found = []
    for block in view.get("blocks") or []:
        if block.get("type") != "input" or not isinstance(block.get("element"), dict):
            continue
        element = block["element"]
        found.append(Field(len(found) + 1, str(block.get("block_id") or f"input{len(found) + 1}"),
                           str(element.get("action_id") or "value"), str(element.get("type")), block))
    return found


def initial_value(field: Field) -> Any:
    element, kind = field.element, field.kind
    if kind in TEXT_INPUTS:
        return element.get("initial_value")
    if kind in ONE_OPTION:
        return element.get("initial_option")
    if kind in MANY_OPTIONS:
        return list(element.get("initial_options") or [])
    if kind == "datepicker":
        return element.get("initial_date")
    if kind == "timepicker":
        return element.get("initial_time")
    if kind in ONE_ID:
        return element.get(f"initial_{ONE_ID[kind]}")
    if kind in MANY_IDS:
        return list(element.get(f"initial_{MANY_IDS[kind]}") or [])
    if kind == FILE_INPUT:
        return []
    return element.get("initial_value")


def initial_values(view: dict, kept: dict[str, Any] | None = None, old_view: dict | None = None) -> dict[str, Any]:
    """Start values; on an update, values of inputs with the same block, action and type stay."""
    old = {(f.block_id, f.action_id, f.kind) for f in fields(old_view or {})}
    values = {}
    for field in fields(view):
        if kept and (field.block_id, field.action_id, field.kind) in old and field.block_id in kept:
            values[field.block_id] = kept[field.block_id]
        else:
            values[field.block_id] = initial_value(field)
    return values


def _option(field: Field, raw: str) -> dict:
    options = field.options
    if raw.isdigit() and 1 <= int(raw) <= len(options):
        return options[int(raw) - 1]
    for option in options:
        text = str((option.get("text") or {}).get("text") or "")
        if raw == option.get("value") or raw.lower() == text.lower():
            return option
    raise FillError("console.fill_no_option", value=raw, count=len(options))


def pick(raw: str, known: list[tuple[str, str]], what: str) -> str:
    """An ID from a numbered list of (id, name): by number, ID, or name (with or without # / @)."""
    if raw.isdigit() and 1 <= int(raw) <= len(known):
        return known[int(raw) - 1][0]
    bare = raw.lstrip("#@").strip("<>").lstrip("#@").split("|")[0]
    for item_id, name in known:
        if bare in (item_id, name) or bare.lower() == name.lower():
            return item_id
    raise FillError(f"console.fill_no_{what}", value=raw)


def parse(field: Field, raw: str, people: list[tuple[str, str]], channels: list[tuple[str, str]]) -> Any:
    """The value `/fill N raw` gives this field, as the picker would; empty clears it."""
    raw = raw.strip()
    kind, multiple = field.kind, field.kind in MANY_OPTIONS or field.kind in MANY_IDS
    if not raw:
        return [] if multiple else None
    items = [part.strip() for part in raw.split(",") if part.strip()]
    if kind in TEXT_INPUTS:
        if field.element.get("multiline"):  # one line typed: `\n` starts another (poll slots, agenda)
            return "\n".join(line.strip() for line in raw.split("\\n"))
        if kind == "number_input":
            try:
                float(raw)
            except ValueError:
                raise FillError("console.fill_not_number", value=raw) from None
        return raw
    if kind in ONE_OPTION:
        return _option(field, raw)
    if kind in MANY_OPTIONS:
        return list({id(o): o for o in (_option(field, item) for item in items)}.values())
    if kind == "datepicker":
        try:
            return date.fromisoformat(raw).isoformat()
        except ValueError:
            raise FillError("console.fill_not_date", value=raw) from None
    if kind == "timepicker":
        try:
            return time.fromisoformat(raw).strftime("%H:%M")
        except ValueError:
            raise FillError("console.fill_not_time", value=raw) from None
    known, what = (people, "person") if "user" in kind else (channels, "channel")
    if kind in ONE_ID:
        return pick(raw, known, what)
    if kind in MANY_IDS:
        return list(dict.fromkeys(pick(item, known, what) for item in items))
    return raw


def length_error(field: Field, value: Any) -> tuple[str, dict] | None:
    """What Slack's client says before it lets a modal be submitted, or None."""
    if value in (None, "", []):
        return None if field.optional else ("console.required", {})
    if field.kind in TEXT_INPUTS and isinstance(value, str):
        low, high = field.element.get("min_length"), field.element.get("max_length")
        if low and len(value) < int(low):
            return "console.too_short", {"limit": low}
        if high and len(value) > int(high):
            return "console.too_long", {"limit": high}
    return None


def state_values(view: dict, values: dict[str, Any]) -> dict:
    """`view.state.values` exactly as Slack sends it: block_id -> action_id -> typed state."""
    state: dict[str, dict] = {}
    for field in fields(view):
        value, kind = values.get(field.block_id), field.kind
        entry: dict[str, Any] = {"type": kind}
        if kind in ONE_OPTION:
            entry["selected_option"] = value
        elif kind in MANY_OPTIONS:
            entry["selected_options"] = list(value or [])
        elif kind == "datepicker":
            entry["selected_date"] = value
        elif kind == "timepicker":
            entry["selected_time"] = value
        elif kind in ONE_ID:
            entry[f"selected_{ONE_ID[kind]}"] = value
        elif kind in MANY_IDS:
            entry[f"selected_{MANY_IDS[kind]}"] = list(value or [])
        elif kind == FILE_INPUT:
            entry["files"] = list(value or [])
        else:
            entry["value"] = value
        state[field.block_id] = {field.action_id: entry}
    return {"values": state}


def shown(field: Field, value: Any) -> str | None:
    """The value as the picker displays it (option texts, IDs), or None when empty."""
    if value in (None, "", []):
        return None
    if field.kind in ONE_OPTION:
        return str((value.get("text") or {}).get("text") or value.get("value"))
    if field.kind in MANY_OPTIONS:
        return ", ".join(str((o.get("text") or {}).get("text") or o.get("value")) for o in value)
    if field.kind == FILE_INPUT:
        return ", ".join(str(f.get("name")) for f in value)
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)
