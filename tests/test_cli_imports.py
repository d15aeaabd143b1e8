"""`consultbot --help` and the argument parser load no framework: each command imports what it needs when it
runs (the figures are in docs/benchmarks.md; this checks the cause, not a timing)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("slack_bolt", "slack_sdk", "sqlalchemy", "sqlmodel", "alembic", "pydantic", "pydantic_settings", "yaml",
         "uvicorn", "starlette", "asyncio", "docx", "openpyxl", "matplotlib", "icalendar", "apscheduler", "psycopg",
         "storage")


def modules_after(code: str) -> set[str]:
    result = subprocess.run([sys.executable, "-c", code + "\nprint(json.dumps(sorted(sys.modules)))"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode in (0, 2), result.stderr
    return {name.split(".")[0] for name in json.loads(result.stdout.splitlines()[-1])}


def test_building_the_parser_loads_no_framework():
    code = "import json, sys\nfrom bot.cli import parser\nparser().format_help()"
    assert sorted(set(HEAVY) & modules_after(code)) == []


def test_help_of_every_command_is_answered_without_a_framework():
    for command in (["--help"], ["serve", "--help"], ["export", "matrix", "--help"], ["digest", "--help"],
                    ["hlcm", "summary", "--help"], ["doc", "import", "--help"]):
        code = ("import json, sys\nfrom bot.cli import main\ntry:\n    main(%r)\nexcept SystemExit:\n    pass"
                % (command,))
        loaded = modules_after(code)
        assert sorted(set(HEAVY) & loaded) == [], command
