"""Who plans reminders and who writes each kind's message: every area registers here when its module is imported,
and the reminders area works through what is registered without importing any area.

- Planners rewrite an area's pending rows after a change of who is reminded (bot/reminders/replan.py):
  `register_process_planner(name, fn, kinds)`: fn(session, process_id, now), one process's focal points and chairs;
  `register_focal_point_planner(name, fn, kinds)`: fn(session, now), focal points of an entity in ANY process
  (the data call, the mapping surveys);
  `register_secretariat_planner(name, fn, kinds)`: fn(session, now), what goes to the secretariat.
- `register_kind(kind, prepare)`: prepare(session, reminder, now) -> Message | Skip, the message of a due row of
  that kind (bot/reminders/delivery.py).

bot/areas.py imports every area, then calls `complete(planners)` with every planner's name in the order they run;
bot/startup.py imports bot/areas.py and runs `check()` in `prepare`, so the registry is full before the app serves,
the scheduler ticks or a command runs. Asking an incomplete registry for its planners or handlers raises
RegistryError: an area left out is never a silent no-op.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from sqlmodel import Session, select

from bot.reminders.outcomes import Message, Skip
from storage.models import Reminder, ReminderStatus

ProcessPlanner = Callable[[Session, int, datetime], None]
Planner = Callable[[Session, datetime], None]
Prepare = Callable[[Session, Reminder, datetime], Message | Skip]
TO_SEND = (ReminderStatus.PENDING, ReminderStatus.SENDING)


class RegistryError(RuntimeError):
    """The reminder areas are not all registered (a programming or packaging error: fails start-up loudly)."""


@dataclass(frozen=True)
class Registered:
    name: str
    fn: Callable
    kinds: tuple[str, ...]


_process: dict[str, Registered] = {}
_focal_point: dict[str, Registered] = {}
_secretariat: dict[str, Registered] = {}
_kinds: dict[str, Prepare] = {}
_order: list[str] = []  # the planners' names in the order they run, set by `complete`


def _same(a: Callable, b: Callable) -> bool:
    return a is b or (a.__module__, a.__qualname__) == (b.__module__, b.__qualname__)  # a module imported again


def _put(table: dict, name: str, entry, fn: Callable, existing: Callable | None, what: str) -> None:
    if existing is not None and not _same(existing, fn):
        raise RegistryError(f"{what} {name!r} registered twice: {existing.__module__}.{existing.__qualname__} "
                            f"and {fn.__module__}.{fn.__qualname__}")
    table[name] = entry


def _planner(table: dict[str, Registered], name: str, fn: Callable, kinds: Iterable[str], what: str) -> None:
    old = table.get(name)
    _put(table, name, Registered(name, fn, tuple(kinds)), fn, old.fn if old else None, what)


def register_process_planner(name: str, fn: ProcessPlanner, kinds: Iterable[str]) -> None:
    """fn(session, process_id, now) re-plans one process's reminders to its focal points and chairs."""
    _planner(_process, name, fn, kinds, "process_planner")


def register_focal_point_planner(name: str, fn: Planner, kinds: Iterable[str]) -> None:
    """fn(session, now) re-plans reminders to entities' focal points whatever their process."""
    _planner(_focal_point, name, fn, kinds, "focal_point_planner")


def register_secretariat_planner(name: str, fn: Planner, kinds: Iterable[str]) -> None:
    """fn(session, now) re-plans the reminders that go to the secretariat."""
    _planner(_secretariat, name, fn, kinds, "secretariat_planner")


def register_kind(kind: str, prepare: Prepare) -> None:
    """prepare(session, reminder, now) is the message of a due row of `kind`, or Skip with the reason."""
    _put(_kinds, kind, prepare, prepare, _kinds.get(kind), "kind")


def complete(planners: Sequence[str]) -> None:
    """Called by bot/areas.py once it has imported every area: `planners` names every planner expected, in the
    order they run (whatever order the areas happened to be imported in). A planner missing or not expected
    raises RegistryError."""
    registered = {name for table in (_process, _focal_point, _secretariat) for name in table}
    missing, unexpected = sorted(set(planners) - registered), sorted(registered - set(planners))
    if missing or unexpected:
        raise RegistryError(f"reminder planners not as expected by bot/areas.py: missing {missing or 'none'}, "
                            f"not listed {unexpected or 'none'}")
    _order[:] = list(planners)


def _require_complete() -> None:
    if not _order:
        raise RegistryError("no reminder area is registered: import bot.areas before planning or sending "
                            "(bot/startup.py does)")


def _in_order(table: dict[str, Registered]) -> list[Callable]:
    _require_complete()
    return [entry.fn for entry in sorted(table.values(), key=lambda entry: _order.index(entry.name))]


def process_planners() -> list[ProcessPlanner]:
    return _in_order(_process)


def focal_point_planners() -> list[Planner]:
    return _in_order(_focal_point)


def secretariat_planners() -> list[Planner]:
    return _in_order(_secretariat)


def handler(kind: str) -> Prepare | None:
    """The message of a row of `kind`; None for a kind no area delivers."""
    _require_complete()
    return _kinds.get(kind)


def handlers() -> Mapping[str, Prepare]:
    """Every registered kind and its message, read-only (live: filled as areas are imported)."""
    return MappingProxyType(_kinds)


def planned_kinds() -> dict[str, str]:
    """Each kind a registered planner writes, and the planner's name."""
    return {kind: entry.name for table in (_process, _focal_point, _secretariat) for entry in table.values()
            for kind in entry.kinds}


def unhandled(session: Session) -> tuple[dict[str, str], list[str]]:
    """What would leave reminders unsent: the kinds a planner writes (with the planner's name) and the kinds of
    rows still to send in the database, that no area registered a message for."""
    _require_complete()
    planned = {kind: name for kind, name in sorted(planned_kinds().items()) if kind not in _kinds}
    stored = session.exec(select(Reminder.kind).where(Reminder.status.in_(TO_SEND)).distinct()).all()
    return planned, sorted(set(stored) - set(_kinds))


def check(session: Session) -> None:
    """Start-up: every area is registered and every kind to send has a message; RegistryError naming them if not."""
    planned, stored = unhandled(session)
    if planned or stored:
        raise RegistryError("reminder kinds with no delivery handler (an area not imported by bot/areas.py?): "
                            + ", ".join([f"{kind} (planned by {name})" for kind, name in planned.items()]
                                        + [f"{kind} (stored, still to send)" for kind in stored]))
