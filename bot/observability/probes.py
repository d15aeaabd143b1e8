"""Readiness: may this replica take Slack's requests? The database answers, its schema is at this
code's Alembic head, and the reminder clock has shown progress within three ticks. Liveness
(`/healthz`) needs none of this: the process answering is enough."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from storage.migrate import current_revision, head_revision

CHECK_TIMEOUT_S = 2.0
CLOCK_TICKS = 3  # ticks without progress before the clock is said to be stuck


@dataclass(frozen=True)
class Readiness:
    ready: bool
    checks: dict[str, str]
    reason: str | None = None

    def body(self) -> dict:
        return {"status": "ready" if self.ready else "not ready", "checks": self.checks,
                **({"reason": self.reason} if self.reason else {})}


class ReadinessProbe:
    def __init__(self, engine: Engine, clock_lag: Callable[[], float | None] | None, tick_seconds: float) -> None:
        self.engine, self.clock_lag, self.tick_seconds = engine, clock_lag, tick_seconds
        self.head = head_revision()

    def _schema(self) -> str | None:
        with self.engine.connect() as connection:
            return current_revision(connection)

    async def check(self) -> Readiness:
        checks: dict[str, str] = {}
        reasons: list[str] = []
        try:
            revision = await asyncio.wait_for(asyncio.to_thread(self._schema), CHECK_TIMEOUT_S)
        except asyncio.TimeoutError:
            checks["database"] = "timeout"
            reasons.append(f"the database did not answer within {CHECK_TIMEOUT_S:g} s")
        except Exception as exc:
            checks["database"] = "unreachable"
            reasons.append(f"the database is unreachable ({type(exc).__name__})")
        else:
            checks["database"] = "ok"
            if revision == self.head:
                checks["schema"] = "ok"
            else:
                checks["schema"] = f"at {revision or 'nothing'}, expected {self.head}"
                reasons.append(f"the schema is at revision {revision or 'none'}, this code needs {self.head}")
        if self.clock_lag is not None:
            lag, limit = self.clock_lag(), CLOCK_TICKS * self.tick_seconds
            if lag is None:
                checks["clock"] = "not ticked yet"
                reasons.append("the reminder clock has not ticked yet")
            elif lag > limit:
                checks["clock"] = f"no progress for {lag:.1f} s"
                reasons.append(f"the reminder clock has shown no progress for {lag:.1f} s "
                               f"(more than {CLOCK_TICKS} ticks of {self.tick_seconds:g} s)")
            else:
                checks["clock"] = "ok"
        return Readiness(not reasons, checks, "; ".join(reasons) or None)
