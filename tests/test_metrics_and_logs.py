"""Scenario: an operator watches a replica. `GET /metrics` (Prometheus text) after a small reminder
chase and a few commands shows what happened; the JSON log lines parse and carry the request or
reminder they belong to, and never a token or the text a person typed."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.observability.logs import JsonFormatter, redact
from bot.rounds.reminder_plan import DEADLINE
from storage.db import session_scope
from storage.models import Reminder, ReminderMute
from tests.bot_process import BotProcess
from tests.conftest import BOT_TOKEN, SECRETARIAT
from tests.reminder_fixtures import build_chase, make_due, posted_keys
from tests.slack_requests import SIGNING_SECRET, SlackSender
from tests.test_reminder_failures import settled, wait_until

TYPED = "Our director's unpublished remark about the draft"


@pytest.fixture
def serve_env(private_database_url, own_slack) -> dict[str, str]:
    return {"DATABASE_URL": private_database_url, "SLACK_API_URL": own_slack.api_url, "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SECRETARIAT_USERS": SECRETARIAT, "LOG_LEVEL": "debug",
            "QUIET_HOURS": "off", "QUIET_DAYS": "", "REMINDER_TICK_SECONDS": "0.2", "CHAT_RATE_PER_CHANNEL": "50"}


def scrape(bot: BotProcess) -> dict[tuple[str, tuple], float]:
    """Every sample of /metrics: (name, sorted labels) -> value."""
    response = httpx.get(bot.url + "/metrics", timeout=10)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.text) for s in family.samples}


def value(samples: dict, metric: str, /, **labels: str) -> float:
    return samples.get((metric, tuple(sorted(labels.items()))), 0.0)


def test_the_due_backlog_and_its_oldest_row_are_read_at_scrape_time(private_engine, serve_env, tmp_path):
    bot = BotProcess({**serve_env, "REMINDER_TICK_SECONDS": "3600"}, tmp_path / "serve.log").start()
    try:
        before = scrape(bot)
        assert value(before, "consultbot_reminders_backlog_up") == 1
        assert value(before, "consultbot_reminders_due") == 0
        assert value(before, "consultbot_reminders_due_oldest_age_seconds") == 0

        build_chase(private_engine, focal_points=4)  # the clock ticked at start; the next tick is an hour away
        make_due(private_engine, Reminder.offset == "T-7d", ago=timedelta(seconds=90))
        after = scrape(bot)
        assert value(after, "consultbot_reminders_due") == 4
        assert 90 <= value(after, "consultbot_reminders_due_oldest_age_seconds") < 120
        assert 0 <= value(after, "consultbot_reminder_tick_lag_seconds") < 3 * 3600
        assert value(after, "process_resident_memory_bytes") > 10_000_000
    finally:
        bot.stop()


def test_metrics_count_the_reminders_and_requests_that_happened_and_the_log_lines_name_them(
        private_engine, own_slack, serve_env, tmp_path):
    chase = build_chase(private_engine, focal_points=5)
    muted = sorted(chase.focal_points)[0]
    with session_scope(private_engine) as s:
        s.add(ReminderMute(process_id=chase.process_id, slack_user_id=muted))
    keys = set(make_due(private_engine, Reminder.offset == "T-7d"))
    assert len(keys) == 5
    own_slack.fail_next("chat.postMessage", status=429, retry_after=1)  # the first post: retried after 1 s
    own_slack.fail_next("chat.postMessage", status=200, error="user_not_found")  # the second: fails for good
    newcomer = "U0NEWCOMER"
    own_slack.add_user(SECRETARIAT, "Amina (EMG secretariat)")
    own_slack.add_user(newcomer, "A newcomer")

    bot = BotProcess(serve_env, tmp_path / "serve.log").start()
    try:
        wait_until(lambda: len(posted_keys(own_slack)) == 3 and settled(private_engine), 30,
                   "3 sent, 1 failed, 1 skipped", bot.output)
        sender = SlackSender(bot.url, own_slack.base_url)
        for text in ("help", "help", "whoami", "frobnicate everything"):
            assert sender.command(SECRETARIAT, text).status_code == 200
        own_slack.wait_for("response_url", timeout=10, count=4)
        own_slack.fail_next("users.info", status=200, error="user_not_found")  # the newcomer's profile: not found
        assert sender.command(newcomer, f"join {chase.handle} UNEP {TYPED}").status_code == 200
        own_slack.wait_for("response_url", timeout=10, count=5)
        time.sleep(0.3)
        samples = scrape(bot)
    finally:
        bot.stop()

    reminders = "consultbot_reminders_total"
    assert value(samples, reminders, kind=DEADLINE, result="sent", reason="") == 3
    assert value(samples, reminders, kind=DEADLINE, result="failed", reason="user_not_found") == 1
    assert value(samples, reminders, kind=DEADLINE, result="skipped", reason="muted") == 1
    assert value(samples, reminders, kind=DEADLINE, result="retried", reason="ratelimited") == 1
    assert value(samples, "consultbot_slack_api_ratelimited_total", method="chat.postMessage") == 1
    assert value(samples, "consultbot_slack_api_errors_total", method="chat.postMessage", error="user_not_found") == 1
    assert value(samples, "consultbot_slack_api_errors_total", method="chat.postMessage", error="ratelimited") == 1
    assert value(samples, "consultbot_slack_api_errors_total", method="users.info", error="user_not_found") == 1
    assert value(samples, "consultbot_slack_api_calls_total", method="chat.postMessage", status="200") == 4

    requests = "consultbot_slack_requests_total"
    assert value(samples, requests, kind="command", name="help", status="200") == 2
    assert value(samples, requests, kind="command", name="whoami", status="200") == 1
    assert value(samples, requests, kind="command", name="join", status="200") == 1
    assert value(samples, requests, kind="command", name="other", status="200") == 1, "a typo is not a label"
    assert value(samples, "consultbot_slack_ack_seconds_count", kind="command") == 5
    assert value(samples, "consultbot_slack_ack_seconds_bucket", kind="command", le="3.0") == 5
    assert value(samples, "consultbot_reminders_due") == 0

    output = (tmp_path / "serve.log").read_text()
    lines = [json.loads(line) for line in output.splitlines()]  # every line is one JSON object
    assert BOT_TOKEN not in output and SIGNING_SECRET not in output
    assert TYPED not in output and "frobnicate" not in output, "what people typed is never logged"

    [join] = [line for line in lines if line["message"].startswith("slack command join answered 200")]
    assert join["user"] == newcomer and join["team"] == "T0EMG" and join["kind"] == "command"
    [lookup] = [line for line in lines if line["message"].startswith(f"users.info {newcomer} failed")]
    assert lookup["request_id"] == join["request_id"] and lookup["user"] == newcomer, \
        "a listener's own line carries the request it belongs to"
    request_ids = {line["request_id"] for line in lines if line["message"].startswith("slack command")}
    assert len(request_ids) == 5

    sent = {line["reminder"] for line in lines if line["message"].startswith("reminder ")
            and line["message"].endswith(" sent")}
    assert sent == set(posted_keys(own_slack))
    [failed] = [line for line in lines if "failed for good: user_not_found" in line["message"]]
    assert failed["level"] == "warning" and failed["reminder"] in keys
    assert all("request_id" not in line for line in lines if "reminder" in line), "a reminder is no request"


def test_a_token_or_typed_input_in_a_log_line_is_masked_whatever_logged_it():
    import logging
    import sys

    from pydantic import BaseModel, ValidationError

    class Form(BaseModel):
        amount: int

    typed = " ".join(["my", "typed", "words"])  # not in this file's source, which the traceback quotes
    try:
        Form.model_validate({"amount": typed})
    except ValidationError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "token %s leaked", ("xoxb-123-456-abcDEF",),
                                   sys.exc_info())
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "token xoxb-<redacted> leaked"
    assert typed not in line["error"] and "input_value=<redacted>" in line["error"]
    assert redact("app token xapp-1-A0-123-ff in a URL") == "app token xapp-<redacted> in a URL"
