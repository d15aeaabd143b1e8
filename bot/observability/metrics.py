"""Every Prometheus metric of the bot, in one registry per process: each replica is its own scrape
target (`GET /metrics`, bot/server.py); prometheus-client's multiprocess mode is not used.

Label values are bounded: request names are the bot's own subcommands, action and callback ids
(anything else is "other", bot/slack/request_kind.py), Slack methods are the ones the bot calls,
errors and reasons are Slack's error codes and the bot's own skip reasons (`reason_label`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.reminders.store import backlog
from storage.db import session_scope
from storage.types import utcnow

log = logging.getLogger(__name__)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BACKLOG_TIMEOUT_S = 2.0

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)  # process_resident_memory_bytes, CPU, open fds
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

REQUESTS = Counter("consultbot_slack_requests", "Slack requests answered, by kind (command, action, view, event, "
                   "other), the subcommand/action_id/callback_id/event type, and HTTP status",
                   ["kind", "name", "status"], registry=REGISTRY)
ACK_SECONDS = Histogram("consultbot_slack_ack_seconds", "From a Slack request's arrival to its HTTP answer (the ack; "
                        "Slack gives up at 3 s)", ["kind"], registry=REGISTRY,
                        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0))
REMINDERS = Counter("consultbot_reminders", "Reminder rows settled by this replica: sent, failed (Slack's error or "
                    "too many attempts), skipped (why), retried later (why)", ["kind", "result", "reason"],
                    registry=REGISTRY)
TICK_SECONDS = Histogram("consultbot_reminder_tick_seconds", "Duration of a reminder tick (recurring rows written, "
                         "everything due sent)", registry=REGISTRY,
                         buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0))
SLACK_API_CALLS = Counter("consultbot_slack_api_calls", "HTTP attempts at Slack Web API methods (retries included), "
                          "by method and HTTP status", ["method", "status"], registry=REGISTRY)
SLACK_API_ERRORS = Counter("consultbot_slack_api_errors", "Slack Web API attempts that failed, by method and error "
                           "(Slack's error code, or the network error)", ["method", "error"], registry=REGISTRY)
SLACK_RATELIMITED = Counter("consultbot_slack_api_ratelimited", "HTTP 429 answers of the Slack Web API, by method",
                            ["method"], registry=REGISTRY)
KEYS_PURGED = Counter("consultbot_idempotency_keys_purged", "Keys of handled Slack deliveries purged after "
                      "IDEMPOTENCY_RETENTION_DAYS", registry=REGISTRY)

_LABEL = re.compile(r"[^a-z0-9_. -]")


def reason_label(reason: str | None) -> str:
    """A reason or error as a bounded label: Slack's code as is, "gave up: network: X" as "gave up"."""
    if not reason:
        return ""
    reason = reason.split(":", 1)[0] if reason.startswith("gave up") else reason
    return _LABEL.sub("", reason.lower())[:40]


def reminder_settled(kind: str, result: str, reason: str | None = None) -> None:
    REMINDERS.labels(kind=kind[:40], result=result, reason=reason_label(reason)).inc()


class ClockCollector(Collector):
    """consultbot_reminder_tick_lag_seconds, read from the clock when scraped."""

    def __init__(self, lag: Callable[[], float | None]) -> None:
        self.lag = lag

    def collect(self) -> Iterator[GaugeMetricFamily]:
        lag = self.lag()
        yield GaugeMetricFamily("consultbot_reminder_tick_lag_seconds",
                                "Seconds since the reminder clock last showed progress (a tick begun or ended, a "
                                "batch claimed, a message answered); -1 before its first tick",
                                value=-1.0 if lag is None else lag)


class BacklogCollector(Collector):
    """The due backlog, queried when scraped, given up after BACKLOG_TIMEOUT_S (then
    consultbot_reminders_backlog_up is 0 and the two backlog gauges are absent)."""

    def __init__(self, engine: Engine, timeout: float = BACKLOG_TIMEOUT_S) -> None:
        self.engine, self.timeout = engine, timeout
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="metrics-backlog")

    def _query(self) -> tuple[int, float | None]:
        now = utcnow()
        with session_scope(self.engine) as session:
            if self.engine.dialect.name == "postgresql":
                session.execute(text(f"SET LOCAL statement_timeout = {int(self.timeout * 1000)}"))
            count, oldest = backlog(session, now)
        return count, (now - oldest).total_seconds() if oldest else None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            count, age = self.pool.submit(self._query).result(timeout=self.timeout)
        except FutureTimeout:
            log.warning("metrics: the reminder backlog query took more than %.1f s", self.timeout)
            count = age = None
        except Exception as exc:  # the database is down: the scrape still answers, the probe says why
            log.warning("metrics: the reminder backlog query failed: %s", type(exc).__name__)
            count = age = None
        yield GaugeMetricFamily("consultbot_reminders_backlog_up", "1 when the backlog query answered in time",
                                value=0.0 if count is None else 1.0)
        if count is not None:
            yield GaugeMetricFamily("consultbot_reminders_due", "Reminder rows due now and not sent yet", value=count)
            yield GaugeMetricFamily("consultbot_reminders_due_oldest_age_seconds",
                                    "How long the oldest due row has waited past its send time (0 when none)",
                                    value=max(age or 0.0, 0.0))


_scraped: list[Collector] = []


def watch(engine: Engine, clock_lag: Callable[[], float | None] | None) -> None:
    """Add the scrape-time collectors for this process's database and clock (replacing earlier ones)."""
    for collector in _scraped:
        REGISTRY.unregister(collector)
    _scraped[:] = [BacklogCollector(engine)] + ([ClockCollector(clock_lag)] if clock_lag else [])
    for collector in _scraped:
        REGISTRY.register(collector)


def exposition() -> bytes:
    return generate_latest(REGISTRY)
