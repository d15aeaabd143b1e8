"""APScheduler 3.x as the clock, never the store: an interval job wakes the bot every few seconds
to write recurring occurrences and send what is due. Its jobs live in memory only; what must
survive a restart is in the reminders table (bot/reminders/store.py).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from slack_sdk.web.async_client import AsyncWebClient

from bot.reminders.recurring import generate
from bot.scheduler.sender import ReminderSender, SenderConfig
from bot.settings import Settings
from bot.slack.runtime import Deps
from storage.types import utcnow

log = logging.getLogger(__name__)
STOP_WAIT_S = 10.0


def sender_client(settings: Settings) -> AsyncWebClient:
    """No automatic retries: the sender decides (pause on 429, backoff on 5xx, stop on the rest)."""
    return AsyncWebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=15,
                          retry_handlers=[])


class Runner:
    def __init__(self, deps: Deps, client: AsyncWebClient) -> None:
        settings = deps.settings
        self.deps = deps
        self.interval = settings.reminder_tick_seconds
        self.sender = ReminderSender(deps.db, client, SenderConfig(
            concurrency=settings.reminder_concurrency, lease=timedelta(seconds=settings.reminder_lease_seconds),
            per_channel_per_second=settings.chat_rate_per_channel))
        self.scheduler: AsyncIOScheduler | None = None
        self.current: asyncio.Task | None = None

    def start(self) -> None:
        logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
        # "maximum number of running instances reached" on every tick of a long send is the design
        logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self.scheduler.add_job(self.tick, "interval", seconds=self.interval, id="reminders", max_instances=1,
                               coalesce=True, misfire_grace_time=None, next_run_time=utcnow())
        self.scheduler.start()

    async def tick(self) -> None:
        self.current = asyncio.current_task()
        try:
            await self.deps.db(generate, utcnow())
            sent = await self.sender.drain()
            if sent:
                log.info("reminders: %d sent", sent)
        except Exception:  # a bad tick must not stop the clock; the rows wait for the next one
            log.exception("reminder tick failed")
        finally:
            self.current = None

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
