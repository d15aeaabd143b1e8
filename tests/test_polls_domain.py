"""Availability polls as the domain sees them, on SQLite and PostgreSQL; the clock is a parameter
(January 2026, before both 2026 daylight saving changes)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.entities.service import get_entity
from bot.errors import Conflict, Invalid, NotAllowed
from bot.people.service import ensure_person
from bot.polls import render
from bot.polls.reminder_messages import poll_reminder_message
from bot.polls.reminder_plan import POLL_REMINDER, plan_poll, plan_process
from bot.polls.service import (NewPoll, answer_poll, ballot, board, check_poll, close_poll, create_poll,
                               recipients, schedule_prefill, without_focal_point)
from bot.polls.tally import InviteeRow, SlotRow, outside_by_slot, outside_hours, tally
from bot.processes.service import NewProcess, create_process
from bot.reminders.outcomes import Message, Skip
from bot.reminders.service import mute
from bot.roles.service import grant, revoke, sync_secretariat
from bot.seed import seed
from storage.models import Poll, PollSlot, PollStatus, PollVote, Reminder, ReminderStatus, Role
from tests.slack_double_limits import block_kit_errors, view_errors

_n = itertools.count(1)
NOW = datetime(2026, 1, 15, 9, 0, tzinfo=timezone.utc)  # a Thursday
MEMBERS = ["UNEP", "UNDP", "WMO", "ESCAP", "UNIDO", "WFP"]
INVITED = ["UNEP", "UNDP", "WMO", "ESCAP"]  # Nairobi, New York, Geneva, Bangkok
SLOTS = "2026-02-12 15:00\n\n2026-02-10 09:00\n2026-02-11 14:00"  # Geneva time, typed out of order


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture
def engine(offline_engine):
    """The clock is set by hand here: reminder rows live where no running bot would send them."""
    return offline_engine


pytestmark = pytest.mark.usefixtures("default_quiet_hours")


@pytest.fixture
def world(session):
    """The chemicals IMG with six member entities and a focal point for each."""
    seed(session)
    n = next(_n)
    secretariat_id = f"U0PSEC{n}"
    sync_secretariat(session, [secretariat_id])
    secretariat = ensure_person(session, secretariat_id)
    process = create_process(session, secretariat, NewProcess(
        handle=f"chemicals-poll-{n}", kind="img", title="Chemicals and Waste Issue Management Group",
        timezone="Europe/Zurich", members=MEMBERS))
    focal = {}
    for code in MEMBERS:
        user = f"U0P{code}{n}"
        grant(session, secretariat_id, user, Role.FOCAL_POINT, process, get_entity(session, code))
        focal[code] = ensure_person(session, user)
    focal["UNEP"].timezone = "Europe/Zurich"  # UNEP's focal point sits in Geneva, not Nairobi
    session.add(focal["UNEP"])
    session.flush()
    return {"secretariat": secretariat, "process": process, "focal": focal}


def _request(world, **overrides) -> NewPoll:
    values = {"process": world["process"].handle, "title": "First meeting of the chemicals IMG",
              "duration_minutes": 60, "timezone": "Europe/Zurich", "slots": SLOTS, "entities": INVITED}
    return NewPoll(**{**values, **overrides})


def _create(session, world, **overrides) -> Poll:
    return create_poll(session, world["secretariat"], _request(world, **overrides), now=NOW)


def _slots(session, poll) -> list[PollSlot]:
    return list(session.exec(select(PollSlot).where(PollSlot.poll_id == poll.id).order_by(PollSlot.position)).all())


def _rows(session, poll) -> list[Reminder]:
    return list(session.exec(select(Reminder).where(Reminder.subject_id == poll.id, Reminder.kind == POLL_REMINDER)
                             .order_by(Reminder.key)).all())


def _polls_of(session, world) -> int:
    return session.exec(select(func.count()).select_from(Poll).where(Poll.process_id == world["process"].id)).one()


# ---- creating a poll


def test_a_poll_keeps_its_slots_in_utc_and_in_time_order_and_invites_the_entities_named(session, world):
    poll = _create(session, world)
    slots = _slots(session, poll)
    assert [(s.position, s.start, s.end) for s in slots] == [
        (1, utc(2026, 2, 10, 8), utc(2026, 2, 10, 9)),  # 09:00 in Geneva (CET) is 08:00 UTC
        (2, utc(2026, 2, 11, 13), utc(2026, 2, 11, 14)),
        (3, utc(2026, 2, 12, 14), utc(2026, 2, 12, 15))]
    assert (poll.timezone, poll.status, poll.created_by) == ("Europe/Zurich", PollStatus.OPEN,
                                                             world["secretariat"].slack_user_id)
    assert sorted(r.entity_code for r in recipients(session, poll)) == sorted(INVITED)
    assert without_focal_point(session, poll) == []


def test_every_member_is_invited_by_default_and_the_zone_defaults_to_the_processs(session, world):
    poll = _create(session, world, entities=[], timezone="")
    assert poll.timezone == "Europe/Zurich"
    assert sorted(r.entity_code for r in recipients(session, poll)) == sorted(MEMBERS)


@pytest.mark.parametrize(("typed", "zone", "key", "line"), [
    ("2026-03-29 02:30", "Europe/Zurich", "polls.slot_nonexistent", 2),  # EU spring forward
    ("2026-10-25 02:30", "Europe/Zurich", "polls.slot_ambiguous", 2),  # EU fall back
    ("2026-03-08 02:30", "America/New_York", "polls.slot_nonexistent", 2),  # US spring forward
    ("2026-11-01 01:30", "America/New_York", "polls.slot_ambiguous", 2),  # US fall back
    ("2026-02-10 9h00", "Europe/Zurich", "polls.slot_format", 2),
    ("2026-02-30 10:00", "Europe/Zurich", "polls.slot_format", 2),
    ("2026-01-14 10:00", "Europe/Zurich", "polls.slot_past", 2),
    ("2026-02-10 10:00", "Europe/Zurich", "polls.slot_duplicate", 2),
])
def test_a_bad_slot_is_refused_naming_its_line_and_nothing_is_created(session, world, typed, zone, key, line):
    request = _request(world, slots=f"2026-02-10 10:00\n{typed}", timezone=zone)
    checked, problems = check_poll(session, request, NOW)
    assert checked is None
    assert [(p.key, p.field, p.params["line"]) for p in problems] == [(key, "slots", line)]
    if key == "polls.slot_duplicate":
        assert problems[0].params["first"] == 1
    if "nonexistent" in key or "ambiguous" in key:
        assert problems[0].params["timezone"] == zone
    with pytest.raises(Invalid):
        create_poll(session, world["secretariat"], request, now=NOW)
    assert _polls_of(session, world) == 0
    assert session.exec(select(func.count()).select_from(Reminder).where(
        Reminder.kind == POLL_REMINDER, Reminder.process_id == world["process"].id)).one() == 0


def test_slots_on_either_side_of_a_dst_change_take_the_offset_of_their_own_date(session, world):
    checked, problems = check_poll(session, _request(world, timezone="America/New_York",
                                                     slots="2026-10-31 23:30\n2026-11-01 03:30"), NOW)
    assert problems == [] and [s for s, _ in checked.slots] == [utc(2026, 11, 1, 3, 30), utc(2026, 11, 1, 8, 30)]


def test_every_problem_is_reported_at_once_each_under_its_field(session, world):
    request = _request(world, title=" ", duration_minutes=0, timezone="Europe/Geneva",
                       slots="2026-02-10 10:00\nnext tuesday", entities=["UNICEF", "UNXX"])
    _, problems = check_poll(session, request, NOW)
    found = {(p.field, p.key) for p in problems}
    assert found == {("title", "errors.field_empty"), ("duration", "polls.duration"),
                     ("timezone", "errors.timezone_unknown"), ("slots", "polls.slot_format"),
                     ("entities", "errors.entity_not_member"), ("entities", "errors.unknown_entity")}
    zone_problem = next(p for p in problems if p.field == "timezone")
    assert "Europe/Zurich" in zone_problem.params["hint"]  # Geneva keeps Zurich's clock
    assert next(p for p in problems if p.key == "polls.slot_format").params["line"] == 2


@pytest.mark.parametrize(("slots", "key"), [("", "polls.slots_empty"), ("\n  \n", "polls.slots_empty"),
                                            ("\n".join(f"2026-02-{d:02d} 10:00" for d in range(1, 29)) + "\n" +
                                             "\n".join(f"2026-03-{d:02d} 10:00" for d in range(1, 14)),
                                             "polls.slots_too_many")])
def test_no_slots_or_more_than_forty_are_refused(session, world, slots, key):
    _, problems = check_poll(session, _request(world, slots=slots), NOW)
    assert [p.key for p in problems] == [key]
    if key == "polls.slots_too_many":
        assert problems[0].params == {"count": 41, "limit": 40}


def test_forty_slots_are_accepted(session, world):
    slots = "\n".join(f"2026-02-{d:02d} 10:00" for d in range(1, 29)) + "\n" + \
        "\n".join(f"2026-03-{d:02d} 10:00" for d in range(1, 13))
    assert len(_slots(session, _create(session, world, slots=slots))) == 40


def test_only_the_secretariat_or_a_chair_opens_a_poll(session, world):
    with pytest.raises(NotAllowed):
        create_poll(session, world["focal"]["WMO"], _request(world), now=NOW)
    grant(session, world["secretariat"].slack_user_id, world["focal"]["WMO"].slack_user_id, Role.CHAIR,
          world["process"])
    assert create_poll(session, world["focal"]["WMO"], _request(world), now=NOW).id


# ---- flags: outside 08:00-19:00 at an invited entity's duty station


GENEVA, NEW_YORK, NAIROBI, BANGKOK = "Europe/Zurich", "America/New_York", "Africa/Nairobi", "Asia/Bangkok"


@pytest.mark.parametrize(("start", "minutes", "outside"), [
    (utc(2026, 2, 10, 8), 60, {NEW_YORK}),  # 09:00 Geneva = 03:00 New York
    (utc(2026, 2, 10, 14), 60, {BANGKOK}),  # 15:00 Geneva = 21:00 Bangkok; 09:00 New York is fine
    (utc(2026, 2, 10, 17), 60, {NAIROBI, BANGKOK}),  # Geneva 18:00-19:00 ends on time; 20:00 in Nairobi
    (utc(2026, 2, 10, 17, 30), 60, {GENEVA, NAIROBI, BANGKOK}),  # Geneva 18:30-19:30 runs over
    (utc(2026, 2, 10, 5), 60, {GENEVA, NEW_YORK}),  # Nairobi 08:00, Bangkok 12:00
])
def test_a_slot_is_flagged_for_each_duty_station_where_it_leaves_the_working_day(start, minutes, outside):
    end = start + timedelta(minutes=minutes)
    assert {z for z in (GENEVA, NEW_YORK, NAIROBI, BANGKOK) if outside_hours(start, end, z)} == outside


def test_no_hour_of_a_winter_day_suits_both_new_york_and_bangkok():
    day = [utc(2026, 2, 10, h) for h in range(24)]
    assert all(outside_hours(s, s + timedelta(hours=1), NEW_YORK) or outside_hours(s, s + timedelta(hours=1), BANGKOK)
               for s in day)


def test_new_york_moves_its_clocks_three_weeks_before_geneva_and_the_flag_follows():
    """13:00 in Geneva is 07:00 in New York on 3 March, 08:00 on 10 March (US DST from 8 March, EU 29 March)."""
    before, after = utc(2026, 3, 3, 12), utc(2026, 3, 10, 12)
    assert before.astimezone(ZoneInfo(GENEVA)).hour == after.astimezone(ZoneInfo(GENEVA)).hour == 13
    assert outside_hours(before, before + timedelta(hours=1), NEW_YORK)
    assert not outside_hours(after, after + timedelta(hours=1), NEW_YORK)


def test_entities_sharing_a_zone_are_flagged_together_in_code_order():
    slots = [SlotRow(1, 1, utc(2026, 2, 10, 8), utc(2026, 2, 10, 9))]
    invitees = [InviteeRow(1, "UNICEF", NEW_YORK), InviteeRow(2, "UNDP", NEW_YORK), InviteeRow(3, "WMO", GENEVA)]
    assert outside_by_slot(slots, invitees) == {1: ("UNDP", "UNICEF")}


# ---- ranking


def test_slots_rank_by_yes_then_fewest_outside_working_hours_then_if_need_be_then_earliest():
    def slot(n: int, day: int, hour: int) -> SlotRow:
        return SlotRow(n, n, utc(2026, 2, day, hour), utc(2026, 2, day, hour + 1))

    ny_night = slot(1, 10, 9)  # 04:00 in New York
    afternoon = slot(2, 10, 14)  # 09:00 in New York, 17:00 in Nairobi: nobody outside
    no_maybe = slot(3, 11, 13)  # 08:00 in New York: nobody outside
    same_later = slot(4, 12, 13)
    most_yes = slot(5, 13, 9)  # 04:00 in New York
    invitees = [InviteeRow(1, "UNEP", NAIROBI, True), InviteeRow(2, "UNDP", NEW_YORK, True),
                InviteeRow(3, "WMO", GENEVA, True), InviteeRow(4, "UNIDO", "Europe/Vienna", False)]
    counts = [(1, 3, 1, 0), (2, 3, 1, 0), (3, 3, 0, 1), (4, 3, 1, 0), (5, 4, 0, 0)]  # slot, yes, if need be, no
    result = tally([ny_night, afternoon, no_maybe, same_later, most_yes], invitees, counts)
    assert [r.slot.id for r in result.ranked] == [5, 2, 4, 3, 1]
    assert [r.outside for r in result.ranked] == [("UNDP",), (), (), (), ("UNDP",)]
    assert [(r.yes, r.if_need_be, r.no, r.unanswered) for r in result.ranked[:4]] == [
        (4, 0, 0, 0), (3, 1, 0, 0), (3, 1, 0, 0), (3, 0, 1, 0)]
    assert result.not_answered == ["UNIDO"] and result.invited == ["UNDP", "UNEP", "UNIDO", "WMO"]


def test_two_equal_slots_keep_their_time_order():
    a = SlotRow(7, 2, utc(2026, 2, 11, 13), utc(2026, 2, 11, 14))
    b = SlotRow(3, 1, utc(2026, 2, 10, 13), utc(2026, 2, 10, 14))
    assert [r.slot.id for r in tally([a, b], [InviteeRow(1, "WMO", GENEVA)], []).ranked] == [3, 7]


def test_the_board_names_who_has_not_answered_and_counts_each_slots_missing_answers(session, world):
    poll = _create(session, world)
    first, second, third = (s.id for s in _slots(session, poll))
    focal = world["focal"]
    answer_poll(session, focal["UNEP"], poll.id, "UNEP", {first: "yes", second: "yes", third: "no"}, now=NOW)
    answer_poll(session, focal["UNDP"], poll.id, "undp", {second: "yes"}, now=NOW)
    answer_poll(session, focal["WMO"], poll.id, "WMO", {first: "if_need_be", second: "no", third: "yes"}, now=NOW)
    result = board(session, poll.id).tally
    assert result.invited == ["ESCAP", "UNDP", "UNEP", "WMO"]
    assert result.not_answered == ["ESCAP"] and result.answered == 3  # UNDP answered one slot: it has answered
    assert [r.slot.id for r in result.ranked] == [second, first, third]
    assert result.ranked[1].outside == ("UNDP",)  # 09:00 Geneva is 03:00 in New York
    assert result.ranked[2].outside == ("ESCAP",)  # 15:00 Geneva is 21:00 in Bangkok
    assert (result.ranked[1].yes, result.ranked[1].if_need_be, result.ranked[1].unanswered) == (1, 1, 2)


# ---- answering


def test_answering_again_replaces_the_entitys_answers_slot_by_slot(session, world):
    poll = _create(session, world)
    first, second, third = (s.id for s in _slots(session, poll))
    undp = world["focal"]["UNDP"]
    answer_poll(session, undp, poll.id, "UNDP", {first: "no", second: "yes"}, now=NOW)
    done = answer_poll(session, undp, poll.id, "UNDP", {first: "if_need_be", third: "yes"}, now=NOW)
    votes = session.exec(select(PollVote.slot_id, PollVote.answer).where(PollVote.poll_id == poll.id)
                         .order_by(PollVote.slot_id)).all()
    assert sorted(votes) == sorted([(first, "if_need_be"), (second, "yes"), (third, "yes")])
    assert (done.yes, done.if_need_be, done.no, done.slots) == (2, 1, 0, 3)
    assert ballot(session, undp, poll.id, "UNDP").answers == {first: "if_need_be", second: "yes", third: "yes"}


def test_only_focal_points_of_invited_entities_answer_and_only_while_the_poll_is_open(session, world):
    poll = _create(session, world)
    slot = _slots(session, poll)[0].id
    focal = world["focal"]
    with pytest.raises(NotAllowed) as refused:  # UNIDO is a member, not invited
        answer_poll(session, focal["UNIDO"], poll.id, "UNIDO", {slot: "yes"}, now=NOW)
    assert refused.value.key == "polls.not_invited" and refused.value.params["invited"] == "ESCAP, UNDP, UNEP, WMO"
    with pytest.raises(NotAllowed) as refused:  # an invited entity, but not theirs
        answer_poll(session, focal["UNIDO"], poll.id, "UNEP", {slot: "yes"}, now=NOW)
    assert refused.value.key == "polls.not_focal_point"
    with pytest.raises(Invalid):
        answer_poll(session, focal["UNEP"], poll.id, "UNEP", {}, now=NOW)
    with pytest.raises(Invalid):
        answer_poll(session, focal["UNEP"], poll.id, "UNEP", {slot: "maybe"}, now=NOW)
    with pytest.raises(Invalid):
        answer_poll(session, focal["UNEP"], poll.id, "UNEP", {slot + 999: "yes"}, now=NOW)
    assert session.exec(select(func.count()).select_from(PollVote).where(PollVote.poll_id == poll.id)).one() == 0

    close_poll(session, world["secretariat"], poll.id, now=NOW)
    with pytest.raises(Conflict) as closed:
        answer_poll(session, focal["UNEP"], poll.id, "UNEP", {slot: "yes"}, now=NOW)
    assert closed.value.key == "polls.is_closed"
    with pytest.raises(Conflict):
        close_poll(session, world["secretariat"], poll.id, now=NOW)


def test_schedule_this_slot_prefills_the_meeting_with_the_slot_and_the_invited_entities(session, world):
    poll = _create(session, world)
    slot = _slots(session, poll)[1]
    process, members, prefill = schedule_prefill(session, world["secretariat"], poll.id, slot.id)
    assert process.id == world["process"].id and members == sorted(MEMBERS)
    assert prefill == {"title": "First meeting of the chemicals IMG", "start": slot.start, "end": slot.end,
                       "timezone": "Europe/Zurich", "entities": sorted(INVITED), "poll_id": poll.id,
                       "slot_id": slot.id}
    with pytest.raises(NotAllowed):
        schedule_prefill(session, world["focal"]["UNEP"], poll.id, slot.id)


# ---- reminders


def _local(moment: datetime, zone_name: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone_name))


def test_opening_a_poll_plans_two_reminders_per_focal_point_in_their_working_hours(session, world):
    poll = _create(session, world)
    rows = _rows(session, poll)
    first = utc(2026, 2, 10, 8)
    users = {code: world["focal"][code].slack_user_id for code in INVITED}
    assert sorted((r.offset, r.recipient) for r in rows) == sorted(
        (offset, users[code]) for code in INVITED for offset in ("P+2d", "S-1d"))
    assert all(r.stale_at == first and r.status == ReminderStatus.PENDING for r in rows)
    zones = {users["UNEP"]: GENEVA, users["UNDP"]: NEW_YORK, users["WMO"]: GENEVA, users["ESCAP"]: BANGKOK}
    assert {r.recipient: r.timezone for r in rows} == zones  # a person's own zone first, else their duty station
    for row in rows:
        local = _local(row.send_at, row.timezone)
        assert local.weekday() < 5 and 8 <= local.hour < 20, (row.key, local)
    # Two days after opening is Saturday 17 January: it waits for Monday 08:00 in each zone
    p2d = {r.recipient: _local(r.send_at, r.timezone) for r in rows if r.offset == "P+2d"}
    assert {(d.date().isoformat(), d.hour) for d in p2d.values()} == {("2026-01-19", 8)}
    # The first slot is Tuesday 10 February: Monday 09:00 in each zone (Bangkok 09:00 is the night before in Geneva)
    s1d = {r.recipient: _local(r.send_at, r.timezone) for r in rows if r.offset == "S-1d"}
    assert {(d.date().isoformat(), d.hour) for d in s1d.values()} == {("2026-02-09", 9)}
    assert all(r.key == f"poll:{poll.id}:{r.offset}:{code}:{users[code]}" for code in INVITED
               for r in rows if r.recipient == users[code])


def test_a_first_slot_on_monday_is_announced_the_friday_before_in_each_zone(session, world):
    poll = _create(session, world, slots="2026-01-19 10:00")  # Monday 09:00 UTC, 4 days after opening
    rows = _rows(session, poll)
    assert {_local(r.send_at, r.timezone).date().isoformat() for r in rows if r.offset == "S-1d"} == {"2026-01-16"}
    # two days after opening is Saturday: Monday 08:00 in Geneva and Bangkok comes before the slot, not in New York
    users = {code: world["focal"][code].slack_user_id for code in INVITED}
    assert {r.recipient for r in rows if r.offset == "P+2d"} == {users["UNEP"], users["WMO"], users["ESCAP"]}


def test_a_reminder_is_skipped_at_send_time_once_the_entity_answered_every_slot(session, world):
    poll = _create(session, world)
    first, second, third = (s.id for s in _slots(session, poll))
    focal = world["focal"]
    answer_poll(session, focal["UNEP"], poll.id, "UNEP", {first: "yes", second: "no", third: "no"}, now=NOW)
    answer_poll(session, focal["UNDP"], poll.id, "UNDP", {first: "no"}, now=NOW)
    rows = {(r.offset, r.recipient): r for r in _rows(session, poll)}
    later = NOW + timedelta(days=4)

    def outcome(code: str):
        return poll_reminder_message(session, rows[("P+2d", focal[code].slack_user_id)], later)

    assert outcome("UNEP") == Skip("answered")
    partly = outcome("UNDP")
    assert isinstance(partly, Message) and partly.channel == focal["UNDP"].slack_user_id
    assert "has answered 1 of the 3 slots" in partly.text
    buttons = [e for b in partly.blocks if b["type"] == "actions" for e in b["elements"]]
    undp_row = rows[("P+2d", focal["UNDP"].slack_user_id)]
    assert [(b["action_id"], b.get("value")) for b in buttons] == [
        ("poll.answer.open", f"{poll.id}:UNDP"), ("reminder.tomorrow", str(undp_row.id))]
    assert block_kit_errors(partly.blocks) == []

    mute(session, focal["WMO"], world["process"].handle)
    assert outcome("WMO") == Skip("muted")
    revoke(session, world["secretariat"].slack_user_id, focal["ESCAP"].slack_user_id, Role.FOCAL_POINT,
           world["process"], get_entity(session, "ESCAP"))
    assert outcome("ESCAP") == Skip("not focal point")

    close_poll(session, world["secretariat"], poll.id, now=NOW + timedelta(days=1))
    assert outcome("UNDP") == Skip("poll closed")
    assert {r.status for r in _rows(session, poll)} == {ReminderStatus.CANCELLED}


def test_reminders_follow_who_speaks_for_an_entity_and_an_overdue_one_survives_a_replan(session, world):
    poll = _create(session, world)
    later = NOW + timedelta(days=3)  # two days after opening is past: those rows are due, not obsolete
    plan_poll(session, poll, later)
    assert {(r.offset, r.status) for r in _rows(session, poll)} == {("P+2d", ReminderStatus.PENDING),
                                                                    ("S-1d", ReminderStatus.PENDING)}
    newcomer = f"U0PNEWWMO{poll.id}"
    grant(session, world["secretariat"].slack_user_id, newcomer, Role.FOCAL_POINT, world["process"],
          get_entity(session, "WMO"))
    plan_process(session, world["process"].id, later)
    assert [(r.offset, r.status, r.timezone) for r in _rows(session, poll) if r.recipient == newcomer] == [
        ("S-1d", ReminderStatus.PENDING, GENEVA)]  # their duty station's zone until Slack tells theirs
    escap = world["focal"]["ESCAP"].slack_user_id
    revoke(session, world["secretariat"].slack_user_id, escap, Role.FOCAL_POINT, world["process"],
           get_entity(session, "ESCAP"))
    assert {r.status for r in _rows(session, poll) if r.recipient == escap} == {ReminderStatus.CANCELLED}
    assert len([r for r in _rows(session, poll) if r.status == ReminderStatus.PENDING]) == 7


def test_when_the_bot_was_down_only_the_latest_due_reminder_goes(session, world):
    poll = _create(session, world)
    undp = world["focal"]["UNDP"].slack_user_id
    rows = {r.offset: r for r in _rows(session, poll) if r.recipient == undp}
    assert poll_reminder_message(session, rows["P+2d"], utc(2026, 2, 9, 16)) == Skip("superseded")
    assert isinstance(poll_reminder_message(session, rows["S-1d"], utc(2026, 2, 9, 16)), Message)


# ---- Block Kit limits with 40 slots and every entity


def test_forty_slots_for_thirty_three_entities_fit_slacks_limits(session, world):
    from bot.entities.service import list_entities
    from bot.processes.service import add_member

    everyone = [e.code for e in list_entities(session)]
    for code in everyone:
        add_member(session, "test", world["process"], get_entity(session, code))
    slots = "\n".join(f"2026-02-{d:02d} {h:02d}:00" for d in range(2, 22) for h in (7, 16))
    poll = _create(session, world, entities=everyone, slots=slots)
    slot_ids = [s.id for s in _slots(session, poll)]
    assert len(slot_ids) == 40
    answer_poll(session, world["focal"]["UNDP"], poll.id, "UNDP", {i: "yes" for i in slot_ids}, now=NOW)

    text, blocks = render.render_board(board(session, poll.id), None)
    assert block_kit_errors(blocks, "message") == [] and len(blocks) <= 50
    assert text.count("<!date^") == 0 and sum(b["text"]["text"].count("<!date^") for b in blocks
                                              if b["type"] == "section") == 40  # each slot's start, once
    assert sum(1 for b in blocks if b.get("accessory", {}).get("action_id") == "poll.schedule") == 3

    undp_ballot = ballot(session, world["focal"]["UNDP"], poll.id, "UNDP")
    text, blocks = render.ballot_message(undp_ballot, None)
    assert block_kit_errors(blocks, "message") == [] and len(blocks) <= 50
    modal = render.answer_modal(undp_ballot, NEW_YORK, None)
    assert view_errors(modal) == [] and len(modal["blocks"]) == 41
    labels = [b["label"]["text"] for b in modal["blocks"] if b["type"] == "input"]
    assert labels[0].startswith("1. 2026-02-02 01:00–02:00")  # 07:00 Geneva, in New York
    assert all(b["element"]["initial_option"]["value"] == "yes" for b in modal["blocks"] if b["type"] == "input")
