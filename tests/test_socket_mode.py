"""Scenario: behind a firewall, `consultbot serve --socket` takes Slack's requests over a WebSocket."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time

from aiohttp import WSMsgType, web

from tests.bot_process import BotProcess, free_port


class FakeSocketModeServer:
    """Slack's Socket Mode end: says hello, sends its envelopes (objects, or raw text), records the bot's acks."""

    def __init__(self, *envelopes: dict | str) -> None:
        self.envelopes = envelopes
        self.acks: list[dict] = []
        self.port = free_port()
        self.url = f"ws://127.0.0.1:{self.port}/link"
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {"host": "test"},
                            "connection_info": {"app_id": "A0APP"}})
        for envelope in self.envelopes:
            await (ws.send_str(envelope) if isinstance(envelope, str) else ws.send_json(envelope))
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                self.acks.append(json.loads(message.data))
        return ws

    def start(self) -> "FakeSocketModeServer":
        async def serve() -> None:
            app = web.Application()
            app.router.add_get("/link", self._link)
            self.runner = web.AppRunner(app)
            await self.runner.setup()
            await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

        self.thread.start()
        asyncio.run_coroutine_threadsafe(serve(), self.loop).result(10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)


@contextlib.contextmanager
def socket_mode_bot(slack, bot_env, tmp_path, *envelopes: dict | str):
    """`consultbot serve --socket` on its own database (on SQLite one `serve` per file: the `bot` fixture
    serves the shared one), connected to a fake Socket Mode end that sends `envelopes`."""
    server = FakeSocketModeServer(*envelopes).start()
    slack.socket_url = server.url
    slack.reset()
    env = {**bot_env, "SLACK_APP_TOKEN": slack.app_token, "DATABASE_URL": f"sqlite:///{tmp_path}/socket.sqlite3"}
    process = BotProcess(env, tmp_path / "socket.log", args=("serve", "--socket"))
    try:
        process.start_without_http()
        yield process, server
    finally:
        process.stop()
        server.stop()
        slack.socket_url = None


def _wait_for_acks(server: FakeSocketModeServer, count: int) -> list[str]:
    deadline = time.monotonic() + 5
    while len(server.acks) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return [ack["envelope_id"] for ack in server.acks]


def _whoami(slack, n: int, **drop: bool) -> dict:
    payload = {"token": "x", "team_id": "T0EMG", "team_domain": "emg", "channel_id": "C0FRAMEWORK",
               "channel_name": "framework", "user_id": "U0SEC1", "user_name": "amina", "command": "/consult",
               "text": "whoami", "api_app_id": "A0APP", "response_url": f"{slack.base_url}/response/socket-{n}",
               "trigger_id": f"{n}.{n}.socket"}
    return {k: v for k, v in payload.items() if k not in drop}


def test_a_slash_command_over_socket_mode_is_acked_and_answered(slack, bot_env, bot, tmp_path):
    envelope = {"envelope_id": "57d6a792-4d35-4d0f-b8d6-2d4a1b5e3e3b", "type": "slash_commands",
                "accepts_response_payload": True, "payload": _whoami(slack, 1)}
    with socket_mode_bot(slack, bot_env, tmp_path, envelope) as (_process, server):
        answer = slack.wait_for("response_url", timeout=20)[0]
        assert "*secretariat* of the EMG" in json.dumps(answer.params)
        assert _wait_for_acks(server, 1) == [envelope["envelope_id"]]


def test_envelopes_the_bot_cannot_read_are_acked_and_dropped_without_a_traceback(slack, bot_env, bot, tmp_path):
    envelopes = (
        "{not json",
        {"envelope_id": "e-list", "type": "interactive", "payload": [1, 2], "accepts_response_payload": False},
        {"envelope_id": "e-nouser", "type": "slash_commands", "payload": _whoami(slack, 2, user_id=True),
         "accepts_response_payload": True},
        {"envelope_id": "e-noactions", "type": "interactive", "accepts_response_payload": False,
         "payload": {"type": "block_actions", "user": {"id": "U0SEC1"}, "actions": []}},
        {"envelope_id": "e-good", "type": "slash_commands", "payload": _whoami(slack, 3),
         "accepts_response_payload": True},
    )
    with socket_mode_bot(slack, bot_env, tmp_path, *envelopes) as (process, server):
        answer = slack.wait_for("response_url", timeout=20)[0]
        assert "*secretariat* of the EMG" in json.dumps(answer.params)
        assert set(_wait_for_acks(server, 4)) == {"e-list", "e-nouser", "e-noactions", "e-good"}
        assert len(slack.calls_to("response_url")) == 1
        log = process.output()
        assert "Traceback" not in log and "Failed to" not in log, log
        assert "dropped a Socket Mode message that is not JSON" in log
        assert "malformed slash_commands envelope acked and dropped" in log
