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


def test_the_ack_benchmark_spreads_its_callers_over_six_locales(tmp_path):
    figures = tmp_path / "ack.json"
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "ack.py"), "--rounds", "1", "--concurrency", "6",
                             "--warmup", "1", "--quiet", "--json", str(figures),
                             "--locales", "en-US,fr-FR,es-ES,zh-CN,ru-RU,ar"],
                            cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(figures.read_text())
    assert data["settings"]["locales"] == ["en-US", "fr-FR", "es-ES", "zh-CN", "ru-RU", "ar"]
    assert data["servers"]["bot"]["help_answers"] == "6/6"


def test_the_catalogue_benchmark_loads_english_and_six_languages(tmp_path):
    figures = tmp_path / "catalogue.json"
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "catalogue.py"), "--runs", "2",
                             "--json", str(figures)], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert result.returncode in (0, 1), result.stdout + result.stderr  # 1: over budget on a loaded machine
    data = json.loads(figures.read_text())
    assert data["six"]["texts"] > 5 * data["en"]["texts"] > 0
    assert "| en, fr, es, zh, ru, ar |" in result.stdout


def test_the_fanout_benchmark_delivers_every_reminder_once_within_the_doubles_rate(tmp_path, private_database_url):
    """4 focal points, 3 rounds each: 12 due reminders through the bot's reminder clock, the double
    refusing more than 5 posts a second into a channel."""
    figures = tmp_path / "fanout.json"
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "fanout.py"), "--recipients", "4",
                             "--per-recipient", "3", "--rate", "5", "--sender-rate", "5", "--tick", "0.5",
                             "--database-url", private_database_url, "--quiet", "--json", str(figures)],
                            cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| due | channels × per channel | db | double rate /s |" in result.stdout
    assert "| 12 | 4 × 3 |" in result.stdout
    data = json.loads(figures.read_text())
    assert (data["due"], data["accepted"], data["rows"]) == (12, 12, {"sent": 12})
    assert data["lost"] == [] and data["doubled"] == []
    assert data["ceiling_s"] == 0.4  # (3 - 1) / 5 s in each channel
    # the sender spaces posts into a channel from Slack's previous answer: never a 429
    assert data["ratelimited_429"] == 0 and data["over_limit_channels"] == []
    assert {p[2] for p in data["posts"]} == {"DU0FAN001", "DU0FAN002", "DU0FAN003", "DU0FAN004"}


def test_the_fanout_benchmark_across_workspaces_posts_each_reminder_with_its_recipients_workspace_token(
        tmp_path, private_database_url):
    """6 focal points in 3 workspaces installed by OAuth, 2 rounds each: 12 reminders, 4 through each token."""
    figures = tmp_path / "fanout.json"
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "fanout.py"), "--recipients", "6",
                             "--per-recipient", "2", "--workspaces", "3", "--rate", "5", "--sender-rate", "5",
                             "--tick", "0.5", "--database-url", private_database_url, "--quiet", "--json", str(figures)],
                            cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(figures.read_text())
    assert (data["due"], data["accepted"], data["rows"]) == (12, 12, {"sent": 12})
    assert data["lost"] == [] and data["doubled"] == [] and data["wrong_token"] == 0
    assert data["posts_by_workspace"] == {"T0WS01": 4, "T0WS02": 4, "T0WS03": 4}


def test_the_poll_benchmark_tallies_and_renders_a_poll_built_through_the_services(tmp_path, private_database_url):
    """6 slots × 40 entities (the first 40 of those seeded): the board and the plain count, timed on the
    same rows; two entities never answer, two answer half the slots."""
    figures = tmp_path / "poll.json"
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "poll.py"), "--slots", "6", "--entities", "40",
                             "--runs", "3", "--database-url", private_database_url, "--no-check",
                             "--json", str(figures)],
                            cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| slots × entities | votes | db | gc.collect | runs | ours ms (median) | plain count ms (median) |" \
        in result.stdout
    assert "| 6 × 40 | 222 |" in result.stdout
    data = json.loads(figures.read_text())
    assert (data["slots"], data["invited"], data["votes"], data["not_answered"]) == (6, 40, 222, 2)
    assert data["answering"] == {"all": 36, "half": 2, "none": 2}
    assert len(data["samples"]["ours"]) == len(data["samples"]["plain"]) == 3
    assert data["ratio"] == data["ours_ms"] / data["plain_ms"] and data["ours_ms"] > 0


def test_the_hlcm_benchmark_compiles_and_renders_the_summary_of_a_small_history(tmp_path, private_database_url):
    """12 entities × 3 years through the CSV import: the three outputs and the plain sums timed on the same rows."""
    figures = tmp_path / "hlcm.json"
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "hlcm.py"), "--entities", "12", "--years", "3",
                             "--runs", "1", "--database-url", private_database_url, "--no-check",
                             "--json", str(figures)],
                            cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| entities × years | rows | db | runs | output | ours ms (median) | plain sums ms (median) | ratio |" \
        in result.stdout
    assert "| 12 × 3 |" in result.stdout and "| docx + 3 charts |" in result.stdout
    data = json.loads(figures.read_text())
    assert data["entities"] == 12 and data["years"] == 3 and 30 <= data["rows"] <= 36
    assert data["plain_total_last_year"] > 0
    assert abs(data["total_last_year"] - data["plain_total_last_year"]) < 1e-6 * data["plain_total_last_year"]
    assert set(data["ratios"]) == {"docx", "md", "xlsx"} and data["sizes"]["docx"] > 20000


def test_the_cli_startup_benchmark_times_the_three_commands(tmp_path):
    figures = tmp_path / "cli.json"
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "cli_startup.py"), "--runs", "2", "--quiet",
                             "--json", str(figures)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| command | runs | median ms | min ms | × python -c pass | × import slack_bolt |" in result.stdout
    for command in ("`consultbot --help` | 2 |", '`python -c "import slack_bolt"` | 2 |', "`python -c pass` | 2 |"):
        assert command in result.stdout
    assert set(json.loads(figures.read_text())["commands"]) == {
        "consultbot --help", 'python -c "import slack_bolt"', "python -c pass"}


def test_the_serve_ready_benchmark_starts_both_servers_and_reads_their_memory(tmp_path):
    """One cold and one warm start of `consultbot serve` beside the bare app, then 4 reminders sent."""
    figures = tmp_path / "ready.json"
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "serve_ready.py"), "--runs", "1",
                             "--recipients", "2", "--per-recipient", "2", "--json", str(figures)],
                            cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| consultbot serve, migrated database (restart) |" in result.stdout
    data = json.loads(figures.read_text())
    assert data["reminders"] == 4 and data["cold_ready_s"]["runs"] == data["warm_ready_s"]["runs"] == 1
    assert data["rss_mib"]["bot_idle"] > 0 and data["rss_mib"]["baseline_idle"] > 0


def test_the_hlcm_command_benchmark_times_the_whole_process_against_its_floor(tmp_path, private_database_url):
    """`--process`: `consultbot hlcm summary LAST --format docx` as a process, against the same command for a year
    with no figures (exit status 1), on the same database."""
    figures = tmp_path / "hlcm-process.json"
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "hlcm.py"), "--entities", "12", "--years", "2",
                             "--runs", "1", "--database-url", private_database_url, "--process",
                             "--json", str(figures)],
                            cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| 12 × 2 |" in result.stdout and "same, a year with no figures (floor) s" in result.stdout
    data = json.loads(figures.read_text())
    assert len(data["samples"]["summary"]) == len(data["samples"]["floor"]) == 1
    assert data["median_s"]["summary"] > 0 and data["median_s"]["floor"] > 0 and data["size"] > 20000
