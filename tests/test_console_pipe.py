"""`consultbot console < script | head`: the reader leaves early and the console stops quietly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_a_reader_that_stops_reading_ends_the_console_without_a_traceback(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "SECRETARIAT"))}
    env.update({"NO_COLOR": "1", "PYTHONPATH": str(ROOT)})
    script = "".join(f"/consult {c}\n" for c in ["help", "list", "help", "whoami"] * 20)
    console = subprocess.Popen([sys.executable, "-m", "bot.cli", "console"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, env=env)
    console.stdin.write(script.encode())
    console.stdin.close()
    first = console.stdout.readline()  # like `head -1`: one line, then the pipe is closed
    console.stdout.close()
    errors = console.stderr.read().decode()
    assert console.wait(timeout=60) in (0, 1)
    assert first.startswith(b"consultbot console")
    assert "Traceback" not in errors and "BrokenPipeError" not in errors, errors
