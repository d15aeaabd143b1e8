"""Scenario: `/consult digest` through signed requests to the running bot and the Slack double, on SQLite
and PostgreSQL, and `consultbot digest` as a subprocess. The world is tests/test_digests_domain.py's,
with "now" the real time: a closed round with dispositions, an open one with WMO late, a meeting held
and one upcoming, decisions, an overdue and a done action item, a digest a week ago."""

from __future__ import annotations

import io
import itertools
import json
import re
import time
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from docx import Document as WordDocument
from sqlmodel import Session, select

from bot.processes.service import get_process
from storage.models import DigestLog, Recurrence, Reminder, ReminderStatus
from storage.types import utcnow
from tests.bot_process import consultbot
from tests.conftest import SECRETARIAT
from tests.test_digests_domain import SCRIPT, build_world

_channels = itertools.count(1)


def _text(call) -> str:
    return json.dumps(call.params, ensure_ascii=False)


@pytest.fixture
def world(bot, engine, slack):
    channel = f"C0DIG{next(_channels):03d}{id(engine) % 1000:03d}"
    world = build_world(engine, utcnow(), secretariat=SECRETARIAT, channel_id=channel)
    world.channel = channel
    slack.add_user(world.focal["UNEP"], "UNEP focal point", tz="Africa/Nairobi")
    return world


def _answer(slack, predicate=None):
    return slack.wait_for("response_url", predicate, timeout=10)[0]



def _logged(engine, handle: str) -> list[DigestLog]:
    with Session(engine) as s:
        return list(s.exec(select(DigestLog).where(DigestLog.process_id == get_process(s, handle).id)
                           .order_by(DigestLog.id)).all())


def _logged_after(engine, handle: str, count: int, timeout: float = 10) -> list[DigestLog]:
    """The digests logged, once there are `count` (the bot logs one after delivering it)."""
    deadline = time.monotonic() + timeout
    while True:
        rows = _logged(engine, handle)
        if len(rows) >= count or time.monotonic() > deadline:
            assert len(rows) >= count, rows
            return rows
        time.sleep(0.1)


def test_a_member_gets_the_summary_and_the_full_document_in_a_direct_message(sender, slack, world, engine):
    unep = world.focal["UNEP"]
    before = len(_logged(engine, world.handle))
    sender.command(unep, f"digest {world.handle}")
    answer = _answer(slack)
    assert answer.params["response_type"] == "ephemeral"
    blocks = answer.params["blocks"]
    text = _text(answer)
    assert blocks[0]["text"]["text"] == f"Digest — {world.handle}"
    assert len(blocks) <= 50 and all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    assert "*Round 2*" in text and "Late: WMO. Pending: WFP." in text and "<!date^" in text
    assert "Circulate the case studies" in text and "(overdue)" in text
    name = f"{world.handle}-digest-"
    assert f"The full digest is in your direct messages with me: {name}" in text

    [upload] = [u for u in slack.uploads_to(f"D{unep}") if u["filename"].startswith(name)]
    assert upload["filename"].endswith(".docx")
    doc = WordDocument(io.BytesIO(upload["bytes"]))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading") or p.style.name == "Title"]
    assert headings[0] == "Consultation on the sustainability framework — digest"
    assert "Round 2: Sustainability framework, version 2" in headings
    row = _logged_after(engine, world.handle, before + 1)[-1]
    assert (row.kind, row.generated_by) == ("manual", unep)
    # UNEP never had a digest and no weekly one was posted: the last 7 days, not the secretariat's digest
    assert "the last 7 days" in "\n".join(p.text for p in doc.paragraphs)


def test_a_digest_slack_could_not_deliver_is_not_logged(sender, slack, world, engine):
    before = len(_logged(engine, world.handle))
    slack.fail_next("files.getUploadURLExternal", status=200, error="not_allowed_token_type")
    sender.command(SECRETARIAT, f"digest {world.handle}")
    assert "went wrong" in _text(_answer(slack)).lower()
    sender.command(SECRETARIAT, f"digest {world.handle}")  # the next one is delivered, and logged
    slack.wait_for("response_url", count=2, timeout=10)
    assert len(_logged_after(engine, world.handle, before + 1)) == before + 1


def test_since_a_date_covers_the_changes_from_the_start_of_that_day(sender, slack, world, engine):
    day = (utcnow() - timedelta(days=60)).date().isoformat()
    before = len(_logged(engine, world.handle))
    sender.command(SECRETARIAT, f"digest {world.handle} --since {day}")
    text = _text(_answer(slack))
    assert "Round 1 opened." in text and "Round 1 closed." in text and "*Round 1*" in text
    assert _logged_after(engine, world.handle, before + 1)[-1].since < utcnow() - timedelta(days=59)


def test_in_the_process_channel_the_process_may_be_left_out(sender, slack, world):
    sender.command(SECRETARIAT, "digest", channel=world.channel)
    assert f"Digest — {world.handle}" in _text(_answer(slack))


def test_bad_input_and_outsiders_get_a_clear_answer_and_nothing_is_sent(sender, slack, world, engine, new_user):
    before = len(_logged(engine, world.handle))
    cases = [
        (SECRETARIAT, "digest no-such-process", "I don't know the process `no-such-process`"),
        (SECRETARIAT, f"digest {world.handle} --since 2026-13-45", "is not a date"),
        (SECRETARIAT, f"digest {world.handle} --since yesterday", "“yesterday” is not a date"),
        (SECRETARIAT, f"digest {world.handle} --since 2999-01-01", "is in the future"),
        (SECRETARIAT, f"digest {world.handle} extra words", "Usage: `/consult digest"),
        (SECRETARIAT, "digest", "This channel is not a process's channel"),
        (new_user("Outsider"), f"digest {world.handle}", f"Only the members of `{world.handle}`"),
    ]
    for i, (user, command, expected) in enumerate(cases, start=1):
        sender.command(user, command, channel="C0NOPROCESS")
        answers = slack.wait_for("response_url", count=i, timeout=10)
        assert expected in _text(answers[-1]), (command, _text(answers[-1]))
    assert slack.calls_to("files.completeUploadExternal") == []
    assert len(_logged(engine, world.handle)) == before


def test_the_secretariat_sets_and_stops_the_weekly_digest(sender, slack, world, engine):
    sender.command(world.focal["UNEP"], f"digest {world.handle} weekly mon 09:00")
    assert "secretariat" in _text(_answer(slack))
    sender.command(SECRETARIAT, f"digest {world.handle} weekly someday 09:00")
    assert "is not a list of days" in _text(slack.wait_for("response_url", count=2)[1])

    sender.command(SECRETARIAT, f"digest {world.handle} weekly mon 09:00")
    assert (f"Every Monday at 09:00 (Europe/Zurich), `{world.handle}`'s channel gets a digest"
            in _text(slack.wait_for("response_url", count=3)[2]))
    with Session(engine) as s:
        process = get_process(s, world.handle)
        rec = s.exec(select(Recurrence).where(Recurrence.process_id == process.id,
                                              Recurrence.kind == "process.weekly_digest")).one()
    assert (rec.active, rec.recipient, rec.day_of_week, rec.hour, rec.minute) == (True, world.channel, "mon", 9, 0)

    sender.command(SECRETARIAT, f"digest {world.handle} weekly off")
    assert "weekly digest of" in _text(slack.wait_for("response_url", count=4)[3])
    with Session(engine) as s:
        rec = s.get(Recurrence, rec.id)
        pending = s.exec(select(Reminder).where(Reminder.subject_id == rec.id, Reminder.kind == rec.kind,
                                                Reminder.status == ReminderStatus.PENDING)).all()
    assert rec.active is False and pending == []
    sender.command(SECRETARIAT, f"digest {world.handle} weekly off")
    assert "no weekly digest to switch off" in _text(slack.wait_for("response_url", count=5)[4])


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.data: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)

    def handle_data(self, data) -> None:
        self.data.append(data)


def test_the_cli_writes_each_format(bot_env, world, engine, tmp_path):
    from storage.db import session_scope
    from storage.models import ActionItem

    with session_scope(engine) as s:  # a person's text in the digest: an action item's
        item = s.exec(select(ActionItem).where(ActionItem.text == "Circulate the case studies",
                                               ActionItem.process_id == get_process(s, world.handle).id)).one()
        item.text = SCRIPT
        s.add(item)
    outputs = {}
    for fmt in ("md", "docx", "html"):
        out = tmp_path / f"digest.{fmt}"
        result = consultbot("digest", world.handle, "--format", fmt, "--out", str(out), env=bot_env)
        assert re.search(rf"digest\.{fmt}: \d+ bytes, digest of {world.handle}", result.stdout), result.stdout
        outputs[fmt] = out.read_bytes()
    md = outputs["md"].decode("utf-8")
    assert md.startswith("# Consultation on the sustainability framework — digest")
    assert "&lt;script&gt;" in md and "<script>" not in md
    page = outputs["html"].decode("utf-8")
    parser = _Tags()
    parser.feed(page)
    assert "script" not in parser.tags and any(SCRIPT in d for d in parser.data)
    doc = WordDocument(io.BytesIO(outputs["docx"]))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert f"{item.id}. {SCRIPT}" in cells
    assert [r.kind for r in _logged(engine, world.handle)][-3:] == ["cli", "cli", "cli"]

    since = (utcnow() - timedelta(days=60)).date().isoformat()
    result = consultbot("digest", world.handle, "--format", "md", "--out", str(tmp_path / "since.md"),
                        "--since", since, env=bot_env)
    assert "Round 1 opened." in (tmp_path / "since.md").read_text(encoding="utf-8")
    bad = consultbot("digest", world.handle, "--since", "2026-02-30", env=bot_env, check=False)
    assert bad.returncode == 1 and "is not a date" in bad.stderr
    bad = consultbot("digest", world.handle, "--format", "pdf", env=bot_env, check=False)
    assert bad.returncode == 2 and "not a digest format" in bad.stderr
    bad = consultbot("digest", "nope", "--format", "md", "--out", str(tmp_path / "x.md"), env=bot_env, check=False)
    assert bad.returncode == 1 and "I don't know the process" in bad.stderr
