"""Start-up cost of the command line: `consultbot --help` against two baselines, in the same run.

    python bench/cli_startup.py [--runs 21] [--consultbot PATH] [--json FILE] [--quiet]

Times, as wall clock from spawn to exit, N runs of each of:
- `consultbot --help` (by default `python -m bot.cli --help` in this checkout; `--consultbot PATH`
  times an installed console script instead, e.g. .venv/bin/consultbot or a test venv's),
- `python -c "import slack_bolt"` (what the Slack edge alone costs to import),
- `python -c pass` (the bare interpreter, the floor),
interleaved (one of each, then again) so that a busy neighbour slows all three alike. Prints the
median and min per command and the ratios of the medians as a Markdown table (`--json FILE` writes
the figures). Exit status 1 when a command fails. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def commands(consultbot: str | None) -> dict[str, list[str]]:
    help_cmd = [consultbot, "--help"] if consultbot else [sys.executable, "-m", "bot.cli", "--help"]
    return {
        "consultbot --help": help_cmd,
        'python -c "import slack_bolt"': [sys.executable, "-c", "import slack_bolt"],
        "python -c pass": [sys.executable, "-c", "pass"],
    }


def run_once(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {result.returncode}: {result.stderr.decode()[-2000:]}")
    return elapsed


def measure(runs: int, consultbot: str | None) -> dict[str, dict[str, float]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "PYTHON"))}
    cmds = commands(consultbot)
    for argv in cmds.values():  # warm the page cache and .pyc files, not recorded
        run_once(argv, env)
    samples: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(runs):
        for name, argv in cmds.items():
            samples[name].append(run_once(argv, env))
    return {name: {"median_ms": statistics.median(s) * 1000, "min_ms": min(s) * 1000, "runs": len(s)}
            for name, s in samples.items()}


def table(figures: dict[str, dict[str, float]]) -> str:
    floor = figures["python -c pass"]["median_ms"]
    bolt = figures['python -c "import slack_bolt"']["median_ms"]
    lines = ["| command | runs | median ms | min ms | × python -c pass | × import slack_bolt |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name, f in figures.items():
        lines.append(f"| `{name}` | {f['runs']} | {f['median_ms']:.0f} | {f['min_ms']:.0f} | "
                     f"{f['median_ms'] / floor:.1f} | {f['median_ms'] / bolt:.2f} |")
    return "\n".join(lines)


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--runs", type=int, default=21)
    args.add_argument("--consultbot", help="an installed consultbot script (default: python -m bot.cli)")
    args.add_argument("--json", help="write the figures to this file")
    args.add_argument("--quiet", action="store_true", help="only the table")
    opts = args.parse_args()
    figures = measure(opts.runs, opts.consultbot)
    if not opts.quiet:
        print(f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
              f"{opts.runs} interleaved runs each\n")
    print(table(figures))
    if opts.json:
        Path(opts.json).write_text(json.dumps({"runs": opts.runs, "commands": figures}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
