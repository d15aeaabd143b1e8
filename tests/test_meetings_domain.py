"""Meetings as the domain sees them, on SQLite and PostgreSQL; time is a parameter.

The chemicals IMG meets across Geneva, New York, Nairobi and Bangkok; the dates are in 2026, with its
daylight-saving changes (Geneva: 29 March and 25 October; New York: 8 March and 1 November)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlmodel import Session, func, select

from bot.entities.service import get_entity
from bot.errors import Conflict, Invalid, NotAllowed
from bot.meetings.reminder_plan import OUTCOMES, REMINDER, meeting_schedule
from bot.meetings.service import (MoveMeeting, NewMeeting, agenda_lines, board, cancel_meeting, create_meeting,
                                  move_meeting, rsvp, validate_new)
from bot.people.service import ensure_person
from bot.processes.service import NewProcess, create_process
from bot.reminders.delivery import KINDS
from bot.reminders.outcomes import Message, Skip
from bot.reminders.plan import QuietHours
from bot.reminders.service import mute
from bot.roles.service import grant, sync_secretariat
from bot.seed import seed
from storage.db import session_scope
from storage.models import (AgendaItem, AuditEntry, Document, DocumentVersion, Meeting, MeetingInvitee, Reminder,
                            ReminderStatus, Role, Round, Rsvp)

UTC = timezone.utc
NOW = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)  # a Monday
GENEVA, NEW_YORK, NAIROBI, BANGKOK = "Europe/Zurich", "America/New_York", "Africa/Nairobi", "Asia/Bangkok"
MEMBERS = ["UNEP", "UNDP", "WHO", "ESCAP", "UNIDO"]
_n = itertools.count(1)


@pytest.fixture
def engine(offline_engine):
    """The clock is set by hand here: the reminder rows live where no running bot sends them."""
    return offline_engine


pytestmark = pytest.mark.usefixtures("default_quiet_hours")


@dataclass
class World:
    handle: str
    secretariat: str
    chair: str
    focal: dict[str, str]  # entity code -> user id
    outsider: str
    round_number: int


@pytest.fixture
def world(engine) -> World:
    n = next(_n)
    with session_scope(engine) as s:
        seed(s)
        secretariat = f"U0MSEC{n}"
        sync_secretariat(s, [secretariat])
        person = ensure_person(s, secretariat)
        person.timezone, person.display_name = GENEVA, "Amina"
        process = create_process(s, person, NewProcess(
            handle=f"chemicals-m{n}", kind="img", title="Chemicals and Waste Issue Management Group",
            timezone=GENEVA, channel_id="C0CHEMICALS", members=MEMBERS))
        chair = f"U0MCHAIR{n}"
        grant(s, secretariat, chair, Role.CHAIR, process)
        focal = {}
        for code, zone_name in (("UNEP", NAIROBI), ("UNDP", NEW_YORK), ("WHO", GENEVA), ("ESCAP", BANGKOK),
                                ("UNIDO", "Europe/Vienna")):
            user = f"U0M{code}{n}"
            grant(s, secretariat, user, Role.FOCAL_POINT, process, get_entity(s, code))
            fp = ensure_person(s, user)
            fp.timezone, fp.display_name = zone_name, f"{code} focal point"
            focal[code] = user
        grant(s, secretariat, focal["UNEP"], Role.FOCAL_POINT, process, get_entity(s, "UNIDO"))  # speaks for two
        document = Document(process_id=process.id, slug="terms-of-reference", title="Terms of reference")
        s.add(document)
        s.flush()
        version = DocumentVersion(document_id=document.id, number=1, source_name="tor.md", source_sha256="0" * 64,
                                  imported_by=secretariat)
        s.add(version)
        s.flush()
        s.add(Round(process_id=process.id, number=1, version_id=version.id, deadline=NOW + timedelta(days=20),
                    timezone=GENEVA, opened_by=secretariat))
        outsider = f"U0MOUT{n}"
        ensure_person(s, outsider)
    return World(process.handle, secretariat, chair, focal, outsider, 1)


def _request(world: World, **overrides) -> NewMeeting:
    fields = dict(process=world.handle, title="First meeting of the chemicals IMG", kind="img",
                  start_date=date(2026, 3, 10), start_time=time(14, 0), end_time=time(16, 0), timezone=GENEVA,
                  place="WMO, Salle C2, Geneva", online_link="https://meet.example.org/img-chemicals",
                  entities=["UNEP", "UNDP", "WHO", "ESCAP"], chairs=[world.chair],
                  agenda=["Opening", "Terms of reference [doc terms-of-reference]", "Comments received [round 1]",
                          "Any other business"])
    fields.update(overrides)
    return NewMeeting(**fields)


def _create(engine, world: World, **overrides) -> int:
    with session_scope(engine) as s:
        actor = ensure_person(s, overrides.pop("actor", world.secretariat))
        return create_meeting(s, actor, _request(world, **overrides), now=NOW).id


def _rows(engine, meeting_id: int, kind: str = REMINDER, status: ReminderStatus | None = None) -> list[Reminder]:
    with Session(engine) as s:
        query = select(Reminder).where(Reminder.subject_id == meeting_id, Reminder.kind == kind)
        if status is not None:
            query = query.where(Reminder.status == status)
        return list(s.exec(query.order_by(Reminder.recipient, Reminder.send_at)).all())


def _problems(engine, request: NewMeeting) -> dict[str, str]:
    with Session(engine) as s:
        checked, problems = validate_new(s, request, NOW)
    assert checked is None
    return {p.field: p.key for p in problems}


def _meetings(engine, world: World) -> int:
    from bot.processes.service import get_process

    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(Meeting)
                      .where(Meeting.process_id == get_process(s, world.handle).id)).one()


# ---- bad input


@pytest.mark.parametrize("day, at, zone_name, field, key", [
    (date(2026, 3, 29), time(2, 30), GENEVA, "start_time", "errors.time_nonexistent"),  # Geneva springs forward
    (date(2026, 10, 25), time(2, 30), GENEVA, "start_time", "errors.time_ambiguous"),  # Geneva falls back
    (date(2026, 3, 8), time(2, 30), NEW_YORK, "start_time", "errors.time_nonexistent"),
    (date(2026, 11, 1), time(1, 30), NEW_YORK, "start_time", "errors.time_ambiguous"),
])
def test_a_time_that_does_not_exist_or_happens_twice_is_refused(engine, world, day, at, zone_name, field, key):
    problems = _problems(engine, _request(world, start_date=day, start_time=at, end_time=time(4, 0),
                                          timezone=zone_name))
    assert problems == {field: key}


def test_an_end_in_a_dst_gap_is_refused_under_the_end_time(engine, world):
    problems = _problems(engine, _request(world, start_date=date(2026, 3, 28), end_date=date(2026, 3, 29),
                                          start_time=time(22, 0), end_time=time(2, 15)))
    assert problems == {"end_time": "errors.time_nonexistent"}


def test_the_same_wall_clock_meeting_after_the_dst_change_is_an_hour_earlier_in_utc(engine, world):
    with Session(engine) as s:
        before, _ = validate_new(s, _request(world, start_date=date(2026, 3, 27)), NOW)
        after, _ = validate_new(s, _request(world, start_date=date(2026, 3, 30)), NOW)
    assert before.start == datetime(2026, 3, 27, 13, 0, tzinfo=UTC)  # CET, UTC+1
    assert after.start == datetime(2026, 3, 30, 12, 0, tzinfo=UTC)  # CEST, UTC+2


def test_every_problem_is_reported_at_once_each_under_its_field_and_nothing_is_created(engine, world):
    bad = _request(world, title=" ", kind="party", start_time=time(16, 0), end_time=time(15, 0), place="",
                   online_link="meet dot example", entities=["UNEP", "WMO"], chairs=["not-a-user"],
                   agenda=["Opening", "Indicators [round 7]", "Mapping [doc mapping]"], reminders=["T-3d"])
    problems = _problems(engine, bad)
    assert problems == {"title": "errors.field_empty", "kind": "meetings.error_kind",
                        "end_time": "meetings.error_end_before_start", "online_link": "meetings.error_link",
                        "chairs": "errors.not_a_user", "entities": "errors.entity_not_member",
                        "agenda": "meetings.error_agenda_reference", "reminders": "meetings.error_reminders"}
    with pytest.raises(Invalid):
        _create(engine, world, title=" ")
    assert _meetings(engine, world) == 0


def test_a_past_date_an_unknown_zone_and_no_place_are_refused(engine, world):
    assert _problems(engine, _request(world, start_date=date(2026, 2, 2), start_time=time(9, 0))) == {
        "date": "meetings.error_in_past"}  # 09:00 Geneva is 08:00 UTC: an hour ago
    with Session(engine) as s:
        _, problems = validate_new(s, _request(world, timezone="Europe/Geneva"), NOW)
    assert [(p.field, p.key, p.params["hint"].split(", ")[0]) for p in problems] == [
        ("timezone", "errors.timezone_unknown", "Europe/Zurich")]
    assert _problems(engine, _request(world, place="", online_link="")) == {"place": "meetings.error_where"}
    assert _problems(engine, _request(world, entities=["UNEPP"])) == {"entities": "errors.unknown_entity"}
    assert _problems(engine, _request(world, end_date=date(2026, 3, 30))) == {"end_time": "meetings.error_too_long"}


def test_only_the_secretariat_or_a_chair_schedules(engine, world):
    with pytest.raises(NotAllowed):
        _create(engine, world, actor=world.focal["WHO"])
    assert _create(engine, world, actor=world.chair)


# ---- creation


def test_a_meeting_is_created_with_its_invitees_chairs_agenda_and_reminders(engine, world):
    meeting_id = _create(engine, world)
    with Session(engine) as s:
        meeting = s.get(Meeting, meeting_id)
        assert meeting.uid.startswith(f"meeting-{meeting_id}-") and meeting.uid.endswith("@consultbot")
        assert (meeting.start, meeting.end, meeting.sequence) == (datetime(2026, 3, 10, 13, 0, tzinfo=UTC),
                                                                  datetime(2026, 3, 10, 15, 0, tzinfo=UTC), 0)
        invitees = s.exec(select(MeetingInvitee).where(MeetingInvitee.meeting_id == meeting_id)).all()
        assert len(invitees) == 4
        agenda = s.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)
                        .order_by(AgendaItem.position)).all()
        assert [(a.position, a.title, a.round_id is not None, a.document_id is not None) for a in agenda] == [
            (1, "Opening", False, False), (2, "Terms of reference", False, True),
            (3, "Comments received", True, False), (4, "Any other business", False, False)]
        assert s.exec(select(AuditEntry).where(AuditEntry.action == "meeting.create",
                                               AuditEntry.subject_id == str(meeting_id))).one()

    rows = _rows(engine, meeting_id)
    people = {world.focal[c] for c in ("UNEP", "UNDP", "WHO", "ESCAP")} | {world.chair}
    assert {r.recipient for r in rows} == people  # UNIDO is not invited; UNEP's focal point speaks for both
    by = {(r.recipient, r.offset): r for r in rows}
    # New York: 7 days before at 09:00 New York time (14:00 Geneva keeps its wall clock; the US is on EDT then)
    assert by[(world.focal["UNDP"], "T-7d")].send_at == datetime(2026, 3, 3, 13, 0, tzinfo=UTC)
    # Bangkok: 1 day before falls at 20:00 there, quiet: it waits for 08:00 on the day, 11 hours before the call
    assert by[(world.focal["ESCAP"], "T-1d")].send_at == datetime(2026, 3, 10, 1, 0, tzinfo=UTC)
    last_call = by[(world.focal["ESCAP"], "T-1h")]
    assert (last_call.send_at, last_call.quiet, last_call.stale_at) == (
        datetime(2026, 3, 10, 12, 0, tzinfo=UTC), False, datetime(2026, 3, 10, 13, 0, tzinfo=UTC))
    assert all(r.stale_at == datetime(2026, 3, 10, 13, 0, tzinfo=UTC) for r in rows)
    assert by[(world.focal["WHO"], "T-1d")].entity_id is not None and by[(world.focal["UNEP"], "T-1d")].entity_id

    outcomes = [r for r in _rows(engine, meeting_id, OUTCOMES) if r.recipient == world.secretariat]
    assert [(r.due_at, r.send_at, r.stale_at) for r in outcomes] == [
        (datetime(2026, 3, 11, 15, 0, tzinfo=UTC), datetime(2026, 3, 11, 15, 0, tzinfo=UTC), None)]


def test_reminders_chosen_are_the_only_ones_planned_and_none_means_none(engine, world):
    only_last_call = _create(engine, world, reminders=["T-1h"])
    assert {r.offset for r in _rows(engine, only_last_call)} == {"T-1h"}
    none = _create(engine, world, reminders=[])
    assert _rows(engine, none) == []
    assert _rows(engine, none, OUTCOMES)  # the secretariat is still asked for the outcomes


def test_a_monday_morning_meeting_has_no_one_day_reminder_on_top_of_the_last_call():
    start = datetime(2026, 3, 16, 8, 0, tzinfo=UTC)  # Monday 09:00 Geneva
    planned = meeting_schedule(start, GENEVA, GENEVA, ["T-7d", "T-1d", "T-1h"], NOW, QuietHours())
    assert [(p.offset, p.send_at) for p in planned] == [
        ("T-7d", datetime(2026, 3, 9, 8, 0, tzinfo=UTC)), ("T-1h", datetime(2026, 3, 16, 7, 0, tzinfo=UTC))]


def test_a_poll_slot_becomes_a_request_in_its_zone():
    request = NewMeeting.at("chemicals", datetime(2026, 3, 28, 22, 0, tzinfo=UTC),
                            datetime(2026, 3, 29, 1, 30, tzinfo=UTC), BANGKOK, title="Late call", kind="other")
    assert (request.start_date, request.start_time, request.end_date, request.end_time) == (
        date(2026, 3, 29), time(5, 0), None, time(8, 30))
    assert agenda_lines("1. Opening\n\n- Terms of reference [doc tor]\n  3) AOB ") == [
        "Opening", "Terms of reference [doc tor]", "AOB"]


# ---- move and cancel


def test_moving_increments_the_sequence_and_rewrites_the_reminder_rows(engine, world):
    meeting_id = _create(engine, world)
    before = {r.key for r in _rows(engine, meeting_id)}
    with session_scope(engine) as s:
        rsvp(s, ensure_person(s, world.focal["WHO"]), meeting_id, "attending", delegates="Dr A, Dr B", now=NOW)
    with session_scope(engine) as s:
        meeting, old_start = move_meeting(s, ensure_person(s, world.secretariat), meeting_id,
                                          MoveMeeting(start_date=date(2026, 3, 12), start_time=time(15, 30)), now=NOW)
        assert (meeting.sequence, old_start) == (1, datetime(2026, 3, 10, 13, 0, tzinfo=UTC))
        assert (meeting.start, meeting.end) == (datetime(2026, 3, 12, 14, 30, tzinfo=UTC),
                                                datetime(2026, 3, 12, 16, 30, tzinfo=UTC))  # the length is kept
    rows = _rows(engine, meeting_id)
    assert {r.key for r in rows if r.status == ReminderStatus.CANCELLED} == before
    pending = [r for r in rows if r.status == ReminderStatus.PENDING]
    assert pending and all("@20260312T1430:" in r.key for r in pending)
    assert all(r.stale_at == datetime(2026, 3, 12, 14, 30, tzinfo=UTC) for r in pending)
    outcomes = [r for r in _rows(engine, meeting_id, OUTCOMES) if r.recipient == world.secretariat]
    assert [(r.status, r.due_at) for r in outcomes] == [
        (ReminderStatus.CANCELLED, datetime(2026, 3, 11, 15, 0, tzinfo=UTC)),
        (ReminderStatus.PENDING, datetime(2026, 3, 13, 16, 30, tzinfo=UTC))]
    with Session(engine) as s:  # answers stand
        assert s.exec(select(Rsvp).where(Rsvp.meeting_id == meeting_id)).one().delegates == "Dr A, Dr B"


def test_a_bad_move_changes_nothing(engine, world):
    meeting_id = _create(engine, world)
    cases = [
        (MoveMeeting(start_date=date(2026, 1, 5), start_time=time(10, 0)), "meetings.error_in_past"),
        (MoveMeeting(start_date=date(2026, 3, 29), start_time=time(2, 30)), "errors.time_nonexistent"),
        (MoveMeeting(start_date=date(2026, 3, 10), start_time=time(14, 0)), "meetings.error_same_time"),
        (MoveMeeting(start_date=date(2026, 3, 10), start_time=time(14, 0), end_time=time(13, 0)),
         "meetings.error_end_before_start"),
        (MoveMeeting(start_date=date(2026, 3, 10), start_time=time(9, 0), timezone="Geneva"),
         "errors.timezone_unknown"),
    ]
    for request, key in cases:
        with pytest.raises(Invalid) as error, session_scope(engine) as s:
            move_meeting(s, ensure_person(s, world.secretariat), meeting_id, request, now=NOW)
        assert error.value.key == key
    with pytest.raises(NotAllowed), session_scope(engine) as s:
        move_meeting(s, ensure_person(s, world.focal["UNDP"]), meeting_id,
                     MoveMeeting(start_date=date(2026, 3, 11), start_time=time(14, 0)), now=NOW)
    with Session(engine) as s:
        assert s.get(Meeting, meeting_id).sequence == 0
    assert not _rows(engine, meeting_id, status=ReminderStatus.CANCELLED)


def test_a_chair_of_the_meeting_may_move_it_though_not_a_chair_of_the_process(engine, world):
    meeting_id = _create(engine, world, chairs=[world.focal["WHO"]])
    with session_scope(engine) as s:
        meeting, _ = move_meeting(s, ensure_person(s, world.focal["WHO"]), meeting_id,
                                  MoveMeeting(start_date=date(2026, 3, 11), start_time=time(10, 0),
                                              end_time=time(12, 0), timezone=NEW_YORK), now=NOW)
        assert (meeting.start, meeting.timezone) == (datetime(2026, 3, 11, 14, 0, tzinfo=UTC), NEW_YORK)


def test_cancelling_cancels_every_pending_reminder_and_nothing_changes_after(engine, world):
    meeting_id = _create(engine, world)
    with session_scope(engine) as s:
        meeting = cancel_meeting(s, ensure_person(s, world.secretariat), meeting_id, now=NOW)
        assert (meeting.status, meeting.sequence) == ("cancelled", 1)
    rows = _rows(engine, meeting_id) + _rows(engine, meeting_id, OUTCOMES)
    assert rows and all((r.status, r.outcome) == (ReminderStatus.CANCELLED, "meeting cancelled") for r in rows)
    for change in (lambda s: cancel_meeting(s, ensure_person(s, world.secretariat), meeting_id, now=NOW),
                   lambda s: move_meeting(s, ensure_person(s, world.secretariat), meeting_id,
                                          MoveMeeting(start_date=date(2026, 3, 11), start_time=time(10, 0)), now=NOW),
                   lambda s: rsvp(s, ensure_person(s, world.focal["WHO"]), meeting_id, "tentative", now=NOW)):
        with pytest.raises(Conflict) as error, session_scope(engine) as s:
            change(s)
        assert error.value.key == "meetings.error_cancelled"


# ---- RSVP


def test_a_focal_point_answers_for_their_entity_and_answering_again_replaces(engine, world):
    meeting_id = _create(engine, world)
    who = world.focal["WHO"]
    with session_scope(engine) as s:
        _, entity, row = rsvp(s, ensure_person(s, who), meeting_id, "attending",
                              delegates="Dr Maria Neira\nDr Ivan Ivanov; ", now=NOW)
        assert (entity.code, row.attendance, row.delegates) == ("WHO", "attending", "Dr Maria Neira, Dr Ivan Ivanov")
    with session_scope(engine) as s:
        rsvp(s, ensure_person(s, who), meeting_id, "not_attending", delegates="ignored", now=NOW)
    with Session(engine) as s:
        row = s.exec(select(Rsvp).where(Rsvp.meeting_id == meeting_id)).one()
        assert (row.attendance, row.delegates, row.by) == ("not_attending", "", who)
        status = board(s, s.get(Meeting, meeting_id))
    assert [(line.entity_code, line.attendance) for line in status.lines] == [
        ("ESCAP", None), ("UNDP", None), ("UNEP", None), ("WHO", "not_attending")]
    assert status.pending == ["ESCAP", "UNDP", "UNEP"]


def test_who_may_not_answer_is_told_whom_to_ask(engine, world):
    meeting_id = _create(engine, world, entities=["UNDP", "WHO", "ESCAP"])
    cases = [
        (world.outsider, None, NotAllowed, "meetings.error_not_focal_point"),
        (world.focal["UNIDO"], None, NotAllowed, "meetings.error_not_invited"),  # a member, not invited
        (world.focal["UNDP"], "WHO", NotAllowed, "errors.not_focal_point"),
        (world.focal["UNDP"], None, Invalid, "meetings.error_delegates"),  # attending names its delegates
    ]
    for user, code, error_type, key in cases:
        with pytest.raises(error_type) as error, session_scope(engine) as s:
            rsvp(s, ensure_person(s, user), meeting_id, "attending", code, now=NOW)
        assert error.value.key == key
    with pytest.raises(NotAllowed) as error, session_scope(engine) as s:
        rsvp(s, ensure_person(s, world.outsider), meeting_id, "tentative", now=NOW)
    assert error.value.params["entities"] == "ESCAP, UNDP, WHO" and world.secretariat in error.value.params["ask"]
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(Rsvp).where(Rsvp.meeting_id == meeting_id)).one() == 0


def test_someone_speaking_for_two_invited_entities_names_the_one_answering(engine, world):
    meeting_id = _create(engine, world, entities=["UNEP", "UNIDO", "WHO"])
    unep = world.focal["UNEP"]
    with pytest.raises(Invalid) as error, session_scope(engine) as s:
        rsvp(s, ensure_person(s, unep), meeting_id, "tentative", now=NOW)
    assert error.value.key == "meetings.rsvp_which"
    with session_scope(engine) as s:
        _, entity, _ = rsvp(s, ensure_person(s, unep), meeting_id, "tentative", "unido", now=NOW)
        assert entity.code == "UNIDO"


def test_answers_close_when_the_meeting_starts(engine, world):
    meeting_id = _create(engine, world)
    with pytest.raises(Conflict) as error, session_scope(engine) as s:
        rsvp(s, ensure_person(s, world.focal["WHO"]), meeting_id, "tentative",
             now=datetime(2026, 3, 10, 13, 0, tzinfo=UTC))
    assert error.value.key == "meetings.error_over"


# ---- what a due reminder says


def _prepare(engine, row: Reminder, now: datetime) -> Message | Skip:
    with session_scope(engine) as s:
        return KINDS[row.kind](s, s.get(Reminder, row.id), now)


def test_a_meeting_reminder_is_decided_at_send_time(engine, world):
    meeting_id = _create(engine, world)
    with session_scope(engine) as s:
        rsvp(s, ensure_person(s, world.focal["ESCAP"]), meeting_id, "not_attending", now=NOW)
        rsvp(s, ensure_person(s, world.focal["UNDP"]), meeting_id, "attending", delegates="Ms Ortiz", now=NOW)
        mute(s, ensure_person(s, world.focal["WHO"]), world.handle)
    rows = {(r.recipient, r.offset): r for r in _rows(engine, meeting_id)}
    at = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)

    assert _prepare(engine, rows[(world.focal["ESCAP"], "T-1d")], at) == Skip("not attending")
    assert _prepare(engine, rows[(world.focal["WHO"], "T-1d")], at) == Skip("muted")
    undp = _prepare(engine, rows[(world.focal["UNDP"], "T-1d")], at)
    assert isinstance(undp, Message) and "starts" in undp.text and "*UNDP* answered: Attending" in str(undp.blocks)
    unep = _prepare(engine, rows[(world.focal["UNEP"], "T-1d")], at)
    assert "*UNEP* has not answered yet" in str(unep.blocks)
    buttons = [e["action_id"] for b in unep.blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["meeting.attending", "meeting.tentative", "meeting.not_attending"]
    chair = _prepare(engine, rows[(world.chair, "T-1h")], datetime(2026, 3, 10, 12, 0, tzinfo=UTC))
    assert "1 entities attending, 0 tentative, 1 not attending, 2 not answered (UNEP, WHO)" in str(chair.blocks)
    assert chair.text.startswith(":alarm_clock:")

    with session_scope(engine) as s:
        move_meeting(s, ensure_person(s, world.secretariat), meeting_id,
                     MoveMeeting(start_date=date(2026, 3, 11), start_time=time(14, 0)), now=NOW)
    assert _prepare(engine, rows[(world.focal["UNDP"], "T-1d")], at) == Skip("replanned")


def test_the_secretariat_is_asked_for_outcomes_only_while_none_are_recorded(engine, world):
    meeting_id = _create(engine, world)
    [row] = [r for r in _rows(engine, meeting_id, OUTCOMES) if r.recipient == world.secretariat]
    asked = _prepare(engine, row, row.send_at)
    assert isinstance(asked, Message) and "no outcomes are recorded yet" in asked.text
    with session_scope(engine) as s:
        s.get(Meeting, meeting_id).outcomes_at = row.send_at
    assert _prepare(engine, row, row.send_at) == Skip("outcomes recorded")


def test_two_cancellations_at_once_act_once(engine, world):
    import threading

    from sqlalchemy.exc import OperationalError

    meeting_id = _create(engine, world)
    barrier, outcomes = threading.Barrier(2), []

    def cancel() -> None:
        try:
            with session_scope(engine) as s:
                actor = ensure_person(s, world.secretariat)
                barrier.wait(5)
                cancel_meeting(s, actor, meeting_id, now=NOW)
            outcomes.append("cancelled")
        except Conflict as error:
            outcomes.append(error.key)
        except OperationalError:  # SQLite: "database is locked"
            outcomes.append("locked")

    threads = [threading.Thread(target=cancel) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    # PostgreSQL: the row lock makes the second wait, then see the meeting cancelled; SQLite has no row
    # locks: the second's conditional update finds the SEQUENCE moved on
    expected = {"meetings.error_cancelled"} if engine.dialect.name == "postgresql" else {
        "meetings.error_cancelled", "meetings.error_changed", "locked"}
    assert outcomes.count("cancelled") == 1 and set(outcomes) - {"cancelled"} <= expected, outcomes
    with Session(engine) as s:
        assert s.get(Meeting, meeting_id).sequence == 1
