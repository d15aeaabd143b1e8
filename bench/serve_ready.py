"""Start-up and memory of `consultbot serve`, side by side with a bare Bolt app.

    python bench/serve_ready.py [--postgres] [--runs 5] [--recipients 50] [--per-recipient 20] [--json FILE]

- **Time to ready**: from `Popen(consultbot serve)` to the first `GET /readyz` answered 200 (polled
  every 10 ms): on an empty database (the first start: every migration runs) and on a migrated
  one (a restart), `--runs` times each. The floor is bench/baseline_app.py (a bare AsyncApp
  behind the same Starlette adapter and uvicorn, no database) from `Popen` to its `/healthz` 200,
  measured in the same runs, alternating which starts first.
- **Resident memory** (VmRSS from /proc/PID/status): of the bot idle (2 s after ready) and after
  it has sent `--recipients` × `--per-recipient` reminders (1,000 by default, written by the real
  planner with bench/fanout.py's `build`, into the running bot's database, sent to the Slack Web
  API double in its own process, bench/double_process.py); of the bare app idle.

SQLite in a temporary folder by default; `--postgres` for a throwaway PostgreSQL server
(tests/pg_server.py), a fresh database for each cold start. The bot runs with its default
settings but quiet hours off (the hour of the run does not matter) and CHAT_RATE_PER_CHANNEL=50
(the memory after 1,000 sends is measured, not Slack's pace: bench/fanout.py measures that).
See docs/benchmarks.md for the figures.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func  # noqa: E402
from sqlmodel import select  # noqa: E402

from bench.double_process import DoubleProcess  # noqa: E402
from bench.fanout import build  # noqa: E402
from bot.reminders import policy  # noqa: E402
from bot.reminders.plan import OFF  # noqa: E402
from storage.db import make_engine, session_scope  # noqa: E402
from storage.models import Reminder, ReminderStatus  # noqa: E402
from tests.bot_process import clean_env, consultbot, free_port  # noqa: E402

BOT_TOKEN = "xoxb-bench"
SIGNING_SECRET = "bench-signing-secret"
POLL_S = 0.01
_names = itertools.count(1)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


class Server:
    """A server process started now; `ready()` polls `path` until 200 and returns the seconds it took."""

    def __init__(self, argv: list[str], env: dict[str, str], path: str, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.path = path
        self.log = open(log, "w")
        env = {**env, "PORT": str(self.port), "HOST": "127.0.0.1"}
        self.started = time.monotonic()
        self.proc = subprocess.Popen([part.replace("{port}", str(self.port)) for part in argv], env=clean_env(env),
                                     cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)

    def ready(self, timeout: float = 60) -> float:
        with httpx.Client(timeout=2) as client:
            while time.monotonic() - self.started < timeout:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"exited {self.proc.returncode}: see {self.log.name}")
                try:
                    if client.get(self.url + self.path).status_code == 200:
                        return time.monotonic() - self.started
                except httpx.HTTPError:
                    pass
                time.sleep(POLL_S)
        raise RuntimeError(f"not ready within {timeout} s: see {self.log.name}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


def summary(values: list[float]) -> dict:
    return {"median": round(statistics.median(values), 3), "min": round(min(values), 3),
            "max": round(max(values), 3), "runs": len(values)}


def measure(args: argparse.Namespace, tmp: Path, new_database) -> dict:
    double = DoubleProcess(BOT_TOKEN).start()
    env = {"SLACK_API_URL": double.api_url, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "LOG_LEVEL": "warning", "QUIET_HOURS": "off", "QUIET_DAYS": "", "CHAT_RATE_PER_CHANNEL": "50"}
    bot_argv = [sys.executable, "-m", "bot.cli", "serve"]
    base_argv = [sys.executable, str(ROOT / "bench" / "baseline_app.py"), "--host", "127.0.0.1", "--port", "{port}"]
    cold, warm, base = [], [], []
    try:
        for run in range(args.runs):
            url = new_database()

            def bot() -> float:
                server = Server(bot_argv, {**env, "DATABASE_URL": url}, "/readyz", tmp / f"bot-{run}.log")
                try:
                    return server.ready()
                finally:
                    server.stop()

            def bare() -> float:
                server = Server(base_argv, env, "/healthz", tmp / f"base-{run}.log")
                try:
                    return server.ready()
                finally:
                    server.stop()

            if run % 2:
                base.append(bare())
                cold.append(bot())
            else:
                cold.append(bot())
                base.append(bare())
            warm.append(bot())  # the same database, now migrated: a restart

        url = new_database()
        consultbot("db", "upgrade", env={**env, "DATABASE_URL": url})
        server = Server(bot_argv, {**env, "DATABASE_URL": url}, "/readyz", tmp / "bot-memory.log")
        baseline = Server(base_argv, env, "/healthz", tmp / "base-memory.log")
        try:
            server.ready()
            baseline.ready()
            time.sleep(2)
            idle, base_idle = rss_mib(server.proc.pid), rss_mib(baseline.proc.pid)
            policy.configure(OFF)
            engine = make_engine(url)
            due = build(engine, args.recipients, args.per_recipient)
            for user in {recipient for recipient in due.values()}:
                double.add_user(user)
            started = time.monotonic()

            def sent() -> int:
                with session_scope(engine) as s:
                    return s.exec(select(func.count()).select_from(Reminder).where(
                        Reminder.key.in_(list(due)), Reminder.status == ReminderStatus.SENT)).one()

            while sent() < len(due):
                if time.monotonic() - started > args.timeout:
                    raise RuntimeError(f"{sent()} of {len(due)} sent within {args.timeout} s")
                time.sleep(0.5)
            send_s = time.monotonic() - started
            time.sleep(2)
            after = rss_mib(server.proc.pid)
            engine.dispose()
        finally:
            server.stop()
            baseline.stop()
    finally:
        double.stop()
    return {"cold_ready_s": summary(cold), "warm_ready_s": summary(warm), "baseline_ready_s": summary(base),
            "ratio_warm_to_baseline": round(statistics.median(warm) / statistics.median(base), 2),
            "rss_mib": {"bot_idle": round(idle, 1), "bot_after_reminders": round(after, 1),
                        "baseline_idle": round(base_idle, 1)},
            "reminders": len(due), "sent_in_s": round(send_s, 1)}


def table(result: dict) -> str:
    c, w, b, m = result["cold_ready_s"], result["warm_ready_s"], result["baseline_ready_s"], result["rss_mib"]
    return "\n".join([
        f"database: {result['database']}, {c['runs']} runs each (median, min–max)",
        "",
        "| process | start to ready, s | resident memory idle, MiB | after {} reminders, MiB |".format(
            result["reminders"]),
        "| --- | ---: | ---: | ---: |",
        f"| consultbot serve, empty database (migrations) | {c['median']:.2f} ({c['min']:.2f}–{c['max']:.2f}) "
        f"| | |",
        f"| consultbot serve, migrated database (restart) | {w['median']:.2f} ({w['min']:.2f}–{w['max']:.2f}) "
        f"| {m['bot_idle']:.1f} | {m['bot_after_reminders']:.1f} |",
        f"| bare AsyncApp (bench/baseline_app.py) | {b['median']:.2f} ({b['min']:.2f}–{b['max']:.2f}) "
        f"| {m['baseline_idle']:.1f} | |",
        f"| ratio restart / bare app | {result['ratio_warm_to_baseline']:.2f} | "
        f"{m['bot_idle'] / m['baseline_idle']:.2f} | |",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL server (tests/pg_server.py)")
    parser.add_argument("--runs", type=int, default=5, help="cold and warm starts of each, default 5")
    parser.add_argument("--recipients", type=int, default=50)
    parser.add_argument("--per-recipient", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=300, help="seconds allowed to send the reminders")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be >= 1")

    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="consultbot-serve-ready-")))
        if args.postgres:
            from tests.pg_server import ThrowawayPostgres

            server = ThrowawayPostgres().start()
            stack.callback(server.stop)

            def new_database() -> str:
                return server.create_database(f"consultbot_ready_{next(_names)}")
        else:
            def new_database() -> str:
                return f"sqlite:///{tmp / f'bench-{next(_names)}.sqlite3'}"
        result = measure(args, tmp, new_database)
    result["database"] = "postgresql" if args.postgres else "sqlite"
    result["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    print(table(result))
    print(f"\n{result['reminders']} reminders sent in {result['sent_in_s']} s")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
