"""Claim, send, confirm: posts due reminders through the Web API at the pace Slack allows.

Each pass claims rows for recipients whose channel can take a message now (bot/scheduler/pacing.py),
posts up to `concurrency` at once, and confirms each in its own transaction as soon as Slack has
answered. A 429 pauses all posting for its Retry-After and gives the row back; a timeout or a 5xx
gives it back with exponential backoff; an error that will not change (`user_not_found`,
`channel_not_found`, …) fails the row with the error, for `/consult reminders` to show.

With install by OAuth (`tokens`, bot/scheduler/tokens.py) each message goes out with the bot token of
its recipient's workspace, and a 429 pauses that workspace only; a recipient whose workspace has no
installation is chased in the process's channel instead (a Slack Connect channel shared with their
organisation), mentioning them, with the secretariat's workspace's token: the row records that channel and
the outcome `posted_in_channel`; one with no process channel, or whose channel
cannot be posted to, fails with its reason.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, Protocol, TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.observability import logs
from bot.observability.metrics import reminder_settled
from bot.reminders import store
from bot.reminders.delivery import Job, claim_jobs
from bot.scheduler.pacing import Pacer
from bot.mrkdwn import mention
from bot.reminders.outcomes import Message
from bot.slack.blocks import fit_message, message_text, section
from bot.texts import t
from storage.models import ReminderStatus
from storage.types import utcnow

log = logging.getLogger(__name__)
T = TypeVar("T")

TRANSIENT = {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
MAX_BACKOFF_S = 300
METADATA_EVENT = "consultbot_reminder"
NOT_INSTALLED = "workspace not installed"
IN_CHANNEL = "posted_in_channel"  # a sent row's outcome: its recipient's workspace has not installed the app
UNREACHABLE = "channel_unreachable"  # and the workspace not installed
# Slack's answers to a token that no longer works: with install by OAuth the token is looked up again and
# the row tried once more (the workspace may have uninstalled, or reinstalled with a new token)
REFUSED_TOKEN = {"token_revoked", "invalid_auth", "account_inactive", "not_authed", "team_access_not_granted"}


class Tokens(Protocol):
    """A recipient's workspace -> its bot token, or None (bot/scheduler/tokens.py)."""

    async def __call__(self, team_id: str | None) -> str | None: ...

    def forget(self, team_id: str | None) -> None: ...


@dataclass(frozen=True)
class SenderConfig:
    concurrency: int = 8
    lease: timedelta = timedelta(seconds=120)
    per_channel_per_second: float = 1.0
    owner: str = f"{socket.gethostname()}:{os.getpid()}"


def in_channel(message: Message, channel: str, language: str | None) -> Message:
    """A DM to someone whose workspace has not installed the app, posted in the process channel instead
    (shared with their organisation by Slack Connect), mentioning them."""
    note = t("workspaces.chased_in_channel", language, person=mention(message.channel))
    return Message(channel, f"{note}\n{message.text}", [section(note), *message.blocks], message.files)


def backoff(attempts: int) -> float:
    return float(min(2 ** max(attempts - 1, 0), MAX_BACKOFF_S))


def retry_after(error: SlackApiError) -> float:
    headers = getattr(error.response, "headers", None) or {}
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return max(float(value), 1.0)
    except (TypeError, ValueError):
        return 1.0


class ReminderSender:
    """`drain()` sends everything due now; run it from a clock (bot/scheduler/runner.py)."""

    def __init__(self, db: Callable[..., Any], client: AsyncWebClient, config: SenderConfig,
                 tokens: Tokens | None = None) -> None:
        self.db, self.client, self.config, self.tokens = db, client, config, tokens
        self.clients: dict[str, AsyncWebClient] = {}  # bot token -> its client (install by OAuth)
        self.pacer = Pacer(config.per_channel_per_second)
        self.stopping = False
        self.progress = 0.0  # time.monotonic() of the last batch claimed or message answered (the clock's pulse)

    async def drain(self) -> int:
        sent = 0
        inflight: dict[asyncio.Task, str] = {}
        while not self.stopping or inflight:
            claimed = 0
            free = self.config.concurrency - len(inflight)
            if free > 0 and not self.stopping:
                busy = self.pacer.busy() | frozenset(inflight.values())
                settled: list[tuple[str, str, str]] = []
                jobs, claimed = await self.db(claim_jobs, self.config.owner, utcnow(), free, self.config.lease, busy,
                                              settled)
                self.progress = time.monotonic()
                for kind, result, reason in settled:
                    reminder_settled(kind, result, reason)
                for job in jobs:
                    inflight[asyncio.create_task(self._send(job, time.monotonic()))] = job.message.channel
            if inflight:
                done, _ = await asyncio.wait(inflight, timeout=max(self.pacer.next_free(), 0.05),
                                             return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    inflight.pop(task)
                    sent += task.result()
                    self.progress = time.monotonic()
                if self.pacer.paused_until > time.monotonic():  # waiting out Slack's Retry-After is progress
                    self.progress = time.monotonic()
            elif claimed == 0:
                wait = self.pacer.next_free()
                if wait <= 0 or self.stopping:
                    return sent
                await asyncio.sleep(min(wait, 1.0))  # rows may wait for a paced channel
        return sent

    async def _client_for(self, job: Job) -> AsyncWebClient | None:
        """The client with the recipient's workspace's token (one workspace: the bot's only one)."""
        if self.tokens is None:
            return self.client
        token = await self.tokens(job.team_id)
        if token is None:
            return None
        if token not in self.clients:
            self.clients[token] = AsyncWebClient(token=token, base_url=self.client.base_url, timeout=self.client.timeout,
                                                 retry_handlers=list(self.client.retry_handlers or []),
                                                 session=self.client.session)  # the server's pool, if any
        return self.clients[token]

    async def _send(self, job: Job, claimed_at: float) -> int:
        logs.bind(reminder=job.key)  # this task's log lines (and only this task's) name the reminder
        owner, message = self.config.owner, job.message
        client = await self._client_for(job)
        outcome = None
        if client is None and job.process_channel:  # chased in the shared process channel instead
            client = await self._client_for(replace(job, team_id=None))
            message, outcome = in_channel(message, job.process_channel, job.process_language), IN_CHANNEL
            job = replace(job, message=message, team_id=None)
        if client is None:
            reason = NOT_INSTALLED if job.process_channel is None else UNREACHABLE
            log.warning("reminder %s failed: the workspace %s of its recipient has no installation (%s)", job.key,
                        job.team_id, reason)
            await self.db(store.finish, job.reminder_id, owner, ReminderStatus.FAILED, reason, utcnow())
            reminder_settled(job.kind, "failed", reason)
            return 0
        await self.pacer.wait(message.channel, job.team_id)
        lease_s = self.config.lease.total_seconds()
        if time.monotonic() - claimed_at > lease_s / 2:
            if not await self.db(store.renew, job.reminder_id, owner, utcnow() + self.config.lease):
                log.warning("reminder %s: lease lost before sending; another sender has it", job.key)
                return 0
        try:
            try:
                response = await client.chat_postMessage(
                    channel=message.channel, text=message_text(message.text),
                    blocks=fit_message(message.blocks) if message.blocks else None,
                    metadata={"event_type": METADATA_EVENT, "event_payload": {"key": job.key}})
            finally:
                self.pacer.answered(message.channel)
        except SlackApiError as exc:
            await self._failed(job, exc)
            return 0
        except (asyncio.TimeoutError, aiohttp.ClientError, OSError) as exc:
            await self._retry(job, f"network: {type(exc).__name__}")
            return 0
        await self.db(store.mark_sent, job.reminder_id, owner, response.get("channel") or message.channel,
                      response.get("ts") or "", utcnow(), outcome)
        reminder_settled(job.kind, "sent")
        log.info("reminder %s sent", job.key)
        if message.files:
            await self._attach(client, job, response.get("channel") or message.channel, response.get("ts"))
        return 1

    async def _attach(self, client: AsyncWebClient, job: Job, channel: str, ts: str | None) -> None:
        """The message's files, in its thread. The post is sent and confirmed already: a failed upload
        is logged, not retried (retrying the row would post the message twice)."""
        for name, data in job.message.files:
            try:
                await client.files_upload_v2(channel=channel, thread_ts=ts or None, content=data,
                                                  filename=name, title=name)
            except (SlackApiError, asyncio.TimeoutError, aiohttp.ClientError, OSError) as exc:
                error = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
                log.warning("reminder %s: file %s not attached: %s", job.key, name, error)

    async def _failed(self, job: Job, exc: SlackApiError) -> None:
        status = getattr(exc.response, "status_code", 200)
        error = (exc.response.get("error") if hasattr(exc.response, "get") else None) or f"http {status}"
        if status == 429 or error == "ratelimited":
            pause = retry_after(exc)
            self.pacer.pause(pause, job.team_id)
            log.info("reminder %s: rate limited, pausing workspace %s %.0f s", job.key, job.team_id, pause)
            await self.db(store.release, job.reminder_id, self.config.owner, utcnow() + timedelta(seconds=pause),
                          "ratelimited", utcnow())
            reminder_settled(job.kind, "retried", "ratelimited")
        elif status >= 500 or error in TRANSIENT:
            await self._retry(job, error)
        elif error in REFUSED_TOKEN and self.tokens is not None and job.attempts <= 1:
            self.tokens.forget(job.team_id)
            log.info("reminder %s: %s for workspace %s; its token is looked up again", job.key, error, job.team_id)
            await self.db(store.release, job.reminder_id, self.config.owner, utcnow(), error, utcnow())
            reminder_settled(job.kind, "retried", error)
        else:
            log.warning("reminder %s failed for good: %s", job.key, error)
            await self.db(store.finish, job.reminder_id, self.config.owner, ReminderStatus.FAILED, error, utcnow())
            reminder_settled(job.kind, "failed", error)

    async def _retry(self, job: Job, reason: str) -> None:
        if job.attempts >= store.MAX_ATTEMPTS:
            log.warning("reminder %s failed after %d attempts: %s", job.key, job.attempts, reason)
            await self.db(store.finish, job.reminder_id, self.config.owner, ReminderStatus.FAILED,
                          f"gave up: {reason}", utcnow())
            reminder_settled(job.kind, "failed", "gave up")
            return
        delay = backoff(job.attempts)
        log.info("reminder %s: %s, retrying in %.0f s", job.key, reason, delay)
        await self.db(store.release, job.reminder_id, self.config.owner, utcnow() + timedelta(seconds=delay),
                      reason, utcnow())
        reminder_settled(job.kind, "retried", reason.split(":", 1)[0])
