"""Log lines: JSON (one object a line) or text, each carrying what it belongs to.

The Slack request or reminder a line belongs to is kept in context variables, set where the
work starts (bot/server.py for a request, bot/scheduler/sender.py for a reminder): asyncio copies
them into the tasks and threads started from there, so a listener's or a service's line carries
them without passing them around. Never logged: a token (any xoxb-/xapp-/… string is masked in
every line, tracebacks included, whatever logged it) and the text a person typed (no payload body
is logged; pydantic's `input_value=…` in a traceback is masked).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from datetime import datetime, timezone

QUIET_LIBRARIES = ("slack_bolt", "slack_sdk", "aiohttp", "httpx", "httpcore")
FIELDS = ("request_id", "kind", "name", "team", "user", "reminder")
_context: dict[str, contextvars.ContextVar[str | None]] = {
    name: contextvars.ContextVar(f"log_{name}", default=None) for name in FIELDS}

TOKEN = re.compile(r"\b(xox[abposer]|xapp)-[A-Za-z0-9-]+")
TYPED = re.compile(r"input_value=(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|\{.*?\}|\[.*?\]|\S+?)(?=, input_type)")


def bind(**values: str | None) -> None:
    """Attach ids to every line logged from here on, in this task and what it starts."""
    for name, value in values.items():
        _context[name].set(value)


def bound() -> dict[str, str]:
    return {name: value for name, var in _context.items() if (value := var.get()) is not None}


def redact(text: str) -> str:
    return TYPED.sub("input_value=<redacted>", TOKEN.sub(lambda m: m.group(1) + "-<redacted>", text))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                "level": record.levelname.lower(), "logger": record.name, "message": redact(record.getMessage())}
        line.update(bound())
        if record.exc_info:
            line["error"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        ids = " ".join(f"{k}={v}" for k, v in bound().items())
        return redact(super().format(record) + (f" [{ids}]" if ids else ""))


def configure(level: str, fmt: str = "text") -> None:
    """One handler on the root logger, on stderr; uvicorn's loggers go through it too."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in QUIET_LIBRARIES:  # their debug lines carry request and response bodies: what people typed
        logging.getLogger(name).setLevel(max(logging.INFO, root.level))
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True

