"""HTTP mode: one ASGI app with `POST /slack/events` (behind the gate) and `GET /healthz`, served by uvicorn."""

from __future__ import annotations

import asyncio
import contextlib

from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.scheduler.runner import Runner
from bot.slack.envelope import Checked
from bot.slack.gate import Gate
from bot.slack.runtime import ACKS
from storage.db import ping

HEALTH_TIMEOUT_S = 2.0


def build_asgi(app: AsyncApp, engine: Engine, gate: Gate, runner: Runner | None = None) -> Starlette:
    """`gate` checks size, timestamp and signature (and that the body can be read) before Bolt sees anything."""
    handler = AsyncSlackRequestHandler(app)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette):
        if runner is not None:
            runner.start()
        try:
            yield
        finally:
            if runner is not None:
                await runner.stop()

    async def to_bolt(request: Request, _checked: Checked) -> Response:
        return await handler.handle(request)

    async def slack_events(request: Request) -> Response:
        ACKS.enter()
        try:
            return await gate(request, to_bolt)
        finally:
            ACKS.leave()

    async def healthz(_request: Request) -> Response:
        try:
            ok = await asyncio.wait_for(asyncio.to_thread(ping, engine), HEALTH_TIMEOUT_S)
        except asyncio.TimeoutError:
            ok = False
        return JSONResponse({"database": "ok" if ok else "unreachable"}, status_code=200 if ok else 503)

    return Starlette(routes=[Route("/slack/events", slack_events, methods=["POST"]),
                             Route("/healthz", healthz, methods=["GET"])], lifespan=lifespan)
