"""Reminder rows on SQLite and PostgreSQL: written with the change to the round, claimed with a lease.

Each test works on a private database (no bot process sends from it) with the clock set by
time-machine: the round services take `now`, but granting a role replans with the real clock.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import pytest
import time_machine
from sqlmodel import Session, select

from bot.entities.service import get_entity
from bot.errors import Conflict, Invalid, NotAllowed, NotFound
from bot.people.service import Profile, find_person, save_profile
from bot.processes.service import NewProcess, create_process, get_process
from bot.reminders import recurring, store
from bot.reminders.service import is_muted, mute, set_weekly, snooze, unmute
from bot.roles.service import grant, revoke, sync_secretariat
from bot.rounds.reminder_plan import DEADLINE
from bot.rounds.service import OpenRound, close_round, extend_round, open_round, reopen_for
from storage.db import session_scope
from storage.models import Document, DocumentVersion, Reminder, ReminderStatus, Role, Round

GENEVA, NEW_YORK, NAIROBI, BANGKOK, ROME = (
    "Europe/Zurich", "America/New_York", "Africa/Nairobi", "Asia/Bangkok", "Europe/Rome")
OFFSETS = ["T-7d", "T-2d", "T-0", "T-1h"]
SECRETARIAT = "U0SEC"
FOCAL_POINTS = [("WMO", "U0WMO1", GENEVA), ("WMO", "U0WMO2", GENEVA), ("UNDP", "U0UNDP", NEW_YORK),
                ("UNEP", "U0UNEP", NAIROBI), ("ESCAP", "U0ESCAP", BANGKOK)]
ASKED = ["WMO", "UNDP", "UNEP", "ESCAP"]  # FAO is a member with a focal point, not asked
LEASE = timedelta(seconds=120)
_n = itertools.count(1)


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=timezone.utc)


NOW = utc(11, 2, 9)  # Monday 2 November 2026, when the round is opened
DEADLINE_AT = utc(12, 4, 16)  # Friday 4 December 17:00 in Geneva
STAMP = "20261204T1600"
FRIDAY_BEFORE = utc(11, 27, 16)  # T-7d: Friday 27 November 17:00 in Geneva


@dataclass
class Consultation:
    engine: object
    handle: str
    round_id: int | None = None

    def session(self):
        return session_scope(self.engine)

    def rows(self, **where) -> list[Reminder]:
        with self.session() as s:
            query = select(Reminder).order_by(Reminder.key)
            for name, value in where.items():
                query = query.where(getattr(Reminder, name) == value)
            return list(s.exec(query).all())

    def by_key(self) -> dict[str, Reminder]:
        return {r.key: r for r in self.rows()}

    def key(self, offset: str, code: str, user: str, stamp: str = STAMP) -> str:
        return f"round:{self.round_id}@{stamp}:{offset}:{code}:{user}"


@pytest.fixture
def clock():
    """The clock at NOW; tests move it on."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def consultation(private_engine, default_quiet_hours, clock) -> Consultation:
    """A Geneva consultation with WMO (two focal points, Geneva), UNDP (New York), UNEP (Nairobi), ESCAP
    (Bangkok) and FAO (Rome), a draft, and the secretariat in Geneva. No round yet."""
    handle = f"chemicals-{next(_n)}"
    with session_scope(private_engine) as s:
        save_profile(s, Profile(slack_user_id=SECRETARIAT, timezone=GENEVA))
        sync_secretariat(s, [SECRETARIAT])
        secretariat = find_person(s, SECRETARIAT)
        process = create_process(s, secretariat, NewProcess(
            handle=handle, kind="consultation", title="Chemicals framework", timezone=GENEVA, channel_id="C0CHEM",
            members=ASKED + ["FAO"]))
        document = Document(process_id=process.id, slug="framework", title="Chemicals framework")
        s.add(document)
        s.flush()
        s.add(DocumentVersion(document_id=document.id, number=1, source_name="framework.md", source_sha256="0" * 64,
                              imported_by=SECRETARIAT))
        for code, user, zone_name in FOCAL_POINTS + [("FAO", "U0FAO", ROME)]:
            save_profile(s, Profile(slack_user_id=user, timezone=zone_name))
            grant(s, SECRETARIAT, user, Role.FOCAL_POINT, process, get_entity(s, code))
    return Consultation(private_engine, handle)


def open_the_round(c: Consultation, **overrides) -> Round:
    with c.session() as s:
        round_ = open_round(s, find_person(s, SECRETARIAT), OpenRound(
            process=c.handle, deadline_date=date(2026, 12, 4), deadline_time=time(17, 0), entities=ASKED,
            **overrides), now=NOW)
    c.round_id = round_.id
    return round_


def claim(c: Consultation, owner: str, now: datetime, limit: int = 50) -> list[Reminder]:
    with c.session() as s:
        return store.claim(s, owner, now, limit, LEASE)


def test_opening_a_round_writes_each_focal_points_reminders_and_the_escalation(consultation):
    open_the_round(consultation)
    rows = consultation.by_key()
    expected = {consultation.key(offset, code, user) for code, user, _ in FOCAL_POINTS for offset in OFFSETS}
    escalation = f"round:{consultation.round_id}@{STAMP}:escalation:{SECRETARIAT}"
    assert set(rows) == expected | {escalation}  # nothing for FAO, not asked
    assert all(r.status == ReminderStatus.PENDING for r in rows.values())
    assert rows[escalation].send_at == DEADLINE_AT and rows[escalation].recipient == SECRETARIAT

    def sent(offset, code, user):
        row = rows[consultation.key(offset, code, user)]
        return row.send_at, row.timezone, row.quiet, row.stale_at

    assert sent("T-7d", "WMO", "U0WMO2") == (FRIDAY_BEFORE, GENEVA, True, DEADLINE_AT)
    assert sent("T-0", "UNDP", "U0UNDP") == (utc(12, 4, 14), NEW_YORK, True, DEADLINE_AT)  # 09:00 EST
    assert sent("T-0", "UNEP", "U0UNEP") == (utc(12, 4, 6), NAIROBI, True, DEADLINE_AT)  # 09:00 EAT
    # Friday 27 November 23:00 in Bangkok: held to Monday 30 November 08:00 ICT.
    assert sent("T-7d", "ESCAP", "U0ESCAP") == (utc(11, 30, 1), BANGKOK, True, DEADLINE_AT)
    assert sent("T-1h", "ESCAP", "U0ESCAP") == (utc(12, 4, 15), BANGKOK, False, DEADLINE_AT)  # the last call


def test_offsets_are_configured_per_round(consultation):
    open_the_round(consultation, reminders=["T-1h", "T-2d"])
    offsets = {r.offset for r in consultation.rows(kind=DEADLINE)}
    assert offsets == {"T-2d", "T-1h"} and len(consultation.rows(kind=DEADLINE)) == 10


def test_extending_rewrites_pending_rows_and_leaves_the_sent_ones(consultation, clock):
    open_the_round(consultation)
    clock.move_to(FRIDAY_BEFORE)
    sent = claim(consultation, "sender", FRIDAY_BEFORE)
    assert {r.recipient for r in sent} == {"U0WMO1", "U0WMO2", "U0UNDP", "U0UNEP"}  # Bangkok's waits for Monday
    with consultation.session() as s:
        for row in sent:
            assert store.mark_sent(s, row.id, "sender", row.recipient, "1.0", FRIDAY_BEFORE)

    saturday = utc(11, 28, 10)
    clock.move_to(saturday)
    with consultation.session() as s:
        extend_round(s, find_person(s, SECRETARIAT), s.get(Round, consultation.round_id),
                     OpenRound(process=consultation.handle, deadline_date=date(2026, 12, 11)), now=saturday)

    rows = consultation.by_key()
    for row in sent:
        assert rows[row.key].status == ReminderStatus.SENT and rows[row.key].ts == "1.0"
    old = [r for k, r in rows.items() if f"@{STAMP}:" in k and r.id not in {s.id for s in sent}]
    assert len(old) == 17 and {(r.status, r.outcome) for r in old} == {(ReminderStatus.CANCELLED, "replanned")}
    new_stamp = "20261211T1600"
    new = {k: r for k, r in rows.items() if f"@{new_stamp}:" in k}
    assert set(new) == ({consultation.key(o, code, user, new_stamp) for code, user, _ in FOCAL_POINTS for o in OFFSETS}
                        | {f"round:{consultation.round_id}@{new_stamp}:escalation:{SECRETARIAT}"})
    assert all(r.status == ReminderStatus.PENDING for r in new.values())
    assert new[consultation.key("T-7d", "WMO", "U0WMO1", new_stamp)].send_at == DEADLINE_AT  # Friday 4 Dec 17:00
    assert {r.stale_at for r in new.values() if r.kind == DEADLINE} == {utc(12, 11, 16)}


def test_closing_early_cancels_the_chase_and_brings_the_escalation_forward(consultation, clock):
    open_the_round(consultation)
    wednesday = utc(12, 2, 10)
    clock.move_to(wednesday)
    with consultation.session() as s:
        close_round(s, find_person(s, SECRETARIAT), s.get(Round, consultation.round_id), now=wednesday)
    chase = consultation.rows(kind=DEADLINE)
    assert len(chase) == 20 and {(r.status, r.outcome) for r in chase} == {(ReminderStatus.CANCELLED, "replanned")}
    [escalation] = consultation.rows(kind="round.escalation")
    assert escalation.status == ReminderStatus.PENDING and escalation.send_at == wednesday


def test_reopening_for_one_entity_chases_it_to_its_own_deadline(consultation, clock):
    open_the_round(consultation)
    clock.move_to(utc(12, 2, 10))
    with consultation.session() as s:
        close_round(s, find_person(s, SECRETARIAT), s.get(Round, consultation.round_id), now=utc(12, 2, 10))
    clock.move_to(utc(12, 2, 11))
    with consultation.session() as s:
        reopen_for(s, find_person(s, SECRETARIAT), s.get(Round, consultation.round_id), ["ESCAP"],
                   OpenRound(process=consultation.handle, deadline_date=date(2026, 12, 8)), now=utc(12, 2, 11))
    pending = [r for r in consultation.rows(kind=DEADLINE) if r.status == ReminderStatus.PENDING]
    # Tuesday 8 December 17:00 in Geneva is 23:00 in Bangkok; T-7d (1 December) has passed.
    assert {r.key: r.send_at for r in pending} == {
        consultation.key("T-2d", "ESCAP", "U0ESCAP", "20261208T1600"): utc(12, 7, 1),  # Sunday: Monday 08:00 ICT
        consultation.key("T-0", "ESCAP", "U0ESCAP", "20261208T1600"): utc(12, 8, 2),  # 09:00 ICT
        consultation.key("T-1h", "ESCAP", "U0ESCAP", "20261208T1600"): utc(12, 8, 15),  # 22:00 ICT, a last call
    }
    assert {r.stale_at for r in pending} == {utc(12, 8, 16)}


def test_granting_a_focal_point_adds_their_rows_and_revoking_takes_them_away(consultation, clock):
    open_the_round(consultation)
    clock.move_to(NOW + timedelta(hours=1))
    with consultation.session() as s:
        save_profile(s, Profile(slack_user_id="U0UNEP2", timezone=NAIROBI))
        grant(s, SECRETARIAT, "U0UNEP2", Role.FOCAL_POINT, get_process(s, consultation.handle), get_entity(s, "UNEP"))
    assert {r.key for r in consultation.rows(recipient="U0UNEP2")} == {
        consultation.key(o, "UNEP", "U0UNEP2") for o in OFFSETS}

    with consultation.session() as s:
        revoke(s, SECRETARIAT, "U0UNDP", Role.FOCAL_POINT, get_process(s, consultation.handle), get_entity(s, "UNDP"))
    undp = consultation.rows(recipient="U0UNDP")
    assert len(undp) == 4 and {(r.status, r.outcome) for r in undp} == {(ReminderStatus.CANCELLED, "replanned")}
    assert all(r.status == ReminderStatus.PENDING for r in consultation.rows(recipient="U0UNEP"))

    with consultation.session() as s:  # granted again: the same rows come back, none is added
        grant(s, SECRETARIAT, "U0UNDP", Role.FOCAL_POINT, get_process(s, consultation.handle), get_entity(s, "UNDP"))
    undp = consultation.rows(recipient="U0UNDP")
    assert len(undp) == 4 and {r.status for r in undp} == {ReminderStatus.PENDING}


def test_an_overdue_pending_row_survives_a_replan(consultation, clock):
    open_the_round(consultation)
    before = {r.key: r.send_at for r in consultation.rows(kind=DEADLINE)}
    saturday = utc(11, 28, 10)  # no sender ran on Friday: four T-7d rows are overdue, Bangkok's not yet sent
    clock.move_to(saturday)
    with consultation.session() as s:  # a change that replans the process's rounds
        save_profile(s, Profile(slack_user_id="U0FAO2", timezone=ROME))
        grant(s, SECRETARIAT, "U0FAO2", Role.FOCAL_POINT, get_process(s, consultation.handle), get_entity(s, "FAO"))
    after = consultation.rows(kind=DEADLINE)
    assert {r.key: r.send_at for r in after} == before
    assert {r.status for r in after} == {ReminderStatus.PENDING}
    assert [r.recipient for r in after if r.offset == "T-7d" and r.send_at <= saturday] == \
        ["U0UNDP", "U0UNEP", "U0WMO1", "U0WMO2"]


def test_a_focal_point_whose_zone_becomes_known_is_reminded_in_it(consultation, clock):
    """Granted before the bot has seen their profile, a focal point is planned in their entity's duty-station
    zone (ESCAP: Bangkok), not the round's; once their own zone is known (this one works from New York), the
    next replan moves their rows to their own working hours, zone and all."""
    with consultation.session() as s:
        grant(s, SECRETARIAT, "U0ESCAP2", Role.FOCAL_POINT, get_process(s, consultation.handle),
              get_entity(s, "ESCAP"))
    open_the_round(consultation)
    [t7] = [r for r in consultation.rows(recipient="U0ESCAP2") if r.offset == "T-7d"]
    assert (t7.timezone, t7.send_at) == (BANGKOK, utc(11, 30, 1))  # 23:00 Friday in Bangkok: Monday 08:00
    clock.move_to(NOW + timedelta(hours=1))
    with consultation.session() as s:
        save_profile(s, Profile(slack_user_id="U0ESCAP2", timezone=NEW_YORK))
        save_profile(s, Profile(slack_user_id="U0FAO2", timezone=ROME))
        grant(s, SECRETARIAT, "U0FAO2", Role.FOCAL_POINT, get_process(s, consultation.handle), get_entity(s, "FAO"))
    [t7] = [r for r in consultation.rows(recipient="U0ESCAP2") if r.offset == "T-7d"]
    assert (t7.timezone, t7.send_at, t7.status) == (NEW_YORK, FRIDAY_BEFORE, ReminderStatus.PENDING)


def test_a_claim_leases_rows_and_another_sender_gets_them_only_once_the_lease_has_run_out(consultation, clock):
    open_the_round(consultation)
    clock.move_to(FRIDAY_BEFORE)
    first = claim(consultation, "replica-a", FRIDAY_BEFORE)
    assert len(first) == 4
    assert {(r.status, r.lease_owner, r.lease_until, r.attempts) for r in first} == {
        (ReminderStatus.SENDING, "replica-a", FRIDAY_BEFORE + LEASE, 1)}
    assert claim(consultation, "replica-b", FRIDAY_BEFORE + timedelta(seconds=60)) == []
    assert claim(consultation, "replica-b", FRIDAY_BEFORE + LEASE) == []  # still leased at that very instant
    later = FRIDAY_BEFORE + LEASE + timedelta(seconds=1)
    second = claim(consultation, "replica-b", later)
    assert {r.id for r in second} == {r.id for r in first}
    assert {(r.lease_owner, r.attempts) for r in second} == {("replica-b", 2)}
    with consultation.session() as s:  # replica-a comes back from its pause: its confirmation is refused
        assert not store.mark_sent(s, first[0].id, "replica-a", "U0WMO1", "1.0", later)
        assert not store.renew(s, first[0].id, "replica-a", later + LEASE)
        assert store.mark_sent(s, first[0].id, "replica-b", "U0WMO1", "2.0", later)


def test_a_claim_takes_one_row_per_recipient_and_none_for_busy_ones(consultation, clock):
    open_the_round(consultation)
    monday = utc(11, 30, 2)  # T-7d for all five are due (Bangkok's since 01:00 UTC)
    with consultation.session() as s:
        rows = store.claim(s, "sender", monday, 10, LEASE, busy=frozenset({"U0UNDP"}))
    assert sorted(r.recipient for r in rows) == ["U0ESCAP", "U0UNEP", "U0WMO1", "U0WMO2"]


def _due_rows(engine, count: int, at: datetime) -> None:
    with session_scope(engine) as s:
        store.insert_new(s, [store.Wanted(
            key=f"load:{i}", kind=DEADLINE, offset="T-0", recipient=f"U{i:05d}", timezone=GENEVA, due_at=at,
            send_at=at, stale_at=None) for i in range(count)])


def _postgresql_only(engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one sender per database file (bot/scheduler/instance_lock.py)")


def test_two_open_transactions_claiming_at_once_never_take_the_same_row(private_engine):
    _postgresql_only(private_engine)
    at = utc(12, 1, 9)
    _due_rows(private_engine, 20, at)
    with Session(private_engine) as a, Session(private_engine) as b:
        taken_by_a = {r.id for r in store.claim(a, "replica-a", at, 2, LEASE)}  # a's transaction stays open
        taken_by_b = {r.id for r in store.claim(b, "replica-b", at, 2, LEASE)}
        assert len(taken_by_a) == len(taken_by_b) == 2 and not taken_by_a & taken_by_b
        b.commit()
        a.commit()


def test_two_senders_in_threads_claim_every_row_exactly_once(private_engine):
    _postgresql_only(private_engine)
    at = utc(12, 1, 9)
    _due_rows(private_engine, 200, at)
    start = threading.Barrier(2)
    taken: dict[str, list[int]] = {"replica-a": [], "replica-b": []}

    def sender(owner: str) -> None:
        start.wait(timeout=10)
        while True:
            with session_scope(private_engine) as s:
                rows = store.claim(s, owner, at, 5, LEASE)
                taken[owner] += [r.id for r in rows]
            if not rows:
                return

    threads = [threading.Thread(target=sender, args=(owner,)) for owner in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    a, b = set(taken["replica-a"]), set(taken["replica-b"])
    assert len(taken["replica-a"]) == len(a) and len(taken["replica-b"]) == len(b)
    assert a and b and not a & b
    with session_scope(private_engine) as s:
        all_ids = set(s.exec(select(Reminder.id)).all())
        assert a | b == all_ids and len(all_ids) == 200
        owners = {r.id: r.lease_owner for r in s.exec(select(Reminder)).all()}
    assert all(owners[i] == "replica-a" for i in a) and all(owners[i] == "replica-b" for i in b)


def test_weekly_occurrences_generated_by_two_replicas_at_once_exist_once(consultation):
    with consultation.session() as s:
        rec = set_weekly(s, find_person(s, SECRETARIAT), consultation.handle, "mon,thu", "09:00", now=NOW)
    start = threading.Barrier(2)
    added: list[int] = []
    errors: list[BaseException] = []

    def replica() -> None:
        try:
            with session_scope(consultation.engine) as s:
                start.wait(timeout=10)
                added.append(recurring.generate(s, NOW, horizon=timedelta(days=14)))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=replica) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    # Monday 2 November 09:00 CET (08:00 UTC) is before NOW; then Thursday 5, Monday 9, Thursday 12, Monday 16.
    rows = consultation.rows(kind="process.weekly_status")
    assert [r.key for r in rows] == [f"process:{rec.process_id}:weekly-status:{stamp}" for stamp in (
        "20261105T0800", "20261109T0800", "20261112T0800", "20261116T0800")]
    assert sum(added) == 4  # one replica wrote them, the other found them there
    with consultation.session() as s:  # a later pass adds only what is new
        assert recurring.generate(s, NOW + timedelta(days=1), horizon=timedelta(days=14)) == 0
        assert recurring.generate(s, NOW + timedelta(days=3), horizon=timedelta(days=14)) == 1  # Thursday 19th


def test_remind_me_tomorrow_clicked_twice_makes_one_row(consultation, clock):
    open_the_round(consultation)
    [row] = consultation.rows(key=consultation.key("T-7d", "WMO", "U0WMO1"))
    friday = FRIDAY_BEFORE + timedelta(minutes=5)
    clock.move_to(friday)
    with consultation.session() as s:
        person = find_person(s, "U0WMO1")
        first = snooze(s, person, row.id, now=friday)
        second = snooze(s, person, row.id, now=friday + timedelta(seconds=2))
        with pytest.raises(NotAllowed):
            snooze(s, find_person(s, "U0WMO2"), row.id, now=friday)
    monday_09h = utc(11, 30, 8)  # "tomorrow" is Saturday: 09:00 on the next working day in Geneva
    assert (first.at, first.created) == (monday_09h, True)
    assert (second.at, second.created) == (monday_09h, False)
    snoozed = [r for r in consultation.rows() if ":snooze:" in r.key]
    assert [(r.key, r.send_at, r.stale_at, r.recipient) for r in snoozed] == [
        (f"{row.key}:snooze:20261130T0800", monday_09h, DEADLINE_AT, "U0WMO1")]
    with consultation.session() as s:  # a replan keeps it: its deadline is still chased
        save_profile(s, Profile(slack_user_id="U0FAO2", timezone=ROME))
        grant(s, SECRETARIAT, "U0FAO2", Role.FOCAL_POINT, get_process(s, consultation.handle), get_entity(s, "FAO"))
    assert consultation.rows(key=snoozed[0].key)[0].status == ReminderStatus.PENDING


def test_remind_me_tomorrow_is_refused_when_tomorrow_is_past_the_deadline(consultation, clock):
    open_the_round(consultation)
    [row] = consultation.rows(key=consultation.key("T-0", "WMO", "U0WMO1"))
    clock.move_to(utc(12, 4, 8, 5))
    with consultation.session() as s, pytest.raises(Invalid) as refused:
        snooze(s, find_person(s, "U0WMO1"), row.id, now=utc(12, 4, 8, 5))
    assert refused.value.key == "errors.snooze_after_deadline"


def test_mute_and_unmute(consultation):
    with consultation.session() as s:
        process = get_process(s, consultation.handle)
        person = find_person(s, "U0UNDP")
        assert not is_muted(s, process.id, "U0UNDP")
        mute(s, person, consultation.handle)
        assert is_muted(s, process.id, "U0UNDP") and not is_muted(s, process.id, "U0UNEP")
        with pytest.raises(Conflict):
            mute(s, person, consultation.handle)
    with consultation.session() as s:
        unmute(s, find_person(s, "U0UNDP"), consultation.handle)
        assert not is_muted(s, get_process(s, consultation.handle).id, "U0UNDP")
        with pytest.raises(NotFound):
            unmute(s, find_person(s, "U0UNDP"), consultation.handle)


def test_when_slack_tells_a_new_time_zone_the_persons_reminders_move_to_their_new_mornings(consultation):
    open_the_round(consultation)
    key = consultation.key("T-2d", "UNDP", "U0UNDP")
    # Wednesday 2 December 17:00 Geneva = 11:00 in New York: sent as it falls.
    assert consultation.by_key()[key].send_at == utc(12, 2, 16)
    with consultation.session() as s:  # the UNDP focal point moved to Bangkok: 23:00 there
        save_profile(s, Profile(slack_user_id="U0UNDP", timezone=BANGKOK))
    moved = consultation.by_key()[key]
    assert (moved.timezone, moved.send_at) == (BANGKOK, utc(12, 3, 1))  # Thursday 08:00 in Bangkok
    assert moved.status == ReminderStatus.PENDING
