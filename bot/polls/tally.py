"""Tallying an availability poll: plain functions over rows, no database and no Slack.

The best slot is the one the most entities can attend (yes), then the one that puts the fewest
invited entities outside their working hours (08:00-19:00 at their duty station), then the one
the most entities could make if need be; the earlier slot wins a tie.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo


WORK_START = time(8, 0)
WORK_END = time(19, 0)


@dataclass(frozen=True)
class SlotRow:
    id: int
    position: int
    start: datetime  # aware UTC
    end: datetime


@dataclass(frozen=True)
class InviteeRow:
    """An invited entity: its duty station's zone, and whether it has answered any slot."""

    entity_id: int
    code: str
    timezone: str
    answered: bool = False


@dataclass(frozen=True)
class SlotTally:
    slot: SlotRow
    yes: int
    if_need_be: int
    no: int
    unanswered: int
    outside: tuple[str, ...]  # codes of invited entities for which the slot is outside working hours

    @property
    def rank_key(self) -> tuple:
        return (-self.yes, len(self.outside), -self.if_need_be, self.slot.start, self.slot.position)


@dataclass(frozen=True)
class Tally:
    ranked: list[SlotTally]  # best first
    invited: list[str]
    not_answered: list[str]  # entities with no answer at all (each slot counts its own missing answers)
    slots: int

    @property
    def answered(self) -> int:
        return len(self.invited) - len(self.not_answered)


@lru_cache(maxsize=256)
def zone_of(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def outside_hours(start: datetime, end: datetime, timezone_name: str,
                  work_start: time = WORK_START, work_end: time = WORK_END) -> bool:
    """Whether [start, end) leaves the working day (work_start-work_end, one local day) in that zone."""
    tz = zone_of(timezone_name)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    if local_start.time() < work_start:
        return True
    if local_end.date() != local_start.date():
        return True
    return local_end.time() > work_end


def outside_by_slot(slots: Iterable[SlotRow], invitees: Iterable[InviteeRow]) -> dict[int, tuple[str, ...]]:
    """For each slot, the invited entities (codes, sorted) it puts outside working hours."""
    by_zone: dict[str, list[str]] = defaultdict(list)
    for invitee in invitees:
        by_zone[invitee.timezone].append(invitee.code)
    return dict(_outside(tuple((s.id, s.start, s.end) for s in slots),
                         tuple((zone_name, tuple(sorted(codes))) for zone_name, codes in sorted(by_zone.items()))))


@lru_cache(maxsize=256)
def _outside(slots: tuple, zones: tuple) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """Cached: a poll's board is tallied again after every answer, and its slots and invitees do not
    change. Entities sharing a zone share one computation."""
    result = []
    for slot_id, start, end in slots:
        codes = [code for zone_name, zone_codes in zones if outside_hours(start, end, zone_name)
                 for code in zone_codes]
        result.append((slot_id, tuple(sorted(codes))))
    return tuple(result)


def tally(slots: Iterable[SlotRow], invitees: Iterable[InviteeRow],
          counts: Iterable[tuple[int, int, int, int]]) -> Tally:
    """Rank the slots. `counts` are (slot_id, yes, if need be, no) rows, numbers of entities; a slot
    without a row has no answer yet."""
    slots, invitees = list(slots), list(invitees)
    per_slot = {slot_id: (yes, maybe, no) for slot_id, yes, maybe, no in counts}
    outside = outside_by_slot(slots, invitees)
    invited = len(invitees)
    rows = []
    for slot in slots:
        yes, maybe, no = per_slot.get(slot.id, (0, 0, 0))
        rows.append(SlotTally(slot, yes, maybe, no, max(invited - yes - maybe - no, 0), outside[slot.id]))
    rows.sort(key=lambda r: r.rank_key)
    ordered = sorted(invitees, key=lambda i: i.code)
    return Tally(ranked=rows, invited=[i.code for i in ordered],
                 not_answered=[i.code for i in ordered if not i.answered], slots=len(slots))


def answered_all(answered: int, slots: int) -> bool:
    return slots > 0 and answered >= slots
