"""When reminders fall: plain functions of `now`, across the four duty stations and the 2026 DST changes.

Every expected instant below is worked out by hand, with the local time it stands for beside it.
2026 clock changes: the US springs forward on Sunday 8 March and falls back on Sunday 1 November;
the EU springs forward on Sunday 29 March and falls back on Sunday 25 October. Nairobi (UTC+3)
and Bangkok (UTC+7) keep one offset all year. Geneva keeps Zurich's clock (Europe/Zurich).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest
import time_machine

from bot.reminders.plan import (DEFAULT_OFFSETS, OFF, Decision, QuietHours, deadline_schedule, decide, next_open,
                                occurrence, occurrences, parse_offsets, parse_quiet, snooze_until)
from storage.types import utcnow

GENEVA, NEW_YORK, NAIROBI, BANGKOK = "Europe/Zurich", "America/New_York", "Africa/Nairobi", "Asia/Bangkok"
DEFAULT_QUIET = QuietHours()  # 20:00-08:00 and Saturday, Sunday
OFFSETS = list(DEFAULT_OFFSETS)


def utc(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=timezone.utc)


def schedule(deadline, round_zone, recipient_zone, offsets=OFFSETS, now=utc(1, 5, 9), quiet=DEFAULT_QUIET):
    """What a recipient is sent, as {offset: send_at}."""
    return {p.offset: p.send_at for p in deadline_schedule(deadline, round_zone, recipient_zone, offsets, now, quiet)}


# --- The deadline schedule across the EU spring change --------------------------------------------

MONDAY_30_MARCH_17H_GENEVA = utc(3, 30, 15)  # 17:00 CEST, the day after the EU change


def test_seven_days_before_keeps_the_deadline_wall_time_across_the_eu_change():
    # 7 days earlier it is CET (UTC+1): 17:00 on Monday 23 March is 16:00 UTC, not 15:00 (a bare -168 h).
    assert occurrence("T-7d", MONDAY_30_MARCH_17H_GENEVA, GENEVA, GENEVA) == utc(3, 23, 16)
    assert MONDAY_30_MARCH_17H_GENEVA - timedelta(days=7) == utc(3, 23, 15)


def test_a_geneva_focal_point_of_a_deadline_just_after_the_eu_change():
    plan = deadline_schedule(MONDAY_30_MARCH_17H_GENEVA, GENEVA, GENEVA, OFFSETS, utc(3, 2, 9), DEFAULT_QUIET)
    assert [(p.offset, p.due_at, p.send_at, p.quiet) for p in plan] == [
        ("T-7d", utc(3, 23, 16), utc(3, 23, 16), True),  # Monday 23 March 17:00 CET
        # T-2d falls on Saturday 28 March 17:00 CET; the weekend holds it to Monday 08:00 CEST, one hour
        # before the on-the-day reminder: two chases within 12 hours, only the later one is kept.
        ("T-0", utc(3, 30, 7), utc(3, 30, 7), True),  # Monday 30 March 09:00 CEST
        ("T-1h", utc(3, 30, 14), utc(3, 30, 14), False),  # 16:00 CEST, a last call
    ]
    assert all(p.stale_at == MONDAY_30_MARCH_17H_GENEVA for p in plan)


def test_the_weekend_holds_the_two_day_reminder_until_monday_morning_in_summer_time():
    saturday_17h_cet = occurrence("T-2d", MONDAY_30_MARCH_17H_GENEVA, GENEVA, GENEVA)
    assert saturday_17h_cet == utc(3, 28, 16)
    # Monday 30 March 08:00 is CEST (UTC+2) since Sunday: 06:00 UTC.
    assert next_open(saturday_17h_cet, GENEVA, DEFAULT_QUIET) == utc(3, 30, 6)
    # A round configured for T-2d and the last call only keeps it, at that Monday morning.
    assert schedule(MONDAY_30_MARCH_17H_GENEVA, GENEVA, GENEVA, ["T-2d", "T-1h"]) == {
        "T-2d": utc(3, 30, 6), "T-1h": utc(3, 30, 14)}


# --- New York across the US spring change ------------------------------------------------------

def test_a_reminder_due_on_saturday_7_march_in_new_york_waits_for_monday_08_00_edt():
    saturday_11h_est = utc(3, 7, 16)
    # Monday 9 March is the first working day on EDT (UTC-4): 08:00 is 12:00 UTC, not 13:00 as in winter.
    assert next_open(saturday_11h_est, NEW_YORK, DEFAULT_QUIET) == utc(3, 9, 12)
    assert decide(saturday_11h_est, utc(3, 10, 21), True, NEW_YORK, saturday_11h_est, DEFAULT_QUIET) == \
        Decision("defer", until=utc(3, 9, 12))


def test_a_new_york_focal_point_of_a_geneva_round_in_the_weeks_the_us_is_already_on_summer_time():
    # Geneva round, deadline Monday 9 March 17:00 CET = 16:00 UTC (12:00 EDT in New York).
    deadline = utc(3, 9, 16)
    assert schedule(deadline, GENEVA, NEW_YORK, ["T-7d", "T-2d", "T-1h"]) == {
        "T-7d": utc(3, 2, 16),  # Monday 2 March 17:00 CET = 11:00 EST
        "T-2d": utc(3, 9, 12),  # due Saturday 7 March 11:00 EST, held to Monday 08:00 EDT
        "T-1h": utc(3, 9, 15),  # 11:00 EDT
    }
    # With the on-the-day reminder (09:00 EDT = 13:00 UTC) the Monday 08:00 one is an hour before: dropped.
    assert schedule(deadline, GENEVA, NEW_YORK) == {"T-7d": utc(3, 2, 16), "T-0": utc(3, 9, 13), "T-1h": utc(3, 9, 15)}


def test_between_the_us_and_the_eu_changes_new_york_is_five_hours_behind_geneva():
    # Geneva round, deadline Thursday 26 March 17:00 CET = 16:00 UTC = 12:00 EDT.
    deadline = utc(3, 26, 16)
    assert schedule(deadline, GENEVA, NEW_YORK) == {
        "T-7d": utc(3, 19, 16),  # Thursday 19 March 12:00 EDT
        "T-2d": utc(3, 24, 16),  # Tuesday 24 March 12:00 EDT
        "T-0": utc(3, 26, 13),  # 09:00 EDT (14:00 UTC would be 10:00)
        "T-1h": utc(3, 26, 15),
    }


# --- The autumn changes ------------------------------------------------------------------------

def test_the_eu_fall_back_weekend():
    # Geneva round, deadline Tuesday 27 October 17:00 CET = 16:00 UTC (two days after the change).
    deadline = utc(10, 27, 16)
    assert schedule(deadline, GENEVA, GENEVA, now=utc(10, 1, 9)) == {
        "T-7d": utc(10, 20, 15),  # Tuesday 20 October 17:00 CEST (UTC+2)
        "T-2d": utc(10, 26, 7),  # due Sunday 25 October 17:00 CET, held to Monday 08:00 CET
        "T-0": utc(10, 27, 8),  # 09:00 CET
        "T-1h": utc(10, 27, 15),
    }
    # Saturday 24 October (still CEST) waits for Monday 26 October 08:00 CET: 07:00 UTC, not 06:00.
    assert next_open(utc(10, 24, 10), GENEVA, DEFAULT_QUIET) == utc(10, 26, 7)


def test_the_us_fall_back_weekend():
    # New York round, deadline Tuesday 3 November 17:00 EST = 22:00 UTC.
    deadline = utc(11, 3, 22)
    assert schedule(deadline, NEW_YORK, NEW_YORK, now=utc(10, 1, 9)) == {
        "T-7d": utc(10, 27, 21),  # Tuesday 27 October 17:00 EDT (UTC-4)
        "T-2d": utc(11, 2, 13),  # due Sunday 1 November 17:00 EST, held to Monday 08:00 EST
        "T-0": utc(11, 3, 14),  # 09:00 EST
        "T-1h": utc(11, 3, 21),
    }
    # Saturday 31 October (still EDT) waits for Monday 2 November 08:00 EST: 13:00 UTC, not 12:00.
    assert next_open(utc(10, 31, 15), NEW_YORK, DEFAULT_QUIET) == utc(11, 2, 13)


def test_a_day_offset_landing_in_the_spring_gap_moves_on_and_in_the_autumn_overlap_takes_the_first():
    # Deadline Tuesday 31 March 02:30 CEST: two days before is Sunday 29 March 02:30, which does not
    # exist in Geneva; it is read as 03:30 CEST (01:30 UTC), after the gap.
    assert occurrence("T-2d", utc(3, 31, 0, 30), GENEVA, GENEVA) == utc(3, 29, 1, 30)
    # Deadline Tuesday 27 October 02:30 CET: Sunday 25 October 02:30 happens twice; the first (CEST) is taken.
    assert occurrence("T-2d", utc(10, 27, 1, 30), GENEVA, GENEVA) == utc(10, 25, 0, 30)


# --- Each duty station in its own morning ------------------------------------------------------

# Geneva round, deadline Thursday 10 December 17:00 CET = 16:00 UTC.
THURSDAY_10_DECEMBER_17H_GENEVA = utc(12, 10, 16)


@pytest.mark.parametrize(("recipient", "on_the_day", "local"), [
    (GENEVA, utc(12, 10, 8), "09:00 CET"),
    (NEW_YORK, utc(12, 10, 14), "09:00 EST"),
    (NAIROBI, utc(12, 10, 6), "09:00 EAT"),
    (BANGKOK, utc(12, 10, 2), "09:00 ICT"),
])
def test_the_on_the_day_reminder_comes_at_09_00_in_the_recipients_own_zone(recipient, on_the_day, local):
    assert occurrence("T-0", THURSDAY_10_DECEMBER_17H_GENEVA, GENEVA, recipient) == on_the_day, local


@pytest.mark.parametrize(("recipient", "monday_08h", "local"), [
    (GENEVA, utc(12, 7, 7), "08:00 CET"),
    (NEW_YORK, utc(12, 7, 13), "08:00 EST"),
    (NAIROBI, utc(12, 7, 5), "08:00 EAT"),
    (BANGKOK, utc(12, 7, 1), "08:00 ICT"),
])
def test_a_weekend_reminder_waits_for_each_recipients_own_monday_morning(recipient, monday_08h, local):
    # Deadline Monday 7 December 17:00 CET: T-2d is Saturday 5 December 16:00 UTC, a weekend everywhere.
    deadline = utc(12, 7, 16)
    expected = {"T-2d": monday_08h, "T-1h": utc(12, 7, 15)}
    assert schedule(deadline, GENEVA, recipient, ["T-2d", "T-1h"]) == expected, local


def test_the_four_duty_stations_with_the_default_offsets():
    deadline = THURSDAY_10_DECEMBER_17H_GENEVA
    # T-7d is Thursday 3 December 16:00 UTC; T-2d Tuesday 8 December 16:00 UTC; the last call 15:00 UTC.
    assert schedule(deadline, GENEVA, GENEVA) == {
        "T-7d": utc(12, 3, 16), "T-2d": utc(12, 8, 16), "T-0": utc(12, 10, 8), "T-1h": utc(12, 10, 15)}
    assert schedule(deadline, GENEVA, NEW_YORK) == {  # 11:00 EST, 11:00 EST, 09:00 EST, 10:00 EST
        "T-7d": utc(12, 3, 16), "T-2d": utc(12, 8, 16), "T-0": utc(12, 10, 14), "T-1h": utc(12, 10, 15)}
    assert schedule(deadline, GENEVA, NAIROBI) == {  # 19:00 EAT, 19:00 EAT, 09:00 EAT, 18:00 EAT
        "T-7d": utc(12, 3, 16), "T-2d": utc(12, 8, 16), "T-0": utc(12, 10, 6), "T-1h": utc(12, 10, 15)}
    assert schedule(deadline, GENEVA, BANGKOK) == {
        "T-7d": utc(12, 4, 1),  # due Thursday 23:00 ICT, held to Friday 08:00 ICT
        "T-2d": utc(12, 9, 1),  # due Tuesday 23:00 ICT, held to Wednesday 08:00 ICT
        "T-0": utc(12, 10, 2),  # Thursday 09:00 ICT
        "T-1h": utc(12, 10, 15),  # 22:00 ICT: a last call is not held back
    }


def test_a_last_call_in_the_middle_of_the_night_is_not_held_back():
    # New York round, deadline Tuesday 8 December 17:00 EST = 22:00 UTC = Wednesday 05:00 in Bangkok.
    deadline = utc(12, 8, 22)
    plan = {p.offset: p for p in deadline_schedule(deadline, NEW_YORK, BANGKOK, OFFSETS, utc(11, 1, 9), DEFAULT_QUIET)}
    assert plan["T-1h"].send_at == utc(12, 8, 21) and plan["T-1h"].quiet is False  # Wednesday 04:00 ICT
    assert decide(utc(12, 8, 21), deadline, False, BANGKOK, utc(12, 8, 21), DEFAULT_QUIET) == Decision("send")
    # The other reminders do wait for the Bangkok morning.
    assert plan["T-7d"].send_at == utc(12, 2, 1)  # due Wednesday 2 December 05:00 ICT, sent 08:00 ICT
    assert plan["T-2d"].send_at == utc(12, 7, 1)  # due Monday 7 December 05:00 ICT, sent 08:00 ICT
    # "On the day" would be Wednesday 09:00 ICT, four hours after the deadline: it comes on Tuesday,
    # Bangkok's last working day before the deadline, at 09:00 ICT.
    assert plan["T-0"].send_at == utc(12, 8, 2)


# --- Stale, collapsed, already past ------------------------------------------------------------

def test_a_reminder_is_stale_at_its_deadline_and_dropped_rather_than_sent_late():
    deadline = THURSDAY_10_DECEMBER_17H_GENEVA
    assert decide(utc(12, 8, 16), deadline, True, GENEVA, deadline, DEFAULT_QUIET) == Decision("drop", reason="stale")
    assert decide(utc(12, 8, 16), deadline, False, GENEVA, deadline + timedelta(days=3),
                  DEFAULT_QUIET) == Decision("drop", reason="stale")
    assert decide(utc(12, 8, 16), deadline, True, GENEVA, deadline - timedelta(minutes=1),
                  DEFAULT_QUIET) == Decision("send")


def test_a_reminder_held_past_its_deadline_by_quiet_hours_is_dropped_not_deferred():
    # Due Friday 4 December 17:00 CET, found at 21:00 CET by a sender that was down; the deadline is
    # Saturday noon, so the next working morning (Monday) is too late.
    deadline = utc(12, 5, 11)
    assert decide(utc(12, 4, 16), deadline, True, GENEVA, utc(12, 4, 20), DEFAULT_QUIET) == \
        Decision("drop", reason="stale")


def test_decide_sends_defers_until_send_at_or_until_the_next_working_morning():
    deadline = THURSDAY_10_DECEMBER_17H_GENEVA
    assert decide(utc(12, 8, 16), deadline, True, GENEVA, utc(12, 8, 15), DEFAULT_QUIET) == \
        Decision("defer", until=utc(12, 8, 16))
    # Tuesday 22:00 CET: Wednesday 08:00 CET. Nairobi at that moment is midnight: Wednesday 08:00 EAT.
    assert decide(utc(12, 8, 16), deadline, True, GENEVA, utc(12, 8, 21), DEFAULT_QUIET) == \
        Decision("defer", until=utc(12, 9, 7))
    assert decide(utc(12, 8, 16), deadline, True, NAIROBI, utc(12, 8, 21), DEFAULT_QUIET) == \
        Decision("defer", until=utc(12, 9, 5))
    # ... while New York is at 16:00 EST: it goes.
    assert decide(utc(12, 8, 16), deadline, True, NEW_YORK, utc(12, 8, 21), DEFAULT_QUIET) == Decision("send")
    # No quiet hours at all: everything due goes.
    assert decide(utc(12, 8, 16), deadline, True, GENEVA, utc(12, 8, 21), OFF) == Decision("send")


def test_two_ordinary_reminders_within_12_hours_keep_only_the_later_and_12_hours_apart_keeps_both():
    # Geneva in June (CEST, UTC+2), no quiet hours, so only the 12-hour rule is at work.
    at_21h = utc(6, 10, 19)  # deadline Wednesday 10 June 21:00: T-1d Tuesday 21:00, T-0 Wednesday 09:00
    assert schedule(at_21h, GENEVA, GENEVA, ["T-1d", "T-0"], quiet=OFF) == {"T-1d": utc(6, 9, 19), "T-0": utc(6, 10, 7)}
    at_21h30 = utc(6, 10, 19, 30)  # 11 h 30 apart: T-1d goes
    assert schedule(at_21h30, GENEVA, GENEVA, ["T-1d", "T-0"], quiet=OFF) == {"T-0": utc(6, 10, 7)}


def test_a_last_call_is_never_collapsed_into_the_on_the_day_reminder():
    # Deadline Wednesday 10 June 10:30 CEST: T-0 at 09:00, the last call at 09:30. Both go.
    deadline = utc(6, 10, 8, 30)
    assert schedule(deadline, GENEVA, GENEVA, ["T-0", "T-1h"]) == {"T-0": utc(6, 10, 7), "T-1h": utc(6, 10, 7, 30)}


def test_offsets_already_past_when_planning_are_left_out():
    deadline = THURSDAY_10_DECEMBER_17H_GENEVA
    assert list(schedule(deadline, GENEVA, GENEVA, now=utc(12, 3, 16))) == ["T-2d", "T-0", "T-1h"]  # T-7d is now
    assert list(schedule(deadline, GENEVA, GENEVA, now=utc(12, 10, 14))) == ["T-1h"]
    assert schedule(deadline, GENEVA, GENEVA, now=deadline) == {}


def test_a_deadline_before_10_00_has_its_on_the_day_reminder_the_day_before_and_a_weekend_one_none():
    early = utc(12, 10, 7, 30)  # Thursday 08:30 CET: "on the day" comes on Wednesday 09:00 CET
    assert schedule(early, GENEVA, GENEVA)["T-0"] == utc(12, 9, 8)
    saturday = utc(12, 12, 11)  # Saturday 12 December 12:00 CET: its T-0 would wait for Monday
    assert schedule(saturday, GENEVA, GENEVA) == {"T-7d": utc(12, 7, 7), "T-2d": utc(12, 10, 11),
                                                  "T-1h": utc(12, 12, 10)}


def test_the_schedule_depends_only_on_the_now_it_is_given():
    deadline = THURSDAY_10_DECEMBER_17H_GENEVA
    args = (deadline, GENEVA, BANGKOK, OFFSETS, utc(12, 1, 9), DEFAULT_QUIET)
    with time_machine.travel(utc(3, 29, 1, 30), tick=False):  # the EU change night
        during_the_change = deadline_schedule(*args)
    with time_machine.travel(utc(12, 10, 23), tick=False):  # after the deadline
        after_the_deadline = deadline_schedule(*args)
    assert during_the_change == after_the_deadline == deadline_schedule(*args)
    assert [p.offset for p in during_the_change] == ["T-7d", "T-2d", "T-0", "T-1h"]


def test_planned_with_the_clock_at_the_moment_the_round_is_opened():
    deadline = THURSDAY_10_DECEMBER_17H_GENEVA
    with time_machine.travel(utc(12, 8, 9), tick=False):  # Tuesday morning: T-7d is past
        plan = deadline_schedule(deadline, GENEVA, GENEVA, OFFSETS, utcnow(), DEFAULT_QUIET)
    assert [(p.offset, p.send_at) for p in plan] == [
        ("T-2d", utc(12, 8, 16)), ("T-0", utc(12, 10, 8)), ("T-1h", utc(12, 10, 15))]


# --- "Remind me tomorrow" ----------------------------------------------------------------------

@pytest.mark.parametrize(("now", "zone_name", "expected", "why"), [
    (utc(12, 8, 13), GENEVA, utc(12, 9, 8), "Tuesday: Wednesday 09:00 CET"),
    (utc(12, 8, 23, 30), GENEVA, utc(12, 10, 8), "00:30 CET is already Wednesday: Thursday 09:00 CET"),
    (utc(12, 4, 13), GENEVA, utc(12, 7, 8), "Friday: Saturday is quiet, Monday 09:00 CET"),
    (utc(3, 28, 10), GENEVA, utc(3, 30, 7), "Saturday 28 March: Monday 09:00 CEST"),
    (utc(10, 23, 10), GENEVA, utc(10, 26, 8), "Friday 23 October: Monday 09:00 CET"),
    (utc(3, 6, 18), NEW_YORK, utc(3, 9, 13), "Friday 6 March: Monday 09:00 EDT"),
    (utc(12, 8, 13), BANGKOK, utc(12, 9, 2), "Tuesday 20:00 ICT: Wednesday 09:00 ICT"),
    (utc(12, 8, 13), NAIROBI, utc(12, 9, 6), "Tuesday 16:00 EAT: Wednesday 09:00 EAT"),
])
def test_snooze_until_tomorrow_morning_in_the_persons_zone(now, zone_name, expected, why):
    assert snooze_until(now, zone_name, DEFAULT_QUIET) == expected, why


# --- Weekly messages ---------------------------------------------------------------------------

def test_weekly_occurrences_keep_09_00_local_across_both_changes():
    assert occurrences("mon", 9, 0, GENEVA, utc(3, 16, 0), utc(4, 6, 23)) == [
        utc(3, 16, 8), utc(3, 23, 8), utc(3, 30, 7), utc(4, 6, 7)]  # CET, CET, CEST, CEST
    assert occurrences("mon", 9, 0, NEW_YORK, utc(2, 28, 0), utc(3, 10, 0)) == [utc(3, 2, 14), utc(3, 9, 13)]
    assert occurrences("mon,thu", 9, 30, GENEVA, utc(10, 19, 0), utc(10, 27, 0)) == [
        utc(10, 19, 7, 30), utc(10, 22, 7, 30), utc(10, 26, 8, 30)]
    assert occurrences("mon", 9, 0, BANGKOK, utc(12, 7, 2), utc(12, 21, 2)) == [utc(12, 14, 2), utc(12, 21, 2)]


# --- Parsing the settings ----------------------------------------------------------------------

def test_parse_quiet():
    assert parse_quiet("20:00-08:00", "sat,sun") == QuietHours(time(20), time(8), frozenset({5, 6}))
    assert parse_quiet(" 8:00 - 20:00 ", "Saturday; Sunday") == QuietHours(time(8), time(20), frozenset({5, 6}))
    assert parse_quiet("off", "") == OFF
    assert parse_quiet("", "fri") == QuietHours(None, None, frozenset({4}))
    for hours, days in (("20-08", "sat"), ("20:00-20:00", ""), ("25:00-08:00", ""), ("20:00-08:00", "weekend")):
        with pytest.raises(ValueError):
            parse_quiet(hours, days)


def test_quiet_hours_within_one_day_and_days_only():
    lunch = parse_quiet("12:00-14:00", "")
    assert next_open(utc(12, 8, 12), GENEVA, lunch) == utc(12, 8, 13)  # 13:00 CET: open at 14:00 CET
    assert next_open(utc(12, 8, 14), GENEVA, lunch) == utc(12, 8, 14)  # 15:00 CET: open
    weekends = parse_quiet("off", "sat,sun")
    assert next_open(utc(12, 5, 22), GENEVA, weekends) == utc(12, 6, 23)  # Saturday: Monday 00:00 CET


def test_parse_offsets():
    assert parse_offsets("T-1h, T-7d,T-0,T-2d") == ["T-7d", "T-2d", "T-0", "T-1h"]
    assert parse_offsets("T-0,T-14d,T-1d,T-3h,T-1h,T-1d") == ["T-14d", "T-1d", "T-0", "T-3h", "T-1h"]
    assert parse_offsets("") == []
    for bad in ("T-2w", "7d", "T-1d,T+1d", "T-1234d", "T-", "t-2d", "T-0d", "T-0h", "T-01d"):
        with pytest.raises(ValueError):
            parse_offsets(bad)
