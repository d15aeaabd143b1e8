"""Reminder chases for tests that run the real sender (a `consultbot serve` process, or ReminderSender).

    chase = build_chase(engine, focal_points=25, rounds=20)       # rows written by the real planner
    keys = make_due(engine, Reminder.offset == "T-7d")             # "time has passed": they are due now
    ...start `consultbot serve` on that database, then...
    assert posted_keys(slack) == Counter({key: 1 for key in keys})

- `build_chase` makes a process with a draft, N focal points (distinct Slack user IDs, each speaking
  for one member entity) and opens `rounds` rounds with bot.rounds.service.open_round, so the
  reminder rows are exactly what the planner writes. It grants SECRETARIAT the secretariat role
  first: `consultbot serve` started with SECRETARIAT_USERS=U0SEC1 then finds it held and does not
  replan the rounds at start-up (a replan would move the rows made due here back to their planned time).
  The planner runs with quiet hours off, so the rows do not depend on the hour the suite runs.
- `make_due` / `time_passes` fake the clock the only way a separate process can see: by moving
  times in the database into the past.
- `reminders` reads rows back; `posted_keys` counts the reminder keys Slack (the double) accepted.

Use a private database (the `private_engine` fixture): the session-wide `bot` process sends what
is due in the shared one.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage.db import session_scope
from storage.models import Document, DocumentVersion, Reminder, ReminderStatus, Role, Round, RoundEntity
from storage.types import utcnow

SECRETARIAT = "U0SEC1"
REMINDER_EVENT = "consultbot_reminder"  # the metadata event_type the sender puts on every reminder
_chases = itertools.count(1)


@dataclass(frozen=True)
class Chase:
    """A process whose focal points are being chased by `rounds` open rounds."""

    handle: str
    process_id: int
    channel_id: str | None
    focal_points: dict[str, str]  # Slack user ID -> the entity code they speak for
    round_ids: list[int] = field(default_factory=list)


@contextmanager
def _quiet_hours_off():
    from bot.reminders import policy
    from bot.reminders.plan import OFF

    before = policy.quiet_hours()
    policy.configure(OFF)
    try:
        yield
    finally:
        policy.configure(before)


def build_chase(engine: Engine, *, focal_points: int = 3, rounds: int = 1, channel_id: str | None = None,
                deadline_in_days: int = 10, timezone: str = "Europe/Zurich") -> Chase:
    """A new process (its own handle and user IDs, so several chases share one database) with
    `focal_points` focal points and `rounds` rounds open, each with a deadline `deadline_in_days`
    days ahead at 17:00 in `timezone` and the default offsets T-7d, T-2d, T-0, T-1h.
    `channel_id` gives the process a channel (needed for a weekly status message)."""
    from bot.entities.service import get_entity
    from bot.people.service import find_person
    from bot.processes.service import NewProcess, create_process
    from bot.roles.service import grant
    from bot.rounds.service import OpenRound, open_round
    from storage.models import Entity

    n = next(_chases)
    handle = f"chase-{n}"
    with _quiet_hours_off(), session_scope(engine) as s:
        grant(s, "tests", SECRETARIAT, Role.SECRETARIAT, if_missing=True)
        secretariat = find_person(s, SECRETARIAT)
        codes = [e.code for e in s.exec(select(Entity).order_by(Entity.code)).all()]
        speaking = [codes[i % len(codes)] for i in range(focal_points)]
        process = create_process(s, secretariat, NewProcess(
            handle=handle, kind="consultation", title=f"Chase {n}", timezone=timezone, channel_id=channel_id,
            members=list(dict.fromkeys(speaking))))
        document = Document(process_id=process.id, slug="draft", title="Draft")
        s.add(document)
        s.flush()
        s.add(DocumentVersion(document_id=document.id, number=1, source_name="draft.md", source_sha256="0" * 64,
                              imported_by=SECRETARIAT))
        s.flush()
        people = {}
        for i, code in enumerate(speaking):
            user = f"U{n:03d}FP{i:03d}"
            grant(s, SECRETARIAT, user, Role.FOCAL_POINT, process, get_entity(s, code))
            people[user] = code
        deadline = (utcnow() + timedelta(days=deadline_in_days)).date()
        round_ids = [open_round(s, secretariat, OpenRound(process=handle, deadline_date=deadline,
                                                          timezone=timezone)).id for _ in range(rounds)]
        return Chase(handle, process.id, channel_id, people, round_ids)


def reminders(engine: Engine, *conditions) -> list[Reminder]:
    """The reminder rows matching `conditions` (SQL expressions on Reminder), by id, detached."""
    with session_scope(engine) as s:
        rows = s.exec(select(Reminder).where(*conditions).order_by(Reminder.id)).all()
        s.expunge_all()
        return list(rows)


def wait_for_status(engine: Engine, reminder: int | str, status: ReminderStatus, timeout: float = 10) -> Reminder:
    """Polls the row (by id, or by key) until it reaches `status`; fails naming the row's state otherwise."""
    where = Reminder.id == reminder if isinstance(reminder, int) else Reminder.key == reminder
    deadline = time.monotonic() + timeout
    while True:
        with Session(engine) as s:
            row = s.exec(select(Reminder).where(where)).one()
        if row.status == status or time.monotonic() > deadline:
            assert row.status == status, (row.key, row.status, row.outcome)
            return row
        time.sleep(0.1)


def make_due(engine: Engine, *conditions, ago: timedelta = timedelta(minutes=1)) -> list[str]:
    """Pending rows matching `conditions` became due `ago` before now (their send_at moves there;
    due_at and stale_at stay). Returns their keys."""
    with session_scope(engine) as s:
        rows = s.exec(select(Reminder).where(Reminder.status == ReminderStatus.PENDING, *conditions)).all()
        at = utcnow() - ago
        for row in rows:
            row.send_at = at
            s.add(row)
        return [row.key for row in rows]


def time_passes(engine: Engine, round_id: int, delta: timedelta) -> None:
    """The bot was down while `delta` passed for this round: its deadline and every time on its
    pending rows move `delta` into the past, as if the round had been opened that much earlier."""
    with session_scope(engine) as s:
        round_ = s.get(Round, round_id)
        round_.deadline -= delta
        s.add(round_)
        for link in s.exec(select(RoundEntity).where(RoundEntity.round_id == round_id,
                                                     RoundEntity.deadline.is_not(None))).all():
            link.deadline -= delta  # an entity's own deadline after a reopen
            s.add(link)
        for row in s.exec(select(Reminder).where(Reminder.subject_id == round_id,
                                                 Reminder.status == ReminderStatus.PENDING)).all():
            row.due_at -= delta
            row.send_at -= delta
            row.stale_at = row.stale_at - delta if row.stale_at is not None else None
            s.add(row)


def posted_keys(slack, since: float = 0.0) -> Counter:
    """How many times Slack accepted a reminder, by reminder key (chat.postMessage calls the double
    answered ok, recorded at or after the time.monotonic() `since`)."""
    keys: Counter = Counter()
    for call in slack.calls_to("chat.postMessage"):
        metadata = call.params.get("metadata") or {}
        if call.error is None and call.at >= since and metadata.get("event_type") == REMINDER_EVENT:
            keys[metadata["event_payload"]["key"]] += 1
    return keys

