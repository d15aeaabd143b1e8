"""Peer reviews as the domain sees them, on SQLite and PostgreSQL; time is a parameter. The topics as data, the
attachments accepted, a review opened and refused, the topics chosen, evidence drafted and submitted whole or not at
all, the chase decided at send time, recommendations only after the meeting."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.entities.service import get_entity
from bot.errors import Conflict, Invalid, NotAllowed
from bot.peer_review.reminder_plan import REMINDER, open_with_reminders, submit_with_reminders
from bot.peer_review.service import NewReview, choose_topics, parse_evidence, recommend, save_draft, view
from bot.peer_review.topics import TopicsError, link_allowed, parse, topics
from bot.people.service import ensure_person
from bot.processes.service import get_process
from bot.reminders.delivery import KINDS
from bot.reminders.outcomes import Message, Skip
from bot.roles.service import grant, sync_secretariat
from storage.db import session_scope
from storage.models import PeerReview, Reminder, ReminderStatus, ResponseStatus, Role
from storage.types import utcnow

NOW = utcnow().replace(microsecond=0)  # granting a role replans at the clock's time: the review is ahead of it
DEADLINE = NOW + timedelta(days=60)
SECRETARIAT, UNIDO_FP, WMO_FP = "U0PSEC", "U0PUNIDO", "U0PWMO"
HOSTS = topics().link_hosts


@pytest.fixture
def engine(private_engine):
    return private_engine


def _open(s, **changes):
    sync_secretariat(s, [SECRETARIAT])
    request = NewReview(handle="pr-unido-2014", entity="UNIDO", year=2014, deadline=DEADLINE,
                        timezone="Europe/Vienna", body=["WMO", "UNEP", "WFP"], experts=["U0EXPERT"])
    return open_with_reminders(s, ensure_person(s, SECRETARIAT), request.model_copy(update=changes), NOW)


def test_the_topics_ship_as_data_and_a_bad_file_is_named():
    data = topics()
    assert data.required == ("emissions", "air_travel") and data.choose == 2
    assert data.optional == ("waste", "ict", "green_meetings", "water", "awareness")
    assert data.covered(["water", "waste"]) == ["emissions", "air_travel", "waste", "water"]
    with pytest.raises(TopicsError, match="choose must be a whole number"):
        parse({"required": ["a"], "optional": ["b"], "choose": 3, "questions": {}}, Path("x.yaml"))
    with pytest.raises(TopicsError, match="questions must list the questions of every topic"):
        parse({"required": ["a"], "optional": ["b"], "choose": 1, "questions": {"a": []}}, Path("x.yaml"))


@pytest.mark.parametrize("url, accepted", [
    ("https://www.unido.org/greening/inventory.pdf", True),
    ("https://unido.org/x", True),
    ("https://emg.slack.com/files/U1/F1/report.docx", True),
    ("https://emg.slack.com/archives/C1/p1", False),  # a message, not a file
    ("http://www.unido.org/x", False),  # not https
    ("https://user:secret@www.unido.org/x", False),  # credentials
    ("https://unido.org.example.com/x", False),  # a look-alike host
    ("https://files.example.com/inventory.pdf", False),
    ("https://www.unido.org:notaport/x", False),
    ("javascript:alert(1)", False),
])
def test_attachments_are_slack_files_or_pages_of_the_listed_sites(url, accepted):
    assert link_allowed(url, HOSTS) is accepted


def test_evidence_is_checked_topic_by_topic_and_a_submission_needs_each_first_answer():
    covered = topics().covered(["waste", "ict"])
    clean, errors = parse_evidence(topics(), covered, {
        "emissions": {"inventory": "  4,213 tCO2e  ", "attachments": "https://unido.org/a\nhttps://unido.org/a"},
        "water": {"practice": "not chosen"}, "waste": {"practice": "x" * 3000, "nonsense": "y"}})
    assert clean == {"emissions": {"inventory": "4,213 tCO2e", "attachments": ["https://unido.org/a"]}}
    assert [(e.key, e.field) for e in errors] == [("peer_review.errors.topic_not_covered", "water"),
                                                  ("errors.field_too_long", "waste.practice"),
                                                  ("peer_review.errors.bad_answers", "waste.nonsense")]
    _, errors = parse_evidence(topics(), covered, clean, complete=True)
    assert [e.field for e in errors] == ["air_travel.policy", "waste.practice", "ict.practice"]


def test_a_review_opened_chased_answered_and_recommended(engine):
    with session_scope(engine) as s:
        review = _open(s)
        process = get_process(s, "pr-unido-2014")
        assert process.kind == "peer_review" and process.title == "UNIDO 2014"
        grant(s, SECRETARIAT, UNIDO_FP, Role.FOCAL_POINT, process, get_entity(s, "UNIDO"))
        grant(s, SECRETARIAT, WMO_FP, Role.FOCAL_POINT, process, get_entity(s, "WMO"))
        review_id = review.id
    with session_scope(engine) as s:
        secretariat = ensure_person(s, SECRETARIAT)
        for changes, key in [({"year": 2014}, "peer_review.errors.exists"), ({"year": 1900}, "peer_review.errors.year"),
                             ({"year": 2013, "body": ["UNIDO"]}, "peer_review.errors.no_body"),
                             ({"year": 2013, "deadline": NOW - timedelta(days=1)}, "peer_review.errors.deadline_past"),
                             ({"year": 2013, "experts": ["not a user"]}, "peer_review.errors.expert")]:
            with pytest.raises((Invalid, Conflict)) as refused:
                _open(s, handle="pr-other", **changes)
            assert refused.value.key == key
        with pytest.raises(NotAllowed):
            open_with_reminders(s, ensure_person(s, UNIDO_FP), NewReview(
                handle="pr-x", entity="UNIDO", year=2020, deadline=DEADLINE, timezone="UTC", body=["WMO"]), NOW)
        assert s.exec(select(PeerReview)).all() == [s.get(PeerReview, review_id)]  # nothing half-saved
        pending = s.exec(select(Reminder).where(Reminder.kind == REMINDER, Reminder.status == ReminderStatus.PENDING)
                         ).all()
        assert {r.recipient for r in pending} == {UNIDO_FP} and len(pending) == 3
        row = pending[0]
        message = KINDS[REMINDER](s, row, row.send_at)
        assert isinstance(message, Message) and "needs its topics chosen" in message.text

        review, focal, wmo = s.get(PeerReview, review_id), ensure_person(s, UNIDO_FP), ensure_person(s, WMO_FP)
        with pytest.raises(Conflict, match="topics_first"):
            save_draft(s, focal, review, {}, NOW)
        with pytest.raises(NotAllowed):
            choose_topics(s, wmo, review, ["waste", "ict"], NOW)
        choose_topics(s, focal, review, ["ict", "waste"], NOW)
        assert review.topics == ["ict", "waste"]
        with pytest.raises(NotAllowed):
            save_draft(s, wmo, review, {"emissions": {"inventory": "x"}}, NOW)
        with pytest.raises(Invalid, match="link"):
            save_draft(s, focal, review, {"emissions": {"inventory": "x", "attachments": "https://evil.example/x"}},
                       NOW)
        assert review.draft is None and review.status == ResponseStatus.PENDING
        save_draft(s, focal, review, {"emissions": {"inventory": "4,213 tCO2e"}}, NOW)
        with pytest.raises(Invalid, match="answer_needed"):
            submit_with_reminders(s, focal, review, NOW)
        firsts = {t: {topics().questions[t][0].id: "Done."} for t in topics().covered(review.topics)}
        save_draft(s, focal, review, firsts, NOW)
        submit_with_reminders(s, focal, review, NOW)
        assert review.status == ResponseStatus.SUBMITTED and review.draft is None
        assert isinstance(KINDS[REMINDER](s, row, row.send_at), Skip)  # a row still in flight says nothing
        with pytest.raises(Conflict, match="evidence_submitted"):
            submit_with_reminders(s, focal, review, NOW)

        with pytest.raises(Conflict, match="no_meeting"):
            recommend(s, secretariat, review, "Sub-meter the VIC", (NOW + timedelta(days=90)).date(), now=NOW)
        shown = view(s, review)
        assert (shown.chosen, shown.body, shown.adoption, shown.recommendations) == (True, ["UNEP", "WFP", "WMO"],
                                                                                    None, [])
