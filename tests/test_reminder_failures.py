"""Reminders when things go wrong, run for real: `consultbot serve` processes killed and restarted,
two replicas on one PostgreSQL, a second instance on one SQLite file, Slack answering 429 and 5xx.

Each test has its own database (`private_database_url`, SQLite or PostgreSQL) and its own Slack
double, so what the double records is this test's alone. The rows are written by the real planner
(tests/reminder_fixtures.py); "time passes" by moving their times into the past in the database.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from bot.people.service import find_person
from bot.reminders.service import WEEKLY_STATUS, set_weekly
from bot.timezones import zone
from storage.db import session_scope
from storage.models import Recurrence, Reminder, ReminderStatus, Round
from storage.types import utcnow
from tests.bot_process import BotProcess, consultbot, free_port
from tests.reminder_fixtures import SECRETARIAT, build_chase, make_due, posted_keys, reminders, time_passes
from tests.slack_requests import SIGNING_SECRET

BOT_TOKEN = "xoxb-test"
CONCURRENCY = 8  # REMINDER_CONCURRENCY: messages in flight at once, the most a kill -9 can send twice
TICK_S = 0.2


@pytest.fixture
def serve_env(private_database_url, own_slack) -> dict[str, str]:
    return {"DATABASE_URL": private_database_url, "SLACK_API_URL": own_slack.api_url, "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SECRETARIAT_USERS": SECRETARIAT, "LOG_LEVEL": "info",
            "QUIET_HOURS": "off", "QUIET_DAYS": "", "REMINDER_TICK_SECONDS": str(TICK_S),
            "REMINDER_LEASE_SECONDS": "2", "REMINDER_CONCURRENCY": str(CONCURRENCY),
            "CHAT_RATE_PER_CHANNEL": "50"}


@pytest.fixture
def start_serve(serve_env, tmp_path) -> Iterator[Callable[..., BotProcess]]:
    """Starts `consultbot serve` on this test's database (env overrides as keyword arguments) and
    returns it once healthy; whatever is still running at the end of the test is stopped."""
    started: list[BotProcess] = []

    def start(**env: str) -> BotProcess:
        process = BotProcess({**serve_env, **env}, tmp_path / f"serve-{len(started) + 1}.log")
        started.append(process)
        return process.start()

    yield start
    for process in started:
        process.stop()


def kill_9(process: BotProcess) -> None:
    """kill -9: no shutdown, no confirmation of the messages in flight."""
    os.kill(process.proc.pid, signal.SIGKILL)
    process.proc.wait(10)
    process.stop()  # closes its log


def wait_until(condition: Callable[[], object], timeout: float, what: str, detail: Callable[[], str] = str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}\n{detail()}")
        time.sleep(0.05)


def settled(engine) -> bool:
    """No row is due and still open: everything due has been sent, skipped or failed."""
    return not reminders(engine, Reminder.status.in_([ReminderStatus.PENDING, ReminderStatus.SENDING]),
                         Reminder.send_at <= utcnow())


def chase_deadline(engine, round_id: int):
    with session_scope(engine) as s:
        return s.get(Round, round_id).deadline


def by_key(engine, *conditions) -> dict[str, Reminder]:
    return {row.key: row for row in reminders(engine, *conditions)}


def test_killed_mid_send_and_restarted_every_reminder_arrives_and_only_those_in_flight_twice(
        private_engine, own_slack, start_serve):
    """The process is killed (kill -9) in the middle of sending 500 reminders and restarted: every
    reminder is delivered, and none twice except at most the few in flight at the kill."""
    build_chase(private_engine, focal_points=25, rounds=20)
    keys = set(make_due(private_engine, Reminder.offset == "T-7d"))
    assert len(keys) == 500
    # 25 recipients at 4 messages a second each: the 500 take a few seconds, long enough to kill mid-way
    first = start_serve(CHAT_RATE_PER_CHANNEL="4")
    wait_until(lambda: len(posted_keys(own_slack)) >= 200, 60, "200 of 500 reminders posted", first.output)
    kill_9(first)
    at_kill = posted_keys(own_slack)
    assert len(at_kill) < len(keys), "the kill must land in the middle of sending"

    second = start_serve(CHAT_RATE_PER_CHANNEL="4")
    wait_until(lambda: set(posted_keys(own_slack)) >= keys and settled(private_engine), 60,
               "every reminder posted and confirmed after the restart", second.output)

    posted = posted_keys(own_slack)
    assert set(posted) == keys, "nothing lost, nothing else sent"
    twice = {key: n for key, n in posted.items() if n > 1}
    print(f"\nkill -9 after {sum(at_kill.values())} posts: {len(twice)} reminder(s) posted twice")
    assert all(n == 2 for n in twice.values()), twice
    assert len(twice) <= CONCURRENCY, f"only the messages in flight at the kill may go twice: {twice}"
    assert set(twice) <= set(at_kill), "a reminder sent twice was one posted before the kill"
    rows = reminders(private_engine, Reminder.key.in_(keys))
    assert {row.status for row in rows} == {ReminderStatus.SENT}
    assert all(row.ts for row in rows)


def test_down_past_due_time_a_late_reminder_goes_once_a_stale_one_is_dropped_and_only_the_latest_of_a_chase_goes(
        private_engine, own_slack, start_serve):
    """The bot is down past a reminder's due time: on restart it is sent once, late, unless it is
    stale by its kind's rule (a one-hour-before call after the deadline is dropped and logged)."""
    chase = build_chase(private_engine, focal_points=2, rounds=3)
    late, past_deadline, two_overdue = chase.round_ids
    start_serve().stop()  # the bot ran while nothing was due...
    assert not posted_keys(own_slack)
    # ...then it was down while time passed, differently for each round:

    now = utcnow()
    deadline = chase_deadline(private_engine, late)  # the three rounds share it, 10 days ahead
    time_passes(private_engine, late, deadline - now - timedelta(days=5))  # T-7d was 2 days ago
    time_passes(private_engine, past_deadline, deadline - now + timedelta(minutes=30))  # deadline 30 min ago
    time_passes(private_engine, two_overdue, deadline - now - timedelta(hours=36))  # T-7d and T-2d both past

    bot = start_serve()
    wait_until(lambda: settled(private_engine), 30, "every due reminder settled", bot.output)
    time.sleep(3 * TICK_S)  # a few more ticks: nothing goes a second time
    posted = posted_keys(own_slack)
    rows = by_key(private_engine)

    late_keys = {k for k, r in rows.items() if r.subject_id == late and r.offset == "T-7d"}
    assert len(late_keys) == 2 and all(posted[k] == 1 for k in late_keys), "sent once, late"
    assert all(rows[k].status == ReminderStatus.SENT for k in late_keys)
    assert not any(r.status == ReminderStatus.SENT for r in rows.values()
                   if r.subject_id == late and r.offset != "T-7d"), "the later ones are not due yet"

    last_calls = [r for r in rows.values() if r.subject_id == past_deadline and r.offset == "T-1h"]
    assert len(last_calls) == 2
    for row in last_calls:
        assert (row.status, row.outcome) == (ReminderStatus.SKIPPED, "stale")
        assert posted[row.key] == 0
        assert re.search(rf"reminder {re.escape(row.key)} dropped: stale", bot.output()), bot.output()
    after_deadline = [r for r in rows.values() if r.subject_id == past_deadline and r.kind == "round.deadline"]
    assert {(r.status, r.outcome) for r in after_deadline} == {(ReminderStatus.SKIPPED, "stale")}
    [escalation] = [k for k, r in rows.items() if r.subject_id == past_deadline and r.kind == "round.escalation"]
    assert posted[escalation] == 1, "the escalation to the secretariat has no staleness: it goes, late"

    chased = {k: r for k, r in rows.items() if r.subject_id == two_overdue and r.kind == "round.deadline"}
    for key, row in chased.items():
        if row.offset == "T-7d":
            assert (row.status, row.outcome, posted[key]) == (ReminderStatus.SKIPPED, "superseded", 0)
        elif row.offset == "T-2d":
            assert (row.status, posted[key]) == (ReminderStatus.SENT, 1), "only the later one goes"
        else:
            assert (row.status, posted[key]) == (ReminderStatus.PENDING, 0)
    assert sum(posted.values()) == 2 + 1 + 2, f"the late T-7d calls, the escalation, the T-2d calls: {posted}"


def test_two_replicas_on_one_postgresql_send_each_reminder_once_and_generate_each_occurrence_once(
        private_database_url, private_engine, own_slack, start_serve):
    """Two replicas of consultbot serve on one PostgreSQL: every reminder is sent exactly once, and
    each recurring occurrence is generated once."""
    if not private_database_url.startswith("postgresql"):
        pytest.skip("replicas need PostgreSQL; on SQLite a second instance refuses to start (tested below)")
    big = build_chase(private_engine, focal_points=15, rounds=20, channel_id="C0CHASEBIG")
    small = [build_chase(private_engine, focal_points=1, channel_id=f"C0CHASE{i}") for i in range(2)]
    replicas = [start_serve(CHAT_RATE_PER_CHANNEL="4"), start_serve(CHAT_RATE_PER_CHANNEL="4")]

    # while both run: 300 reminders fall due, and three weekly messages are set as if three hours ago
    # (generated_until three hours back) for the hour just past: each has one occurrence due now,
    # within its 12 h staleness, that neither replica has generated yet
    keys = set(make_due(private_engine, Reminder.offset == "T-7d", Reminder.process_id == big.process_id))
    assert len(keys) == 300
    with session_scope(private_engine) as s:
        an_hour_ago = (utcnow() - timedelta(hours=1)).astimezone(zone("Europe/Zurich"))
        for chase in [big, *small]:
            set_weekly(s, find_person(s, SECRETARIAT), chase.handle, an_hour_ago.strftime("%a"),
                       an_hour_ago.strftime("%H:%M"), now=utcnow() - timedelta(hours=3))

    def everything_arrived() -> bool:
        weekly = reminders(private_engine, Reminder.kind == WEEKLY_STATUS)
        return len(weekly) >= 3 and set(posted_keys(own_slack)) >= keys | {r.key for r in weekly}

    wait_until(lambda: everything_arrived() and settled(private_engine), 60, "300 reminders and 3 weekly messages",
               lambda: replicas[0].output()[-3000:] + replicas[1].output()[-3000:])
    time.sleep(3 * TICK_S)
    for replica in replicas:
        replica.stop()  # a clean stop: each replica logs how many it sent

    weekly = reminders(private_engine, Reminder.kind == WEEKLY_STATUS)
    with session_scope(private_engine) as s:
        recurrences = [rec.key for rec in s.exec(select(Recurrence)).all()]
    assert len(recurrences) == 3
    assert sorted(r.key.rsplit(":", 1)[0] for r in weekly) == sorted(recurrences), \
        "one occurrence row per recurrence"
    posted = posted_keys(own_slack)
    assert posted == Counter({key: 1 for key in keys | {r.key for r in weekly}}), \
        {k: n for k, n in posted.items() if n != 1}
    assert {r.status for r in weekly} == {ReminderStatus.SENT}
    weekly_posts = [c for c in own_slack.calls_to("chat.postMessage") if c.params["channel"].startswith("C0CHASE")]
    assert sorted(c.params["channel"] for c in weekly_posts) == sorted(["C0CHASEBIG", "C0CHASE0", "C0CHASE1"])
    sent_by = [sum(int(n) for n in re.findall(r"reminders: (\d+) sent", r.output())) for r in replicas]
    assert sum(sent_by) == 303 and all(sent_by), f"both replicas sent, together each once: {sent_by}"


def test_on_sqlite_a_second_instance_refuses_to_start_until_the_first_is_gone(
        private_database_url, serve_env, start_serve):
    """On SQLite a second instance on the same file refuses to start with a clear message."""
    if not private_database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL runs several instances")
    first = start_serve()
    another_port = {"PORT": str(free_port()), "HOST": "127.0.0.1"}
    second = consultbot("serve", env={**serve_env, **another_port}, check=False, timeout=30)
    assert second.returncode == 2, second.stdout + second.stderr
    database = str(Path(private_database_url.removeprefix("sqlite:///")).resolve())
    assert database in second.stderr and "PostgreSQL" in second.stderr, second.stderr
    assert f"pid {first.proc.pid}" in second.stderr, second.stderr
    assert first.proc.poll() is None and httpx.get(first.url + "/healthz", timeout=5).status_code == 200

    kill_9(first)  # the OS releases the lock with the process
    third = start_serve()
    assert httpx.get(third.url + "/healthz", timeout=5).status_code == 200


def test_slack_answers_429_to_one_call_in_ten_all_arrive_and_the_sender_keeps_retry_after(
        private_engine, own_slack, start_serve):
    """Slack answers 429 to one call in ten: all still arrive, and the sender never exceeds the pace
    that Retry-After asks for."""
    build_chase(private_engine, focal_points=5, rounds=8)
    keys = set(make_due(private_engine, Reminder.offset == "T-7d"))
    assert len(keys) == 40
    own_slack.fail_every("chat.postMessage", 10, 429, retry_after=1)
    # 5 recipients at 4 messages a second each: there is always a message waiting to go when a 429 comes
    bot = start_serve(CHAT_RATE_PER_CHANNEL="4")
    wait_until(lambda: set(posted_keys(own_slack)) >= keys and settled(private_engine), 60, "40 reminders",
               bot.output)

    assert posted_keys(own_slack) == Counter({key: 1 for key in keys})
    assert {r.status for r in reminders(private_engine, Reminder.key.in_(keys))} == {ReminderStatus.SENT}
    posts = own_slack.calls_to("chat.postMessage")
    limited = [c for c in posts if c.status == 429]
    assert len(limited) >= 3, own_slack.dump()
    # Requests already on their way when a 429 was answered reach the double just after it: they
    # are allowed within IN_FLIGHT_S of the 429. After that, nothing until Retry-After has passed.
    IN_FLIGHT_S = 0.25
    for answer in limited:
        too_soon = [c for c in posts if answer.at + IN_FLIGHT_S < c.at < answer.at + 1.0]
        assert not too_soon, \
            f"posted {too_soon[0].at - answer.at:.3f} s after a 429 asking for 1 s\n{own_slack.dump()}"


def test_5xx_answers_are_retried_with_backoff_and_a_permanent_error_fails_one_row_only(
        private_engine, own_slack, start_serve):
    """5xx answers are retried with backoff and all arrive; a permanent error (user_not_found for
    one recipient) leaves that row failed and does not stop the others."""
    build_chase(private_engine, focal_points=10, rounds=2)
    keys = set(make_due(private_engine, Reminder.offset == "T-7d"))
    assert len(keys) == 20
    own_slack.fail_every("chat.postMessage", 4, status=500)
    own_slack.fail_next("chat.postMessage", status=200, error="user_not_found")  # the very first post
    bot = start_serve()
    wait_until(lambda: len(posted_keys(own_slack)) == 19 and settled(private_engine), 60,
               "19 reminders posted and one failed", bot.output)
    time.sleep(3 * TICK_S)

    posts = own_slack.calls_to("chat.postMessage")
    [refused] = [c for c in posts if c.error == "user_not_found"]
    gone = refused.params["metadata"]["event_payload"]["key"]
    row = by_key(private_engine)[gone]
    assert (row.status, row.outcome) == (ReminderStatus.FAILED, "user_not_found")
    assert [c for c in posts if c.params["metadata"]["event_payload"]["key"] == gone] == [refused], "not retried"
    assert posted_keys(own_slack) == Counter({key: 1 for key in keys - {gone}})
    assert {r.status for r in reminders(private_engine, Reminder.key.in_(keys - {gone}))} == {ReminderStatus.SENT}
    same_person = {r.key for r in reminders(private_engine, Reminder.key.in_(keys),
                                            Reminder.recipient == row.recipient)}
    assert len(same_person) == 2 and posted_keys(own_slack)[(same_person - {gone}).pop()] == 1, \
        "the recipient's reminder of the other round still went"

    errors = [c for c in posts if c.status == 500]
    assert len(errors) >= 3, own_slack.dump()
    for answer in errors:
        key = answer.params["metadata"]["event_payload"]["key"]
        retry = next(c for c in posts if c.at > answer.at and c.params["metadata"]["event_payload"]["key"] == key)
        # backoff is 1 s after a first failure, more after the next (bot/scheduler/sender.py). The double
        # records a call before answering it, so a retry can only come later; 0.05 s is for the clocks
        # (send_at is wall time in the database, `at` the double's monotonic time)
        assert retry.at - answer.at >= 0.95, f"{key} retried {retry.at - answer.at:.3f} s after a 500"
