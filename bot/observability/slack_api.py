"""The one place the Slack Web API is watched: a retry handler that never retries, put first in
every AsyncWebClient's handlers (bot/startup.py's listener client, bot/scheduler/runner.py's
sender client). slack_sdk asks the handlers about every HTTP attempt, retried ones included, so
each attempt is counted once: calls by method and status, errors by method and Slack's error
code (or the network error's type), 429s by method."""

from __future__ import annotations

from urllib.parse import urlsplit

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.observability.metrics import SLACK_API_CALLS, SLACK_API_ERRORS, SLACK_RATELIMITED, reason_label


def method_of(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[-1][:60] or "unknown"


class ApiObserver(AsyncRetryHandler):
    async def can_retry_async(self, *, state: RetryState, request: HttpRequest,
                              response: HttpResponse | None = None, error: Exception | None = None) -> bool:
        method = method_of(request.url)
        if response is None:
            SLACK_API_CALLS.labels(method=method, status="none").inc()
            SLACK_API_ERRORS.labels(method=method, error=reason_label(type(error).__name__ if error else "unknown")).inc()
            return False
        SLACK_API_CALLS.labels(method=method, status=str(response.status_code)).inc()
        if response.status_code == 429:
            SLACK_RATELIMITED.labels(method=method).inc()
        body = response.body if isinstance(response.body, dict) else {}
        if response.status_code >= 400 or body.get("ok") is False:
            error_code = body.get("error") if isinstance(body.get("error"), str) else f"http {response.status_code}"
            SLACK_API_ERRORS.labels(method=method, error=reason_label(error_code)).inc()
        return False
