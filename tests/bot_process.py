"""`consultbot serve` as a real process, for the tests and the benchmark."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(env: dict[str, str]) -> dict[str, str]:
    """This process's environment without the bot's settings, plus `env`."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "SECRETARIAT"))}
    full.update(env)
    return full


def consultbot(*args: str, env: dict[str, str], check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the CLI as a newcomer would, from a clean environment plus `env`."""
    result = subprocess.run([sys.executable, "-m", "bot.cli", *args], env=clean_env(env), cwd=ROOT,
                            capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"consultbot {' '.join(args)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return result


class BotProcess:
    """`consultbot serve` (or `command`, whose "{port}" is replaced) until stopped; started once its
    readiness probe (`ready_path`, /readyz: database, schema and reminder clock) is 200. It runs in the
    checkout unless `cwd` says where (an installed copy runs from anywhere)."""

    def __init__(self, env: dict[str, str], log_path: Path, args: tuple[str, ...] = ("serve",),
                 command: list[str] | None = None, cwd: Path = ROOT, ready_path: str = "/readyz") -> None:
        self.command = command or [sys.executable, "-m", "bot.cli", *args]
        self.cwd = cwd
        self.ready_path = ready_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**env, "PORT": str(self.port), "HOST": "127.0.0.1"}
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def start_without_http(self) -> "BotProcess":
        """Start the process (Socket Mode has no HTTP port to poll)."""
        self.log = open(self.log_path, "w")
        argv = [part.replace("{port}", str(self.port)) for part in self.command]
        self.proc = subprocess.Popen(argv, env=clean_env(self.env), cwd=self.cwd, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        return self

    def start(self, timeout: float = 60) -> "BotProcess":
        self.start_without_http()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{' '.join(self.command)} exited {self.proc.returncode}:\n{self.log_path.read_text()}")
            try:
                if httpx.get(self.url + self.ready_path, timeout=3).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{' '.join(self.command)} did not become ready:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if getattr(self, "log", None):
            self.log.close()

    def output(self) -> str:
        return self.log_path.read_text()
