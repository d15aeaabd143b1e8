"""The HLCM progress summary for 70 entities × 15 years of history: compile and render it, against summing the
same figures in plain Python over the same rows, in the same run.

    python bench/hlcm.py [--entities 70] [--years 15] [--last-year 2025] [--runs 7]
                         [--database-url URL | --postgres] [--json FILE] [--no-check] [--process]

Builds the history through the migrations, the seed and `import_csv` (the path of `consultbot hlcm import`): the
bundled entities (76; created ones beyond) up to `--entities`, one CSV line per entity and year with figures from a
seeded RNG (staff from 150 to 40,000, 1 to 9 tCO2e per head, air travel 60-90 % of business travel, strategies
and management systems maturing over the years, waste and water where reported, one entity in twelve missing a
year now and then). A SQLite file in a temporary folder by default; `--postgres` starts a throwaway server
(tests/pg_server.py).

Then times, each run in a fresh session after `gc.collect()`, alternating which goes first:

- **docx**: `build_report` (compile_year + the trend in one query) and `write_docx` with its three charts;
- **md** and **xlsx**: `build_report` and the writer;
- **plain sums**: one `SELECT year, entity_id, revision, figures` over the same current submissions and, in
  plain Python, each entity's latest revision, the last year's total per source and staff, and every year's
  total: the arithmetic the summary rests on, without documents or charts.

Also reports the parts (build_report alone, the three charts alone) and the first DOCX in the process (matplotlib
and python-docx imported on first use). Goal: DOCX with charts under 2 s (median). Exit status 1 when missed
(unless `--no-check`).

`--process` times the command a secretariat types instead, each run a whole process: `consultbot hlcm summary
LAST --format docx --out FILE` (python -m bot.cli) against the same command for a year with no figures on the same
database (the year before the first: it checks the texts, migrates, finds nothing and exits 1), which is the
command's floor: starting Python, importing what the command needs, migrating. Alternating which goes first.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import random
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from bench import databases  # noqa: E402
from bot.hlcm.history import import_csv  # noqa: E402
from bot.hlcm.report import build_report, render  # noqa: E402
from storage.db import make_engine, session_scope  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

GOAL_S = 2.0
NOW = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)
COLUMNS = ("scope1", "scope2", "scope3_travel", "air_travel", "staff", "offsets", "climate_neutral", "strategy",
           "ems", "procurement_policy", "staff_trained", "waste", "water")
SOURCES = ("scope1", "scope2", "scope3_travel")
PLAIN_ROWS = text("SELECT year, entity_id, revision, figures FROM hlcm_submissions "
                  "WHERE status IN ('submitted', 'returned') ORDER BY year, entity_id, revision")


def history_csv(codes: list[str], first: int, last: int, seed_value: int = 2013) -> str:
    rng = random.Random(seed_value)
    lines = [",".join(("year", "entity") + COLUMNS)]
    for n, code in enumerate(codes):
        staff = int(math.exp(rng.uniform(math.log(150), math.log(40000))))
        per_head = rng.uniform(1.0, 9.0)
        shares = [rng.uniform(0.1, 0.3), rng.uniform(0.15, 0.4)]
        strategy_year = rng.randint(first, last + 5)
        ems_year = rng.randint(first + 2, last + 6)
        neutral_year = rng.randint(first + 1, last + 10)
        for year in range(first, last + 1):
            if n % 12 == 5 and rng.random() < 0.3:
                continue  # a year not reported
            staff = max(100, int(staff * rng.uniform(0.95, 1.07)))
            per_head *= rng.uniform(0.93, 1.04)
            total = staff * per_head
            s1, s2 = total * shares[0], total * shares[1]
            travel = total - s1 - s2
            air = travel * rng.uniform(0.6, 0.9)
            neutral = year >= neutral_year
            values = [f"{s1:.1f}", f"{s2:.1f}", f"{travel:.1f}", f"{air:.1f}", str(staff),
                      f"{total * rng.uniform(0.95, 1.0):.1f}" if neutral else "0", "yes" if neutral else "no",
                      "approved" if year >= strategy_year else "drafting" if year >= strategy_year - 2 else "none",
                      "met" if year >= ems_year else "approaching" if year >= ems_year - 3 else "none",
                      "yes" if year >= strategy_year - 1 else "no", str(int(staff * rng.uniform(0, 0.4))),
                      f"{staff * rng.uniform(0.05, 0.2):.1f}" if rng.random() < 0.6 else "",
                      f"{staff * rng.uniform(8, 25):.0f}" if rng.random() < 0.5 else ""]
            lines.append(",".join([str(year), code, *values]))
    return "\n".join(lines) + "\n"


def build(url: str, entities: int, first: int, last: int) -> dict:
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as s:
        codes = databases.entity_codes(s, entities)
        report = import_csv(s, "bench", history_csv(codes, first, last), now=NOW)
        if not report.ok:
            raise SystemExit("\n".join(p.text() for p in report.problems[:10]))
        rows = len(report.imported)
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
    engine.dispose()
    return {"rows": rows, "entities": len(codes)}


def ours(engine, year: int, fmt: str) -> int:
    with Session(engine) as s:
        report = build_report(s, year, now=NOW)
    return len(render(report, fmt))


def compile_only(engine, year: int) -> None:
    with Session(engine) as s:
        build_report(s, year, now=NOW)


def charts_only(report) -> None:
    from bot.hlcm.charts import all_charts

    all_charts(report.summary, report.trend)


def plain_sums(engine, year: int) -> tuple[float, dict[int, float]]:
    """The same current rows, summed by hand: each entity's latest revision, the year's sources and staff,
    every year's total."""
    with Session(engine) as s:
        rows = s.execute(PLAIN_ROWS).all()
    latest: dict[tuple[int, int], dict] = {}
    for y, entity_id, _, figures in rows:
        latest[(y, entity_id)] = json.loads(figures) if isinstance(figures, str) else figures
    by_year: dict[int, float] = {}
    sources = dict.fromkeys(SOURCES, 0.0)
    staff = 0
    for (y, _), figures in latest.items():
        total = sum(figures.get(k) or 0.0 for k in SOURCES)
        by_year[y] = by_year.get(y, 0.0) + total
        if y == year:
            for k in SOURCES:
                sources[k] += figures.get(k) or 0.0
            staff += figures.get("staff") or 0
    return sum(sources.values()) / staff if staff else 0.0, by_year


def _timed(fn, *args) -> float:
    gc.collect()
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def measure(url: str, year: int, runs: int) -> dict:
    engine = make_engine(url)
    first = {"docx_first_s": _timed(ours, engine, year, "docx")}  # imports matplotlib, python-docx, the fonts
    for fmt in ("md", "xlsx"):
        ours(engine, year, fmt)
    plain_sums(engine, year)
    samples: dict[str, list[float]] = {"docx": [], "md": [], "xlsx": [], "plain": [], "compile": [], "charts": []}
    with Session(engine) as s:
        report = build_report(s, year, now=NOW)
    for i in range(runs):
        jobs = [("docx", ours, (engine, year, "docx")), ("md", ours, (engine, year, "md")),
                ("xlsx", ours, (engine, year, "xlsx")), ("plain", plain_sums, (engine, year)),
                ("compile", compile_only, (engine, year)), ("charts", charts_only, (report,))]
        if i % 2:
            jobs.reverse()
        for name, fn, args in jobs:
            samples[name].append(_timed(fn, *args))
    sizes = {fmt: ours(engine, year, fmt) for fmt in ("docx", "md", "xlsx")}
    per_capita, by_year = plain_sums(engine, year)
    engine.dispose()
    return {"samples": samples, **first, "sizes": sizes, "years": len(by_year), "reporting_last_year":
            len(report.summary.annex), "total_last_year": report.summary.total,
            "plain_total_last_year": by_year.get(year), "per_capita": per_capita}


def _command(url: str, year: int, out: Path) -> tuple[float, int]:
    """`consultbot hlcm summary YEAR --format docx --out OUT` as a process of its own: wall time, exit status."""
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SECRETARIAT_"))}
    env["DATABASE_URL"] = url
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bot.cli", "hlcm", "summary", str(year), "--format", "docx",
                           "--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, done.returncode


def measure_process(url: str, year: int, empty_year: int, runs: int, folder: Path) -> dict:
    samples: dict[str, list[float]] = {"summary": [], "floor": []}
    _command(url, year, folder / "warm.docx")  # the first run fills the OS's file cache
    for i in range(runs):
        jobs = [("summary", year), ("floor", empty_year)]
        for name, which in (jobs[::-1] if i % 2 else jobs):
            seconds, status = _command(url, which, folder / f"{name}.docx")
            if status != (0 if name == "summary" else 1):
                raise SystemExit(f"consultbot hlcm summary {which} exited {status}")
            samples[name].append(seconds)
    return {"samples": samples, "size": (folder / "summary.docx").stat().st_size}


def main_process(args: argparse.Namespace, first_year: int) -> int:
    import tempfile

    with databases.database(args, "consultbot_hlcm_bench") as url, tempfile.TemporaryDirectory() as tmp:
        built = build(url, args.entities, first_year, args.last_year)
        result = {**measure_process(url, args.last_year, first_year - 1, args.runs, Path(tmp)), **built}
    median = {k: statistics.median(v) for k, v in result["samples"].items()}
    print("| entities × years | rows | db | runs | `hlcm summary --format docx` s (median) | "
          "same, a year with no figures (floor) s | ratio | above the floor s |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    print(f"| {result['entities']} × {args.years} | {result['rows']} | {databases.kind(url)} | {args.runs} | "
          f"{median['summary']:.2f} | {median['floor']:.2f} | {median['summary'] / median['floor']:.2f} | "
          f"{median['summary'] - median['floor']:.2f} |")
    if args.json:
        args.json.write_text(json.dumps({"database": databases.kind(url), "median_s": median, **result}, indent=1))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=70)
    parser.add_argument("--years", type=int, default=15)
    parser.add_argument("--last-year", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each, default 7")
    databases.add_options(parser, "an empty database (migrated and seeded here)")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument("--no-check", action="store_true", help="exit 0 even when the goal is missed")
    parser.add_argument("--process", action="store_true",
                        help="time the command as a whole process against its floor (a year with no figures)")
    args = parser.parse_args(argv)
    first_year = args.last_year - args.years + 1
    if args.process:
        return main_process(args, first_year)
    with databases.database(args, "consultbot_hlcm_bench") as url:
        built = build(url, args.entities, first_year, args.last_year)
        result = {**measure(url, args.last_year, args.runs), **built}
    if abs(result["total_last_year"] - result["plain_total_last_year"]) > 1e-6 * result["total_last_year"]:
        print(f"the compilation's total {result['total_last_year']} is not the plain sum "
              f"{result['plain_total_last_year']}", file=sys.stderr)
        return 1
    median = {k: statistics.median(v) for k, v in result["samples"].items()}
    database = databases.kind(url)
    met = median["docx"] < GOAL_S
    print("| entities × years | rows | db | runs | output | ours ms (median) | plain sums ms (median) | ratio | goal |")
    print("| --- | ---: | --- | ---: | --- | ---: | ---: | ---: | --- |")
    for fmt, goal in (("docx", f"< {GOAL_S:g} s: {'met' if met else 'missed'}"), ("md", ""), ("xlsx", "")):
        print(f"| {result['entities']} × {args.years} | {result['rows']} | {database} | {args.runs} | "
              f"{fmt}{' + 3 charts' if fmt == 'docx' else ''} | {median[fmt] * 1000:.1f} | "
              f"{median['plain'] * 1000:.2f} | {median[fmt] / median['plain']:.0f} | {goal} |")
    print(f"- parts: build_report (compile_year + trend) {median['compile'] * 1000:.1f} ms, the three charts "
          f"{median['charts'] * 1000:.1f} ms; the first DOCX in the process (imports) "
          f"{result['docx_first_s'] * 1000:.0f} ms")
    print(f"- {result['reporting_last_year']} entities reporting {args.last_year}, {result['years']} years; "
          f"sizes: docx {result['sizes']['docx']:,} B, md {result['sizes']['md']:,} B, "
          f"xlsx {result['sizes']['xlsx']:,} B")
    if args.json:
        args.json.write_text(json.dumps({"database": database, "median_s": median, "met": met,
                                         "ratios": {f: median[f] / median["plain"] for f in ("docx", "md", "xlsx")},
                                         **result}, indent=1, default=str))
    return 0 if met or args.no_check else 1


if __name__ == "__main__":
    sys.exit(main())
