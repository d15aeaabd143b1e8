"""`consultbot console`: the bot's real Bolt listeners, a demo workspace, a prompt in this terminal.

Lines come from stdin (a terminal or a pipe); `/consult …` goes to the bot as a slash command,
the console's own commands (`/help`) act as the person would in Slack: press, fill, submit.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import sys
import tempfile
from collections.abc import Awaitable, Callable

from sqlalchemy.engine import Engine

from bot.console import form, people
from bot.console.demo import seed as seed_demo
from bot.console.records import BOT_NAME, BOT_TOKEN
from bot.console.session import Session
from bot.console.terminal import Lines, out
from bot.console.text import Style
from bot.console.workspace import Workspace
from bot.seed import DemoWorkspace, load_demo
from bot.settings import Settings, SettingsError
from bot.slack import ids
from bot.startup import bolt_app, prepare
from bot.texts import t_plain


class Shell:
    def __init__(self, session: Session, engine: Engine, demo: DemoWorkspace) -> None:
        self.s, self.engine, self.demo = session, engine, demo
        self.style = session.style
        self.commands: dict[str, Callable[[str], Awaitable[bool | None]]] = {
            "/help": self.help, "/people": self.people, "/as": self.switch, "/channel": self.channel,
            "/press": self.press, "/fill": self.fill, "/options": self.options, "/modal": self.modal,
            "/submit": self.submit, "/close": self.close, "/home": self.home, "/quit": self.quit,
            "/exit": self.quit}

    def say(self, key: str, **params: object) -> None:
        out([t_plain(key, **params)])

    def warn(self, key: str, **params: object) -> None:
        out([self.style.paint(t_plain(key, **params), "yellow")])

    async def run(self, lines: Lines, user: str | None) -> int:
        self.say("console.welcome")
        person = people.find(self.demo, user) if user is not None else None
        if user is not None and person is None:
            self.warn("console.unknown_person", value=user)
            return 2
        if person is None:
            out(await asyncio.to_thread(people.listing, self.engine, self.demo))
        while person is None:
            answer = await lines.get(t_plain("console.who_are_you"))
            if answer is None:
                return 0
            person = people.find(self.demo, answer)
            if person is None:
                self.warn("console.unknown_person", value=answer)
        self.become(person.slack_user_id)
        self.say("console.help_hint")
        while True:
            line = await lines.get(t_plain("console.prompt", name=self.s.person.display_name,
                                           where=self.s.channel_label()))
            if line is None or await self.handle(line.strip()) is False:
                return 0

    def become(self, user: str) -> None:
        self.s.become(user)
        self.say("console.you_are", name=self.s.person.display_name, user=user, where=self.s.channel_label())
        self.s.show_waiting()

    async def handle(self, line: str) -> bool | None:
        if not line:
            return None
        word, _, rest = line.partition(" ")
        if word == ids.COMMAND:
            await self.s.slash(ids.COMMAND, rest.strip())
        elif word.lower() in self.commands:
            return await self.commands[word.lower()](rest.strip())
        elif word.startswith("/"):
            self.warn("console.unknown_command", command=word)
        else:
            self.warn("console.not_a_command")
        return None

    # ---- the console's own commands
    async def help(self, rest: str) -> None:
        out(t_plain("console.help", command=ids.COMMAND).splitlines())

    async def quit(self, rest: str) -> bool:
        return False

    async def people(self, rest: str) -> None:
        out(await asyncio.to_thread(people.listing, self.engine, self.demo, self.s.user))

    async def switch(self, rest: str) -> None:
        if not rest:
            return await self.people(rest)
        person = people.find(self.demo, rest)
        if person is None:
            self.warn("console.unknown_person", value=rest)
        else:
            self.become(person.slack_user_id)

    async def channel(self, rest: str) -> None:
        ws = self.s.ws
        choices = [(cid, name) for cid, name in ws.channel_names.items()]
        if not rest:
            lines = [f"  {n}) #{name}  {cid}" for n, (cid, name) in enumerate(choices, 1)]
            out([t_plain("console.channels_header"), *lines, "  dm) " + t_plain("console.in_dm", bot=BOT_NAME)])
            return
        if rest.lower() == "dm":
            self.s.channel = ws.dm_channel(self.s.user)
        else:
            try:
                self.s.channel = form.pick(rest, choices, "channel")
            except form.FillError as exc:
                return self.warn(exc.key, **exc.params)
        self.say("console.now_in", where=self.s.channel_label())

    def _number(self, raw: str, count: int, key: str) -> int | None:
        if raw.isdigit() and 1 <= int(raw) <= count:
            return int(raw)
        self.warn(key, value=raw or "—", count=count)
        return None

    async def press(self, rest: str) -> None:
        if not self.s.buttons:
            return self.warn("console.no_buttons")
        number = self._number(rest, len(self.s.buttons), "console.no_such_button")
        if number is None:
            return None
        button = self.s.buttons[number - 1]
        if not self.s.can_press(button):
            return self.warn("console.button_gone")
        await self.s.press(button)

    def _modal(self):
        view = self.s.ws.top_modal(self.s.user)
        if view is None:
            self.warn("console.no_modal")
        return view

    def _field(self, view, raw: str) -> form.Field | None:
        fields = form.fields(view.view)
        number = self._number(raw, len(fields), "console.no_such_field")
        return fields[number - 1] if number else None

    async def fill(self, rest: str) -> None:
        view = self._modal()
        if view is None:
            return
        number, _, raw = rest.partition(" ")
        field = self._field(view, number)
        if field is None:
            return
        people_ids = [(p.slack_user_id, p.display_name) for p in self.demo.people]
        try:
            if field.kind == form.FILE_INPUT:  # a file from this computer, "uploaded" to the workspace
                value = self.s.ws.attach(self.s.user, raw.strip(), field.element)
            else:
                value = form.parse(field, raw, people_ids, list(self.s.ws.channel_names.items()))
        except form.FillError as exc:
            return self.warn(exc.key, **exc.params)
        view.values[field.block_id] = value
        view.errors.pop(field.block_id, None)
        renderer = self.s.renderer()
        out([t_plain("console.filled", number=field.number, label=renderer.text(field.block.get("label")),
                     value=renderer.value(field, value))])

    async def options(self, rest: str) -> None:
        view = self._modal()
        field = self._field(view, rest) if view else None
        if field is not None:
            out(self.s.renderer().options(field) or [t_plain("console.no_options")])

    async def modal(self, rest: str) -> None:
        view = self._modal()
        if view is not None:
            out(self.s.renderer().modal(view, []))

    async def submit(self, rest: str) -> None:
        view = self._modal()
        if view is None:
            return
        problems = {f.block_id: e for f in form.fields(view.view)
                    if (e := form.length_error(f, view.values.get(f.block_id)))}
        if problems:
            view.errors = {block: t_plain(key, **params) for block, (key, params) in problems.items()}
            out(self.s.renderer().modal(view, []))
            return
        view.errors = {}
        await self.s.submit(view)

    async def close(self, rest: str) -> None:
        view = self._modal()
        if view is not None:
            await self.s.close(view)

    async def home(self, rest: str) -> None:
        await self.s.home()


async def _main(settings: Settings, engine: Engine, demo: DemoWorkspace, user: str | None) -> int:
    channels = {p.channel_id: p.handle for p in demo.processes if p.channel_id}
    ws = Workspace(demo, channels).start()  # the Slack double on 127.0.0.1, in its own threads
    try:
        secret = secrets.token_hex(16)
        app = bolt_app(settings.model_copy(update={"slack_api_url": ws.api_url}), engine,
                       signing_secret=secret, token=BOT_TOKEN)
        style = Style(color=sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
        shell = Shell(Session(ws, demo, app, secret, style, out), engine, demo)
        return await shell.run(Lines(), user)
    finally:
        await asyncio.to_thread(ws.stop)


def run_console(settings: Settings, database_url: str | None = None, user: str | None = None) -> int:
    """Prepare a demo database (a fresh SQLite file unless `database_url`), then run the prompt."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    with tempfile.TemporaryDirectory(prefix="consultbot-console-") as folder:
        url = database_url or f"sqlite:///{folder}/console.sqlite3"
        try:
            url = type(settings)._database_url(url)  # the same check DATABASE_URL gets
        except ValueError as exc:
            raise SettingsError(t_plain("console.bad_database_url", error=str(exc))) from None
        settings = settings.model_copy(update={"database_url": url})
        engine = prepare(settings)
        try:
            demo = load_demo()
            seed_demo(engine, demo)
            return asyncio.run(_main(settings, engine, demo, user))
        finally:
            engine.dispose()
