"""Listeners for more time on a mapping survey: `/consult mapping extend PROCESS SURVEY [ENTITY]` and the
escalation's "Extend" buttons (one entity, or all) open the extend modal; its submission moves the deadline
(bot/mapping/extension.py, the reminders planned again) and tells the focal points of the entities concerned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot import idempotency
from bot.hlcm.service import focal_points
from bot.mapping import extension_render
from bot.mapping.extension import check_extendable, extend_mapping
from bot.mapping.render import deadline_mrkdwn
from bot.mapping.service import get_mapping, survey_of
from bot.slack.before_ack import Duplicate, act
from bot.slack.deadline_form import FIELDS, parse_deadline
from bot.slack.payloads import BlockAction, ViewSubmission
from bot.slack.reply import Ctx, Reader, reader
from bot.texts import t
from storage.models import Mapping, Person
from storage.types import utcnow


def _form(session: Session, person: Person, handle: str, survey: str, code: str | None, zone: str,
          locale: str | None) -> dict:
    mapping = get_mapping(session, handle, survey)
    code = check_extendable(session, person, mapping, code)
    return extension_render.extend_modal(mapping, handle, survey_of(mapping), code, utcnow().date(), zone, locale)


async def open_extend(ctx: Ctx, trigger_id: str | None, handle: str, survey: str, code: str | None) -> None:
    zone = ctx.zone
    view = await ctx.deps.db(_form, ctx.who.person, handle, survey, code, zone, ctx.locale)
    await ctx.client.views_open(trigger_id=trigger_id, view=view)


async def extend_button(action: BlockAction, ctx: Ctx) -> None:
    ref = action.ref
    await open_extend(ctx, action.trigger_id, ref.process, ref.survey, ref.code)


@dataclass(frozen=True)
class Extended:
    mapping: Mapping
    moved: list[tuple[str, datetime]]  # (entity code, its deadline now)
    people: list[tuple[str, datetime, Reader]]  # (entity code, its deadline, a focal point of it)


def _extend(session: Session, person: Person, meta, submission: ViewSubmission) -> Extended:
    deadline, zone = parse_deadline(submission)
    if not idempotency.claim(session, f"view:{submission.view.id}"):
        raise Duplicate()
    mapping = get_mapping(session, meta.process, meta.survey)
    moved = extend_mapping(session, person, mapping, deadline, zone, meta.entity)
    when = {e.id: d for e, d in moved}
    people = [(e.code, when[e.id], reader(p))
              for e, p in focal_points(session, list(when), mapping.process_id)]
    return Extended(mapping, [(e.code, d) for e, d in moved], people)


async def submit_extend(submission: ViewSubmission, ctx: Ctx, ack) -> None:
    """Extended before the ack, so every refusal keeps the modal and what was typed."""
    meta = submission.meta
    go_on, done = await act(ack, ctx.deps.db(_extend, ctx.who.person, meta, submission), FIELDS, ctx.locale)
    if not go_on:
        return
    await ack()
    survey = survey_of(done.mapping)
    for code, deadline, who in done.people:
        await ctx.tell(who, *extension_render.extended(done.mapping, meta.process, survey, code, deadline,
                                                       who.locale))
    told = len({who for _, _, who in done.people})
    if meta.entity:
        text = t("mapping.extended_one", ctx.locale, entity=meta.entity, title=survey.title, process=meta.process,
                 deadline=deadline_mrkdwn(done.mapping, done.moved[0][1]), people=told)
    else:
        text = t("mapping.extended_all", ctx.locale, title=survey.title, process=meta.process, people=told,
                 deadline=deadline_mrkdwn(done.mapping), count=len(done.moved))
    await ctx.reply(text)
