"""Reminder fan-out: 1,000 due reminders through a Slack double that enforces a per-channel rate.

    python bench/fanout.py [--recipients 50] [--per-recipient 20] [--rate 1] [--burst 1] [--workspaces 1]
                           [--concurrency 8] [--sender-rate 1] [--tick 5] [--database-url URL | --postgres]
                           [--json FILE] [--min-ratio 0.9] [--quiet]

Writes the rows with the real planner: `--per-recipient` consultations, each with `--recipients`
focal points (the same people in every one) and a round opened with `open_round`, so each person
is chased once per round; then makes every T-7d row due (UPDATE send_at to now: time has passed).
The bot's reminder clock (bot/scheduler/runner.py, built by bot.startup.reminder_runner) with the
bot's default REMINDER_CONCURRENCY, CHAT_RATE_PER_CHANNEL, REMINDER_TICK_SECONDS and
REMINDER_LEASE_SECONDS (quiet hours off: the hour of the run does not matter) sends them to the
Slack Web API double (tests/slack_double.py), which runs in its own process
(bench/double_process.py) and answers a post into a channel past `--rate` a second (a token
bucket of `--burst`) with HTTP 429 + Retry-After.

Reports the time from starting the clock to the last message the double accepted, the ceiling
(the least time the double's rate allows: max over channels of (n - burst) / rate), the ratio
ceiling / time (goal >= 0.90), lost (due keys never accepted), doubled (keys accepted twice),
the 429s received, and whether the double ever let a channel go faster than its rate. Exit
status 1 when a reminder is lost or doubled, or (with --min-ratio) the ratio is below it.

`--workspaces N` (N > 1): install by OAuth, the recipients spread over N workspaces, each installed
(a row of slack_sdk's installation store) with its own bot token; each reminder must go out with its
recipient's workspace's token (`wrong_token` counts those that did not).

SQLite in a temporary folder by default; `--database-url` for another database (PostgreSQL or
SQLite, without the bench's consultations: it is migrated and seeded here); `--postgres` for a
throwaway PostgreSQL server (tests/pg_server.py). See docs/benchmarks.md for the method and the
figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import statistics
import sys
import time
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, update  # noqa: E402
from sqlmodel import select  # noqa: E402

from bench import databases  # noqa: E402
from bench.double_process import DoubleProcess  # noqa: E402
from bot.entities.service import bundled_entities, get_entity  # noqa: E402
from bot.people.service import find_person  # noqa: E402
from bot.processes.service import NewProcess, create_process  # noqa: E402
from bot.reminders import policy  # noqa: E402
from bot.roles.service import grant  # noqa: E402
from bot.rounds.reminder_plan import DEADLINE  # noqa: E402
from bot.rounds.service import OpenRound, open_round  # noqa: E402
from bot.seed import seed  # noqa: E402
from bot.settings import Settings, load_settings  # noqa: E402
from bot.startup import reminder_runner  # noqa: E402
from storage.db import make_engine, session_scope  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Document, DocumentVersion, Reminder, ReminderStatus, Role  # noqa: E402
from storage.types import utcnow  # noqa: E402
from tests.slack_double_rate import minimum_seconds  # noqa: E402

BOT_TOKEN = "xoxb-bench"
CLIENT_ID = "1111.2222"  # --workspaces: install by OAuth
SECRETARIAT = "U0SEC1"
DUE_OFFSET = "T-7d"
GOAL_RATIO = 0.90
DEFAULTS = {name: Settings.model_fields[name].default for name in
            ("reminder_concurrency", "chat_rate_per_channel", "reminder_tick_seconds", "reminder_lease_seconds")}


def recipient_ids(count: int) -> list[str]:
    return [f"U0FAN{i:03d}" for i in range(1, count + 1)]


def workspace_of(user: str, users: list[str], workspaces: int) -> str:
    return f"T0WS{users.index(user) % workspaces + 1:02d}"


def install_workspaces(engine, users: list[str], workspaces: int) -> dict[str, str]:
    """Install by OAuth: each workspace installed (its bot token in the installation store), each person's
    Slack profile naming their workspace (the secretariat's: the first). Returns team id -> bot token."""
    from slack_sdk.oauth.installation_store import Installation
    from bot.people.service import Profile, save_profile
    from storage.installations import InstallationStore

    tokens = {f"T0WS{n:02d}": f"xoxb-bench-ws{n:02d}" for n in range(1, workspaces + 1)}
    store = InstallationStore(CLIENT_ID, engine)
    for team, token in tokens.items():
        store.sync.save(Installation(app_id="A0APP", enterprise_id=None, team_id=team, team_name=team,
                                     bot_token=token, bot_id="B0BOT", bot_user_id="U0BOT", user_id="U0ADMIN"))
    with session_scope(engine) as s:
        for user in users:
            save_profile(s, Profile(slack_user_id=user, team_id=workspace_of(user, users, workspaces)))
        save_profile(s, Profile(slack_user_id=SECRETARIAT, team_id="T0WS01"))
    return tokens


def build(engine, recipients: int, per_recipient: int) -> dict[str, str]:
    """The rows, written by the planner; returns the rows made due, key -> recipient."""
    upgrade(engine)
    users = recipient_ids(recipients)
    with session_scope(engine) as s:
        seed(s)
        grant(s, "bench", SECRETARIAT, Role.SECRETARIAT, if_missing=True)
        secretariat = find_person(s, SECRETARIAT)
        codes = sorted(e.code for e in bundled_entities())[:recipients]
        for n in range(1, per_recipient + 1):
            handle = f"fanout{n:02d}"
            process = create_process(s, secretariat, NewProcess(
                handle=handle, kind="consultation", title=f"Fan-out consultation {n}", timezone="Europe/Zurich",
                channel_id=f"C0FAN{n:03d}", members=codes))
            document = Document(process_id=process.id, slug="guidance", title="Interim guidance")
            s.add(document)
            s.flush()
            s.add(DocumentVersion(document_id=document.id, number=1, source_name="guidance.md",
                                  source_sha256="0" * 64, imported_by=SECRETARIAT))
            s.flush()
            for i, user in enumerate(users):  # a person speaks for one entity; some entities have two
                grant(s, "bench", user, Role.FOCAL_POINT, process, get_entity(s, codes[i % len(codes)]))
            open_round(s, secretariat, OpenRound(process=handle, deadline_date=(utcnow() + timedelta(days=10)).date(),
                                                 timezone="Europe/Zurich"))
    with session_scope(engine) as s:  # time has passed: the first reminder of every chase is due
        due = [Reminder.kind == DEADLINE, Reminder.offset == DUE_OFFSET, Reminder.status == ReminderStatus.PENDING]
        s.execute(update(Reminder).where(*due).values(send_at=utcnow()))
        return dict(s.exec(select(Reminder.key, Reminder.recipient).where(*due)).all())


class Records(logging.Handler):
    """The sender's and the clock's log lines, kept to count ticks and rate-limit pauses."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[tuple[float, str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((time.monotonic(), record.name, record.getMessage()))


async def deliver(settings: Settings, engine, due: set[str], timeout: float) -> tuple[float, float]:
    """Start the bot's reminder clock, wait until every due row is settled; (start, end) monotonic."""
    runner = reminder_runner(settings, engine)

    def settled(session) -> int:
        return session.exec(select(func.count()).select_from(Reminder).where(
            Reminder.key.in_(due), Reminder.status.not_in([ReminderStatus.PENDING, ReminderStatus.SENDING]))).one()

    start = time.monotonic()
    runner.start()
    try:
        while time.monotonic() - start < timeout:
            await asyncio.sleep(0.2)
            if await runner.deps.db(settled) == len(due):
                break
        end = time.monotonic()
    finally:
        await runner.stop()
    return start, end


def measure(args: argparse.Namespace, url: str) -> dict:
    oauth = {"slack_client_id": CLIENT_ID, "slack_client_secret": "bench", "slack_allowed_teams": "any",
             "slack_bot_token": None} if args.workspaces > 1 else {"slack_bot_token": BOT_TOKEN}
    settings = load_settings(env_file=None, database_url=url, quiet_hours="off",
                             quiet_days="", reminder_concurrency=args.concurrency,
                             chat_rate_per_channel=args.sender_rate, reminder_tick_seconds=args.tick,
                             reminder_lease_seconds=DEFAULTS["reminder_lease_seconds"], log_level="warning", **oauth)
    policy.configure(settings.quiet)  # as bot.startup.prepare does: deliveries go out at any hour
    engine = make_engine(settings.database_url)
    t = time.monotonic()
    due = build(engine, args.recipients, args.per_recipient)
    users = recipient_ids(args.recipients)
    tokens = install_workspaces(engine, users, args.workspaces) if args.workspaces > 1 else {}
    build_s = time.monotonic() - t
    expected = args.recipients * args.per_recipient
    if len(due) != expected:
        raise SystemExit(f"the planner made {len(due)} rows due, expected {expected}")
    per_channel = Counter("D" + recipient for recipient in due.values())  # a DM: the channel is D + user id
    ceiling = minimum_seconds(per_channel, args.rate, args.burst)

    records = Records()
    for name in ("bot.scheduler", "bot.reminders"):
        logging.getLogger(name).addHandler(records)
        logging.getLogger(name).setLevel(logging.INFO)
        logging.getLogger(name).propagate = False
    double = DoubleProcess(BOT_TOKEN).start()
    try:
        double.rate_limit("chat.postMessage", per_channel_per_second=args.rate, burst=args.burst)
        for team, token in tokens.items():
            double.add_installed_team(team, team, token)
        settings = settings.model_copy(update={"slack_api_url": double.api_url})
        timeout = args.timeout or max(60.0, 5 * ceiling + 60)
        cpu = time.process_time()
        start, end = asyncio.run(deliver(settings, engine, set(due), timeout))
        cpu = time.process_time() - cpu
        posts = double.posts("chat.postMessage")
        too_fast = double.over_limit("chat.postMessage")
        post_teams = double.post_teams("chat.postMessage") if tokens else []
    finally:
        double.stop()
    with session_scope(engine) as s:
        statuses = Counter(ReminderStatus(status).value + (f" ({outcome})" if outcome else "")
                           for status, outcome in s.exec(select(Reminder.status, Reminder.outcome)
                                                         .where(Reminder.key.in_(list(due)))).all())
    engine.dispose()

    accepted = [p for p in posts if p[1] == 200]
    delivered = Counter(key for _, _, _, key in accepted)
    last = max((at for at, *_ in accepted), default=start)
    elapsed = last - start
    gaps = []
    by_channel: dict[str, list[float]] = defaultdict(list)
    for at, _, channel, _ in accepted:
        by_channel[channel].append(at)
    for times in by_channel.values():
        gaps += [b - a for a, b in zip(times, times[1:])]
    firsts = sorted(times[0] - start for times in by_channel.values())
    sends = [line for line in records.lines if line[1] == "bot.scheduler.runner" and "sent" in line[2]]
    return {
        "recipients": args.recipients, "per_recipient": args.per_recipient, "due": len(due),
        "workspaces": args.workspaces,
        "posts_by_workspace": dict(sorted(Counter(str(team) for _, team in post_teams).items())),
        "wrong_token": sum(1 for channel, team in post_teams  # a DM's channel is D + the recipient's user id
                           if team != workspace_of(str(channel)[1:], users, args.workspaces)),
        "database": "postgresql" if url.startswith("postgres") else "sqlite",
        "double_rate": args.rate, "burst": args.burst,
        "sender": {"concurrency": settings.reminder_concurrency,
                   "chat_rate_per_channel": settings.chat_rate_per_channel,
                   "tick_seconds": settings.reminder_tick_seconds, "lease_seconds": settings.reminder_lease_seconds},
        "build_s": round(build_s, 2),
        "seconds": round(elapsed, 3),
        "first_post_s": round(firsts[0], 3) if firsts else None,  # the clock's start-up and first claim
        "every_channel_started_s": round(firsts[-1], 3) if firsts else None,  # the ramp: one claim at a time
        "settled_s": round(end - start, 3),
        "ceiling_s": round(ceiling, 3), "ratio": round(ceiling / elapsed, 3) if elapsed > 0 else None,
        "lost": sorted(set(due) - set(delivered)), "doubled": sorted(k for k, n in delivered.items() if n > 1),
        "accepted": len(accepted), "ratelimited_429": sum(1 for p in posts if p[1] == 429),
        "other_errors": sum(1 for p in posts if p[1] not in (200, 429)),
        "over_limit_channels": sorted(too_fast),
        "gap_s": {"min": round(min(gaps), 4), "median": round(statistics.median(gaps), 4),
                  "max": round(max(gaps), 4)} if gaps else None,
        "ticks_that_sent": [text for _, _, text in sends],
        "pauses": sum(1 for line in records.lines if "rate limited, pausing" in line[2]),
        "rows": dict(sorted(statuses.items())),
        "sender_cpu_s": round(cpu, 2),
        "posts": [[round(at - start, 4), status, channel, key] for at, status, channel, key in posts],
    }


def table(r: dict) -> str:
    goal = "met" if r["ratio"] and r["ratio"] >= GOAL_RATIO else "missed"
    ratio = f"{r['ratio']:.3f}" if r["ratio"] else "-"
    return "\n".join([
        "| due | channels × per channel | db | double rate /s | sender concurrency, rate /s | delivered in s "
        "| ceiling s | ceiling / actual | lost | doubled | 429s |",
        "| ---: | --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {r['due']} | {r['recipients']} × {r['per_recipient']} | {r['database']} | {r['double_rate']:g} "
        f"(burst {r['burst']}) | {r['sender']['concurrency']}, {r['sender']['chat_rate_per_channel']:g} "
        f"| {r['seconds']:.2f} | {r['ceiling_s']:.2f} | {ratio} ({goal}) | {len(r['lost'])} "
        f"| {len(r['doubled'])} | {r['ratelimited_429']} |",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=50, help="DM channels (focal points), default 50")
    parser.add_argument("--per-recipient", type=int, default=20, help="reminders due per recipient, default 20")
    parser.add_argument("--rate", type=float, default=1.0, help="the double's messages/s per channel (Slack: 1)")
    parser.add_argument("--burst", type=int, default=1, help="the double's bucket size, default 1")
    parser.add_argument("--workspaces", type=int, default=1,
                        help="spread the recipients over this many workspaces, installed by OAuth (default 1: "
                             "one workspace, SLACK_BOT_TOKEN)")
    parser.add_argument("--concurrency", type=int, default=DEFAULTS["reminder_concurrency"],
                        help="REMINDER_CONCURRENCY (default: the bot's, %(default)s)")
    parser.add_argument("--sender-rate", type=float, default=DEFAULTS["chat_rate_per_channel"],
                        help="CHAT_RATE_PER_CHANNEL (default: the bot's, %(default)s)")
    parser.add_argument("--tick", type=float, default=DEFAULTS["reminder_tick_seconds"],
                        help="REMINDER_TICK_SECONDS (default: the bot's, %(default)s)")
    databases.add_options(parser, "a database without the bench's consultations (migrated and seeded here); "
                          "default: SQLite in a temporary folder")
    parser.add_argument("--timeout", type=float, default=0,
                        help="give up after this many seconds (default 5 × ceiling + 60)")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument("--min-ratio", type=float, help="exit 1 when ceiling / actual is below this")
    parser.add_argument("--quiet", action="store_true", help="only the table")
    args = parser.parse_args(argv)
    if args.recipients < 1 or args.per_recipient < 1 or args.workspaces < 1:
        parser.error("--recipients, --per-recipient and --workspaces must be >= 1")

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.ERROR)  # "tick skipped: still running" every 5 s
    with databases.database(args, "consultbot_fanout") as url:
        result = measure(args, url)
    result["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}

    print(table(result))
    if not args.quiet:
        print(f"\n- first post {result['first_post_s']} s after the clock started, every channel had its first by "
              f"{result['every_channel_started_s']} s; every row settled at {result['settled_s']:.2f} s; "
              f"setup (planner) {result['build_s']:.1f} s")
        if result["gap_s"]:
            g = result["gap_s"]
            print(f"- gap between two posts into one channel: min {g['min']:.3f} s, median {g['median']:.3f} s, "
                  f"max {g['max']:.3f} s")
        print(f"- ticks that sent: {result['ticks_that_sent']}; rate-limit pauses: {result['pauses']}")
        print(f"- rows: {result['rows']}; sender process CPU {result['sender_cpu_s']} s")
        print(f"- channels the double let go faster than its rate: {result['over_limit_channels'] or 'none'}")
        if result["workspaces"] > 1:
            print(f"- posts by workspace token: {result['posts_by_workspace']}; "
                  f"with a token of no workspace: {result['wrong_token']}")
        for what in ("lost", "doubled"):
            if result[what]:
                print(f"- {what}: {result[what][:10]}{' …' if len(result[what]) > 10 else ''}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    bad = bool(result["lost"] or result["doubled"] or result["over_limit_channels"] or result["wrong_token"])
    if args.min_ratio is not None and (result["ratio"] or 0) < args.min_ratio:
        bad = True
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
