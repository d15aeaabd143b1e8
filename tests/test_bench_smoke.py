"""bench/ack.py runs end to end (the harness, not the timings: those are in docs/benchmarks.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_ack_benchmark_runs_and_reports_both_servers(tmp_path):
    figures = tmp_path / "ack.json"
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "ack.py"), "--rounds", "1", "--concurrency", "5",
                             "--warmup", "1", "--quiet", "--json", str(figures)],
                            cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    table = result.stdout
    assert "| server | acks | p50 ms | p90 ms | p99 ms | max ms | not 200 |" in table
    assert "| consultbot serve | 5 |" in table
    assert "| bare AsyncApp, async Starlette adapter | 5 |" in table
    assert "| ratio bot / baseline |" in table
    data = json.loads(figures.read_text())
    assert data["servers"]["bot"]["n"] == data["servers"]["baseline"]["n"] == 5
    assert data["servers"]["bot"]["help_answers"] == "5/5"  # the bot answered, not only acked
    assert set(data["ratios"]) == {"p50", "p99"}
