"""The demo workspace in the console's database: bot.seed.seed_demo, run once at start."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from bot.seed import DemoWorkspace, seed_demo
from storage.db import session_scope


def seed(engine: Engine, demo: DemoWorkspace) -> None:
    with session_scope(engine) as session:
        seed_demo(session, demo)
