"""The console's Slack workspace: the Slack double (bot/slack_double/) on 127.0.0.1, with the demo's
people and process channels, recording what each person sees as a `Surface` for the shell to print.

Every request comes from the console, so only the triggers it issued open modals; IDs carry this
run's mark (with --database-url a second run's modal V…1 is not the first run's, whose submission
the bot remembers by idempotency key and would drop as a replay) and message timestamps are real.
"""

from __future__ import annotations

import itertools
import secrets
import time
from pathlib import Path

from bot.console import files, form
from bot.console.records import APP_ID, BOT_ID, BOT_NAME, BOT_TOKEN, BOT_USER
from bot.seed import DemoWorkspace
from bot.slack_double import Message, SlackDouble, Surface, View


class Workspace(SlackDouble):
    def __init__(self, demo: DemoWorkspace, channels: dict[str, str]) -> None:
        self.run = secrets.token_hex(3).upper()
        self._counter = itertools.count(1)
        super().__init__(BOT_TOKEN, team_id=demo.team_id, team="EMG", user_id=BOT_USER, bot_id=BOT_ID,
                         app_id=APP_ID, bot_name=BOT_NAME)
        self.only_issued_triggers = True
        self.people = {p.slack_user_id: p for p in demo.people}
        self.channel_names = dict(channels)  # channel ID -> name, in the order the console lists them
        self.surfaces: list[Surface] = []
        self.files_dir: Path | None = None
        for p in demo.people:
            self.add_user(p.slack_user_id, p.slack_user_id.lower(), tz=p.timezone or "UTC",
                          locale=p.locale or "en-US", real_name=p.display_name, display_name=p.display_name,
                          dm="D" + p.slack_user_id[1:])
        for channel_id, name in channels.items():
            self.add_channel(channel_id, name)

    # ---- ids
    def new_id(self, prefix: str) -> str:
        return f"{prefix}{self.run}{next(self._counter):06d}"

    def _next_ts(self) -> str:
        return f"{time.time():.6f}".split(".")[0] + f".{next(self._counter):06d}"

    # ---- what people see
    def effect(self, surface: Surface) -> None:
        if surface.kind == "file":  # the bot shared a file: saved to a folder, its path shown
            upload = self.uploaded_files[surface.detail]
            path = files.save(self.files_dir, upload["filename"], upload["bytes"] or b"")
            self.files_dir, surface.detail = path.parent, str(path)
        self.show(surface)

    def show(self, surface: Surface) -> None:
        with self._lock:
            self.surfaces.append(surface)

    def ephemeral(self, user: str, channel: str, text: str, blocks: list) -> Message:
        return self.post(channel, text, blocks, ephemeral_for=user)

    def attach(self, user: str, raw: str, element: dict) -> list[dict]:
        return files.attach(self, user, raw, element)

    # ---- modal inputs: what was filled in stays when the bot replaces a view, and reaches it as Slack's state
    def on_new_view(self, record: View, old: View | None) -> None:
        record.values = form.initial_values(record.view, old.values if old else None, old.view if old else None)

    def state_of(self, record: View) -> dict:
        return form.state_values(record.view, record.values)
