"""APScheduler 3.x as the clock, never the store: an interval job wakes the bot every few seconds
to write recurring occurrences and send what is due. Its jobs live in memory only; what must
survive a restart is in the reminders table (bot/reminders/store.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from slack_sdk.web.async_client import AsyncWebClient

from bot import idempotency
from bot.observability.metrics import KEYS_PURGED, TICK_SECONDS
from bot.observability.slack_api import ApiObserver
from bot.reminders.recurring import generate
from bot.scheduler.sender import ReminderSender, SenderConfig, Tokens
from bot.settings import Settings
from bot.slack.runtime import Deps
from storage.types import utcnow

log = logging.getLogger(__name__)
STOP_WAIT_S = 10.0
PURGE_EVERY_S = 3600.0  # idempotency keys older than IDEMPOTENCY_RETENTION_DAYS go, hourly (and at start)


def sender_client(settings: Settings) -> AsyncWebClient:
    """No automatic retries: the sender decides (pause on 429, backoff on 5xx, stop on the rest)."""
    return AsyncWebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=15,
                          retry_handlers=[ApiObserver()])  # counts each attempt, never retries


class Runner:
    def __init__(self, deps: Deps, client: AsyncWebClient, tokens: Tokens | None = None) -> None:
        """`tokens` (install by OAuth, bot/scheduler/tokens.py): each reminder with its recipient's workspace's token."""
        settings = deps.settings
        self.deps = deps
        self.interval = settings.reminder_tick_seconds
        self.sender = ReminderSender(deps.db, client, SenderConfig(
            concurrency=settings.reminder_concurrency, lease=timedelta(seconds=settings.reminder_lease_seconds),
            per_channel_per_second=settings.chat_rate_per_channel), tokens)
        self.retention = timedelta(days=settings.idempotency_retention_days)
        self.scheduler: AsyncIOScheduler | None = None
        self.current: asyncio.Task | None = None
        self.beat = 0.0  # time.monotonic() when a tick last began or ended (0: never)

    def start(self) -> None:
        logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
        # "maximum number of running instances reached" on every tick of a long send is the design
        logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self.scheduler.add_job(self.tick, "interval", seconds=self.interval, id="reminders", max_instances=1,
                               coalesce=True, misfire_grace_time=None, next_run_time=utcnow())
        self.scheduler.add_job(self.purge, "interval", seconds=PURGE_EVERY_S, id="retention", max_instances=1,
                               coalesce=True, misfire_grace_time=None, next_run_time=utcnow())
        self.scheduler.start()

    def lag(self) -> float | None:
        """Seconds since the clock last showed progress: a tick begun or ended, a batch claimed, a message
        answered, a Retry-After being waited out (None before the first tick). A long send is not lag;
        a tick stuck (its database work blocked) is."""
        last = max(self.beat, self.sender.progress)
        return None if not last else max(time.monotonic() - last, 0.0)

    async def purge(self) -> int:
        """Purge the idempotency keys past retention, a batch per transaction, yielding between batches."""
        purged = 0
        try:
            while True:
                n = await self.deps.db(idempotency.purge, utcnow() - self.retention)
                purged += n
                KEYS_PURGED.inc(n)
                if n < idempotency.PURGE_BATCH:
                    break
        except Exception:  # the next run tries again
            log.exception("purging idempotency keys failed")
        if purged:
            log.info("idempotency keys: %d older than %s purged", purged, self.retention)
        return purged

    async def tick(self) -> None:
        self.current = asyncio.current_task()
        self.beat = started = time.monotonic()
        try:
            await self.deps.db(generate, utcnow())
            sent = await self.sender.drain()
            if sent:
                log.info("reminders: %d sent", sent)
        except Exception:  # a bad tick must not stop the clock; the rows wait for the next one
            log.exception("reminder tick failed")
        finally:
            self.current = None
            self.beat = time.monotonic()
            TICK_SECONDS.observe(self.beat - started)

    async def stop(self) -> None:
        """Stop claiming, let the messages in flight be confirmed (at most STOP_WAIT_S)."""
        self.sender.stopping = True
        if self.scheduler is not None:
            self.scheduler.pause()  # no new tick; shutdown() would cancel the running one, so it comes last
        if self.current is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self.current), STOP_WAIT_S)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                log.warning("reminders still in flight at shutdown; their leases will expire and they are retried")
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
