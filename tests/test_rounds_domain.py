"""Rounds and inputs as the domain sees them, on SQLite and PostgreSQL; time is a parameter."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlmodel import select

from bot.errors import Conflict, Invalid, NotAllowed
from bot.entities.service import get_entity
from bot.inputs.service import InputDraft, edit_input, history, nil_return, respond, submit_input, withdraw_input
from bot.people.service import ensure_person
from bot.processes.service import NewProcess, create_process
from bot.roles.service import grant, sync_secretariat
from bot.rounds.service import OpenRound, close_round, extend_round, open_round, recipients, reopen_for
from bot.rounds.status import Answer, board
from bot.seed import seed
from storage.models import AuditEntry, Document, DocumentVersion, Input, NilReturn, Role, Section

_n = itertools.count(1)
MEMBERS = ["UNEP", "UNDP", "WMO", "UNIDO", "WFP", "UNCTAD", "UNESCO", "ILO", "UNOPS", "CBD", "FAO", "WHO"]
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)



@pytest.fixture
def engine(offline_engine):
    """This module sets the clock by hand (rounds opened in November 2026): its reminder rows live
    where no running bot would send them."""
    return offline_engine

@pytest.fixture
def world(session):
    """A consultation with twelve member entities, a two-section draft, a focal point per entity."""
    seed(session)
    n = next(_n)
    secretariat_id = f"U0RSEC{n}"
    sync_secretariat(session, [secretariat_id])
    secretariat = ensure_person(session, secretariat_id)
    process = create_process(session, secretariat, NewProcess(
        handle=f"guidance-{n}", kind="consultation", title="Interim guidance", timezone="Europe/Zurich",
        members=MEMBERS))
    document = Document(process_id=process.id, slug="interim-guidance", title="Interim guidance")
    session.add(document)
    session.flush()
    version = DocumentVersion(document_id=document.id, number=1, source_name="draft.md", source_sha256="0" * 64,
                              imported_by=secretariat_id)
    session.add(version)
    session.flush()
    for position, (number, heading) in enumerate([("1", "Purpose"), ("3.2", "Scope of application")]):
        session.add(Section(version_id=version.id, position=position, number=number, heading=heading,
                            text="…", identity=f"s{position}"))
    focal = {}
    for code in MEMBERS:
        user = f"U0{code}{n}"
        grant(session, secretariat_id, user, Role.FOCAL_POINT, process, get_entity(session, code))
        focal[code] = ensure_person(session, user)
    session.flush()
    return {"secretariat": secretariat, "process": process, "version": version, "focal": focal}


def _open(session, world, **overrides):
    request = OpenRound(process=world["process"].handle, deadline_date=date(2026, 12, 4),
                        deadline_time=time(17, 0), **overrides)
    return open_round(session, world["secretariat"], request, now=NOW)


def test_a_round_asks_every_member_by_default_with_the_deadline_in_utc(session, world):
    round_ = _open(session, world)
    assert round_.number == 1 and round_.deadline == datetime(2026, 12, 4, 16, 0, tzinfo=timezone.utc)
    assert len(recipients(session, round_)) == 12
    assert board(session, round_, NOW).count(Answer.PENDING) == 12


@pytest.mark.parametrize(("day", "at", "zone", "key"), [
    (date(2026, 3, 29), time(2, 30), "Europe/Zurich", "errors.time_nonexistent"),
    (date(2026, 10, 25), time(2, 30), "Europe/Zurich", "errors.time_ambiguous"),
    (date(2026, 11, 1), time(1, 30), "America/New_York", "errors.time_ambiguous"),
    (date(2026, 12, 4), time(17, 0), "Europe/Geneva", "errors.timezone_unknown"),
    (date(2026, 11, 1), time(17, 0), "Europe/Zurich", "errors.deadline_past"),
])
def test_bad_deadlines_are_refused_with_the_reason(session, world, day, at, zone, key):
    with pytest.raises(Invalid) as refused:
        open_round(session, world["secretariat"], OpenRound(
            process=world["process"].handle, deadline_date=day, deadline_time=at, timezone=zone),
            now=datetime(2026, 3, 1, tzinfo=timezone.utc) if key != "errors.deadline_past" else NOW)
    assert refused.value.key == key


def test_only_the_secretariat_or_a_chair_opens_a_round(session, world):
    with pytest.raises(NotAllowed):
        open_round(session, world["focal"]["UNEP"], OpenRound(process=world["process"].handle,
                                                             deadline_date=date(2026, 12, 4)), now=NOW)


def test_inputs_nil_returns_late_and_the_status_board(session, world):
    round_ = _open(session, world)
    focal = world["focal"]
    submit_input(session, focal["UNIDO"], round_, InputDraft(entity="UNIDO", section="3.2", kind="substantive",
                 comment="Scope should cover implementing partners.", proposed_text="…and partners."), now=NOW)
    submit_input(session, focal["UNIDO"], round_, InputDraft(entity="UNIDO", comment="General remark."), now=NOW)
    nil_return(session, focal["WMO"], round_, "WMO", now=NOW)
    after_deadline = round_.deadline + timedelta(hours=3)
    late = submit_input(session, focal["WFP"], round_, InputDraft(entity="WFP", section="1", kind="editorial",
                        comment="Typo in para 1."), now=after_deadline)
    assert late.input.late and late.input.ref == "R1-WFP-1"
    status = {e.code: e for e in board(session, round_, after_deadline).entities}
    assert (status["UNIDO"].answer, status["UNIDO"].inputs) == (Answer.SUBMITTED, 2)
    assert status["WMO"].answer == Answer.NIL
    assert status["WFP"].late_inputs == 1
    assert status["UNEP"].answer == Answer.LATE
    assert board(session, round_, NOW).count(Answer.PENDING) == 9  # UNIDO, WMO and WFP answered


def test_a_nil_return_is_undone_by_an_input_and_refused_while_inputs_exist(session, world):
    round_ = _open(session, world)
    ilo = world["focal"]["ILO"]
    nil_return(session, ilo, round_, "ILO", now=NOW)
    with pytest.raises(Conflict):
        nil_return(session, ilo, round_, "ILO", now=NOW)
    submit_input(session, ilo, round_, InputDraft(entity="ILO", comment="On reflection, one point."), now=NOW)
    assert session.exec(select(NilReturn).where(NilReturn.round_id == round_.id)).one().withdrawn_at == NOW
    with pytest.raises(Conflict) as refused:
        nil_return(session, ilo, round_, "ILO", now=NOW)
    assert refused.value.key == "errors.nil_with_inputs"


def test_edits_and_withdrawals_keep_every_revision_and_stop_at_the_deadline(session, world):
    round_ = _open(session, world)
    unep = world["focal"]["UNEP"]
    saved = submit_input(session, unep, round_, InputDraft(entity="UNEP", comment="First wording."), now=NOW)
    edit_input(session, unep, saved.input.id, InputDraft(entity="UNEP", section="3.2", comment="Second wording."),
               now=NOW + timedelta(days=1))
    withdraw_input(session, unep, saved.input.id, now=NOW + timedelta(days=2))
    item, revisions = history(session, unep, saved.input.id)
    assert [r.comment for r in revisions] == ["First wording.", "Second wording.", "Second wording."]
    assert [r.status for r in revisions] == ["active", "active", "withdrawn"]
    assert session.exec(select(AuditEntry).where(AuditEntry.subject_type == "inputs",
                                                 AuditEntry.subject_id == str(item.id))).all()
    late = submit_input(session, unep, round_, InputDraft(entity="UNEP", comment="x"), now=round_.deadline
                        + timedelta(minutes=1))
    with pytest.raises(Conflict):
        edit_input(session, unep, late.input.id, InputDraft(entity="UNEP", comment="y"),
                   now=round_.deadline + timedelta(minutes=2))


def test_another_entitys_input_is_read_only(session, world):
    round_ = _open(session, world)
    saved = submit_input(session, world["focal"]["UNDP"], round_, InputDraft(entity="UNDP", comment="Ours."), now=NOW)
    with pytest.raises(NotAllowed):
        edit_input(session, world["focal"]["WHO"], saved.input.id, InputDraft(entity="UNDP", comment="Theirs."),
                   now=NOW)
    with pytest.raises(NotAllowed):
        submit_input(session, world["focal"]["WHO"], round_, InputDraft(entity="UNDP", comment="As UNDP."), now=NOW)


def test_a_round_that_refuses_late_inputs_names_whom_to_ask(session, world):
    round_ = _open(session, world, refuse_late=True)
    with pytest.raises(Conflict) as refused:
        submit_input(session, world["focal"]["CBD"], round_, InputDraft(entity="CBD", comment="Late."),
                     now=round_.deadline + timedelta(hours=1))
    assert refused.value.key == "errors.round_refuses_late"
    assert world["secretariat"].slack_user_id in refused.value.params["ask"]


def test_extend_close_and_reopen_for_named_entities(session, world):
    round_ = _open(session, world)
    sec = world["secretariat"]
    extend_round(session, sec, round_, OpenRound(process="", deadline_date=date(2026, 12, 11)), now=NOW)
    assert round_.deadline.date() == date(2026, 12, 11)
    with pytest.raises(Invalid):
        extend_round(session, sec, round_, OpenRound(process="", deadline_date=date(2026, 12, 5)), now=NOW)
    close_round(session, sec, round_, now=NOW + timedelta(days=3))
    with pytest.raises(Conflict):
        submit_input(session, world["focal"]["FAO"], round_, InputDraft(entity="FAO", comment="x"),
                     now=NOW + timedelta(days=4))
    reopen_for(session, sec, round_, ["FAO"], OpenRound(process="", deadline_date=date(2026, 12, 18)),
               now=NOW + timedelta(days=4))
    saved = submit_input(session, world["focal"]["FAO"], round_, InputDraft(entity="FAO", comment="Thanks."),
                         now=NOW + timedelta(days=5))
    assert not saved.input.late
    with pytest.raises(Conflict):
        submit_input(session, world["focal"]["WHO"], round_, InputDraft(entity="WHO", comment="x"),
                     now=NOW + timedelta(days=5))


def test_responses_are_the_secretariats_and_can_be_revised(session, world):
    round_ = _open(session, world)
    saved = submit_input(session, world["focal"]["UNCTAD"], round_, InputDraft(entity="UNCTAD", comment="c"), now=NOW)
    with pytest.raises(NotAllowed):
        respond(session, world["focal"]["UNCTAD"], saved.input.id, "accepted", "")
    respond(session, world["secretariat"], saved.input.id, "partially_accepted", "Merged with UNEP's.")
    response = respond(session, world["secretariat"], saved.input.ref, "accepted", "Taken in full.", round_)
    assert (response.disposition, response.text) == ("accepted", "Taken in full.")
    with pytest.raises(Invalid):
        respond(session, world["secretariat"], saved.input.id, "maybe", "")


def test_an_unknown_section_is_refused(session, world):
    round_ = _open(session, world)
    with pytest.raises(Invalid) as refused:
        submit_input(session, world["focal"]["UNESCO"], round_, InputDraft(entity="UNESCO", section="9.9",
                     comment="x"), now=NOW)
    assert refused.value.field == "section"
    assert session.exec(select(Input).where(Input.round_id == round_.id)).all() == []
