"""The weekly digest through the reminder mechanism, in-process on a private database (SQLite and
PostgreSQL): the secretariat sets it for Mondays 09:00 in Geneva; the recurrence writes each Monday's
row a day ahead; ReminderSender.drain() posts the summary to the process channel, over real HTTP to a
Slack double, with the DOCX in the post's thread; the next Monday covers what changed since the
first; `weekly off` stops it. The clock is moved by time-machine."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from docx import Document as WordDocument
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import select

from bot.digests.weekly import WEEKLY_DIGEST, set_weekly_digest, weekly_digest_off
from bot.errors import NotAllowed
from bot.inputs.service import InputDraft, submit_input
from bot.people.service import find_person
from bot.reminders import render as reminder_render
from bot.reminders.overview import overview
from bot.reminders.recurring import generate
from bot.reminders.service import WEEKLY_STATUS, set_weekly
from bot.scheduler.sender import METADATA_EVENT, ReminderSender, SenderConfig
from bot.settings import load_settings
from bot.slack.blocks import MESSAGE_BLOCKS, SECTION_TEXT
from bot.slack.runtime import Deps
from storage.db import session_scope
from storage.models import DigestLog, Recurrence, Reminder, ReminderStatus, Round
from tests.slack_double import SlackDouble
from tests.test_digests_domain import build_world

BOT_TOKEN = "xoxb-test"
CHANNEL = "C0WEEKLY"
SET_AT = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)  # Wednesday
MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)  # 09:00 in Geneva
NEXT_MONDAY = MONDAY + timedelta(days=7)

pytestmark = pytest.mark.usefixtures("default_quiet_hours")


@pytest.fixture
def slack_double():
    with SlackDouble(bot_token=BOT_TOKEN) as double:
        yield double


@pytest.fixture
def world(private_engine):
    return build_world(private_engine, SET_AT, channel_id=CHANNEL)


def drain(engine, url: str, double: SlackDouble) -> int:
    deps = Deps(settings=load_settings(env_file=None, database_url=url), engine=engine)

    async def run() -> int:
        client = AsyncWebClient(token=BOT_TOKEN, base_url=double.api_url, retry_handlers=[])
        return await ReminderSender(deps.db, client, SenderConfig(per_channel_per_second=20)).drain()

    return asyncio.run(run())


def written(engine, until: datetime) -> int:
    """The clock's job: occurrences written up to a day ahead."""
    with time_machine.travel(until - timedelta(days=1), tick=False), session_scope(engine) as s:
        return generate(s, until - timedelta(days=1))


def digest_posts(double: SlackDouble) -> list:
    return [c for c in double.calls_to("chat.postMessage")
            if c.params.get("channel") == CHANNEL and c.error is None
            and (c.params.get("metadata") or {}).get("event_type") == METADATA_EVENT
            and ":weekly-digest:" in c.params["metadata"]["event_payload"]["key"]]


def rows(engine) -> list[Reminder]:
    with session_scope(engine) as s:
        return list(s.exec(select(Reminder).where(Reminder.kind == WEEKLY_DIGEST).order_by(Reminder.due_at)).all())


def logged(engine) -> list[DigestLog]:
    with session_scope(engine) as s:
        return list(s.exec(select(DigestLog).where(DigestLog.kind == "weekly").order_by(DigestLog.id)).all())


def test_each_monday_the_channel_gets_the_summary_with_the_document_in_its_thread(
        world, private_engine, private_database_url, slack_double):
    with time_machine.travel(SET_AT, tick=False), world.session() as s:
        with pytest.raises(NotAllowed):
            set_weekly_digest(s, find_person(s, world.focal["UNEP"]), world.handle, "mon", "09:00", SET_AT)
    with time_machine.travel(SET_AT, tick=False), world.session() as s:
        rec = set_weekly_digest(s, find_person(s, world.secretariat), world.handle, "mon", "09:00", SET_AT)
        set_weekly(s, find_person(s, world.secretariat), world.handle, "mon", "09:00", SET_AT)  # both can exist
        rec_id = rec.id
    with world.session() as s:
        kinds = sorted(r.kind for r in s.exec(select(Recurrence).where(Recurrence.active)).all())
    assert kinds == [WEEKLY_DIGEST, WEEKLY_STATUS]

    written(private_engine, MONDAY)
    [row] = rows(private_engine)
    assert (row.due_at, row.recipient, row.subject_id, row.quiet) == (MONDAY, CHANNEL, rec_id, False)
    with world.session() as s:  # the secretariat's `/consult reminders PROCESS` names it
        _, shown = reminder_render.overview(overview(s, find_person(s, world.secretariat), world.handle), None)
    assert "weekly digest" in json.dumps(shown, ensure_ascii=False)

    with time_machine.travel(MONDAY + timedelta(minutes=1), tick=False):
        drain(private_engine, private_database_url, slack_double)
    [post] = digest_posts(slack_double)
    blocks = post.params["blocks"]
    assert blocks[0]["text"]["text"] == f"Digest — {world.handle}"
    assert len(blocks) <= MESSAGE_BLOCKS
    assert all(len(b["text"]["text"]) <= SECTION_TEXT for b in blocks if b["type"] == "section")
    text = json.dumps(blocks, ensure_ascii=False)
    assert "Late: WMO. Pending: WFP." in text and "<!date^" in text
    name = f"{world.handle}-digest-2026-11-30.docx"
    assert f"The full digest is attached: {name}." in text

    [done] = slack_double.calls_to("files.completeUploadExternal")
    assert (done.params["channel_id"], done.params["thread_ts"]) == (CHANNEL, post.response["ts"])
    [upload] = [slack_double.uploaded_files[f["id"]] for f in done.params["files"]]
    assert upload["filename"] == name
    doc = WordDocument(io.BytesIO(upload["bytes"]))
    assert doc.paragraphs[0].text == "Consultation on the sustainability framework — digest"

    [sent] = rows(private_engine)
    assert (sent.status, sent.ts) == (ReminderStatus.SENT, post.response["ts"])
    [first] = logged(private_engine)
    assert (first.since, first.generated_at) == (MONDAY - timedelta(days=7), MONDAY + timedelta(minutes=1))

    with time_machine.travel(MONDAY + timedelta(minutes=2), tick=False):
        drain(private_engine, private_database_url, slack_double)
    assert len(digest_posts(slack_double)) == 1  # once per occurrence

    # A week later: UNEP answers on Thursday; Monday's digest covers what changed since the first.
    with time_machine.travel(MONDAY + timedelta(days=3), tick=False), world.session() as s:
        round_ = s.get(Round, world.round_ids[1])
        submit_input(s, find_person(s, world.focal["UNEP"]), round_,
                     InputDraft(entity="UNEP", section="1", comment="One more thing."))
    written(private_engine, NEXT_MONDAY)
    with time_machine.travel(NEXT_MONDAY + timedelta(minutes=1), tick=False):
        drain(private_engine, private_database_url, slack_double)
    second_post = digest_posts(slack_double)[-1]
    assert len(digest_posts(slack_double)) == 2
    assert "Round 2: UNEP submitted 1 input(s)." in json.dumps(second_post.params["blocks"], ensure_ascii=False)
    second = logged(private_engine)[-1]
    assert second.since == first.generated_at

    with world.session() as s:
        weekly_digest_off(s, find_person(s, world.secretariat), world.handle)
    assert written(private_engine, NEXT_MONDAY + timedelta(days=7)) == 1  # the weekly status only
    assert [r.status for r in rows(private_engine)] == [ReminderStatus.SENT, ReminderStatus.SENT]


def test_a_failed_upload_leaves_the_post_sent_once(world, private_engine, private_database_url, slack_double):
    with time_machine.travel(SET_AT, tick=False), world.session() as s:
        set_weekly_digest(s, find_person(s, world.secretariat), world.handle, "mon", "09:00", SET_AT)
    written(private_engine, MONDAY)
    slack_double.fail_next("files.getUploadURLExternal", status=200, error="not_allowed_token_type")
    with time_machine.travel(MONDAY + timedelta(minutes=1), tick=False):
        drain(private_engine, private_database_url, slack_double)
    with time_machine.travel(MONDAY + timedelta(minutes=5), tick=False):
        drain(private_engine, private_database_url, slack_double)
    assert len(digest_posts(slack_double)) == 1
    assert slack_double.calls_to("files.completeUploadExternal") == []
    [row] = rows(private_engine)
    assert row.status == ReminderStatus.SENT


def test_a_digest_switched_off_after_its_row_was_written_posts_nothing(world, private_engine, private_database_url,
                                                                 slack_double):
    with time_machine.travel(SET_AT, tick=False), world.session() as s:
        rec = set_weekly_digest(s, find_person(s, world.secretariat), world.handle, "mon", "09:00", SET_AT)
    written(private_engine, MONDAY)
    with world.session() as s:  # switched off while its row is being sent: skipped at send time
        s.get(Recurrence, rec.id).active = False
    with time_machine.travel(MONDAY + timedelta(minutes=1), tick=False):
        drain(private_engine, private_database_url, slack_double)
    assert digest_posts(slack_double) == []
    [row] = rows(private_engine)
    assert (row.status, row.outcome) == (ReminderStatus.SKIPPED, "switched off")
