"""A throwaway PostgreSQL server for the test session.

    pg = ThrowawayPostgres().start()
    pg.create_database("consultbot_test")
    engine = sqlalchemy.create_engine(pg.url("consultbot_test"))
    ...
    pg.stop()

Runs ``initdb`` + ``pg_ctl start`` in a fresh temporary directory on 127.0.0.1 and a free port,
with durability switched off (fsync, synchronous_commit, full_page_writes) for speed. initdb and
pg_ctl refuse to run as root, so as root they run as the ``postgres`` OS user via ``runuser``.
Failures raise RuntimeError saying what is missing; nothing here skips tests.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

__all__ = ["ThrowawayPostgres", "find_pg_bindir"]

_REQUIRED = ("initdb", "pg_ctl", "postgres")


def _has_server_binaries(bindir: Path) -> bool:
    return all((bindir / name).is_file() and os.access(bindir / name, os.X_OK) for name in _REQUIRED)


def _version_key(bindir: str) -> tuple[int, ...]:
    match = re.search(r"/postgresql/([\d.]+)/bin$", bindir)
    return tuple(int(p) for p in match.group(1).split(".") if p) if match else (0,)


def find_pg_bindir() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres: the newest /usr/lib/postgresql/*/bin,
    else ``pg_config --bindir``, else the directory of ``initdb`` on PATH (symlinks resolved)."""
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True):
        if _has_server_binaries(Path(candidate)):
            return Path(candidate)
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10)
            if out.returncode == 0 and _has_server_binaries(Path(out.stdout.strip())):
                return Path(out.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    initdb = shutil.which("initdb")
    if initdb and _has_server_binaries(Path(initdb).resolve().parent):
        return Path(initdb).resolve().parent
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayPostgres:
    """A PostgreSQL server in a temporary directory, superuser ``postgres`` with trust auth."""

    def __init__(self, bindir: Path | str | None = None, *, os_user: str = "postgres", start_timeout: float = 30.0):
        self.bindir = Path(bindir) if bindir else None
        self.os_user = os_user
        self.start_timeout = start_timeout
        self.host = "127.0.0.1"
        self.port: int | None = None
        self.tmpdir: Path | None = None

    @property
    def datadir(self) -> Path:
        assert self.tmpdir is not None, "not started"
        return self.tmpdir / "data"

    # ---- running the server binaries
    def _as_server_user(self, argv: list[str]) -> list[str]:
        if os.geteuid() != 0:
            return argv
        runuser = shutil.which("runuser") or ("/usr/sbin/runuser" if os.path.exists("/usr/sbin/runuser") else None)
        if runuser is None:
            raise RuntimeError("running as root, but runuser (Debian package util-linux) is not installed; "
                               "initdb and pg_ctl refuse to run as root")
        return [runuser, "-u", self.os_user, "--", *argv]

    def _run(self, argv: list[str], what: str, timeout: float = 120) -> None:
        try:
            out = subprocess.run(self._as_server_user(argv), capture_output=True, text=True, timeout=timeout,
                                 cwd=self.tmpdir)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"{what} did not finish within {timeout} s: {' '.join(argv)}") from None
        if out.returncode != 0:
            raise RuntimeError(f"{what} failed (exit {out.returncode}): {' '.join(argv)}\n"
                               f"{out.stdout}{out.stderr}{self._log_tail()}")

    def _log_tail(self) -> str:
        log = self.tmpdir / "postgres.log" if self.tmpdir else None
        if log and log.exists():
            return "\n--- postgres.log (tail) ---\n" + "\n".join(log.read_text(errors="replace").splitlines()[-20:])
        return ""

    # ---- lifecycle
    def start(self) -> ThrowawayPostgres:
        bindir = self.bindir or find_pg_bindir()
        if bindir is None or not _has_server_binaries(bindir):
            where = f"in {bindir}" if bindir else "in /usr/lib/postgresql/*/bin, via pg_config --bindir or on PATH"
            raise RuntimeError(f"PostgreSQL server binaries (initdb, pg_ctl, postgres) not found {where}: "
                               "install the Debian package postgresql")
        self.bindir = bindir
        self.tmpdir = Path(tempfile.mkdtemp(prefix="consultbot-pg-"))
        try:
            if os.geteuid() == 0:
                try:
                    account = pwd.getpwnam(self.os_user)
                except KeyError:
                    raise RuntimeError(f"running as root, but there is no OS user {self.os_user!r} to run "
                                       "PostgreSQL as: install the Debian package postgresql (it creates it) "
                                       "or run the tests as a non-root user") from None
                os.chown(self.tmpdir, account.pw_uid, account.pw_gid)
            os.chmod(self.tmpdir, 0o700)
            self._run([str(bindir / "initdb"), "-D", str(self.datadir), "-A", "trust", "-U", "postgres",
                       "--no-sync", "-E", "UTF8", "--locale=C"], "initdb")
            self._start_server(bindir)
        except BaseException:
            self._remove_tmpdir()
            raise
        return self

    def _start_server(self, bindir: Path, attempts: int = 3) -> None:
        for attempt in range(attempts):  # the free port can be taken between probing and binding
            self.port = _free_port()
            options = (f"-F -c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                       f"-c max_connections=200 -c listen_addresses={self.host} -p {self.port} -k {self.tmpdir}")
            try:
                self._run([str(bindir / "pg_ctl"), "start", "-D", str(self.datadir), "-w",
                           "-t", str(int(self.start_timeout)), "-l", str(self.tmpdir / "postgres.log"),
                           "-o", options], "pg_ctl start", timeout=self.start_timeout + 10)
                self._wait_until_accepting()
                return
            except RuntimeError:
                self._pg_ctl_stop()
                if attempt == attempts - 1:
                    raise

    def _wait_until_accepting(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while True:
            try:
                with socket.create_connection((self.host, self.port), timeout=1):
                    pass
                import psycopg  # local import: find_pg_bindir() works without psycopg

                with psycopg.connect(self._conninfo("postgres"), connect_timeout=2) as conn:
                    conn.execute("select 1")
                return
            except Exception as e:  # noqa: BLE001 - retried until the deadline
                if time.monotonic() >= deadline:
                    raise RuntimeError(f"PostgreSQL on {self.host}:{self.port} did not accept connections "
                                       f"within {self.start_timeout} s: {e}{self._log_tail()}") from e
                time.sleep(0.1)

    def _pg_ctl_stop(self) -> None:
        if self.bindir and self.tmpdir and (self.datadir / "postmaster.pid").exists():
            try:
                subprocess.run(self._as_server_user([str(self.bindir / "pg_ctl"), "stop", "-D", str(self.datadir),
                                                     "-m", "immediate", "-w"]),
                               capture_output=True, timeout=60, cwd=self.tmpdir)
            except (OSError, subprocess.SubprocessError, RuntimeError):
                pass

    def _remove_tmpdir(self) -> None:
        if self.tmpdir is not None:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    def stop(self) -> None:
        """Stops the server (pg_ctl stop -m immediate) and removes its directory."""
        self._pg_ctl_stop()
        self._remove_tmpdir()
        self.port = None

    def __enter__(self) -> ThrowawayPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- connecting
    def _conninfo(self, dbname: str) -> str:
        return f"host={self.host} port={self.port} user=postgres dbname={dbname}"

    def url(self, dbname: str = "postgres") -> str:
        """SQLAlchemy URL: postgresql+psycopg://postgres@127.0.0.1:PORT/dbname."""
        if self.port is None:
            raise RuntimeError("ThrowawayPostgres is not started")
        return f"postgresql+psycopg://postgres@{self.host}:{self.port}/{dbname}"

    def dsn(self, dbname: str = "postgres") -> str:
        """libpq URL for psycopg.connect(): postgresql://postgres@127.0.0.1:PORT/dbname."""
        return self.url(dbname).replace("postgresql+psycopg://", "postgresql://", 1)

    def create_database(self, name: str) -> str:
        """Creates database ``name`` (owner postgres) and returns its SQLAlchemy URL."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self._conninfo("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)
