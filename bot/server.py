"""HTTP mode: one ASGI app with `POST /slack/events` (behind the gate, bot/slack/gate.py), with install by
OAuth `GET /slack/install` and `GET /slack/oauth_redirect` (bot/slack/oauth.py), the probes
`GET /healthz` (liveness) and `GET /readyz` (readiness, bot/observability/probes.py) and `GET /metrics`
(Prometheus), served by uvicorn."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid

from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler, to_starlette_response
from slack_bolt.async_app import AsyncApp
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.observability import logs, metrics
from bot.observability.probes import ReadinessProbe
from bot.scheduler.runner import Runner
from bot.slack import request_kind
from bot.slack.envelope import Checked
from bot.slack.gate import Gate
from bot.slack.http_pool import pooled
from bot.slack.oauth import INSTALL_PATH, REDIRECT_PATH, checked_query, page
from bot.slack.runtime import ACKS

log = logging.getLogger(__name__)


def build_asgi(app: AsyncApp, engine: Engine, gate: Gate, runner: Runner | None = None) -> Starlette:
    """`gate` checks size, timestamp and signature (and that the body can be read) before Bolt sees anything."""
    handler = AsyncSlackRequestHandler(app)
    clock_lag = runner.lag if runner is not None else None
    probe = ReadinessProbe(engine, clock_lag, runner.interval if runner is not None else 1.0)
    metrics.watch(engine, clock_lag)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette):
        async with contextlib.AsyncExitStack() as pools:
            await pools.enter_async_context(pooled(app.client))  # listeners' calls and response_url answers
            if runner is not None:
                await pools.enter_async_context(pooled(runner.sender.client))  # the reminders' own timeout
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

    async def timed(request: Request) -> Response:
        """The ack's latency and the request's kind (set by request_kind.bind_request) as metrics."""
        started = time.perf_counter()
        logs.bind(request_id=uuid.uuid4().hex[:16])
        request_kind.CURRENT.set(None)
        response = await slack_events(request)
        elapsed = time.perf_counter() - started
        kind = request_kind.CURRENT.get() or request_kind.RequestKind()
        metrics.ACK_SECONDS.labels(kind=kind.kind).observe(elapsed)
        metrics.REQUESTS.labels(kind=kind.kind, name=kind.name, status=str(response.status_code)).inc()
        log.info("slack %s %s answered %d in %.1f ms", kind.kind, kind.name, response.status_code, elapsed * 1000)
        return response

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "alive"})

    async def readyz(_request: Request) -> Response:
        readiness = await probe.check()
        return JSONResponse(readiness.body(), status_code=200 if readiness.ready else 503)

    async def metrics_text(_request: Request) -> Response:
        return Response(await asyncio.to_thread(metrics.exposition), media_type=metrics.CONTENT_TYPE)

    async def to_oauth_flow(request: Request) -> Response:
        return await handler.handle(request)

    async def install(request: Request) -> Response:
        return await gate.browser(request, to_oauth_flow)

    async def oauth_redirect(request: Request) -> Response:
        """Slack sends the installer's browser back here: the query is checked before Bolt reads it."""
        if checked_query(request.url.query, request.query_params.multi_items()) is None:
            log.warning("refused an OAuth redirect whose query is not Slack's")
            return to_starlette_response(page(400, "install.bad_request"))
        return await gate.browser(request, to_oauth_flow)

    install_routes = [Route(INSTALL_PATH, install, methods=["GET"]),
                      Route(REDIRECT_PATH, oauth_redirect, methods=["GET"])] if app.oauth_flow is not None else []
    return Starlette(routes=[Route("/slack/events", timed, methods=["POST"]),
                             *install_routes,
                             Route("/healthz", healthz, methods=["GET"]),
                             Route("/readyz", readyz, methods=["GET"]),
                             Route("/metrics", metrics_text, methods=["GET"])], lifespan=lifespan)
