"""Meeting outcomes as the domain sees them, on SQLite and PostgreSQL, with the clock set to February
2014 (time-machine): the chemicals IMG's first meeting (14 Feb 2014, Geneva) approves its terms of
reference, extends and closes mandates, gives action items with reminders in each owner's hours.

Meetings are made as rows here (bot/meetings creates them in Slack); the database is the shared
offline one, so no running bot sends the reminder rows these tests write.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import pytest
import time_machine
from sqlmodel import Session, select

from bot.entities.service import get_entity
from bot.errors import Conflict, Invalid, NotAllowed, NotFound
from bot.outcomes import render
from bot.outcomes.reminder_messages import action_due_message
from bot.outcomes.reminder_plan import DUE
from bot.outcomes.service import OutcomeRequest, list_meetings, mark_done, next_meetings, record_outcome
from bot.people.service import Profile, find_person, save_profile
from bot.processes.service import NewProcess, create_process
from bot.reminders import delivery, store
from bot.reminders.outcomes import Message, Skip
from bot.roles.service import grant, sync_secretariat
from bot.rounds.reminder_plan import DEADLINE
from bot.rounds.service import OpenRound, open_round
from bot.seed import seed
from bot.timezones import zone
from storage.db import session_scope
from storage.models import (ActionItem, ActionStatus, Attendance, AuditEntry, Decision, Document, DocumentVersion,
                            Meeting, MeetingInvitee, MeetingKind, MeetingStatus, Process, ProcessStatus, Reminder,
                            ReminderStatus, Role, Round, RoundStatus, Rsvp)

GENEVA, VIENNA, BANGKOK, NAIROBI = "Europe/Zurich", "Europe/Vienna", "Asia/Bangkok", "Africa/Nairobi"
MEMBERS = ["UNEP", "UNDP", "UNIDO", "WHO", "ILO", "ESCAP"]
FIRST_MEETING = datetime(2014, 2, 14, 8, 0, tzinfo=timezone.utc)  # 09:00 in Geneva
NOW = datetime(2014, 2, 17, 9, 0, tzinfo=timezone.utc)  # the Monday after
LEASE = timedelta(seconds=120)
_n = itertools.count(1)


@pytest.fixture
def engine(offline_engine):
    return offline_engine


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


pytestmark = pytest.mark.usefixtures("default_quiet_hours")


@dataclass
class World:
    engine: object
    handle: str
    secretariat: str
    chair: str
    focal: dict[str, str]
    tor_version: int
    indicators_version: int
    meeting: int
    n: int

    def session(self):
        return session_scope(self.engine)

    def person(self, s: Session, user: str):
        return find_person(s, user)

    def record(self, user: str, request: OutcomeRequest, now: datetime = NOW, meeting: int | None = None):
        with self.session() as s:
            return record_outcome(s, find_person(s, user), meeting or self.meeting, request, now=now)

    def refused(self, user: str, request: OutcomeRequest, error=Invalid, now: datetime = NOW,
                meeting: int | None = None):
        with pytest.raises(error) as caught:
            self.record(user, request, now, meeting)
        return caught.value

    def process(self) -> Process:
        with Session(self.engine) as s:
            return s.exec(select(Process).where(Process.handle == self.handle)).one()

    def decisions(self) -> list[Decision]:
        with Session(self.engine) as s:
            return list(s.exec(select(Decision).where(Decision.meeting_id == self.meeting)).all())

    def audit(self, action: str) -> list[AuditEntry]:
        with Session(self.engine) as s:
            return list(s.exec(select(AuditEntry).where(AuditEntry.action == action)
                               .order_by(AuditEntry.id)).all())

    def reminders(self, item_id: int) -> list[Reminder]:
        with Session(self.engine) as s:
            return list(s.exec(select(Reminder).where(Reminder.kind == DUE, Reminder.subject_id == item_id)
                               .order_by(Reminder.send_at, Reminder.recipient)).all())


def add_meeting(s: Session, process: Process, start: datetime, invited: list[str], hours: int = 3,
                status: MeetingStatus = MeetingStatus.SCHEDULED, title: str = "First meeting of the chemicals IMG",
                answers: dict[str, Attendance] | None = None) -> Meeting:
    meeting = Meeting(process_id=process.id, title=title, kind=MeetingKind.IMG, start=start,
                      end=start + timedelta(hours=hours), timezone=GENEVA, place="Geneva, Palais des Nations",
                      status=status, uid=f"meeting-test-{uuid.uuid4().hex}@consultbot", created_by="U0SEC")
    s.add(meeting)
    s.flush()
    for code in invited:
        s.add(MeetingInvitee(meeting_id=meeting.id, entity_id=get_entity(s, code).id))
    for code, attendance in (answers or {}).items():
        s.add(Rsvp(meeting_id=meeting.id, entity_id=get_entity(s, code).id, attendance=attendance, by="U0X"))
    s.flush()
    return meeting


def add_version(s: Session, process: Process, slug: str, title: str) -> DocumentVersion:
    document = Document(process_id=process.id, slug=slug, title=title)
    s.add(document)
    s.flush()
    version = DocumentVersion(document_id=document.id, number=1, source_name=f"{slug}.md", source_sha256="0" * 64,
                              imported_by="U0SEC")
    s.add(version)
    s.flush()
    return version


@pytest.fixture
def world(engine) -> World:
    return build_world(engine)


@pytest.fixture
def world_alone(private_engine) -> World:
    """`world` on a database of its own: no other test's reminders are due beside its own."""
    return build_world(private_engine)


def build_world(engine) -> World:
    """The chemicals IMG, established 7 Feb 2014 in Geneva, mandate to 30 Sept 2014; focal points of UNIDO
    (Vienna), ESCAP (Bangkok) and UNEP (Nairobi); a UNEP chair; its terms of reference and indicators
    drafts; its first meeting on 14 Feb 2014, 09:00-12:00 in Geneva."""
    n = next(_n)
    secretariat, chair = f"U0OSEC{n}", f"U0OCHAIR{n}"
    focal = {"UNIDO": f"U0OUNIDO{n}", "ESCAP": f"U0OESCAP{n}", "UNEP": f"U0OUNEP{n}"}
    zones = {"UNIDO": VIENNA, "ESCAP": BANGKOK, "UNEP": NAIROBI}
    with session_scope(engine) as s:
        seed(s)
        save_profile(s, Profile(slack_user_id=secretariat, timezone=GENEVA))
        sync_secretariat(s, [secretariat])
        process = create_process(s, find_person(s, secretariat), NewProcess(
            handle=f"chemicals-o{n}", kind="img", title="Chemicals and Waste Issue Management Group",
            timezone=GENEVA, channel_id="C0CHEMICALS", mandate_end=date(2014, 9, 30), members=MEMBERS,
            chairs=[chair]))
        for code, user in focal.items():
            save_profile(s, Profile(slack_user_id=user, timezone=zones[code]))
            grant(s, secretariat, user, Role.FOCAL_POINT, process, get_entity(s, code))
        tor = add_version(s, process, "terms-of-reference", "Terms of reference")
        indicators = add_version(s, process, "indicators", "Common objectives and indicators")
        meeting = add_meeting(s, process, FIRST_MEETING, ["UNEP", "UNIDO", "ESCAP", "WHO"], answers={
            "UNEP": Attendance.ATTENDING, "UNIDO": Attendance.ATTENDING, "ESCAP": Attendance.TENTATIVE})
        return World(engine, process.handle, secretariat, chair, focal, tor.id, indicators.id, meeting.id, n)


# ---- decisions that act


def test_terms_of_reference_approved_marks_the_version_approved_and_reads_naturally(world):
    done = world.record(world.secretariat, OutcomeRequest(kind="document_approved", version_id=world.tor_version,
                                                          minutes="Terms of reference and working modalities."))
    assert done.minutes_changed and done.decision.document_title == "Terms of reference"
    line = render.decision_line(done.decision, None)
    assert line == ":white_check_mark: *Terms of reference* (version 1) approved"
    text, blocks = render.recorded_reply(done, None)
    assert text == ("Recorded for *First meeting of the chemicals IMG* "
                    f"(`{world.handle}`): :white_check_mark: *Terms of reference* (version 1) approved")
    assert blocks[-1]["elements"][0]["action_id"] == "outcomes.open"  # "Add another decision"

    with Session(world.engine) as s:
        assert s.get(DocumentVersion, world.tor_version).approved_at == NOW
        assert s.get(DocumentVersion, world.indicators_version).approved_at is None
        meeting = s.get(Meeting, world.meeting)
        assert meeting.outcomes_at == NOW and meeting.minutes == "Terms of reference and working modalities."
        assert meeting.sequence == 0  # outcomes are not a change to send attendees
    [decision] = world.decisions()
    assert (decision.kind, decision.version_id, decision.by) == ("document_approved", world.tor_version,
                                                                 world.secretariat)
    approve = [a for a in world.audit("document.approve") if a.subject_id == str(world.tor_version)]
    assert approve[0].before["approved_at"] is None and approve[0].after["approved_at"].startswith("2014-02-17")
    assert any(a.subject_id == str(world.meeting) and a.before["minutes"] == "" for a in world.audit("meeting.outcomes"))

    refused = world.refused(world.secretariat, OutcomeRequest(kind="document_approved", version_id=world.tor_version))
    assert (refused.key, refused.field) == ("outcomes.errors.version_approved", "version")


def test_mandate_extended_moves_the_end_of_the_mandate(world):
    world.record(world.chair, OutcomeRequest(kind="mandate_extended", mandate_end=date(2015, 9, 30),
                                             text="Extended for one year by the senior officials."))
    assert world.process().mandate_end == date(2015, 9, 30)
    [decision] = world.decisions()
    assert decision.mandate_end == date(2015, 9, 30) and decision.by == world.chair
    [entry] = [a for a in world.audit("process.mandate_extend") if a.after["handle"] == world.handle]
    assert (entry.before["mandate_end"], entry.after["mandate_end"]) == ("2014-09-30", "2015-09-30")


@pytest.mark.parametrize(("mandate_end", "key"), [
    (None, "errors.field_empty"),
    (date(2014, 2, 17), "outcomes.errors.mandate_not_future"),  # today in Geneva
    (date(2014, 2, 1), "outcomes.errors.mandate_not_future"),
    (date(2014, 9, 30), "outcomes.errors.mandate_not_later"),  # the current end
    (date(2014, 6, 30), "outcomes.errors.mandate_not_later"),
])
def test_a_mandate_end_not_later_than_today_and_the_current_end_is_a_field_error(world, mandate_end, key):
    refused = world.refused(world.secretariat, OutcomeRequest(kind="mandate_extended", mandate_end=mandate_end))
    assert (refused.key, refused.field) == (key, "mandate_end")
    assert world.process().mandate_end == date(2014, 9, 30) and world.decisions() == []
    with Session(world.engine) as s:
        assert s.get(Meeting, world.meeting).outcomes_at is None  # nothing half-recorded


def test_group_closed_closes_the_process_and_its_open_rounds_and_cancels_their_reminders(world, clock):
    with world.session() as s:
        opened = open_round(s, find_person(s, world.secretariat), OpenRound(
            process=world.handle, version_id=world.indicators_version, deadline_date=date(2014, 3, 14),
            deadline_time=time(17, 0)), now=NOW)
        round_id = opened.id
        pending = s.exec(select(Reminder).where(Reminder.subject_id == round_id, Reminder.kind == DEADLINE,
                                                Reminder.status == ReminderStatus.PENDING)).all()
        assert pending
        add_meeting(s, s.get(Process, world.process().id), NOW + timedelta(days=30), ["UNEP"])  # still ahead
    world.record(world.secretariat, OutcomeRequest(kind="action_item", owner="escap", due=date(2014, 3, 14),
                                                   text="Map the chemicals activities of the regional commissions."))
    done = world.record(world.secretariat, OutcomeRequest(kind="group_closed", text="Its action plan is approved."))
    assert done.closed_rounds == 1
    assert done.left == (1, 1)  # not cancelled by the decision: named to whoever recorded it
    effect = render.recorded_reply(done, None)[1][-2]["elements"][0]["text"]
    assert "1 open round(s) were closed" in effect and "1 upcoming meeting(s)" in effect \
        and "1 open action item(s)" in effect
    assert render.decision_line(done.decision, None) == ":lock: Group closed — Its action plan is approved."
    assert world.process().status == ProcessStatus.CLOSED
    with Session(world.engine) as s:
        round_ = s.get(Round, round_id)
        assert (round_.status, round_.closed_at) == (RoundStatus.CLOSED, NOW)
        rows = s.exec(select(Reminder).where(Reminder.subject_id == round_id, Reminder.kind == DEADLINE)).all()
        assert rows and {r.status for r in rows} == {ReminderStatus.CANCELLED}
    assert [a.after["status"] for a in world.audit("process.close") if a.after["handle"] == world.handle] == ["closed"]
    assert any(a.subject_id == str(round_id) for a in world.audit("round.close"))

    for kind in ("group_closed", "mandate_extended"):
        refused = world.refused(world.secretariat, OutcomeRequest(kind=kind, mandate_end=date(2015, 9, 30)))
        assert (refused.key, refused.field) == ("outcomes.errors.process_closed", "kind")


def test_an_action_item_is_tracked_with_reminders_in_the_owners_working_hours(world):
    done = world.record(world.secretariat, OutcomeRequest(
        kind="action_item", owner="escap", due=date(2014, 3, 14),
        text="Map the chemicals activities of the regional commissions."))
    item = done.decision.action
    assert (done.decision.owner_code, item.due, item.status, item.text) == (
        "ESCAP", date(2014, 3, 14), ActionStatus.OPEN, "Map the chemicals activities of the regional commissions.")
    assert done.owners == [(world.focal["ESCAP"], None, None)]  # (user id, workspace: not known yet, locale)
    assert render.decision_line(done.decision, None).startswith(
        ":pushpin: Action for *ESCAP*, due <!date^1394812800^")  # 14 March 17:00 in Geneva = 16:00 UTC
    rows = world.reminders(item.id)
    deadline = datetime(2014, 3, 14, 16, 0, tzinfo=timezone.utc)
    # 17:00 in Geneva is 23:00 in Bangkok: each reminder waits for the next working morning there
    assert [(r.offset, r.recipient, r.send_at, r.stale_at) for r in rows] == [
        ("T-7d", world.focal["ESCAP"], datetime(2014, 3, 10, 1, 0, tzinfo=timezone.utc), deadline),
        ("T-1d", world.focal["ESCAP"], datetime(2014, 3, 14, 1, 0, tzinfo=timezone.utc), deadline)]
    assert all(r.timezone == BANGKOK and r.process_id == item.process_id and r.status == ReminderStatus.PENDING
               for r in rows)
    for r in rows:
        local = r.send_at.astimezone(zone(BANGKOK))
        assert local.weekday() < 5 and 8 <= local.hour < 20
    assert [a.after["due"] for a in world.audit("action.create") if a.subject_id == str(item.id)] == ["2014-03-14"]


def test_a_due_action_reminder_is_sent_then_skipped_once_the_item_is_done(world_alone, clock):
    world = world_alone  # senders claim whatever is due: only this world's reminders may be
    done = world.record(world.secretariat, OutcomeRequest(kind="action_item", owner="UNIDO", due=date(2014, 3, 7),
                                                          text="Send the mapping template."))
    item_id = done.decision.action.id
    first, second = world.reminders(item_id)  # T-7d, T-1d to the UNIDO focal point in Vienna
    assert (first.offset, second.offset) == ("T-7d", "T-1d") and first.timezone == VIENNA
    clock.move_to(first.send_at)  # Friday 28 February, 17:00 in Vienna: the T-7d reminder goes out
    with world.session() as s:
        jobs, _ = delivery.claim_jobs(s, "sender", first.send_at, 50, LEASE, frozenset())
        [job] = [j for j in jobs if j.reminder_id == first.id]
        store.mark_sent(s, first.id, "sender", "D0UNIDO", "1393603200.000100", first.send_at)
    message = job.message
    assert isinstance(message, Message) and message.channel == world.focal["UNIDO"]
    assert "the action item of *UNIDO* from *First meeting of the chemicals IMG*" in message.text
    assert "Send the mapping template." in message.text
    buttons = [e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["action_item.done", "reminder.tomorrow"]

    # A sender claims the T-1d reminder when due, and is killed before posting it.
    clock.move_to(second.send_at)
    with world.session() as s:
        claimed = store.claim(s, "killed-sender", second.send_at, 50, LEASE)
        assert second.id in [r.id for r in claimed]
    with world.session() as s:  # the focal point marks the item done meanwhile
        mark_done(s, find_person(s, world.focal["UNIDO"]), item_id, now=second.send_at)
    with world.session() as s:  # the lease runs out: the row is claimed again, and not sent
        later = second.send_at + LEASE + timedelta(seconds=1)
        jobs, _ = delivery.claim_jobs(s, "next-sender", later, 50, LEASE, frozenset())
        assert second.id not in [j.reminder_id for j in jobs]
    with Session(world.engine) as s:
        row = s.get(Reminder, second.id)
        assert (row.status, row.outcome) == (ReminderStatus.SKIPPED, "done")
        assert isinstance(action_due_message(s, row, later), Skip)


def test_marking_an_item_done_cancels_its_pending_reminders_and_is_audited(world):
    done = world.record(world.secretariat, OutcomeRequest(kind="action_item", owner="UNEP", due=date(2014, 4, 30),
                                                          text="Draft the indicators."))
    item_id = done.decision.action.id
    assert {r.status for r in world.reminders(item_id)} == {ReminderStatus.PENDING}

    with world.session() as s:
        with pytest.raises(NotAllowed) as refused:  # UNIDO does not speak for UNEP
            mark_done(s, find_person(s, world.focal["UNIDO"]), item_id, now=NOW)
        assert refused.value.key == "outcomes.errors.action_not_yours"
    with world.session() as s:
        finished = mark_done(s, find_person(s, world.focal["UNEP"]), item_id, now=NOW)
        assert (finished.entity_code, finished.item.done_at) == ("UNEP", NOW)
    with world.session() as s:
        with pytest.raises(Conflict) as again:  # a double click
            mark_done(s, find_person(s, world.secretariat), item_id, now=NOW)
        assert again.value.key == "outcomes.errors.action_done_already"
        with pytest.raises(NotFound):
            mark_done(s, find_person(s, world.secretariat), 987654321, now=NOW)
    rows = world.reminders(item_id)
    assert rows and {(r.status, r.outcome) for r in rows} == {(ReminderStatus.CANCELLED, "done")}
    [entry] = [a for a in world.audit("action.done") if a.subject_id == str(item_id)]
    assert (entry.actor, entry.before["status"], entry.after["status"]) == (world.focal["UNEP"], "open", "done")


def test_the_secretariat_may_mark_any_item_done(world):
    done = world.record(world.secretariat, OutcomeRequest(kind="action_item", owner="WHO", due=date(2014, 4, 30),
                                                          text="Share the health sector's mapping."))
    assert done.owners == []  # WHO has no focal point yet: nobody to remind, the item is still tracked
    with world.session() as s:
        assert mark_done(s, find_person(s, world.secretariat), done.decision.action.id, now=NOW).entity_code == "WHO"


def test_minutes_alone_are_outcomes_and_an_other_decision_is_its_text(world):
    saved = world.record(world.secretariat, OutcomeRequest(minutes="  Agreed the working modalities.  "))
    assert saved.decision is None and saved.minutes_changed
    with Session(world.engine) as s:
        meeting = s.get(Meeting, world.meeting)
        assert (meeting.minutes, meeting.outcomes_at) == ("Agreed the working modalities.", NOW)
    later = NOW + timedelta(hours=1)
    other = world.record(world.secretariat, OutcomeRequest(minutes="Agreed the working modalities.", kind="other",
                                                           text="Report progress to the 20th SOM <!channel>."),
                         now=later)
    assert not other.minutes_changed
    assert render.decision_line(other.decision, None) == \
        ":speech_balloon: Report progress to the 20th SOM &lt;!channel&gt;."
    with Session(world.engine) as s:
        assert s.get(Meeting, world.meeting).outcomes_at == later


# ---- refusals


@pytest.mark.parametrize(("request_", "key", "field"), [
    (OutcomeRequest(), "outcomes.errors.nothing", "kind"),
    (OutcomeRequest(minutes=""), "outcomes.errors.nothing", "kind"),
    (OutcomeRequest(kind="adjourned"), "outcomes.errors.kind_unknown", "kind"),
    (OutcomeRequest(kind="other", text="   "), "errors.field_empty", "text"),
    (OutcomeRequest(kind="other", text="x" * 3001), "errors.field_too_long", "text"),
    (OutcomeRequest(minutes="x" * 3001), "errors.field_too_long", "minutes"),
    (OutcomeRequest(kind="document_approved"), "errors.field_empty", "version"),
    (OutcomeRequest(kind="document_approved", version_id=987654321), "outcomes.errors.version_unknown", "version"),
    (OutcomeRequest(kind="action_item", due=date(2014, 3, 14), text="x"), "errors.field_empty", "owner"),
    (OutcomeRequest(kind="action_item", owner="UNIDOO", due=date(2014, 3, 14), text="x"),
     "errors.unknown_entity", "owner"),
    (OutcomeRequest(kind="action_item", owner="FAO", due=date(2014, 3, 14), text="x"),
     "errors.entity_not_member", "owner"),
    (OutcomeRequest(kind="action_item", owner="UNIDO", text="x"), "errors.field_empty", "due"),
    (OutcomeRequest(kind="action_item", owner="UNIDO", due=date(2014, 2, 10), text="x"), "outcomes.errors.due_past",
     "due"),
    (OutcomeRequest(kind="action_item", owner="UNIDO", due=date(2014, 3, 14)), "errors.field_empty", "text"),
])
def test_bad_outcomes_are_field_errors_and_change_nothing(world, request_, key, field):
    refused = world.refused(world.secretariat, request_)
    assert (refused.key, refused.field) == (key, field)
    assert world.decisions() == []
    with Session(world.engine) as s:
        assert s.get(Meeting, world.meeting).outcomes_at is None
        assert s.exec(select(ActionItem).where(ActionItem.process_id == world.process().id)).all() == []


def test_a_version_of_another_process_cannot_be_approved_here(world, engine):
    with session_scope(engine) as s:
        other = create_process(s, find_person(s, world.secretariat), NewProcess(
            handle=f"framework-o{world.n}", kind="consultation", title="Framework", timezone=GENEVA,
            members=["UNEP"]))
        foreign = add_version(s, other, "interim-guidance", "Interim guidance").id
    refused = world.refused(world.secretariat, OutcomeRequest(kind="document_approved", version_id=foreign))
    assert (refused.key, refused.field) == ("outcomes.errors.version_unknown", "version")
    with Session(world.engine) as s:
        assert s.get(DocumentVersion, foreign).approved_at is None


def test_only_the_secretariat_or_a_chair_of_the_process_records_outcomes(world, engine):
    minutes = OutcomeRequest(minutes="Minutes.")
    assert world.refused(world.focal["UNIDO"], minutes, NotAllowed).key == "errors.not_allowed"
    with session_scope(engine) as s:  # a chair of another process is not a chair here
        other = create_process(s, find_person(s, world.secretariat), NewProcess(
            handle=f"peer-review-o{world.n}", kind="consultation", title="Peer reviews", timezone=GENEVA,
            members=["WMO"], chairs=[f"U0OOTHER{world.n}"]))
        assert other.id
    assert world.refused(f"U0OOTHER{world.n}", minutes, NotAllowed).key == "errors.not_allowed"
    assert world.record(world.chair, minutes).minutes_changed


def test_a_meeting_not_yet_ended_cancelled_or_unknown_gets_no_outcomes(world):
    during = FIRST_MEETING + timedelta(hours=1)
    refused = world.refused(world.secretariat, OutcomeRequest(minutes="Early."), Conflict, now=during)
    assert refused.key == "outcomes.errors.meeting_not_ended" and refused.params["ends"].timestamp() == 1392375600
    with world.session() as s:
        cancelled = add_meeting(s, s.get(Process, world.process().id), FIRST_MEETING - timedelta(days=2), ["UNEP"],
                                status=MeetingStatus.CANCELLED).id
    assert world.refused(world.secretariat, OutcomeRequest(minutes="x"), Conflict,
                         meeting=cancelled).key == "outcomes.errors.meeting_cancelled"
    assert world.refused(world.secretariat, OutcomeRequest(minutes="x"), NotFound,
                         meeting=987654321).key == "outcomes.errors.meeting_unknown"


# ---- what people see of meetings


def test_meetings_are_listed_upcoming_first_with_rsvp_counts_and_past_ones_latest_first(world):
    with world.session() as s:
        process = s.get(Process, world.process().id)
        som = add_meeting(s, process, datetime(2014, 9, 19, 7, 0, tzinfo=timezone.utc), ["UNEP", "UNIDO"],
                          title="20th Senior Officials Meeting", answers={"UNIDO": Attendance.NOT_ATTENDING}).id
        second = add_meeting(s, process, datetime(2014, 4, 1, 12, 0, tzinfo=timezone.utc), ["UNEP"],
                             title="Second meeting").id
        retreat = add_meeting(s, process, datetime(2014, 1, 20, 8, 0, tzinfo=timezone.utc), [], title="Retreat").id
    world.record(world.secretariat, OutcomeRequest(kind="document_approved", version_id=world.tor_version))

    with world.session() as s:
        listing = list_meetings(s, find_person(s, world.focal["UNIDO"]), world.handle, now=NOW)
        assert [v.meeting.id for v in listing.upcoming] == [second, som]
        assert [v.meeting.id for v in listing.past] == [world.meeting, retreat]
        first = listing.past[0]
        assert (first.counts.attending, first.counts.tentative, first.counts.not_attending,
                first.counts.no_answer) == (2, 1, 0, 1)
        assert [d.decision.kind for d in first.decisions] == ["document_approved"]
        assert not first.can_record  # a focal point
        text, blocks = render.meetings_list(listing, None)
        assert text == "2 upcoming and 2 past meeting(s)."
        past_block = blocks[5]
        assert "RSVPs: 2 attending, 1 tentative, 0 not attending, 1 no answer" in past_block["text"]["text"]
        assert "*Terms of reference* (version 1) approved" in past_block["text"]["text"]
        assert "accessory" not in past_block

        cut = list_meetings(s, find_person(s, world.chair), world.handle, now=NOW, limit=1)
        assert (len(cut.upcoming), cut.upcoming_total, len(cut.past), cut.past_total) == (1, 2, 1, 2)
        assert cut.past[0].can_record
        _, blocks = render.meetings_list(cut, None)
        assert blocks[-1]["type"] == "context" and "Showing 1 of 2 upcoming and 1 of 2 past" in \
            blocks[-1]["elements"][0]["text"]
        assert blocks[4]["accessory"]["action_id"] == "outcomes.open"  # header, upcoming, 1, past, 1

        mine = list_meetings(s, find_person(s, world.focal["ESCAP"]), None, now=NOW)
        assert {v.meeting.id for v in mine.upcoming + mine.past} == {som, second, world.meeting, retreat}
        stranger = save_profile(s, Profile(slack_user_id=f"U0OSTRANGER{world.n}", timezone=GENEVA))
        assert not list_meetings(s, stranger, None, now=NOW).takes_part


def test_the_home_lists_the_viewers_next_meetings_including_other_processes_inviting_their_entity(world, engine):
    with session_scope(engine) as s:
        secretariat = find_person(s, world.secretariat)
        framework = create_process(s, secretariat, NewProcess(
            handle=f"framework-h{world.n}", kind="consultation", title="Framework", timezone=GENEVA,
            members=["UNIDO", "WMO"]))
        chemicals = s.get(Process, world.process().id)
        retreat = add_meeting(s, framework, datetime(2014, 6, 3, 7, 0, tzinfo=timezone.utc), ["UNIDO"],
                              title="Retreat on the framework", answers={"UNIDO": Attendance.ATTENDING}).id
        not_unido = add_meeting(s, framework, datetime(2014, 6, 4, 7, 0, tzinfo=timezone.utc), ["WMO"],
                                title="WMO only").id
        second = add_meeting(s, chemicals, datetime(2014, 4, 1, 12, 0, tzinfo=timezone.utc), ["UNEP"],
                             title="Second meeting").id
        called_off = add_meeting(s, chemicals, datetime(2014, 3, 1, 12, 0, tzinfo=timezone.utc), ["UNIDO"],
                                 title="Called off", status=MeetingStatus.CANCELLED).id
    with world.session() as s:
        unido = next_meetings(s, find_person(s, world.focal["UNIDO"]), NOW)
        # the chemicals meeting (a process where they hold a role), the framework retreat (inviting UNIDO);
        # meetings of other tests' processes inviting UNIDO come later in the year
        here = [v for v in unido if v.meeting.id in {second, retreat, not_unido, called_off}]
        assert [v.meeting.id for v in here] == [second, retreat] and unido[:2] == here
        assert here[1].answers == [("UNIDO", Attendance.ATTENDING)] and here[0].answers == []
        blocks = render.home_meetings(here, None)
        assert "Your entity: UNIDO attending" in blocks[2]["text"]["text"]
        assert "*Retreat on the framework* (`framework-h" in blocks[2]["text"]["text"]
        assert not_unido in [v.meeting.id for v in next_meetings(s, find_person(s, world.secretariat), NOW, limit=50)]
        assert len(next_meetings(s, find_person(s, world.secretariat), NOW)) <= 5
        nobody = save_profile(s, Profile(slack_user_id=f"U0ONOBODY{world.n}", timezone=GENEVA))
        assert next_meetings(s, nobody, NOW) == []
        assert render.home_meetings([], None)[1]["elements"][0]["text"] == "No meetings coming up."
