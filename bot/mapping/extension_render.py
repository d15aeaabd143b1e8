"""How escalations and extensions of a mapping survey look in Slack: the escalation to the secretariat (each
silent entity with "Extend" and one button for all), the extend modal (reusing the deadline inputs of
bot/slack/deadline_form.py) and the DM to an entity's focal points with its new deadline."""

from __future__ import annotations

import json
from datetime import date, datetime

from bot.mapping.render import deadline_mrkdwn, fill_button
from bot.mapping.survey import Survey
from bot.slack import ids
from bot.slack.blocks import MESSAGE_BLOCKS, Block, actions, button, context, modal, section
from bot.slack.deadline_form import deadline_inputs
from bot.texts import t, t_plain
from storage.models import Entity, Mapping

EXTEND_DAYS = 7  # the extend modal's date: a week from today


def _ref(process: str, survey: str, code: str | None = None) -> str:
    return f"{process}:{survey}" + (f":{code}" if code else "")


def escalation(mapping: Mapping, process: str, survey: Survey, silent: list[Entity], asked: int,
               deadline: datetime, locale: str | None) -> tuple[str, list[Block]]:
    """To a secretariat member once a deadline has passed: each entity still silent with "Extend" (within a
    message's 50 blocks; the rest named), and "Extend for all"."""
    text = t("mapping.escalation", locale, title=survey.title, process=process, count=len(silent), asked=asked,
             deadline=deadline_mrkdwn(mapping, deadline))
    room = MESSAGE_BLOCKS - 4  # the text, the names left over, the button for all, the hint
    label = t_plain("mapping.extend_one", locale)
    blocks: list[Block] = [section(text)]
    blocks += [section(t("mapping.escalation_line", locale, entity=e.code, name=e.name),
                       accessory=button(label, ids.ACTION_MAPPING_EXTEND, _ref(process, survey.id, e.code)))
               for e in silent[:room]]
    if silent[room:]:
        blocks.append(section(t("mapping.escalation_more", locale,
                                entities=", ".join(e.code for e in silent[room:]))))
    blocks.append(actions(button(t_plain("mapping.extend_all", locale), ids.ACTION_MAPPING_EXTEND,
                                 _ref(process, survey.id), "primary"),
                          block_id=f"mapping_extend:{process}:{survey.id}"))
    blocks.append(context(t("mapping.escalation_hint", locale, process=process, survey=survey.id)))
    return text, blocks


def extend_modal(mapping: Mapping, process: str, survey: Survey, code: str | None, today: date, zone: str,
                 locale: str | None) -> dict:
    """One entity's new deadline (`code`), or the whole mapping's."""
    if code:
        intro = t("mapping.extend_intro_one", locale, entity=code, title=survey.title, process=process)
    else:
        intro = t("mapping.extend_intro_all", locale, title=survey.title, process=process,
                  deadline=deadline_mrkdwn(mapping))
    return modal(ids.VIEW_MAPPING_EXTEND, t_plain("mapping.extend_title", locale),
                 [section(intro), *deadline_inputs(today, zone, locale, days=EXTEND_DAYS)],
                 submit=t_plain("mapping.extend_submit", locale), close=t_plain("common.cancel", locale),
                 private_metadata=json.dumps({"process": process, "survey": survey.id, "entity": code}))


def extended(mapping: Mapping, process: str, survey: Survey, code: str, deadline: datetime,
             locale: str | None) -> tuple[str, list[Block]]:
    """To a focal point of an entity still to answer: its new deadline."""
    text = t("mapping.extended_dm", locale, entity=code, title=survey.title, process=process,
             deadline=deadline_mrkdwn(mapping, deadline))
    return text, [section(text), fill_button(process, survey.id, code, locale)]
