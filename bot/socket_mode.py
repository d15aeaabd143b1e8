"""Socket Mode (`consultbot serve --socket`): Slack's requests over a WebSocket the bot opens.

Stops as HTTP mode does on SIGTERM or SIGINT: the reminder clock stops (the tick in flight is
waited for, bot/scheduler/runner.py), then the WebSocket is closed, and the process exits 0."""

from __future__ import annotations

import asyncio
import logging
import signal

from slack_bolt.async_app import AsyncApp

from bot.scheduler.runner import Runner

log = logging.getLogger(__name__)


async def serve_socket_mode(app: AsyncApp, app_token: str, runner: Runner) -> int:
    from bot.slack.socket_gate import CheckedSocketModeHandler

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    handler = CheckedSocketModeHandler(app, app_token)  # its aiohttp session needs this running loop
    runner.start()
    try:
        await handler.connect_async()
        log.info("socket mode: connected")
        await stop.wait()
        log.info("socket mode: stopping")
    finally:
        await runner.stop()
        await handler.close_async()
    log.info("socket mode: stopped")
    return 0
