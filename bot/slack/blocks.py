"""Block Kit builders that stay inside Slack's limits (slack-sdk checks only some of them)."""

from __future__ import annotations

from typing import Any

from bot.mrkdwn import escape
from bot.slack.ids import INPUT
from bot.texts import t_plain

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_TEXT = 3000
HEADER_TEXT = 150
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
MODAL_TITLE = 24
ACTIONS_ELEMENTS = 25
MESSAGE_TEXT = 40000

Block = dict[str, Any]


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(text: str, limit: int = SECTION_TEXT) -> dict[str, Any]:
    """A plain_text object. Slack reads &, < and > as markup in every text field, so they are escaped here,
    as user text is in mrkdwn (t() escapes parameters): a title typed as "<!channel>" stays text."""
    return {"type": "plain_text", "text": escaped_clip(text, limit), "emoji": True}


def escaped_clip(text: str, limit: int) -> str:
    """`text` escaped and clipped to `limit` characters, never cutting an entity in two."""
    shown = escape(text)
    if len(shown) <= limit:
        return shown
    cut = limit - 1
    while len(escape(text[:cut])) > limit - 1:
        cut -= max(1, (len(escape(text[:cut])) - (limit - 1)) // 5)
    return escape(text[:cut]) + "…"


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": clip(text, SECTION_TEXT)}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, HEADER_TEXT)}


def section(text: str, accessory: Block | None = None) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if accessory:
        block["accessory"] = accessory
    return block


def sections(lines: list[str]) -> list[Block]:
    """Lines packed into as few sections as the 3,000-character limit allows."""
    blocks: list[Block] = []
    chunk: list[str] = []
    size = 0
    for line in lines:
        line = clip(line, SECTION_TEXT)
        if chunk and size + len(line) + 1 > SECTION_TEXT:
            blocks.append(section("\n".join(chunk)))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk:
        blocks.append(section("\n".join(chunk)))
    return blocks


def context(text: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(text)]}


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str = "", style: str | None = None) -> Block:
    element: Block = {"type": "button", "text": plain(text, BUTTON_TEXT), "action_id": action_id}
    if value:
        element["value"] = value[:BUTTON_VALUE]
    if style:
        element["style"] = style
    return element


def actions(*elements: Block, block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements)[:ACTIONS_ELEMENTS]}
    if block_id:
        block["block_id"] = block_id
    return block


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text, 75), "value": value}


def input_block(block_id: str, label: str, element: Block, optional: bool = False, hint: str | None = None) -> Block:
    """A modal input whose value the bot reads at state.values[block_id]["value"]."""
    block: Block = {"type": "input", "block_id": block_id, "label": plain(label, 2000),
                    "element": {**element, "action_id": INPUT}, "optional": optional}
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def _fit(blocks: list[Block], limit: int, locale: str | None) -> list[Block]:
    if len(blocks) <= limit:
        return blocks
    kept = blocks[: limit - 1]
    return kept + [context(t_plain("common.more_not_shown", locale, count=len(blocks) - len(kept)))]


def fit_message(blocks: list[Block], locale: str | None = None) -> list[Block]:
    return _fit(blocks, MESSAGE_BLOCKS, locale)


def fit_view(blocks: list[Block], locale: str | None = None) -> list[Block]:
    return _fit(blocks, VIEW_BLOCKS, locale)


def modal(callback_id: str, title: str, blocks: list[Block], submit: str | None = None,
          close: str | None = None, private_metadata: str = "") -> Block:
    view: Block = {"type": "modal", "callback_id": callback_id, "title": plain(title, MODAL_TITLE),
                   "blocks": fit_view(blocks)}
    if submit:
        view["submit"] = plain(submit, MODAL_TITLE)
    if close:
        view["close"] = plain(close, MODAL_TITLE)
    if private_metadata:
        view["private_metadata"] = private_metadata[:3000]
    return view


def home(blocks: list[Block]) -> Block:
    return {"type": "home", "blocks": fit_view(blocks)}


def under_header(view: Block, extra: list[Block], unit: int = 1) -> Block:
    """`view` (an App Home) with `extra` right under its header, as many as its 100 blocks leave room for (in
    whole groups of `unit` blocks)."""
    if not extra:
        return view
    blocks = view["blocks"]
    room = max(0, VIEW_BLOCKS - len(blocks))
    return {**view, "blocks": blocks[:1] + extra[:room - room % unit] + blocks[1:]}


def message_text(text: str) -> str:
    return clip(text, MESSAGE_TEXT)
