"""SQLite has one writer: a second `consultbot serve` on the same file would send every reminder
twice. The first holds an exclusive lock on `<database>.lock` (released by the OS when it dies,
even by kill -9); the second refuses to start. PostgreSQL needs no lock: rows are claimed with
FOR UPDATE SKIP LOCKED, so replicas may run side by side."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from sqlalchemy.engine import make_url


class InstanceLocked(Exception):
    def __init__(self, path: Path, holder: str) -> None:
        super().__init__(str(path))
        self.path, self.holder = path, holder


def sqlite_file(database_url: str) -> Path | None:
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite") or not url.database or url.database == ":memory:":
        return None
    return Path(url.database).resolve()


def hold(database_url: str):
    """Take the lock for this process's lifetime (returns the open file; keep a reference)."""
    database = sqlite_file(database_url)
    if database is None:
        return None
    path = database.with_name(database.name + ".lock")
    handle = open(path, "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "?"
        handle.close()
        raise InstanceLocked(database, holder) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle
