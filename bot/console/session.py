"""One console session: who is acting where, sending Slack's requests to Bolt, printing what follows.

Listeners run on after their ack (process_before_response=False), so after each request the
session waits for Bolt's listener tasks and then for the workspace to be quiet, bounded, before
it prints the new surfaces: those of the current person now, others' when they switch to them.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from bot.console import payloads
from bot.console.records import BOT_NAME, BOT_USER
from bot.console.render import Button, Renderer
from bot.console.text import Names, Style
from bot.console.workspace import Workspace
from bot.seed import DemoWorkspace
from bot.slack_double import Surface, View
from bot.texts import t_plain

QUIET_S = 0.2  # no Web API call for this long: the listeners are done
SETTLE_MAX_S = 15.0


def _is_listener(task: asyncio.Task) -> bool:
    code = getattr(task.get_coro(), "cr_code", None)
    return code is not None and "slack_bolt" in code.co_filename


class Session:
    def __init__(self, ws: Workspace, demo: DemoWorkspace, app: AsyncApp, secret: str, style: Style,
                 out: Callable[[list[str]], None]) -> None:
        self.ws, self.demo, self.app, self.secret, self.style, self.out = ws, demo, app, secret, style, out
        self.user = ""
        self.channel = next(iter(ws.channel_names))
        self.buttons: list[Button] = []
        self.seen = len(ws.surfaces)
        self.unread: dict[str, list[Surface]] = {}
        self._tasks: list[asyncio.Task] = []

    # ---- who and where
    @property
    def person(self):
        return self.ws.people[self.user]

    def names(self) -> Names:
        users = {p.slack_user_id: p.display_name for p in self.demo.people} | {BOT_USER: BOT_NAME}
        return Names(users=users, channels=dict(self.ws.channel_names), timezone=self.person.timezone or "UTC",
                     locale=self.person.locale)

    def renderer(self) -> Renderer:
        return Renderer(self.names(), self.style)

    def channel_label(self) -> str:
        if self.ws.dm_user(self.channel):
            return t_plain("console.in_dm", bot=BOT_NAME)
        return "#" + self.ws.channel_names.get(self.channel, self.channel)

    def become(self, user: str) -> None:
        self.user, self.buttons = user, []
        if self.ws.dm_user(self.channel):
            self.channel = self.ws.dm_channel(user)

    def show_waiting(self) -> None:
        """What arrived for this person while the console was someone else."""
        self._print(self.unread.pop(self.user, []))

    # ---- requests
    async def send(self, request: tuple[str, str]) -> BoltResponse:
        """Dispatch a signed request through Bolt and return its ack; listeners may run on: settle()."""
        before = asyncio.all_tasks()
        response = await payloads.dispatch(self.app, self.secret, *request)
        self._tasks = [t for t in asyncio.all_tasks() - before if _is_listener(t)]
        return response

    async def settle(self) -> None:
        started = time.monotonic()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=SETTLE_MAX_S)
        while time.monotonic() - started < SETTLE_MAX_S:
            quiet = time.monotonic() - self.ws.activity
            if self.ws.inflight == 0 and quiet >= QUIET_S:
                break
            await asyncio.sleep(0.02)
        self._tasks = []

    def failed(self, response: BoltResponse) -> bool:
        if response.status == 200:
            return False
        key = "console.no_ack" if response.status == 404 else "console.request_failed"
        self.out([self.style.paint(t_plain(key, status=response.status, body=response.body or ""), "red")])
        return True

    async def slash(self, command: str, text: str) -> None:
        response = await self.send(payloads.slash_command(self.ws, self.user, self.channel, command, text))
        if not self.failed(response) and response.body:
            self._ack_message(response.body)
        await self.settle()
        self.flush()

    def _ack_message(self, body: str) -> None:
        """A slash command's ack body is shown to the caller as an ephemeral message."""
        try:
            data = json.loads(body)
        except ValueError:
            data = {"text": body}
        self.ws.ephemeral(self.user, self.channel, str(data.get("text") or ""), list(data.get("blocks") or []))

    def can_press(self, button: Button) -> bool:
        """The button is still on a message or view this person sees (messages change, views close)."""
        ws = self.ws
        if button.view_id:
            view = ws.views.get(button.view_id)
            open_views = (ws.stacks.get(self.user) or []) + [ws.homes.get(self.user)]
            blocks = view.view.get("blocks") if view and view.id in open_views else None
        else:
            message = ws.messages.get((button.channel or "", button.ts or ""))
            visible = message is not None and not message.deleted and \
                message.ephemeral_for in (None, self.user) and ws.dm_user(message.channel) in (None, self.user)
            blocks = message.blocks if visible else None
        wanted = (button.element.get("action_id"), button.element.get("value"))
        for block in blocks or []:
            elements = list(block.get("elements") or []) + [block.get("accessory") or {}]
            if block.get("block_id") == button.block_id and \
                    any((e.get("action_id"), e.get("value")) == wanted for e in elements):
                return True
        return False

    async def press(self, button: Button) -> None:
        if button.view_id:
            request = payloads.view_button(self.ws, self.user, button.view_id, button.element, button.block_id)
        else:
            request = payloads.message_button(self.ws, self.user, button.channel, button.ts, button.element,
                                              button.block_id)
        self.failed(await self.send(request))
        await self.settle()
        self.flush()

    async def submit(self, view: View) -> None:
        response = await self.send(payloads.view_submission(self.ws, self.user, view.id))
        if not self.failed(response):
            self._after_submission(view, response.body)
        await self.settle()
        self.flush()

    def _after_submission(self, view: View, body: str) -> None:
        try:
            answer = json.loads(body) if body else {}
        except ValueError:
            answer = {}
        action = answer.get("response_action")
        if action == "errors":
            view.errors = {str(k): str(v) for k, v in (answer.get("errors") or {}).items()}
            self.ws.show(Surface("modal", self.user, view=view))
        elif action == "update" and isinstance(answer.get("view"), dict):
            self.ws.replace_view(view, answer["view"])
        elif action == "push" and isinstance(answer.get("view"), dict):
            self.ws.push_view(self.user, answer["view"])
        else:
            self.ws.close_modal(self.user, everything=action == "clear")
            self.ws.show(Surface("closed", self.user))

    async def close(self, view: View) -> None:
        if view.view.get("notify_on_close"):
            self.failed(await self.send(payloads.view_closed(self.ws, self.user, view.id)))
        self.ws.close_modal(self.user)
        self.ws.show(Surface("closed", self.user))
        await self.settle()
        self.flush()

    async def home(self) -> None:
        count = len(self.ws.surfaces)
        self.failed(await self.send(payloads.app_home_opened(self.ws, self.user)))
        await self.settle()
        published = any(s.kind == "home" and s.viewer == self.user for s in self.ws.surfaces[count:])
        home = self.ws.views.get(self.ws.homes.get(self.user, ""))
        if not published:
            self.ws.show(Surface("home", self.user, view=home) if home else Surface("home_empty", self.user))
        self.flush()

    # ---- output
    def flush(self) -> None:
        """Print what the current person sees; note what waits for others."""
        new, self.seen = self.ws.surfaces[self.seen:], len(self.ws.surfaces)
        mine = [s for s in new if s.viewer in (None, self.user)]
        waiting: dict[str, int] = {}
        for surface in new:
            if surface.viewer not in (None, self.user):
                self.unread.setdefault(surface.viewer, []).append(surface)
                waiting[surface.viewer] = waiting.get(surface.viewer, 0) + 1
        self._print(mine)
        for user, count in waiting.items():
            number = next(i for i, p in enumerate(self.demo.people, 1) if p.slack_user_id == user)
            self.out([self.style.dim(t_plain("console.waiting_for", count=count, number=number,
                                             name=self.ws.people[user].display_name))])

    def _print(self, surfaces: list[Surface]) -> None:
        renderer, buttons, lines = self.renderer(), [], []
        for surface in surfaces:
            lines += self.lines(renderer, surface, buttons)
        if buttons:
            self.buttons = buttons
        if lines:
            self.out(lines)

    def lines(self, renderer: Renderer, surface: Surface, buttons: list[Button]) -> list[str]:
        kind = surface.kind
        if kind in ("message", "edited", "deleted"):
            return renderer.message(surface, buttons, self.ws.dm_user(surface.channel or ""))
        if kind == "modal" and surface.view and surface.view.id in (self.ws.stacks.get(self.user) or []):
            return renderer.modal(surface.view, buttons)
        if kind == "home" and surface.view and self.ws.homes.get(self.user) == surface.view.id:
            return renderer.home(surface.view, buttons)
        if kind == "file":
            where = renderer.where(surface.channel, self.ws.dm_user(surface.channel or ""))
            text = [renderer.text({"type": "mrkdwn", "text": surface.text})] if surface.text else []
            return [renderer.headline(t_plain("console.file_shared", where=where)), *text, surface.detail]
        if kind == "api_error":
            return [self.style.dim(t_plain("console.api_error", method=surface.text, error=surface.detail))]
        if kind == "closed":
            return [self.style.dim(t_plain("console.modal_closed"))]
        if kind == "home_empty":
            return [self.style.dim(t_plain("console.home_empty"))]
        return []
