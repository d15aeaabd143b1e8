"""Where a bench runs: SQLite in a temporary folder, a database URL given, or a throwaway PostgreSQL server."""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def add_options(parser: argparse.ArgumentParser, url_help: str) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database-url", help=url_help)
    where.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL server (tests/pg_server.py)")


@contextmanager
def database(args: argparse.Namespace, name: str) -> Iterator[str]:
    """The URL to run on (`--database-url`, `--postgres` or SQLite); a server or folder made here goes at the end."""
    with tempfile.TemporaryDirectory(prefix=f"{name}-") as tmp:
        if not args.postgres:
            yield args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            return
        from tests.pg_server import ThrowawayPostgres

        server = ThrowawayPostgres().start()
        try:
            yield server.create_database(name.replace("-", "_"))
        finally:
            server.stop()


def kind(url: str) -> str:
    return "postgresql" if url.startswith("postgres") else "sqlite"
