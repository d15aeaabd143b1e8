"""Scenario: the seed's peer review of UNIDO, through signed requests to a running bot and the Slack double, on
SQLite and PostgreSQL. The secretariat opens the review of UNIDO for 2014 with a peer review body of other entities
(18 attended its first meeting in Geneva, hosted by WMO, co-chaired by UNEP and WFP) and an expert group; UNIDO's
focal point is chased for evidence, chooses its two topics (waste and green meetings) besides building and facility
emissions and air travel, and sends its evidence per topic through the paged form (drafts, field errors with nothing
saved, a double submission acting once). The draft report goes to a comment round of the review body, its meeting
is held, the report is adopted with a *document approved* decision in the existing outcomes modal, and the
secretariat records recommendations (action items owned by UNIDO, reminded). A year later the review of UNIDO for
2015 shows the 2014 recommendations and where they stand, and the year's summary for the senior officials is read
as a reader reads it: the DOCX printed to PDF by LibreOffice and read back with pdftotext."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

from docx import Document as WordDocument
from docx.oxml.ns import qn
from sqlmodel import Session, select

from bot.documents.service import import_version
from bot.entities.service import get_entity
from bot.outcomes.service import OutcomeRequest, record_outcome
from bot.peer_review.service import NewReview, open_review, recommend
from bot.people.service import find_person
from bot.processes.service import get_process
from bot.roles.service import grant
from storage.db import session_scope
from storage.models import (ActionItem, AuditEntry, Document, DocumentVersion, Meeting, MeetingInvitee, MeetingKind,
                            PeerReview, Process, Reminder, ReminderStatus, ResponseStatus, Role, Round)
from storage.types import utcnow
from tests.bot_process import consultbot
from tests.conftest import SECRETARIAT
from tests.slack_double_limits import view_errors
from tests.slack_requests import state
from tests.test_hlcm_annex_pdf import needs_office, pdf_text, to_pdf

BODY = ["WMO", "UNEP", "WFP", "UNDP", "UNOG", "UNOV", "ILO", "ITU", "WHO", "UNHCR", "UNICEF", "FAO", "IAEA",
        "UNFCCC", "UNCCD", "CBD", "ICAO"]  # with UNIDO: the 18 entities of the first meeting
EVIDENCE = {
    "emissions": {"inventory": "Vienna International Centre share: 4,213 tCO2e in 2012, scopes 1 and 2.",
                  "measures": "Building management system upgrade; LED lighting; district heating contract.",
                  "attachments": "https://www.unido.org/greening/inventory-2012.pdf\n"
                                 "https://emg.slack.com/files/U0UNIDO/F0INVENTORY/inventory.xlsx"},
    "air_travel": {"policy": "Economy class under nine hours; videoconference first.",
                   "measures": "Travel approval checks the need to fly; carbon offsets through the UN system."},
    "waste": {"practice": "VIC waste separation in six streams; 61 % recycled in 2012."},
    "green_meetings": {"practice": "Paperless meetings since 2011; the UNEP green meeting guide applied.",
                       "attachments": "https://www.unemg.org/green-meeting-guide"},
}


def _text(call) -> str:
    return json.dumps(call.params, ensure_ascii=False)


def _ask(sender, slack, user: str, command: str) -> str:
    """`/consult COMMAND` typed by `user`, and the bot's ephemeral answer."""
    before = len(slack.calls_to("response_url"))
    sender.command(user, command)
    return _text(slack.wait_for("response_url", count=before + 1)[-1])


def _told(slack, user: str) -> str:
    """The last DM to `user` (what a modal's submission answers)."""
    return _text(slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == user)[-1])


def _opened(slack, callback: str) -> dict:
    return slack.wait_for("views.open", lambda c: c.params["view"]["callback_id"] == callback)[-1].params["view"]


def _open_values(deadline: date, body: list[str], experts: list[str], focal: list[str]) -> dict:
    return {"deadline_date": state("datepicker", deadline.isoformat()),
            "deadline_time": {"type": "timepicker", "selected_time": "17:00"},
            "timezone": state("plain_text_input", "Europe/Vienna"),
            "review_body": state("multi_static_select", body), "review_experts": state("multi_users_select", experts),
            "review_focal": state("multi_users_select", focal)}


def _page_values(view: dict, answers: dict) -> dict:
    values = {}
    for block in view["blocks"]:
        if block.get("type") == "input":
            _, topic, question = block["block_id"].split(":")
            values[block["block_id"]] = state("plain_text_input", (answers.get(topic) or {}).get(question))
    return values


def _review(engine, handle: str) -> PeerReview:
    with Session(engine) as s:
        return s.exec(select(PeerReview).where(PeerReview.process_id == get_process(s, handle).id)).one()


def _open_review(sender, slack, handle: str, year: int, experts: list[str]) -> None:
    slack.reset()
    sender.command(SECRETARIAT, f"review open {handle} UNIDO {year}")
    view = _opened(slack, "review.open")
    assert sender.submit_view(SECRETARIAT, view, _open_values(date.today() + timedelta(days=30), BODY, experts, [])) \
        .content == b""
    told = _told(slack, SECRETARIAT)
    assert f"The peer review of *UNIDO* ({year}) is open as {handle}" in told
    assert f"UNIDO has no focal point in {handle} yet" in told  # none named: the secretariat is told whom to add


def test_a_peer_review_of_unido_from_topics_to_adopted_report_and_recommendations(sender, slack, engine, bot,
                                                                                    bot_env, tmp_path):
    tag = uuid.uuid4().hex[:6]
    handle, later = f"pr-unido-{tag}", f"pr-unido2-{tag}"
    focal, wmo_focal = f"U{tag.upper()}UNIDO", f"U{tag.upper()}WMO"
    experts = [f"U{tag.upper()}EXP1", f"U{tag.upper()}EXP2"]
    for user in (focal, wmo_focal, *experts):
        slack.add_user(user, f"{user} focal point", tz="Europe/Vienna")

    # only the secretariat opens a review
    assert "*secretariat* role" in _ask(sender, slack, focal, f"review open {handle} UNIDO 2014")

    # the open modal: the body must be named, the deadline ahead; nothing is created until it holds
    slack.reset()
    sender.command(SECRETARIAT, f"review open {handle} UNIDO 2014")
    view = _opened(slack, "review.open")
    assert view_errors(view) == []
    body = next(b for b in view["blocks"] if b.get("block_id") == "review_body")
    body_options = [o["value"] for o in body["element"]["options"]]
    assert "UNIDO" not in body_options and "WMO" in body_options
    values = _open_values(date.today() + timedelta(days=30), BODY, experts, [focal])
    past = sender.submit_view(SECRETARIAT, view, {**values, "deadline_date": state("datepicker", "2014-01-10")})
    assert "must be in the future" in past.json()["errors"]["deadline_date"]
    empty = sender.submit_view(SECRETARIAT, view, {**values, "review_body": state("multi_static_select", [])})
    assert "peer review body" in empty.json()["errors"]["review_body"]
    with Session(engine) as s:
        assert s.exec(select(Process).where(Process.handle == handle)).first() is None  # nothing half-saved
    view_id = f"V{tag}OPEN"
    assert sender.submit_view(SECRETARIAT, view, values, view_id=view_id).content == b""
    assert "The peer review of *UNIDO* (2014) is open as " + handle in _told(slack, SECRETARIAT)
    asked = _told(slack, focal)  # the focal point named in the modal holds the role and is asked
    assert "Every review covers Building and facility emissions, Air travel; choose 2 more" in asked
    assert "waste (Waste management)" in asked and '"review.evidence"' in asked
    sender.submit_view(SECRETARIAT, view, values, view_id=view_id)  # Slack's retry: opened once
    review = _review(engine, handle)
    assert (review.year, review.experts, review.status) == (2014, experts, ResponseStatus.PENDING)
    with session_scope(engine) as s:
        unido, wmo = get_entity(s, "UNIDO"), get_entity(s, "WMO")
        process = get_process(s, handle)
        assert process.kind == "peer_review"
        assert grant(s, SECRETARIAT, focal, Role.FOCAL_POINT, process, unido, if_missing=True) is None
        grant(s, SECRETARIAT, wmo_focal, Role.FOCAL_POINT, process, wmo)

    # UNIDO's focal point is chased for the evidence (T-7d, T-2d, T-0 before the deadline)
    with Session(engine) as s:
        chased = s.exec(select(Reminder).where(Reminder.kind == "peer_review.evidence",
                                               Reminder.subject_id == review.id,
                                               Reminder.status == ReminderStatus.PENDING)).all()
        assert sorted(r.offset for r in chased) == ["T-0", "T-2d", "T-7d"] and {r.recipient for r in chased} == {focal}

    # the topics first: two of the optional ones, no more, no fewer, none unknown
    assert "Choose the review's topics first" in _ask(sender, slack, focal, f"review evidence {handle}")
    assert "catering is not a topic to choose" in _ask(sender, slack, focal, f"review topics {handle} waste catering")
    assert "Choose 2 topics" in _ask(sender, slack, focal, f"review topics {handle} waste")
    assert "Only a focal point of UNIDO" in _ask(sender, slack, wmo_focal, f"review topics {handle} waste water")
    chosen = _ask(sender, slack, focal, f"review topics {handle} waste green_meetings")
    assert "Building and facility emissions, Air travel, Waste management, Green meetings" in chosen

    # only the entity reviewed sends evidence
    assert "Only a focal point of UNIDO" in _ask(sender, slack, wmo_focal, f"review evidence {handle}")

    # the form: a page per topic, each saved as a draft; a bad attachment stays in the form, nothing saved
    slack.reset()
    sender.click(focal, "review.evidence", handle)  # the button of the DM
    page = _opened(slack, "review.page")
    assert view_errors(page) == [] and "topic 1 of 4" in _text(slack.calls_to("views.open")[-1])
    bad = sender.submit_view(focal, page, _page_values(page, {"emissions": {
        **EVIDENCE["emissions"], "attachments": "http://files.example.com/inventory.pdf"}}))
    assert "is not an attachment the bot accepts" in bad.json()["errors"]["review:emissions:attachments"]
    assert _review(engine, handle).draft is None
    view_id = f"V{tag}PAGE"
    while True:
        answer = sender.submit_view(focal, page, _page_values(page, EVIDENCE), view_id=view_id)
        body = answer.json() if answer.content else {}
        if body.get("response_action") != "update":
            break
        assert view_errors(body["view"]) == []
        page = body["view"]
        if json.loads(page["private_metadata"])["page"] == 2:
            assert _review(engine, handle).draft["emissions"]["attachments"] == [
                "https://www.unido.org/greening/inventory-2012.pdf",
                "https://emg.slack.com/files/U0UNIDO/F0INVENTORY/inventory.xlsx"]
    assert json.loads(page["private_metadata"])["page"] == 4
    assert "The evidence of *UNIDO* for its peer review (2014, " + handle + ") is submitted" in _told(slack, focal)
    said = len(slack.calls_to("chat.postMessage"))
    assert sender.submit_view(focal, page, _page_values(page, EVIDENCE), view_id=view_id).content == b""  # again
    slack.wait_until_quiet()
    assert len(slack.calls_to("chat.postMessage")) == said  # Slack's retry: acted on once, nothing said twice
    review = _review(engine, handle)
    assert review.status == ResponseStatus.SUBMITTED and review.evidence == {
        "emissions": {**EVIDENCE["emissions"], "attachments": [
            "https://www.unido.org/greening/inventory-2012.pdf",
            "https://emg.slack.com/files/U0UNIDO/F0INVENTORY/inventory.xlsx"]},
        "air_travel": EVIDENCE["air_travel"], "waste": EVIDENCE["waste"],
        "green_meetings": {"practice": EVIDENCE["green_meetings"]["practice"],
                           "attachments": [EVIDENCE["green_meetings"]["attachments"]]}}
    with Session(engine) as s:
        assert len(s.exec(select(AuditEntry).where(AuditEntry.action == "peer_review.evidence_submitted",
                                                   AuditEntry.subject_id == str(review.id))).all()) == 1
        assert s.exec(select(Reminder).where(Reminder.kind == "peer_review.evidence", Reminder.subject_id == review.id,
                                             Reminder.status == ReminderStatus.PENDING)).all() == []
    assert "has submitted its evidence" in _ask(sender, slack, focal, f"review topics {handle} water ict")

    # the draft report (imported from the command line), its comment round for the review body (the round modal),
    # and the body's meeting in Geneva, held yesterday (written as a row: a meeting scheduled in Slack is ahead)
    report = tmp_path / "unido-peer-review.md"
    report.write_text("# Peer review of UNIDO\n\n## 1. Emissions\n\nThe inventory is complete.\n", encoding="utf-8")
    consultbot("doc", "import", handle, str(report), "--title", "Draft peer review report of UNIDO", env=bot_env)
    with Session(engine) as s:
        version_id = s.exec(select(DocumentVersion.id).join(Document, DocumentVersion.document_id == Document.id)
                            .where(Document.process_id == get_process(s, handle).id)).one()
    slack.reset()
    sender.command(SECRETARIAT, f"round open {handle}")
    round_view = _opened(slack, "round.open")
    assert sender.submit_view(SECRETARIAT, round_view, {
        "version": state("static_select", str(version_id)),
        "deadline_date": state("datepicker", (date.today() + timedelta(days=10)).isoformat()),
        "deadline_time": {"type": "timepicker", "selected_time": "17:00"},
        "timezone": state("plain_text_input", "Europe/Zurich"), "entities": state("multi_static_select", BODY),
        "instructions": state("plain_text_input", "Comments of the peer review body on the draft report")}).content \
        == b""
    invited = _told(slack, wmo_focal)  # the review body's focal points are asked for their comments
    assert "Draft peer review report of UNIDO" in invited
    now = utcnow()
    with session_scope(engine) as s:
        round_ = s.exec(select(Round).where(Round.process_id == get_process(s, handle).id)).one()
        assert round_.version_id == version_id
        meeting = Meeting(process_id=get_process(s, handle).id, title="First meeting of the peer review body",
                          kind=MeetingKind.PEER_REVIEW, start=now - timedelta(days=1, hours=8),
                          end=now - timedelta(days=1), timezone="Europe/Zurich", place="WMO, Geneva",
                          uid=f"peer-review-{tag}@consultbot", created_by=SECRETARIAT)
        s.add(meeting)
        s.flush()
        for code in ["UNIDO", *BODY]:
            s.add(MeetingInvitee(meeting_id=meeting.id, entity_id=get_entity(s, code).id))
        meeting_id = meeting.id

    shown = _ask(sender, slack, SECRETARIAT, f"review status {handle}")
    assert "Draft report: *Draft peer review report of UNIDO*, version 1" in shown
    assert "Meeting: *First meeting of the peer review body*" in shown and "Not adopted yet" in shown
    assert "Evidence: submitted" in shown and "WMO" in shown and f"<@{experts[0]}>" in shown

    # adoption: a "document approved" decision recorded at the meeting, in the existing outcomes modal
    slack.reset()
    sender.click(SECRETARIAT, "outcomes.open", str(meeting_id))
    outcomes = slack.wait_for("views.open")[0].params["view"]
    assert sender.submit_view(SECRETARIAT, outcomes, {
        "outcome_minutes": state("plain_text_input", "The body discussed the report of UNIDO and adopted it."),
        "outcome_kind": state("static_select", "document_approved"), "version": state("static_select", str(version_id)),
        "outcome_owner": {"type": "static_select", "selected_option": None},
        "mandate_end": {"type": "datepicker", "selected_date": None},
        "outcome_due": {"type": "datepicker", "selected_date": None},
        "outcome_text": state("plain_text_input", None)}).content == b""

    # recommendations: the secretariat only, after the meeting; owned by UNIDO unless another member is named
    due1, due2 = date.today() + timedelta(days=200), date.today() + timedelta(days=365)
    assert "*secretariat* role" in _ask(sender, slack, focal, f"review recommend {handle} {due1} Sub-meter the VIC")
    assert "the due date, then the recommendation" in _ask(sender, slack, SECRETARIAT,
                                                          f"review recommend {handle} tomorrow Sub-meter the VIC")
    told = _ask(sender, slack, SECRETARIAT,
                f"review recommend {handle} {due1} Install sub-metering of energy in the VIC buildings")
    assert "owner UNIDO, due " + due1.isoformat() in told
    assert "Install sub-metering of energy in the VIC buildings" in _told(slack, focal)  # UNIDO is told at once
    told = _ask(sender, slack, SECRETARIAT,
                f"review recommend {handle} {due2} owner=UNIDO Adopt a travel emissions target")
    assert "owner UNIDO, due " + due2.isoformat() in told
    with Session(engine) as s:
        items = s.exec(select(ActionItem).where(ActionItem.process_id == get_process(s, handle).id)
                       .order_by(ActionItem.id)).all()
        assert [(i.text, i.due) for i in items] == [("Install sub-metering of energy in the VIC buildings", due1),
                                                   ("Adopt a travel emissions target", due2)]
        assert s.exec(select(Reminder).where(Reminder.kind == "action.due", Reminder.subject_id == items[0].id)).all()
    first_item = items[0].id
    assert "done" in _ask(sender, slack, focal, f"action done {first_item}")  # the existing flow, by UNIDO

    shown = _ask(sender, slack, wmo_focal, f"review status {handle}")
    assert "Adopted: *Draft peer review report of UNIDO*, version 1" in shown
    assert "*Recommendations* (2)" in shown
    assert f"#{first_item} Install sub-metering of energy in the VIC buildings · UNIDO · due {due1} · done" in shown

    # one review of an entity a year; a handle is the process's
    refused = _ask(sender, slack, SECRETARIAT, f"review open {later} UNIDO 2014")
    assert "UNIDO already has a peer review for 2014" in refused
    refused = _ask(sender, slack, SECRETARIAT, f"review open {handle} UNIDO 2015")
    assert f"`{handle}` is already used by another process" in refused

    # a year later: the review of UNIDO for 2015 sees the 2014 recommendations and where they stand
    _open_review(sender, slack, later, 2015, experts[:1])
    shown = _ask(sender, slack, SECRETARIAT, f"review status {later}")
    assert f"*Earlier review, 2014* ({handle}): Adopted: *Draft peer review report of UNIDO*" in shown
    assert f"Install sub-metering of energy in the VIC buildings · UNIDO · due {due1} · done" in shown
    assert f"Adopt a travel emissions target · UNIDO · due {due2} · open" in shown
    assert "Topics still to choose: 2 of waste, ict, green_meetings, water, awareness" in shown

    # the year's summary from Slack: a DOCX in the secretariat's DM
    slack.reset()
    sender.command(SECRETARIAT, "review summary 2015")
    slack.wait_for("files.completeUploadExternal")
    upload = slack.uploads_to("D" + SECRETARIAT)[-1]
    assert upload["filename"] == "peer-reviews-2015-en.docx" and upload["bytes"][:2] == b"PK"
    assert "*secretariat* role" in _ask(sender, slack, focal, "review summary 2015")


@needs_office
def test_the_years_summary_read_as_the_senior_officials_read_it(bot, bot_env, engine, sender, slack, tmp_path):
    """The 2014 reviews of WMO (adopted, one recommendation) and UNEP (still at the evidence) through the CLI, in
    English and in Arabic, printed to PDF by LibreOffice and read back."""
    tag = uuid.uuid4().hex[:6]
    with session_scope(engine) as s:
        secretariat = find_person(s, SECRETARIAT)
        now = utcnow()
        deadline = now + timedelta(days=20)
        wmo = open_review(s, secretariat, NewReview(handle=f"pr-wmo-{tag}", entity="WMO", year=2014,
                                                    deadline=deadline, timezone="Europe/Zurich", body=BODY[1:]))
        open_review(s, secretariat, NewReview(handle=f"pr-unep-{tag}", entity="UNEP", year=2014, deadline=deadline,
                                              timezone="Europe/Zurich", body=["WMO", "WFP"]))
        version = import_version(s, secretariat, f"pr-wmo-{tag}", "wmo.md",
                                 b"# Peer review of WMO\n\n## 1. Emissions\n\nText.\n",
                                 title="Peer review report of WMO").version
        meeting = Meeting(process_id=wmo.process_id, title="Peer review body", kind=MeetingKind.PEER_REVIEW,
                          start=now - timedelta(days=2), end=now - timedelta(days=1), timezone="Europe/Zurich",
                          uid=f"peer-review-wmo-{tag}@consultbot", created_by=SECRETARIAT)
        s.add(meeting)
        s.flush()
        record_outcome(s, secretariat, meeting.id, OutcomeRequest(kind="document_approved", version_id=version.id))
        recommend(s, secretariat, wmo, "Publish the greenhouse gas inventory of the Geneva headquarters",
                  date.today() + timedelta(days=90))

    out = tmp_path / "peer-reviews-2014.docx"
    written = consultbot("peer-review", "summary", "--year", "2014", "--lang", "en", "-o", str(out), env=bot_env)
    assert "the peer reviews of 2014" in written.stdout
    text = " ".join(pdf_text(to_pdf(out, tmp_path)).split())
    assert "Peer reviews of environmental profiles, 2014" in text
    assert "WMO: World Meteorological Organization (2014)" in text
    assert "Report adopted: Peer review report of WMO, version 1" in text
    due = (date.today() + timedelta(days=90)).isoformat()
    assert "Publish the greenhouse gas inventory of the Geneva" in text and f"WMO {due} open" in text
    assert "UNEP: United Nations Environment Programme (2014)" in text and "No evidence submitted." in text
    assert "Topics: Building and facility emissions, Air travel" in text

    arabic = tmp_path / "peer-reviews-2014-ar.docx"
    consultbot("peer-review", "summary", "--year", "2014", "--lang", "ar", "-o", str(arabic), env=bot_env)
    text = pdf_text(to_pdf(arabic, tmp_path))  # poppler gives lam-alef back as alef-lam: words without one
    assert "استعراضات" in text and "البيئية" in text and "WMO" in text
    assert all(p._p.pPr is not None and p._p.pPr.find(qn("w:bidi")) is not None
               for p in WordDocument(str(arabic)).paragraphs)  # right to left

    bad = consultbot("peer-review", "summary", "--year", "14", "-o", str(tmp_path / "x.docx"), env=bot_env, check=False)
    assert bad.returncode == 1 and "The year must be a number" in bad.stderr and not (tmp_path / "x.docx").exists()
