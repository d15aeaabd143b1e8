"""The bot as an operator installs it: the wheel built from this checkout, in a fresh virtual
environment, run from an empty folder (no checkout on the path). What the image does (deploy/Dockerfile
builds the same wheel and installs it the same way), run for real."""

from __future__ import annotations

import itertools
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.entities.service import bundled_entities
from storage.db import make_engine, session_scope
from tests.bot_process import BotProcess, clean_env
from tests.conftest import BOT_TOKEN
from tests.slack_requests import SIGNING_SECRET, SlackSender
from tests.test_foundation_scenarios import reply_text

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = len(bundled_entities())  # the UN entities bot/data/entities.yaml ships
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc",
                                    ".pytest_cache", "*.sqlite3", "*.db", ".env", "results")
_databases = itertools.count(1)


@dataclass
class Installed:
    wheel: Path
    venv: Path
    seconds: dict[str, float]

    @property
    def consultbot(self) -> str:
        return str(self.venv / "bin" / "consultbot")

    @property
    def python(self) -> str:
        return str(self.venv / "bin" / "python")


def _run(argv: list[str], what: str, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{what} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    """`python -m build --wheel` on a copy of the checkout (a stale build/ folder cannot leak in), then
    `pip install` of that wheel alone into a new venv, its dependencies resolved from the index."""
    work = tmp_path_factory.mktemp("wheel")
    seconds = {}
    start = time.monotonic()
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(work / "dist"), str(source)], "python -m build",
         timeout=600)
    (wheel,) = (work / "dist").glob("consultbot-*.whl")
    seconds["build"] = time.monotonic() - start
    start = time.monotonic()
    venv = work / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], "python -m venv")
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], "pip install", timeout=900)
    seconds["install"] = time.monotonic() - start
    print(f"wheel built in {seconds['build']:.1f} s, installed in {seconds['install']:.1f} s")
    return Installed(wheel, venv, seconds)


@pytest.fixture
def elsewhere(tmp_path, monkeypatch) -> Path:
    """An empty folder outside the checkout and no PYTHONPATH: only the installed copy can run."""
    monkeypatch.delenv("PYTHONPATH", raising=False)
    folder = tmp_path / "empty"
    folder.mkdir()
    return folder


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """A fresh, empty database of each kind (not the suite's shared one)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'installed.sqlite3'}"
    return request.getfixturevalue("postgres").create_database(f"consultbot_installed_{next(_databases)}")


def run_installed(installed: Installed, *args: str, cwd: Path, env: dict[str, str] | None = None,
                  stdin: str | None = None) -> subprocess.CompletedProcess:
    return _run([installed.consultbot, *args], f"consultbot {' '.join(args)}", cwd=cwd, input=stdin,
                env=clean_env({"NO_COLOR": "1", **(env or {})}), timeout=120)


def test_the_wheel_carries_every_file_the_code_reads(installed):
    in_wheel = set(zipfile.ZipFile(installed.wheel).namelist())
    data = {str(path.relative_to(ROOT)) for folder in ("bot", "storage", "prompts")
            for path in (ROOT / folder).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"}
    assert {"prompts/__init__.py", "prompts/en/help.yaml", "prompts/hlcm/questionnaire.yaml",
            "bot/data/entities.yaml", "bot/data/interim-guidance.md", "storage/alembic.ini"} <= data
    assert sorted(data - in_wheel) == []
    assert not [name for name in in_wheel if name.startswith(("tests/", "bench/", "deploy/"))]


def test_the_installed_copy_is_what_runs(installed, elsewhere):
    where = _run([installed.python, "-c", "import bot, prompts, storage; print(bot.__file__, prompts.__file__, "
                  "storage.__file__)"], "python -c import", cwd=elsewhere, env=clean_env({})).stdout.split()
    site = str(installed.venv / "lib")
    assert len(where) == 3 and all(path.startswith(site) for path in where), where
    help_text = run_installed(installed, "--help", cwd=elsewhere).stdout
    for command in ("start", "serve", "console", "seed", "db", "grant", "export", "digest"):
        assert command in help_text


def test_db_upgrade_and_seed_from_an_empty_folder(installed, elsewhere, database_url):
    env = {"DATABASE_URL": database_url}
    assert "database: up to date" in run_installed(installed, "db", "upgrade", cwd=elsewhere, env=env).stdout
    assert f"entities: {BUNDLED} added" in run_installed(installed, "seed", cwd=elsewhere, env=env).stdout
    assert "database: up to date" in run_installed(installed, "db", "upgrade", cwd=elsewhere, env=env).stdout
    assert list(elsewhere.iterdir()) == []  # nothing written where it was run (the SQLite file is elsewhere)


def test_a_first_serve_answers_entities_with_the_bundled_registry(installed, elsewhere, database_url, slack,
                                                                  new_user, tmp_path):
    env = {"DATABASE_URL": database_url, "SLACK_API_URL": slack.api_url, "SLACK_BOT_TOKEN": BOT_TOKEN,
           "SLACK_SIGNING_SECRET": SIGNING_SECRET, "LOG_LEVEL": "warning"}
    bot = BotProcess(env, tmp_path / "serve.log", command=[installed.consultbot, "serve"], cwd=elsewhere).start()
    try:
        slack.reset()
        SlackSender(bot.url, slack.base_url).command(new_user("Newcomer (UNEP)"), "entities")
        answer = reply_text(slack.wait_for("response_url")[0])
    finally:
        bot.stop()
    assert f"UN entities ({BUNDLED})" in answer and "*UNEP*" in answer and "United Nations Environment Programme" in answer
    assert "Traceback" not in bot.output()
    from storage.models import Entity
    from sqlmodel import select

    engine = make_engine(database_url)
    with session_scope(engine) as session:
        assert len(session.exec(select(Entity)).all()) == BUNDLED
    engine.dispose()


def test_a_scripted_console_session(installed, elsewhere):
    out = run_installed(installed, "console", "--user", "U0SEC1", cwd=elsewhere,
                        stdin="/consult entities\n/consult help\n/quit\n").stdout
    assert "You are Amina (EMG secretariat), U0SEC1, in #framework." in out
    assert f"UN entities ({BUNDLED})" in out and "UNEP — United Nations Environment Programme" in out
    assert "`/consult new` — create a consultation" in out


def test_start_without_slack_credentials_opens_the_console(installed, elsewhere):
    out = run_installed(installed, "start", cwd=elsewhere, stdin="u0wmo1\n/consult whoami\n").stdout
    assert " [1] Amina (EMG secretariat)  U0SEC1  — secretariat" in out
    assert "You are Lars (WMO), U0WMO1, in #framework." in out and "focal point for WMO" in out
