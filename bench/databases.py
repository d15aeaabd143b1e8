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


def entity_codes(session, count: int, zones: tuple[str, ...] = ("Europe/Geneva",)) -> list[str]:
    """The bundled entities (seeded here) and as many bench ones as make `count`; the first `count` codes."""
    from sqlmodel import select

    from bot.seed import seed
    from storage.models import Entity

    seed(session)
    have = session.exec(select(Entity.code)).all()
    for n in range(max(count - len(have), 0)):
        session.add(Entity(code=f"BENCH-{n + 1:02d}", name=f"Bench entity {n + 1}", duty_station="—",
                           timezone=zones[n % len(zones)]))
    session.flush()
    return list(session.exec(select(Entity.code).order_by(Entity.code)).all())[:count]
