"""The floor for bench/ack.py: a bare Bolt app that only acks `/consult`, served like `consultbot serve`.

    python bench/baseline_app.py --port 3100 [--variant async-app|sync-app]

Reads SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, SLACK_API_URL and LOG_LEVEL from the environment
(the same variables `consultbot serve` reads). Serves `POST /slack/events` and `GET /healthz`
(readiness only, no database) on 127.0.0.1.

- ``async-app`` (default): `AsyncApp` + `slack_bolt.adapter.starlette.async_handler`, the
  fastest way to serve Bolt over HTTP, and the same stack as bot/server.py.
- ``sync-app``: `App` + the sync Starlette adapter (`slack_bolt.adapter.starlette.handler`),
  which dispatches on the event loop and blocks it while waiting for the ack: one request at a time.

uvicorn runs with the settings bot/cli.py `_serve` uses: `log_level=LOG_LEVEL`, `access_log=False`,
defaults otherwise (uvloop and httptools when installed, like the bot).
"""

from __future__ import annotations

import argparse
import os

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

COMMAND = "/consult"


def async_app(signing_secret: str, token: str, api_url: str) -> Starlette:
    from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    app = AsyncApp(signing_secret=signing_secret, client=AsyncWebClient(token=token, base_url=api_url))

    @app.command(COMMAND)
    async def consult(ack) -> None:
        await ack()

    handler = AsyncSlackRequestHandler(app)

    async def slack_events(request: Request) -> Response:
        return await handler.handle(request)

    return _starlette(slack_events)


def sync_app(signing_secret: str, token: str, api_url: str) -> Starlette:
    from slack_bolt import App
    from slack_bolt.adapter.starlette.handler import SlackRequestHandler
    from slack_sdk.web import WebClient

    app = App(signing_secret=signing_secret, client=WebClient(token=token, base_url=api_url))

    @app.command(COMMAND)
    def consult(ack) -> None:
        ack()

    handler = SlackRequestHandler(app)

    async def slack_events(request: Request) -> Response:
        return await handler.handle(request)

    return _starlette(slack_events)


def _starlette(slack_events) -> Starlette:
    async def healthz(_request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(routes=[Route("/slack/events", slack_events, methods=["POST"]),
                             Route("/healthz", healthz, methods=["GET"])])


VARIANTS = {"async-app": async_app, "sync-app": sync_app}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--variant", choices=sorted(VARIANTS), default="async-app")
    args = parser.parse_args(argv)
    build = VARIANTS[args.variant]
    asgi = build(os.environ["SLACK_SIGNING_SECRET"], os.environ["SLACK_BOT_TOKEN"],
                 os.environ.get("SLACK_API_URL", "https://slack.com/api/"))
    uvicorn.run(asgi, host=args.host, port=args.port, log_level=os.environ.get("LOG_LEVEL", "info").lower(),
                access_log=False)


if __name__ == "__main__":
    main()
