"""Listeners for peer reviews: `/consult review open|topics|evidence|status|recommend|summary ...`, the open modal,
the evidence form (a page per topic; each "Save and next" saves the draft, the last page submits), the DMs to the
focal points of the entity reviewed, and the year's summary posted as a DOCX.

The domain is bot/peer_review/service.py; the report's round, its meeting and its adoption are the existing
`/consult round`, `/consult meeting` and outcomes flows on the review's process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from bot import idempotency
from bot.entities.service import active_entities
from bot.errors import Invalid
from bot.hlcm.service import focal_points
from bot.outcomes.render import action_assigned
from bot.outcomes.service import Recorded
from bot.peer_review import render
from bot.peer_review.reminder_plan import open_with_reminders, submit_with_reminders
from bot.peer_review.service import (NewReview, check_opening, choose_topics, parse_evidence, prefill, recommend,
                                     require_answerable, review_of, save_draft, view)
from bot.peer_review.summary import parse_year, summary_docx
from bot.peer_review.topics import topics
from bot.people.language import document_language
from bot.roles.service import require_secretariat
from bot.slack import ids
from bot.slack.before_ack import Duplicate, ack_page, act
from bot.slack.deadline_form import FIELDS as DEADLINE_FIELDS, parse_deadline
from bot.slack.payloads import BlockAction, SlashCommand, ViewSubmission
from bot.slack.reply import Ctx, Reader, reader
from bot.texts import reader_language, t
from storage.models import PeerReview, Person, Process
from storage.types import utcnow

ACTIONS = ("open", "topics", "evidence", "status", "recommend", "summary")
OPEN_FIELDS = {**DEADLINE_FIELDS, "body": ids.BLOCK_REVIEW_BODY, "experts": ids.BLOCK_REVIEW_EXPERTS,
               "focal_points": ids.BLOCK_REVIEW_FOCAL,
               "handle": ids.BLOCK_REVIEW_BODY, "members": ids.BLOCK_REVIEW_BODY, "entity": ids.BLOCK_REVIEW_BODY,
               "year": ids.BLOCK_REVIEW_BODY}


async def review_command(cmd: SlashCommand, ctx: Ctx) -> None:
    """`/consult review ACTION ...`"""
    words = cmd.args
    action = words[0].lower() if words else ""
    rest = words[1:]
    if action == "open" and len(rest) == 3:
        await open_form(ctx, cmd.trigger_id, rest[0].lower(), rest[1].upper(), rest[2])
    elif action == "topics" and len(rest) >= 1:
        await ctx.reply(await ctx.deps.db(_topics, ctx.who.person, rest[0].lower(), rest[1:], ctx.locale))
    elif action == "evidence" and len(rest) == 1:
        await evidence(ctx, cmd.trigger_id, rest[0].lower())
    elif action == "status" and len(rest) == 1:
        await ctx.reply(*await ctx.deps.db(_status, rest[0].lower(), ctx.locale))
    elif action == "recommend" and len(rest) >= 3:
        await recommend_command(ctx, rest[0].lower(), rest[1:])
    elif action == "summary" and 1 <= len(rest) <= 2:
        await summary(ctx, rest[0], rest[1] if len(rest) > 1 else None)
    else:
        raise Invalid("peer_review.usage")


# ---- open (secretariat)


def _open_form(session: Session, person: Person, handle: str, code: str, year: str, zone: str,
               locale: str | None) -> dict:
    require_secretariat(session, person)
    number = parse_year(year)
    entity = check_opening(session, handle, code, number)
    codes = [e.code for e in active_entities(session)]
    return render.open_modal(handle, entity.code, number, codes, utcnow().date(), zone, locale)


async def open_form(ctx: Ctx, trigger_id: str | None, handle: str, code: str, year: str) -> None:
    zone = ctx.zone
    modal = await ctx.deps.db(_open_form, ctx.who.person, handle, code, year, zone, ctx.locale)
    await ctx.client.views_open(trigger_id=trigger_id, view=modal)


@dataclass(frozen=True)
class Opened:
    review: PeerReview
    process: Process
    entity: str
    people: list[Reader]  # the entity's focal points


def _listed(submission: ViewSubmission, block_id: str) -> list[str]:
    """A multi-select's values (a forged submission may carry anything else: nothing chosen)."""
    value = submission.value(block_id)
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _open(session: Session, person: Person, meta: Any, submission: ViewSubmission) -> Opened:
    deadline, zone = parse_deadline(submission)
    if not idempotency.claim(session, f"view:{submission.view.id}"):
        raise Duplicate()
    review = open_with_reminders(session, person, NewReview(
        handle=meta.process, entity=meta.entity, year=meta.year, deadline=deadline, timezone=zone,
        body=_listed(submission, ids.BLOCK_REVIEW_BODY), experts=_listed(submission, ids.BLOCK_REVIEW_EXPERTS),
        focal_points=_listed(submission, ids.BLOCK_REVIEW_FOCAL)))
    people = [reader(p) for _, p in focal_points(session, [review.entity_id], review.process_id)]
    return Opened(review, session.get(Process, review.process_id), meta.entity, people)


async def submit_open(submission: ViewSubmission, ctx: Ctx, ack) -> None:
    """Opened before the ack, so every refusal keeps the modal and what was typed."""
    go_on, opened = await act(ack, ctx.deps.db(_open, ctx.who.person, submission.meta, submission), OPEN_FIELDS,
                              ctx.locale)
    if not go_on:
        return
    await ack()
    for who in opened.people:
        await ctx.tell(who, *render.asked(opened.review, opened.process, opened.entity, who.locale))
    text = t("peer_review.opened", ctx.locale, entity=opened.entity, year=opened.review.year,
             process=opened.process.handle, deadline=render.deadline_mrkdwn(opened.review, opened.process),
             people=len(opened.people))
    if not opened.people:
        text += "\n" + t("peer_review.opened_no_focal", ctx.locale, entity=opened.entity, process=opened.process.handle)
    await ctx.reply(text)


# ---- topics and evidence (the entity reviewed)


def _topics(session: Session, person: Person, handle: str, chosen: list[str], locale: str | None) -> str:
    review = choose_topics(session, person, review_of(session, handle), chosen)
    return t("peer_review.topics_done", locale, process=handle,
             topics=", ".join(render.topic_title(x, locale) for x in topics().covered(review.topics)))


def _page(session: Session, person: Person, handle: str, number: int, locale: str | None) -> dict:
    review = review_of(session, handle)
    _, entity = require_answerable(session, person, review)
    covered = topics().covered(review.topics)
    return render.evidence_page(handle, entity.code, topics(), covered, min(number, len(covered)), prefill(review),
                                locale)


async def evidence(ctx: Ctx, trigger_id: str | None, handle: str) -> None:
    modal = await ctx.deps.db(_page, ctx.who.person, handle, 1, ctx.locale)
    await ctx.client.views_open(trigger_id=trigger_id, view=modal)


async def evidence_button(action: BlockAction, ctx: Ctx) -> None:
    await evidence(ctx, action.trigger_id, action.ref.process)


def typed_answers(submission: ViewSubmission) -> dict[str, dict[str, Any]]:
    """What the page's inputs hold, by topic and question."""
    found: dict[str, dict[str, Any]] = {}
    for block in submission.blocks:
        if block.startswith(ids.BLOCK_REVIEW_ANSWER):
            topic, _, question = block[len(ids.BLOCK_REVIEW_ANSWER):].partition(":")
            found.setdefault(topic, {})[question] = submission.value(block)
    return found


@dataclass(frozen=True)
class Outcome:
    errors: dict[str, str] | None = None
    view: dict | None = None
    submitted: tuple[str, int] | None = None  # (entity, year)


def _save_page(session: Session, person: Person, meta: Any, typed: dict, key: str, locale: str | None) -> Outcome:
    if idempotency.seen(session, key):  # Slack's retry of the last page, once submitted: nothing to say
        raise Duplicate()
    review = review_of(session, meta.process)
    _, entity = require_answerable(session, person, review)
    covered = topics().covered(review.topics)
    if meta.page > len(covered):
        raise Invalid("peer_review.usage")
    topic, last = covered[meta.page - 1], meta.page == len(covered)
    raw = {topic: {q.id: (typed.get(topic) or {}).get(q.id) for q in topics().questions[topic]}}
    clean, errors = parse_evidence(topics(), covered, raw, complete=False)
    if not errors and last:  # the whole evidence must hold before anything is saved
        merged = {**prefill(review), **{topic: clean.get(topic, {})}}
        _, errors = parse_evidence(topics(), covered, merged, complete=True)
    if errors:
        found: dict[str, str] = {}
        for error in errors:
            where, _, question = (error.field or "").partition(".")
            if where != topic:  # a topic of another page: said under this page's first question
                question = topics().questions[topic][0].id
            params = {**error.params, "topic": render.topic_title(error.params.get("topic", where), locale)}
            found.setdefault(f"{ids.BLOCK_REVIEW_ANSWER}{topic}:{question}", t(error.key, locale, **params))
        return Outcome(errors=found)
    current = prefill(review)
    current[topic] = clean.get(topic, {})
    save_draft(session, person, review, {k: v for k, v in current.items() if v})
    if not last:
        return Outcome(view=_page(session, person, meta.process, meta.page + 1, locale))
    if not idempotency.claim(session, key):
        raise Duplicate()
    submit_with_reminders(session, person, review)
    return Outcome(submitted=(entity.code, review.year))


async def save_page(submission: ViewSubmission, ctx: Ctx, ack) -> None:
    """Saved before the ack, so a field error keeps the modal and what was typed."""
    key = f"review:{submission.view.id}:{submission.view.hash}"
    go_on, outcome = await act(ack, ctx.deps.db(_save_page, ctx.who.person, submission.meta,
                                                typed_answers(submission), key, ctx.locale), {}, ctx.locale)
    if not go_on or await ack_page(ack, outcome.errors, outcome.view):
        return
    await ack()
    entity, year = outcome.submitted
    await ctx.reply(t("peer_review.evidence_submitted", ctx.locale, entity=entity, year=year,
                      process=submission.meta.process))


# ---- status, recommendations, summary


def _status(session: Session, handle: str, locale: str | None):
    return render.status(view(session, review_of(session, handle)), utcnow(), locale)


def _recommend(session: Session, person: Person, handle: str, words: list[str]) -> Recorded:
    """`DUE [owner=CODE] TEXT...`"""
    try:
        due = date.fromisoformat(words[0])
    except ValueError:
        raise Invalid("peer_review.recommend_usage") from None
    owner, text = None, words[1:]
    if text and text[0].lower().startswith("owner="):
        owner, text = text[0][6:].upper(), text[1:]
    if not text:
        raise Invalid("peer_review.recommend_usage")
    return recommend(session, person, review_of(session, handle), " ".join(text), due, owner)


async def recommend_command(ctx: Ctx, handle: str, words: list[str]) -> None:
    """Recorded as the outcomes modal records an action item: its owner's focal points are told at once."""
    done = await ctx.deps.db(_recommend, ctx.who.person, handle, words)
    item = done.decision.action
    await ctx.reply(t("peer_review.recommended", ctx.locale, number=item.id, process=handle,
                      due=item.due.isoformat(), owner=done.decision.owner_code))
    for user_id, team_id, locale in done.owners:
        await ctx.tell(Reader(user_id, team_id, locale), *action_assigned(done, locale))


def _summary(session: Session, person: Person, year: str, language: str):
    require_secretariat(session, person)
    return summary_docx(session, year, language)


async def summary(ctx: Ctx, year: str, lang: str | None) -> None:
    language = document_language(lang) if lang else reader_language(ctx.locale)
    data, count = await ctx.deps.db(_summary, ctx.who.person, year, language)
    opened = await ctx.client.conversations_open(users=ctx.who.user_id)
    name = f"peer-reviews-{int(year)}-{language}.docx"
    await ctx.client.files_upload_v2(channel=opened["channel"]["id"], content=data, filename=name, title=name,
                                     initial_comment=t("peer_review.summary_posted", ctx.locale, year=int(year),
                                                       count=count))
