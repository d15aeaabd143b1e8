"""Time to acknowledgement: `consultbot serve` against the fastest bare Bolt app, in the same run.

    python bench/ack.py --rounds 20 [--concurrency 50] [--json FILE] [--variant sync-app]
                        [--locales en-US,fr-FR,es-ES,zh-CN,ru-RU,ar]

Starts a Slack Web API double (tests/slack_double.py, in a child process), `consultbot seed` +
`consultbot serve` on a fresh SQLite database, and bench/baseline_app.py (a Bolt app that only
acks) pointing at the same double. Both are warmed up, then for each round both get the same
burst of `--concurrency` concurrent signed `/consult help` requests (alternating which goes
first); each request's time from send to the HTTP response (the ack) is recorded. Prints p50,
p90, p99 and max per server and the bot/baseline ratios as a Markdown table (`--json FILE`
writes the figures), and checks that the bot really answered every help request through its
response_url. Exit status 1 when an ack took 3 s or more, an ack was not HTTP 200, or a help
answer is missing (and, with `--max-p99-ratio`, when the p99 ratio is above it).

Every request opens its own connection, as Slack's do. The default client (`--client raw`)
writes pre-built HTTP/1.1 bytes on asyncio streams (~0.13 ms CPU a request); `--client httpx`
costs ~0.9 ms a request, enough to make the load generator the bottleneck of a 50-request burst.

`--locales` spreads the callers over Slack locales (round robin) and gives the bot the six languages'
catalogues (prompts/'s when the translations are there, else bench/catalogue.py's pseudo-translations), so
every answer is rendered in its caller's language.

See docs/benchmarks.md for the method and the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.catalogue import six_languages  # noqa: E402
from bench.double_process import DoubleProcess  # noqa: E402
from tests.bot_process import BotProcess, consultbot  # noqa: E402
from tests.slack_requests import sign  # noqa: E402

BOT_TOKEN = "xoxb-bench"
SIGNING_SECRET = "bench-signing-secret"
SECRETARIAT = "U0SEC1"
TEAM_ID = "T0EMG"
HOST = "127.0.0.1"
ACK_LIMIT_S = 3.0  # Slack shows the user an error past this
GOAL_P99_RATIO = 1.25
REQUEST_TIMEOUT_S = 10.0  # > ACK_LIMIT_S, so a slow ack is measured, not lost
ANSWER_TIMEOUT_S = 30.0
PERCENTILES = (50, 90, 99)


# ---------------------------------------------------------------- servers

@dataclass
class Target:
    key: str  # 3 letters, so both servers get requests of the same size
    label: str
    port: int
    answers: bool  # answers each help request through its response_url
    acks: list[float] = field(default_factory=list)  # seconds, measured rounds only
    failures: list[str] = field(default_factory=list)
    answer_delays: list[float] = field(default_factory=list)  # send -> response_url answer received
    answered: int = 0
    expected_answers: int = 0
    client_cpu_s: float = 0.0  # load generator CPU spent on this server's measured bursts
    pid: int | None = None
    server_cpu_s: float = 0.0  # the server process's CPU (all threads) over its measured bursts, answers included
    bursts: list[dict] = field(default_factory=list)  # per measured burst: p50 and max, ms


# ---------------------------------------------------------------- requests

def command_body(user: str, text: str, response_url: str, n: int) -> str:
    """A slash command exactly as Slack form-encodes it (same fields as tests/slack_requests.py)."""
    return urlencode({
        "token": "verification_token", "team_id": TEAM_ID, "team_domain": "emg",
        "channel_id": "C0FRAMEWORK", "channel_name": "framework", "user_id": user, "user_name": user.lower(),
        "command": "/consult", "text": text, "api_app_id": "A0APP",
        "response_url": response_url, "trigger_id": f"{n}.{n}.trigger",
    })


@dataclass
class Prepared:
    tag: str
    body: bytes
    headers: dict[str, str]
    raw: bytes  # the whole HTTP/1.1 request, for --client raw


def prepare_burst(target: Target, phase: str, round_no: int, users: list[str], count: int,
                  response_base: str) -> list[Prepared]:
    """Signed requests, built before the clock starts. Tags name the response_url path."""
    out = []
    for i in range(count):
        tag = f"{phase}{round_no:03d}-{target.key}-{i:03d}"
        body = command_body(users[i % len(users)], "help", f"{response_base}/response/{tag}",
                            round_no * 1000 + i).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body.decode(), SIGNING_SECRET),
                   "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)", "Accept": "*/*"}
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        raw = (f"POST /slack/events HTTP/1.1\r\nHost: {HOST}:{target.port}\r\n{head}"
               f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body
        out.append(Prepared(tag, body, headers, raw))
    return out


async def post_httpx(client: httpx.AsyncClient, url: str, req: Prepared) -> tuple[float, float, int, str]:
    sent = time.monotonic()
    try:
        response = await client.post(url, content=req.body, headers=req.headers)
        status, error = response.status_code, ""
    except httpx.HTTPError as exc:
        status, error = 0, f"{type(exc).__name__}: {exc}"
    return sent, time.monotonic() - sent, status, error


async def post_raw(port: int, req: Prepared) -> tuple[float, float, int, str]:
    """One request on its own TCP connection, read to the end of the response body."""
    sent = time.monotonic()
    writer = None
    try:
        async with asyncio.timeout(REQUEST_TIMEOUT_S):
            reader, writer = await asyncio.open_connection(HOST, port)
            writer.write(req.raw)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
        elapsed, error = time.monotonic() - sent, ""
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
        elapsed, status, error = time.monotonic() - sent, 0, f"{type(exc).__name__}: {exc}"
    finally:
        if writer is not None:
            writer.close()
    return sent, elapsed, status, error


class Generator:
    """The load generator: fires one burst of prepared requests at once, each on a fresh connection."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        # No keep-alive: every request opens (and closes) its own connection, as Slack's do.
        self.client = httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S, limits=httpx.Limits(
            max_connections=None, max_keepalive_connections=0))

    async def burst(self, target: Target, reqs: list[Prepared]) -> list[tuple[float, float, int, str]]:
        url = f"http://{HOST}:{target.port}/slack/events"
        if self.kind == "raw":
            coros = [post_raw(target.port, r) for r in reqs]
        else:
            coros = [post_httpx(self.client, url, r) for r in reqs]
        return await asyncio.gather(*coros)

    async def close(self) -> None:
        await self.client.aclose()


# ---------------------------------------------------------------- the run

class Bench:
    def __init__(self, args: argparse.Namespace, double: DoubleProcess, bot: Target, base: Target) -> None:
        self.args, self.double, self.bot, self.base = args, double, bot, base
        self.users = [f"U0BENCH{i:03d}" for i in range(1, args.users + 1)]
        self.gen = Generator(args.client)

    async def wait_answers(self, phase: str, round_no: int, target: Target, sent: dict[str, float]) -> tuple[int, list[float]]:
        """Polls the double until every request of the burst got its response_url answer (bounded)."""
        prefix = f"/response/{phase}{round_no:03d}-{target.key}-"
        deadline = time.monotonic() + ANSWER_TIMEOUT_S
        while True:
            calls = [c for c in await asyncio.to_thread(self.double.calls, "response_url", prefix) if c[1] == 200]
            if len(calls) >= len(sent) or time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.02)
        delays = [at - sent[path.rsplit("/", 1)[1]] for path, _, at in calls if path.rsplit("/", 1)[1] in sent]
        return len(calls), delays

    async def one(self, target: Target, phase: str, round_no: int, count: int, users: list[str] | None = None,
                  record: bool = True) -> None:
        reqs = prepare_burst(target, phase, round_no, users or self.users, count, self.double.base_url)
        gc.collect()
        server_cpu = process_cpu(target.pid)
        cpu = time.process_time()
        results = await self.gen.burst(target, reqs)
        cpu = time.process_time() - cpu
        sent = {r.tag: s for r, (s, _, _, _) in zip(reqs, results)}
        problems = [f"{r.tag}: HTTP {status} {error}".strip() for r, (_, _, status, error) in zip(reqs, results)
                    if status != 200]
        answered, delays = (await self.wait_answers(phase, round_no, target, sent)) if target.answers else (0, [])
        if target.answers and answered < count:
            problems.append(f"{phase}{round_no:03d}: {answered}/{count} help answers via response_url")
        if record:
            acks = [elapsed for _, elapsed, _, _ in results]
            target.acks += acks
            target.bursts.append({"round": round_no, "p50_ms": round(percentile(acks, 50) * 1000, 1),
                                  "max_ms": round(max(acks) * 1000, 1),
                                  "acks_ms": [round(a * 1000, 1) for a in acks]})  # in send order
            target.client_cpu_s += cpu
            target.answer_delays += delays
            if target.answers:
                target.answered += answered
                target.expected_answers += count
        target.failures += problems
        await asyncio.sleep(self.args.settle)
        if record:
            target.server_cpu_s += process_cpu(target.pid) - server_cpu

    async def run(self) -> None:
        a = self.args
        try:
            # First contact: every pool user once (users.info + profile saved), `concurrency` at a time.
            for start in range(0, len(self.users), a.concurrency):
                chunk = self.users[start:start + a.concurrency]
                await self.one(self.bot, "f", start, len(chunk), chunk, record=False)
            for w in range(a.warmup):
                for target in (self.bot, self.base):
                    await self.one(target, "w", w, a.concurrency, record=False)
            for r in range(a.rounds):
                order = (self.bot, self.base) if r % 2 == 0 else (self.base, self.bot)
                for target in order:
                    await self.one(target, "m", r, a.concurrency)
                if not a.quiet:
                    print(f"round {r + 1}/{a.rounds} done", file=sys.stderr, flush=True)
        finally:
            await self.gen.close()


# ---------------------------------------------------------------- figures

def process_cpu(pid: int | None) -> float:
    """User + system CPU seconds of a process, all its threads (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, TypeError):
        return 0.0


def percentile(samples: list[float], p: float) -> float:
    """Nearest rank: the smallest sample with at least p % of the samples at or below it."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summary(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"n": 0}
    out: dict[str, float] = {"n": len(samples)}
    for p in PERCENTILES:
        out[f"p{p}_ms"] = round(percentile(samples, p) * 1000, 1)
    out["max_ms"] = round(max(samples) * 1000, 1)
    return out


def machine() -> dict[str, object]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
            "cpu": model or platform.processor(), "python": platform.python_version(),
            "platform": platform.platform()}


def figures(args: argparse.Namespace, bot: Target, base: Target) -> dict[str, object]:
    s_bot, s_base = summary(bot.acks), summary(base.acks)
    ratios = {f"p{p}": round(s_bot[f"p{p}_ms"] / s_base[f"p{p}_ms"], 2)
              for p in (50, 99) if s_bot.get(f"p{p}_ms") and s_base.get(f"p{p}_ms")}
    slowest = max(bot.acks + base.acks, default=0.0)
    return {
        "command": " ".join(["python", "bench/ack.py", *sys.argv[1:]]),
        "machine": machine(),
        "settings": {"rounds": args.rounds, "concurrency": args.concurrency, "users": args.users,
                     "locales": args.locales, "warmup": args.warmup, "client": args.client, "variant": args.variant,
                     "settle_s": args.settle, "answer_check": not args.no_answer_check},
        "servers": {
            "bot": {"label": bot.label, **s_bot, "failures": len(bot.failures),
                    "help_answers": f"{bot.answered}/{bot.expected_answers}",
                    "time_to_answer": summary(bot.answer_delays),
                    "client_cpu_us_per_request": round(bot.client_cpu_s / max(1, len(bot.acks)) * 1e6),
                    "server_cpu_ms_per_request": round(bot.server_cpu_s / max(1, len(bot.acks)) * 1e3, 2),
                    "bursts": bot.bursts},
            "baseline": {"label": base.label, **s_base, "failures": len(base.failures),
                         "client_cpu_us_per_request": round(base.client_cpu_s / max(1, len(base.acks)) * 1e6),
                         "server_cpu_ms_per_request": round(base.server_cpu_s / max(1, len(base.acks)) * 1e3, 2),
                         "bursts": base.bursts},
        },
        "ratios": ratios,
        # The goal is stated against the async floor; against the sync App it is not a goal.
        "goal": {"p99_ratio_max": GOAL_P99_RATIO,
                 "met": (bool(ratios.get("p99") and ratios["p99"] <= GOAL_P99_RATIO)
                         if args.variant == "async-app" else None),
                 "ack_limit_ms": ACK_LIMIT_S * 1000, "slowest_ack_ms": round(slowest * 1000, 1),
                 "all_acks_within_limit": slowest < ACK_LIMIT_S},
        "failures": bot.failures + base.failures,
    }


def table(f: dict) -> str:
    bot, base, ratios = f["servers"]["bot"], f["servers"]["baseline"], f["ratios"]
    cols = ["p50_ms", "p90_ms", "p99_ms", "max_ms"]
    lines = ["| server | acks | p50 ms | p90 ms | p99 ms | max ms | not 200 |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for s in (bot, base):
        lines.append(f"| {s['label']} | {s.get('n', 0)} | " + " | ".join(str(s.get(c, "–")) for c in cols)
                     + f" | {s['failures']} |")
    lines.append("| ratio bot / baseline | | " + " | ".join(
        f"{ratios[c[:3]]:.2f}" if c[:3] in ratios else "" for c in cols) + " | |")
    m, g = f["machine"], f["goal"]
    answer = bot["time_to_answer"]
    lines += [
        "",
        f"- machine: {m['nproc']} CPUs, {m['cpu']}, Python {m['python']}",
        f"- {f['settings']['rounds']} rounds x {f['settings']['concurrency']} concurrent signed `/consult help`, "
        f"client {f['settings']['client']}, fresh connection per request",
        f"- goal p99 ratio <= {g['p99_ratio_max']} (against the bare AsyncApp): "
        + ("n/a with --variant sync-app" if g["met"] is None
           else f"{ratios['p99']:.2f}, {'met' if g['met'] else 'missed'}" if "p99" in ratios else "no figure"),
        f"- slowest ack {g['slowest_ack_ms']} ms (limit {g['ack_limit_ms']:.0f} ms): "
        + ("all within" if g["all_acks_within_limit"] else "LIMIT EXCEEDED"),
        f"- bot help answers through response_url: "
        f"{bot['help_answers'] if f['settings']['answer_check'] else 'not checked (--no-answer-check)'}"
        + (f"; send -> answer p50 {answer['p50_ms']} ms, p99 {answer['p99_ms']} ms" if answer.get("n") else ""),
        f"- server CPU per request (ack and any later work): bot {bot['server_cpu_ms_per_request']} ms, "
        f"baseline {base['server_cpu_ms_per_request']} ms",
        f"- load generator CPU per request: bot {bot['client_cpu_us_per_request']} us, "
        f"baseline {base['client_cpu_us_per_request']} us",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- main

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Time to ack: consultbot serve vs a bare Bolt AsyncApp.")
    p.add_argument("--rounds", type=int, default=20, help="measured bursts per server (default 20)")
    p.add_argument("--concurrency", type=int, default=50, help="concurrent requests per burst (default 50)")
    p.add_argument("--users", type=int, help="distinct requesting users (default: --concurrency)")
    p.add_argument("--warmup", type=int, default=3, help="unrecorded bursts per server first (default 3)")
    p.add_argument("--variant", choices=("async-app", "sync-app"), default="async-app",
                   help="the baseline: bare AsyncApp + async Starlette adapter (default), or sync App + sync adapter")
    p.add_argument("--client", choices=("raw", "httpx"), default="raw",
                   help="raw: asyncio streams with pre-built HTTP/1.1 bytes (default, lightest); httpx.AsyncClient")
    p.add_argument("--settle", type=float, default=0.3, help="idle seconds after each burst (default 0.3)")
    p.add_argument("--json", type=Path, help="write the figures to this file")
    p.add_argument("--max-p99-ratio", type=float, help="also exit 1 when the p99 ratio is above this")
    p.add_argument("--no-answer-check", action="store_true",
                   help="do not wait for or count the bot's response_url answers (diagnostics only)")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder (database, server logs)")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.add_argument("--locales", default="", help="Slack locales the callers are spread over, comma separated "
                                                 "(e.g. en-US,fr-FR,es-ES,zh-CN,ru-RU,ar; default: all en-US)")
    args = p.parse_args(argv)
    args.locales = [x.strip() for x in args.locales.split(",") if x.strip()]
    args.users = args.users or args.concurrency
    if not (1 <= args.rounds <= 999 and 1 <= args.concurrency <= 999 and 1 <= args.users <= 999
            and args.warmup >= 0 and args.settle >= 0):
        p.error("--rounds, --concurrency and --users must be 1..999, --warmup and --settle >= 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="consultbot-bench-"))
    double = DoubleProcess(BOT_TOKEN).start()
    bot_proc = base_proc = None
    try:
        double.add_user(SECRETARIAT, "Amina (EMG secretariat)", tz="Europe/Zurich")
        for i in range(1, args.users + 1):
            locale = args.locales[(i - 1) % len(args.locales)] if args.locales else "en-US"
            double.add_user(f"U0BENCH{i:03d}", f"Bench user {i}", tz="Europe/Vienna", locale=locale)
        env = {"DATABASE_URL": f"sqlite:///{tmp / 'consultbot.sqlite3'}", "SLACK_API_URL": double.api_url,
               "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
               "SECRETARIAT_USERS": SECRETARIAT, "LOG_LEVEL": "warning"}
        if args.locales:
            env["CONSULTBOT_PROMPTS_DIR"] = str(six_languages(tmp / "prompts")[0])
        consultbot("seed", env=env)
        bot_proc = BotProcess(env, tmp / "bot.log").start()
        base_proc = BotProcess(env, tmp / "baseline.log", command=[
            sys.executable, str(ROOT / "bench" / "baseline_app.py"), "--host", HOST, "--port", "{port}",
            "--variant", args.variant], ready_path="/healthz").start()
        base_label = ("bare AsyncApp, async Starlette adapter" if args.variant == "async-app"
                      else "bare sync App, sync Starlette adapter")
        bot = Target("bot", "consultbot serve", bot_proc.port, answers=not args.no_answer_check,
                     pid=bot_proc.proc.pid)
        base = Target("ref", base_label, base_proc.port, answers=False, pid=base_proc.proc.pid)
        asyncio.run(Bench(args, double, bot, base).run())
    finally:
        for proc in (base_proc, bot_proc):
            if proc is not None:
                proc.stop()
        double.stop()
    f = figures(args, bot, base)
    print(table(f))
    if args.json:
        args.json.write_text(json.dumps(f, indent=2) + "\n")
    for failure in f["failures"][:20]:
        print(f"FAILED {failure}", file=sys.stderr)
    if args.keep:
        print(f"kept {tmp}", file=sys.stderr)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    bad = bool(f["failures"]) or not f["goal"]["all_acks_within_limit"]
    if args.max_p99_ratio is not None and not (f["ratios"].get("p99", math.inf) <= args.max_p99_ratio):
        bad = True
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
