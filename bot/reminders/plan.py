"""When reminders go out: plain functions of `now`, with no database and no Slack.

- Offsets name reminders before a deadline: ``T-7d`` (7 days before, same wall-clock time in the
  round's zone), ``T-0`` (the deadline's day, 09:00 in the recipient's zone; the day before when
  the deadline falls before 10:00 there), ``T-1h`` (one hour before). Hour offsets are *last calls*: they ignore quiet hours.
- Quiet hours (default 20:00-08:00 and weekends, in the recipient's zone) hold a reminder back
  until the next working morning.
- A reminder is stale at its deadline: after it, it is dropped, not sent late.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from apscheduler.triggers.cron import CronTrigger

from bot.timezones import zone

DEFAULT_OFFSETS = ("T-7d", "T-2d", "T-0", "T-1h")
CHOICES = ("T-14d", "T-7d", "T-2d", "T-1d", "T-0", "T-1h")  # what the round modal offers
DAY_OF_REMINDER = time(9, 0)
MIN_GAP = timedelta(hours=12)  # two ordinary reminders closer than this: the earlier one is dropped
_OFFSET = re.compile(r"^T-(?:0|([1-9]\d{0,2})([dh]))$")
_DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


@dataclass(frozen=True)
class QuietHours:
    """Hours and weekdays when nothing but a last call is delivered, in the recipient's zone."""

    start: time | None = time(20, 0)  # None: no quiet hours
    end: time | None = time(8, 0)
    days: frozenset[int] = frozenset({5, 6})

    def covers(self, local: datetime) -> bool:
        if local.weekday() in self.days:
            return True
        if self.start is None or self.end is None:
            return False
        t = local.time()
        return (t >= self.start or t < self.end) if self.start > self.end else self.start <= t < self.end


OFF = QuietHours(None, None, frozenset())


def parse_quiet(hours: str, days: str) -> QuietHours:
    """``"20:00-08:00"`` (or ``"off"``) and ``"sat,sun"`` (or ``""``); ValueError names what is wrong."""
    hours, days = hours.strip().lower(), days.strip().lower()
    start = end = None
    if hours not in ("", "off", "none"):
        match = re.fullmatch(r"(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})", hours)
        if not match:
            raise ValueError("must look like 20:00-08:00, or off")
        start, end = (time.fromisoformat(part.zfill(5)) for part in match.groups())
        if start == end:
            raise ValueError("start and end must differ")
    names = [d.strip()[:3] for d in days.replace(";", ",").split(",") if d.strip()]
    unknown = [d for d in names if d not in _DAYS]
    if unknown:
        raise ValueError(f"unknown day {unknown[0]!r}; use mon, tue, wed, thu, fri, sat, sun")
    return QuietHours(start, end, frozenset(_DAYS[d] for d in names))


def next_open(moment: datetime, timezone_name: str, quiet: QuietHours) -> datetime:
    """The first moment at or after `moment` outside quiet hours in that zone (UTC)."""
    tz = zone(timezone_name)
    local = moment.astimezone(tz)
    if not quiet.covers(local):
        return moment
    wake = quiet.end or time(0, 0)
    for days in range(0, 15):
        day = local.date() + timedelta(days=days)
        candidate = datetime.combine(day, wake, tzinfo=tz)
        if candidate >= local and not quiet.covers(candidate):
            return candidate.astimezone(timezone.utc)
    return moment  # every day quiet: a configuration that silences nothing rather than everything


def is_offset(text: str) -> bool:
    return bool(_OFFSET.match(text))


def parse_offsets(text: str) -> list[str]:
    """``"T-7d,T-2d,T-0,T-1h"`` as a list, in the order they fall; ValueError on a bad one."""
    offsets = [o.strip() for o in text.split(",") if o.strip()]
    for offset in offsets:
        if not is_offset(offset):
            raise ValueError(f"{offset!r} is not an offset such as T-7d, T-0 or T-1h")
    return sorted(dict.fromkeys(offsets), key=_lead, reverse=True)


def _lead(offset: str) -> timedelta:
    match = _OFFSET.match(offset)
    if not match or not match.group(1):
        return timedelta(hours=-1)  # T-0 is the deadline's morning: between T-1d and the hour calls
    n = int(match.group(1))
    return timedelta(days=n) if match.group(2) == "d" else timedelta(hours=n) - timedelta(hours=24)


def is_last_call(offset: str) -> bool:
    match = _OFFSET.match(offset)
    return bool(match and match.group(2) == "h")


def occurrence(offset: str, deadline: datetime, round_timezone: str, recipient_timezone: str) -> datetime:
    """When an offset falls, in UTC. Day offsets keep the wall-clock time in the round's zone
    (a DST change in between does not move 17:00 to 16:00)."""
    match = _OFFSET.match(offset)
    if match is None:
        raise ValueError(offset)
    if not match.group(1):  # 09:00 their time on the deadline's day, or the day before when that is too late
        tz = zone(recipient_timezone)
        day = deadline.astimezone(tz).date()
        morning = datetime.combine(day, DAY_OF_REMINDER, tzinfo=tz).astimezone(timezone.utc)
        if morning > deadline - timedelta(hours=1):  # e.g. a New York 17:00 deadline is 05:00 in Bangkok
            morning = datetime.combine(day - timedelta(days=1), DAY_OF_REMINDER, tzinfo=tz).astimezone(timezone.utc)
        return morning
    n = int(match.group(1))
    if match.group(2) == "h":
        return deadline - timedelta(hours=n)
    tz = zone(round_timezone)
    local = deadline.astimezone(tz).replace(tzinfo=None) - timedelta(days=n)
    return local.replace(tzinfo=tz).astimezone(timezone.utc)  # fold=0: a wall time in a gap moves on


@dataclass(frozen=True)
class Planned:
    offset: str
    due_at: datetime
    send_at: datetime
    stale_at: datetime
    quiet: bool


def deadline_schedule(deadline: datetime, round_timezone: str, recipient_timezone: str, offsets: list[str],
                      now: datetime, quiet: QuietHours) -> list[Planned]:
    """The reminders one recipient gets before one deadline, as planned at `now`.

    Offsets already past are not planned; a reminder that quiet hours push to or past the
    deadline is dropped; of two ordinary reminders that would land within 12 hours of each
    other only the later is kept. Last calls are always kept while still ahead."""
    planned = []
    for offset in offsets:
        due = occurrence(offset, deadline, round_timezone, recipient_timezone)
        last = is_last_call(offset)
        send = due if last else next_open(due, recipient_timezone, quiet)
        if due <= now or send >= deadline:
            continue
        planned.append(Planned(offset, due, send, deadline, not last))
    ordinary = sorted((p for p in planned if p.quiet), key=lambda p: p.send_at)
    kept = [p for p, later in zip(ordinary, ordinary[1:] + [None])
            if later is None or later.send_at - p.send_at >= MIN_GAP]
    return sorted(kept + [p for p in planned if not p.quiet], key=lambda p: p.send_at)


def snooze_until(now: datetime, timezone_name: str, quiet: QuietHours) -> datetime:
    """"Remind me tomorrow": 09:00 tomorrow in that zone, or 09:00 on the next working day."""
    tz = zone(timezone_name)
    day = now.astimezone(tz).date() + timedelta(days=1)
    for _ in range(7):
        if day.weekday() not in quiet.days:
            break
        day += timedelta(days=1)
    return next_open(datetime.combine(day, DAY_OF_REMINDER, tzinfo=tz).astimezone(timezone.utc), timezone_name, quiet)


@dataclass(frozen=True)
class Decision:
    """What a sender does with a due row now: "send", "defer" (until), or "drop" (reason)."""

    action: str
    until: datetime | None = None
    reason: str | None = None


SEND = Decision("send")


def decide(send_at: datetime, stale_at: datetime | None, held_in_quiet_hours: bool, timezone_name: str,
           now: datetime, quiet: QuietHours) -> Decision:
    """Send, hold back (quiet hours in the recipient's zone), or drop (stale)."""
    if stale_at is not None and now >= stale_at:
        return Decision("drop", reason="stale")
    if now < send_at:
        return Decision("defer", until=send_at)
    if held_in_quiet_hours:
        until = next_open(now, timezone_name, quiet)
        if until > now:
            if stale_at is not None and until >= stale_at:
                return Decision("drop", reason="stale")
            return Decision("defer", until=until)
    return SEND


def cron_days(text: str) -> str:
    """Validate a weekday list for a weekly message ("mon", "mon,thu"); ValueError if wrong."""
    names = [d.strip()[:3].lower() for d in text.replace(";", ",").split(",") if d.strip()]
    if not names or any(d not in _DAYS for d in names):
        raise ValueError(text)
    return ",".join(dict.fromkeys(names))


def occurrences(day_of_week: str, hour: int, minute: int, timezone_name: str, after: datetime,
                until: datetime) -> list[datetime]:
    """The fire times of a weekly rule in (after, until], in UTC; APScheduler's CronTrigger does
    the calendar work, in the rule's zone (so 09:00 stays 09:00 across DST)."""
    trigger = CronTrigger(day_of_week=day_of_week, hour=hour, minute=minute, timezone=zone(timezone_name))
    found, cursor = [], after + timedelta(seconds=1)
    while True:
        fire = trigger.get_next_fire_time(None, cursor)
        if fire is None or fire > until:
            return found
        found.append(fire.astimezone(timezone.utc))
        cursor = fire + timedelta(seconds=1)


def stamp(moment: datetime) -> str:
    """A compact UTC time for keys: 20261204T1600."""
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M")


def local_day(moment: datetime, timezone_name: str) -> date:
    return moment.astimezone(zone(timezone_name)).date()
