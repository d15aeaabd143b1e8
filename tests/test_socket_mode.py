"""Scenario: behind a firewall, `consultbot serve --socket` takes Slack's requests over a WebSocket."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import threading
import time

import pytest

from aiohttp import WSMsgType, web

from tests.bot_process import BotProcess, free_port


class FakeSocketModeServer:
    """Slack's Socket Mode end: says hello, sends its envelopes (objects, or raw text), records the bot's acks."""

    def __init__(self, *envelopes: dict | str) -> None:
        self.envelopes = envelopes
        self.acks: list[dict] = []
        self.closed = False  # the bot closed the WebSocket
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
        self.closed = True
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


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_socket_mode_stops_cleanly_on_a_signal_waiting_for_the_reminders_in_flight(
        slack, bot_env, bot, private_database_url, tmp_path, stop_signal):
    """An orchestrator stops the pod (SIGTERM) or an operator presses Ctrl-C (SIGINT): the clock stops
    after the tick in flight, the WebSocket is closed, the process exits 0 with no traceback."""
    envelope = {"envelope_id": "6b1b3c0e-0a5e-4a59-9d0e-stop", "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": {"token": "x", "team_id": "T0EMG", "team_domain": "emg", "channel_id": "C0FRAMEWORK",
                            "channel_name": "framework", "user_id": "U0SEC1", "user_name": "amina",
                            "command": "/consult", "text": "help", "api_app_id": "A0APP",
                            "response_url": f"{slack.base_url}/response/socket-stop", "trigger_id": "1.1.stop"}}
    server = FakeSocketModeServer(envelope).start()
    slack.socket_url = server.url
    slack.reset()
    env = {**bot_env, "SLACK_APP_TOKEN": slack.app_token, "DATABASE_URL": private_database_url,  # SQLite or PostgreSQL
           "LOG_LEVEL": "info", "REMINDER_TICK_SECONDS": "0.2"}
    process = BotProcess(env, tmp_path / "socket.log", args=("serve", "--socket"))
    try:
        process.start_without_http()
        slack.wait_for("response_url", timeout=20)  # connected and serving
        deadline = time.monotonic() + 5
        while not server.acks and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.acks, process.output()
        process.proc.send_signal(stop_signal)
        assert process.proc.wait(15) == 0, process.output()
        log = process.output()
        assert "Traceback" not in log and '"level": "error"' not in log, log
        messages = [json.loads(line)["message"] for line in log.splitlines()]
        assert messages[-1] == "socket mode: stopped" and "socket mode: stopping" in messages, messages
        deadline = time.monotonic() + 5
        while not server.closed and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.closed, "the bot closed its WebSocket"
    finally:
        process.stop()
        server.stop()
        slack.socket_url = None
