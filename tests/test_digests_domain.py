"""Digests as the domain sees them, on SQLite and PostgreSQL, with the clock set by time-machine.

The world (`build_world`, also used by the scenario tests with "now" the real time): a Geneva
consultation on the sustainability framework whose first round (all five members) is closed with
dispositions, whose second round (UNEP, WMO, WFP; version 2) is open with WMO late and WFP given
more time; a meeting held with RSVPs and one upcoming; a mandate extended; two action items, one
overdue and one done; a digest recorded a week ago.
"""

from __future__ import annotations

import io
import itertools
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import time_machine
from docx import Document as WordDocument
from sqlmodel import Session, select

from bot.digests.blocks import summary
from bot.digests.files import digest_file
from bot.digests.service import Since, compose, generate, record, require_reader
from bot.entities.service import get_entity
from bot.errors import NotAllowed
from bot.inputs.service import InputDraft, nil_return, respond, submit_input
from bot.outcomes.service import OutcomeRequest, mark_done, record_outcome
from bot.people.service import Profile, find_person, save_profile
from bot.processes.service import NewProcess, create_process, get_process
from bot.roles.service import grant
from bot.rounds.service import OpenRound, close_round, open_round, reopen_for
from bot.seed import seed
from bot.slack.blocks import MESSAGE_BLOCKS, SECTION_TEXT
from storage.db import session_scope
from storage.models import (ActionItem, Attendance, DigestKind, DigestLog, Document, DocumentVersion, Meeting,
                            MeetingInvitee, MeetingKind, Role, Round, Rsvp, Section)

GENEVA = "Europe/Zurich"
MEMBERS = ["UNEP", "UNDP", "WMO", "UNIDO", "WFP"]
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
SCRIPT = "<script>alert('x')</script> & <!channel> please define *hazard*"
_n = itertools.count(1)


@dataclass
class World:
    engine: object
    handle: str
    now: datetime
    secretariat: str
    focal: dict[str, str]
    observer: str
    round_ids: list[int]
    last_digest_at: datetime

    def session(self):
        return session_scope(self.engine)


def _at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def _version(s: Session, document: Document, number: int) -> DocumentVersion:
    version = DocumentVersion(document_id=document.id, number=number, source_name=f"framework-v{number}.md",
                              source_sha256=f"{number}" * 64, imported_by="U0SEC")
    s.add(version)
    s.flush()
    for position, (section, heading) in enumerate([("1", "Purpose"), ("3.2", "Scope of application")]):
        s.add(Section(version_id=version.id, position=position, number=section, heading=heading, text="…",
                      identity=f"{document.id}-{position}"))
    s.flush()
    return version


def _meeting(s: Session, process_id: int, start: datetime, invited: list[str], answers: dict[str, Attendance],
             title: str) -> Meeting:
    meeting = Meeting(process_id=process_id, title=title, kind=MeetingKind.OTHER, start=start,
                      end=start + timedelta(hours=2), timezone=GENEVA, place="Palais des Nations",
                      uid=f"digest-test-{uuid.uuid4().hex}@consultbot", created_by="U0SEC")
    s.add(meeting)
    s.flush()
    for code in invited:
        s.add(MeetingInvitee(meeting_id=meeting.id, entity_id=get_entity(s, code).id))
    for code, attendance in answers.items():
        s.add(Rsvp(meeting_id=meeting.id, entity_id=get_entity(s, code).id, attendance=attendance, by="U0X"))
    s.flush()
    return meeting


def _local_day(moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(GENEVA)).date()


def build_world(engine, now: datetime, secretariat: str | None = None, channel_id: str = "C0DIGEST") -> World:
    """Everything happens at times relative to `now` (see the module docstring)."""
    n = next(_n)
    day = timedelta(days=1)
    secretariat = secretariat or f"U0DSEC{n}"
    focal = {code: f"U0D{code}{n}" for code in MEMBERS}
    observer = f"U0DOBS{n}"
    with _at(now - 60 * day), session_scope(engine) as s:
        seed(s)
        save_profile(s, Profile(slack_user_id=secretariat, timezone=GENEVA))
        grant(s, "tests", secretariat, Role.SECRETARIAT, if_missing=True)
        process = create_process(s, find_person(s, secretariat), NewProcess(
            handle=f"digest-{n}", kind="consultation", title="Consultation on the sustainability framework",
            timezone=GENEVA, channel_id=channel_id, mandate_end=_local_day(now + 100 * day), members=MEMBERS))
        for code, user in focal.items():
            grant(s, secretariat, user, Role.FOCAL_POINT, process, get_entity(s, code))
        grant(s, secretariat, observer, Role.OBSERVER, process)
        document = Document(process_id=process.id, slug="framework", title="Sustainability framework")
        s.add(document)
        s.flush()
        v1, v2 = _version(s, document, 1).id, _version(s, document, 2).id
        handle, process_id = process.handle, process.id

    def person(s, user):
        return find_person(s, user)

    with _at(now - 55 * day), session_scope(engine) as s:
        r1 = open_round(s, person(s, secretariat), OpenRound(
            process=handle, version_id=v1, deadline_date=_local_day(now - 35 * day), timezone=GENEVA))
        r1_id = r1.id
    with _at(now - 40 * day), session_scope(engine) as s:
        r1 = s.get(Round, r1_id)
        u1 = submit_input(s, person(s, focal["UNEP"]), r1, InputDraft(entity="UNEP", section="1", kind="editorial",
                                                                      comment="Say 'purpose' once.")).input.id
        u2 = submit_input(s, person(s, focal["UNEP"]), r1, InputDraft(entity="UNEP", section="3.2",
                                                                      kind="substantive",
                                                                      comment="Include chemicals.")).input.id
    with _at(now - 39 * day), session_scope(engine) as s:
        nil_return(s, person(s, focal["UNDP"]), s.get(Round, r1_id), "UNDP")
    with _at(now - 38 * day), session_scope(engine) as s:
        submit_input(s, person(s, focal["WMO"]), s.get(Round, r1_id), InputDraft(entity="WMO", comment="Well done."))
    with _at(now - 20 * day), session_scope(engine) as s:
        held = _meeting(s, process_id, now - 9 * day, ["UNEP", "WMO", "WFP"],
                        {"UNEP": Attendance.ATTENDING, "WMO": Attendance.NOT_ATTENDING}, "Retreat on the framework")
        held_id = held.id
    with _at(now - 16 * day), session_scope(engine) as s:
        respond(s, person(s, secretariat), u1, "accepted", "Done.")
        respond(s, person(s, secretariat), u2, "not_accepted", "Out of scope.")
    with _at(now - 15 * day), session_scope(engine) as s:
        close_round(s, person(s, secretariat), s.get(Round, r1_id))
    with _at(now - 13 * day), session_scope(engine) as s:
        r2_id = open_round(s, person(s, secretariat), OpenRound(
            process=handle, version_id=v2, deadline_date=_local_day(now - 5 * day), timezone=GENEVA,
            entities=["UNEP", "WMO", "WFP"])).id
    with _at(now - 8 * day), session_scope(engine) as s:
        sec = person(s, secretariat)
        record_outcome(s, sec, held_id, OutcomeRequest(kind="mandate_extended", text="For the second phase.",
                                                       mandate_end=_local_day(now + 200 * day)))
        record_outcome(s, sec, held_id, OutcomeRequest(kind="action_item", text="Circulate the case studies",
                                                       owner="UNEP", due=_local_day(now - 2 * day)))
        record_outcome(s, sec, held_id, OutcomeRequest(kind="action_item", text="Share the WMO glossary",
                                                       owner="WMO", due=_local_day(now - 5 * day)))
    with _at(now - 7 * day), session_scope(engine) as s:
        record(s, get_process(s, handle), now - 14 * day, DigestKind.MANUAL, secretariat)
    with _at(now - 6 * day), session_scope(engine) as s:
        u3 = submit_input(s, person(s, focal["UNEP"]), s.get(Round, r2_id),
                          InputDraft(entity="UNEP", section="3.2", kind="substantive", comment=SCRIPT)).input.id
    with _at(now - 5 * day + timedelta(hours=1)), session_scope(engine) as s:
        respond(s, person(s, secretariat), u3, "noted", "Thanks.")
    with _at(now - 4 * day), session_scope(engine) as s:
        reopen_for(s, person(s, secretariat), s.get(Round, r2_id), ["WFP"], OpenRound(
            process=handle, deadline_date=_local_day(now + 10 * day), deadline_time=time(17, 0), timezone=GENEVA))
        item = s.exec(select(ActionItem).where(ActionItem.process_id == process_id,
                                               ActionItem.text == "Share the WMO glossary")).one()
        mark_done(s, person(s, focal["WMO"]), item.id)
    with _at(now - 3 * day), session_scope(engine) as s:
        _meeting(s, process_id, now + 8 * day, ["UNEP", "WMO", "UNDP"],
                 {"UNEP": Attendance.TENTATIVE, "UNDP": Attendance.ATTENDING}, "Second retreat")
    return World(engine, handle, now, secretariat, focal, observer, [r1_id, r2_id], now - 7 * day)


@pytest.fixture
def world(offline_engine) -> World:
    return build_world(offline_engine, NOW)


def test_compose_reads_the_whole_process_field_by_field(world):
    with world.session() as s:
        d = compose(s, world.handle, NOW - timedelta(days=60), NOW)
    assert (d.handle, d.title, d.kind, d.status, d.timezone) == (
        world.handle, "Consultation on the sustainability framework", "consultation", "active", GENEVA)
    assert d.mandate_end == date(2027, 6, 13) and d.days_left == 200  # extended at the retreat
    assert (d.since, d.since_source, d.now) == (NOW - timedelta(days=60), Since.GIVEN, NOW)

    r1, r2 = d.rounds
    assert (r1.number, r1.document_title, r1.version_number, r1.status) == (1, "Sustainability framework", 1,
                                                                          "closed")
    assert r1.closed_at == NOW - timedelta(days=15)
    assert (r1.asked, r1.submitted, r1.nil, r1.late, r1.pending) == (5, ["UNEP", "WMO"], ["UNDP"],
                                                                     ["UNIDO", "WFP"], [])
    assert [(s.number, s.heading, s.inputs, s.unanswered) for s in r1.sections] == [
        ("1", "Purpose", 1, 0), ("3.2", "Scope of application", 1, 0), ("", "", 1, 1)]
    assert r1.sections[0].dispositions["accepted"] == 1 and r1.sections[1].dispositions["not_accepted"] == 1
    assert r1.dispositions == {"accepted": 1, "partially_accepted": 0, "not_accepted": 1, "noted": 0}
    assert (r1.inputs, r1.unanswered, r1.answered) == (3, 1, 3)

    assert (r2.number, r2.version_number, r2.status, r2.asked) == (2, 2, "open", 3)
    assert (r2.submitted, r2.nil, r2.late, r2.pending) == (["UNEP"], [], ["WMO"], ["WFP"])  # WFP has more time
    assert r2.dispositions["noted"] == 1 and r2.unanswered == 0
    assert r2.deadline.astimezone(ZoneInfo(GENEVA)).time() == time(17, 0)

    [held] = d.meetings_held
    assert (held.title, held.start) == ("Retreat on the framework", NOW - timedelta(days=9))
    assert (held.counts.attending, held.counts.not_attending, held.counts.no_answer) == (1, 1, 1)
    [upcoming] = d.meetings_upcoming
    assert upcoming.title == "Second retreat" and d.upcoming_total == 1
    assert (upcoming.counts.attending, upcoming.counts.tentative, upcoming.counts.no_answer) == (1, 1, 1)

    assert [(x.kind, x.owner) for x in d.decisions] == [
        ("mandate_extended", None), ("action_item", "UNEP"), ("action_item", "WMO")]
    assert d.decisions[0].mandate_end == date(2027, 6, 13)
    [item] = d.open_actions
    assert (item.text, item.owner, item.due, item.overdue) == ("Circulate the case studies", "UNEP",
                                                               date(2026, 11, 23), True)

    c = d.changes
    assert (c.rounds_opened, c.rounds_closed) == ([1, 2], [1])
    assert c.inputs == [(1, "UNEP", 2), (1, "WMO", 1), (2, "UNEP", 1)] and c.nil_returns == [(1, "UNDP")]
    assert (c.responses, c.decisions, c.meetings_held, c.meetings_scheduled) == (3, 3, 1, 2)
    assert [a.text for a in c.items_done] == ["Share the WMO glossary"]


def test_since_the_last_digest_shows_only_what_changed_after_it(world):
    with world.session() as s:
        d = compose(s, world.handle, now=NOW)
    assert (d.since, d.since_source) == (world.last_digest_at, Since.LAST_DIGEST)
    assert [r.number for r in d.rounds] == [2]  # round 1 closed before the last digest
    c = d.changes
    assert (c.rounds_opened, c.rounds_closed, c.nil_returns) == ([], [], [])
    assert c.inputs == [(2, "UNEP", 1)]
    assert (c.responses, c.decisions, c.meetings_held, c.meetings_scheduled) == (1, 0, 0, 1)
    assert [a.owner for a in c.items_done] == ["WMO"]
    assert d.meetings_held == [] and d.decisions == []
    assert [a.owner for a in d.open_actions] == ["UNEP"]  # open items are state, not changes


def test_without_any_digest_the_changes_start_seven_days_ago(offline_engine):
    world = build_world(offline_engine, NOW)
    with world.session() as s:
        for row in s.exec(select(DigestLog).where(DigestLog.process_id == get_process(s, world.handle).id)).all():
            s.delete(row)
    with world.session() as s:
        d = compose(s, world.handle, now=NOW)
    assert (d.since, d.since_source) == (NOW - timedelta(days=7), Since.DEFAULT)


def test_generate_logs_each_digest_and_a_person_gets_the_changes_since_their_own_or_the_weekly(world):
    with _at(NOW), world.session() as s:
        first = generate(s, find_person(s, world.focal["UNEP"]), world.handle, DigestKind.MANUAL)
    assert first.since_source == Since.DEFAULT  # the secretariat's digest of a week ago is not UNEP's
    later = NOW + timedelta(hours=2)
    with _at(later), world.session() as s:
        again = generate(s, find_person(s, world.focal["UNEP"]), world.handle, DigestKind.MANUAL)
        cli = generate(s, None, world.handle, DigestKind.CLI)
    assert (again.since, again.since_source) == (NOW, Since.LAST_DIGEST)
    assert cli.since == NOW  # the CLI: since any digest
    with world.session() as s:
        rows = s.exec(select(DigestLog).where(DigestLog.process_id == get_process(s, world.handle).id)
                      .order_by(DigestLog.id)).all()
    assert [(r.kind, r.generated_by) for r in rows][-3:] == [
        ("manual", world.focal["UNEP"]), ("manual", world.focal["UNEP"]), ("cli", "cli")]


def test_only_members_and_the_secretariat_may_read_a_digest(world):
    with world.session() as s:
        process = get_process(s, world.handle)
        for user in (world.secretariat, world.focal["WFP"], world.observer):
            require_reader(s, find_person(s, user), process)
        save_profile(s, Profile(slack_user_id="U0DOUTSIDER", timezone=GENEVA))
        with pytest.raises(NotAllowed) as refused:
            require_reader(s, find_person(s, "U0DOUTSIDER"), process)
    assert refused.value.key == "digests.errors.not_member"


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)

    def handle_data(self, data) -> None:
        self.text.append(data)


def _digest(world, **kwargs):
    with world.session() as s:
        return compose(s, world.handle, NOW - timedelta(days=60), NOW, **kwargs)


def test_markdown_lists_every_part_with_user_text_escaped(world):
    data, name = digest_file(_digest(world), "md")
    text = data.decode("utf-8")
    assert name == f"{world.handle}-digest-2026-11-25.md"
    assert text.startswith("# Consultation on the sustainability framework — digest\n")
    for heading in ("## Mandate", "## What changed", "## Comment rounds", "### Round 1: Sustainability framework, "
                    "version 1", "## Meetings held", "## Upcoming meetings", "## Decisions recorded",
                    "## Open action items"):
        assert heading in text
    assert "Mandate ends 2027-06-13 (200 days left)." in text
    assert "Generated 2026-11-25 10:00 Europe/Zurich (CET)" in text  # the process's zone, named
    assert "| 3.2 Scope of application | 1 | 0 | 0 | 1 | 0 | 0 |" in text
    assert "| Total | 3 | 1 | 0 | 1 | 0 | 1 |" in text
    assert "- Late (no answer, deadline passed): UNIDO, WFP" in text
    assert "| 2026-11-23 (overdue) |" in text
    assert "<script>" not in text and "<!channel>" not in text  # the input's text is not in the digest itself
    assert "Round 2: UNEP submitted 1 input(s)." in text


def test_each_format_reads_back_and_a_persons_text_stays_text(world):
    with world.session() as s:  # the text of an action item is a person's text that the digest shows
        item = s.exec(select(ActionItem).where(ActionItem.text == "Circulate the case studies",
                                               ActionItem.process_id == get_process(s, world.handle).id)).one()
        item.text = SCRIPT
        s.add(item)
    d = _digest(world)

    html, name = digest_file(d, "html")
    assert name.endswith(".html")
    page = html.decode("utf-8")
    assert "<script>" not in page and "<!channel>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;!channel&gt;" in page
    parser = _Text()
    parser.feed(page)
    assert "script" not in parser.tags and {"h1", "h2", "table", "ul"} <= set(parser.tags)
    assert any(SCRIPT in chunk for chunk in parser.text)  # shown as the text typed

    md = digest_file(d, "md")[0].decode("utf-8")
    assert "&lt;script&gt;" in md and "&lt;!channel&gt;" in md and "<script>" not in md

    docx, _ = digest_file(d, "docx")
    doc = WordDocument(io.BytesIO(docx))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading") or p.style.name == "Title"]
    assert headings[0] == "Consultation on the sustainability framework — digest"
    assert "Open action items" in headings and "Round 2: Sustainability framework, version 2" in headings
    cells = [[c.text for c in row.cells] for table in doc.tables for row in table.rows]
    assert [f"{item.id}. {SCRIPT}", "UNEP", "2026-11-23 (overdue)"] in cells  # Word shows it as typed
    assert ["Retreat on the framework (Palais des Nations)", "2026-11-16 10:00 Europe/Zurich (CET)",
            "1", "0", "1", "1"] in cells
    assert doc.core_properties.title == "Consultation on the sustainability framework — digest"


def test_the_slack_summary_stays_within_block_kit_limits_with_user_text_escaped(world):
    with world.session() as s:
        item = s.exec(select(ActionItem).where(ActionItem.text == "Circulate the case studies",
                                               ActionItem.process_id == get_process(s, world.handle).id)).one()
        item.text = SCRIPT
        s.add(item)
    d = _digest(world)
    text, blocks = summary(d, None, "The full digest is attached.")
    assert len(blocks) <= MESSAGE_BLOCKS
    assert all(len(b["text"]["text"]) <= SECTION_TEXT for b in blocks if b["type"] == "section")
    flat = str(blocks)
    assert "<script>" not in flat and "<!channel>" not in flat and "&lt;!channel&gt;" in flat
    assert f"<!date^{int(d.rounds[1].deadline.timestamp())}^" in flat
    assert "*Round 2*" in flat and "Late: WMO. Pending: WFP." in flat
    assert blocks[-1]["type"] == "context" and "attached" in blocks[-1]["elements"][0]["text"]
    assert world.handle in text


def test_a_big_process_still_fits_in_one_message(world):
    with world.session() as s:  # fifty more open action items
        item = s.exec(select(ActionItem).where(ActionItem.process_id == get_process(s, world.handle).id)).first()
        for i in range(50):
            s.add(ActionItem(decision_id=item.decision_id, process_id=item.process_id,
                             owner_entity_id=item.owner_entity_id, text=f"Item {i} " + "x" * 400, due=date(2027, 1, 1)))
    _, blocks = summary(_digest(world), None, "note")
    assert len(blocks) <= MESSAGE_BLOCKS
    assert all(len(b["text"]["text"]) <= SECTION_TEXT for b in blocks if b["type"] == "section")
    assert "more in the attached digest" in str(blocks)

