"""Block Kit as terminal text: messages, modals (numbered inputs) and the App Home, buttons numbered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.console import form
from bot.console.records import BOT_NAME
from bot.console.text import Names, Style, mrkdwn, plain_text
from bot.slack_double import Surface, View
from bot.texts import t_plain

RULE = "─"
INDENT = "  "
INLINE_OPTIONS = 12  # longer option lists are shown with /options N


@dataclass
class Button:
    """A pressable button as printed: `[number] label`, and where it sits."""

    block_id: str
    element: dict
    channel: str | None = None
    ts: str | None = None
    view_id: str | None = None


class Renderer:
    def __init__(self, names: Names, style: Style) -> None:
        self.names, self.style = names, style

    # ---- pieces
    def text(self, obj: Any) -> str:
        return plain_text(obj, self.names, self.style)

    def headline(self, title: str) -> str:
        return self.style.bold(f"{RULE * 2} {title} ".ljust(60, RULE))

    def where(self, channel: str | None, dm_user: str | None) -> str:
        if dm_user or channel is None:
            return t_plain("console.in_dm", bot=BOT_NAME)
        return t_plain("console.in_channel", channel=self.names.channel(channel), bot=BOT_NAME)

    def _button(self, element: dict, block_id: str, buttons: list[Button], place: dict) -> str:
        buttons.append(Button(block_id, element, **place))
        label = f"[{len(buttons)}] {self.text(element.get('text'))}"
        colour = {"primary": "green", "danger": "red"}.get(str(element.get("style")))
        return self.style.paint(label, "bold", colour) if colour else self.style.bold(label)

    def _element(self, element: dict, block_id: str, buttons: list[Button], place: dict) -> str:
        kind = element.get("type")
        if kind == "button":
            return self._button(element, block_id, buttons, place)
        if kind == "image":
            return t_plain("console.image", alt=element.get("alt_text") or "")
        if kind in ("mrkdwn", "plain_text"):
            return self.text(element)
        shown = self.text(element.get("placeholder")) or str(kind)
        return self.style.dim(f"⟨{shown}⟩")

    def _rich_text(self, block: dict) -> list[str]:
        def flatten(node: dict) -> str:
            if "elements" in node:
                return "".join(flatten(child) for child in node["elements"])
            if node.get("type") == "user":
                return "@" + self.names.user(str(node.get("user_id")))
            if node.get("type") == "channel":
                return "#" + self.names.channel(str(node.get("channel_id")))
            return str(node.get("text") or node.get("url") or "")

        return flatten(block).splitlines() or [""]

    def block(self, block: dict, buttons: list[Button], place: dict) -> list[str]:
        kind, block_id = block.get("type"), str(block.get("block_id") or "")
        if kind == "header":
            title = self.text(block.get("text"))
            return [self.style.bold(title), self.style.dim("═" * len(title))]
        if kind == "section":
            lines = self.text(block.get("text")).splitlines() if block.get("text") else []
            lines += [self.text(f) for f in block.get("fields") or []]
            if block.get("accessory"):
                lines.append(self._element(block["accessory"], block_id, buttons, place))
            return lines
        if kind == "context":
            parts = [self._element(e, block_id, buttons, place) for e in block.get("elements") or []]
            return [self.style.dim(line) for line in "  ".join(parts).splitlines()]
        if kind == "divider":
            return [self.style.dim(RULE * 40)]
        if kind == "actions":
            return ["  ".join(self._element(e, block_id, buttons, place) for e in block.get("elements") or [])]
        if kind == "image":
            return [t_plain("console.image", alt=block.get("alt_text") or "")]
        if kind == "rich_text":
            return self._rich_text(block)
        return [self.style.dim(t_plain("console.unsupported_block", type=str(kind)))]

    def blocks(self, blocks: list[dict], buttons: list[Button], place: dict) -> list[str]:
        lines: list[str] = []
        for block in blocks:
            lines += self.block(block, buttons, place)
        return lines

    # ---- surfaces
    def message(self, surface: Surface, buttons: list[Button], dm_user: str | None) -> list[str]:
        message = surface.message
        title = [self.where(surface.channel, dm_user)]
        if message and message.ephemeral_for:
            title.append(t_plain("console.only_you"))
        if surface.kind == "deleted":
            return [self.style.dim(t_plain("console.deleted", where=" · ".join(title)))]
        if surface.kind == "edited":
            title.append(t_plain("console.edited"))
        place = {"channel": message.channel, "ts": message.ts} if message else {}
        body = self.blocks(surface.blocks, buttons, place) if surface.blocks else \
            mrkdwn(surface.text, self.names, self.style).splitlines()
        return [self.headline(" · ".join(title)), *(INDENT + line for line in body)]

    def home(self, view: View, buttons: list[Button]) -> list[str]:
        body = self.blocks(list(view.view.get("blocks") or []), buttons, {"view_id": view.id})
        return [self.headline(t_plain("console.home_title", bot=BOT_NAME)), *(INDENT + line for line in body)]

    def modal(self, view: View, buttons: list[Button]) -> list[str]:
        spec = view.view
        lines = [self.headline(t_plain("console.modal_title", title=self.text(spec.get("title"))))]
        numbered = {f.block_id: f for f in form.fields(spec)}
        for block in spec.get("blocks") or []:
            field = numbered.get(str(block.get("block_id"))) if block.get("type") == "input" else None
            if field is None:
                lines += [INDENT + line for line in self.block(block, buttons, {"view_id": view.id})]
            else:
                lines += self.field(field, view.values.get(field.block_id), view.errors.get(field.block_id))
        for block_id in sorted(set(view.errors) - set(numbered)):
            lines.append(self.style.paint(t_plain("console.error_not_an_input", block=block_id,
                                                  error=mrkdwn(view.errors[block_id], self.names, self.style)), "red"))
        if spec.get("submit"):
            lines.append(self.style.dim(t_plain("console.modal_submit", submit=self.text(spec["submit"]))))
        close = self.text(spec.get("close")) or t_plain("console.close_default")
        lines.append(self.style.dim(t_plain("console.modal_help", close=close)))
        return lines

    def field(self, field: form.Field, value: Any, error: str | None) -> list[str]:
        need = t_plain("console.optional" if field.optional else "console.required_mark")
        kind = t_plain(form.TYPE_KEYS[field.kind]) if field.kind in form.TYPE_KEYS else field.kind
        lines = [self.style.bold(f"[{field.number}] {self.text(field.block.get('label'))}") + f" · {kind} · {need}"]
        if field.block.get("hint"):
            lines.append(INDENT * 2 + self.style.dim(self.text(field.block["hint"])))
        lines += [INDENT * 2 + line for line in self.choices(field)]
        lines.append(INDENT * 2 + t_plain("console.value", value=self.value(field, value)))
        if error:
            lines.append(INDENT * 2 + self.style.paint("! " + mrkdwn(error, self.names, self.style), "red"))
        return lines

    def choices(self, field: form.Field) -> list[str]:
        if field.kind in form.ONE_OPTION or field.kind in form.MANY_OPTIONS:
            options = field.options
            if len(options) > INLINE_OPTIONS:
                return [self.style.dim(t_plain("console.many_options", count=len(options), number=field.number))]
            return [self.style.dim("  ".join(f"{n}) {self.text(o.get('text'))}" for n, o in enumerate(options, 1)))]
        if field.kind in form.ONE_ID or field.kind in form.MANY_IDS:
            if "user" in field.kind:
                return [self.style.dim(t_plain("console.pick_people"))]
            channels = "  ".join(f"{n}) #{name}" for n, name in enumerate(self.names.channels.values(), 1))
            return [self.style.dim(channels)]
        if field.kind == form.FILE_INPUT:
            types = ", ".join(str(t) for t in field.element.get("filetypes") or ["*"])
            return [self.style.dim(t_plain("files.console.pick_file", number=field.number, types=types))]
        return []

    def options(self, field: form.Field) -> list[str]:
        return [f"{INDENT}{n}) {self.text(o.get('text'))}  [{o.get('value')}]" for n, o in enumerate(field.options, 1)]

    def value(self, field: form.Field, value: Any) -> str:
        if value in (None, "", []):
            return t_plain("console.empty")
        if "user" in field.kind:
            ids = value if isinstance(value, list) else [value]
            return ", ".join(f"@{self.names.user(i)} ({i})" for i in ids)
        if field.kind in form.ONE_ID or field.kind in form.MANY_IDS:
            ids = value if isinstance(value, list) else [value]
            return ", ".join("#" + self.names.channel(i) for i in ids)
        return form.shown(field, value) or ""
