"""How a mapping survey looks in Slack: the open modal, the form's pages (built from the survey data), the
return modal, the DMs, the status board, and who covers each target with the gaps."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from bot.mapping.matrix import MappingMatrix
from bot.mapping.pages import Page
from bot.mapping.service import EntityState
from bot.errors import Invalid
from bot.mapping.survey import Survey, Target
from bot.mrkdwn import Raw, date_token
from bot.slack import ids
from bot.slack.blocks import (MESSAGE_BLOCKS, Block, actions, button, context, escaped_clip, header, input_block,
                              modal, option, section, sections)
from bot.slack.deadline_form import deadline_inputs
from bot.slack.entity_picker import entity_input
from bot.texts import t, t_plain
from bot.timezones import local_text
from storage.models import Mapping

STATES = ("submitted", "returned", "draft", "pending", "late")
FIELD_MAX = 1000  # bot/mapping/answers.py: TEXT_LIMIT
TEXT_SHOWN = 500  # of an answer, in `mapping show PROCESS SURVEY TARGET` (five answers stay within a section)


def deadline_mrkdwn(mapping: Mapping, moment: datetime | None = None) -> Raw:
    """The mapping's deadline (or `moment`, an entity's own), shown in each reader's zone by Slack."""
    moment = moment or mapping.deadline
    return date_token(moment, local_text(moment, mapping.timezone))


def _meta(process: str, survey: str, **more: Any) -> str:
    return json.dumps({"process": process, "survey": survey, **more})


def open_modal(process: str, survey: Survey, members: list[str], today: date, timezone: str,
               locale: str | None) -> dict:
    entity_options = [option(code, code) for code in members]
    blocks = [section(t("mapping.open_intro", locale, title=survey.title, process=process, count=len(survey.targets),
                        targets=survey.target_names)),
              *deadline_inputs(today, timezone, locale)]
    if entity_options:
        blocks.append(entity_input(ids.BLOCK_ENTITIES, t_plain("mapping.entities", locale), entity_options, locale,
                                   preselect=True, hint=t_plain("mapping.entities_hint", locale)))
    return modal(ids.VIEW_MAPPING_OPEN, t_plain("mapping.open_title", locale), blocks,
                 submit=t_plain("mapping.open_submit", locale), close=t_plain("common.cancel", locale),
                 private_metadata=_meta(process, survey.id))


def fill_button(process: str, survey: str, code: str, locale: str | None, revise: bool = False) -> Block:
    label = t_plain("mapping.revise_button" if revise else "mapping.fill_button", locale)
    return actions(button(label, ids.ACTION_MAPPING_FILL, f"{process}:{survey}:{code}", "primary"),
                   block_id=f"mapping:{process}:{survey}:{code}")


def asked(mapping: Mapping, process: str, survey: Survey, code: str, locale: str | None) -> tuple[str, list[Block]]:
    text = t("mapping.asked", locale, entity=code, title=survey.title, process=process, target=survey.target_name,
             deadline=deadline_mrkdwn(mapping))
    return text, [section(text), fill_button(process, survey.id, code, locale)]


def returned(mapping: Mapping, process: str, survey: Survey, code: str, question: str,
             locale: str | None) -> tuple[str, list[Block]]:
    text = t("mapping.returned_dm", locale, entity=code, title=survey.title, process=process, question=question,
             deadline=deadline_mrkdwn(mapping))
    return text, [section(text), fill_button(process, survey.id, code, locale, revise=True)]


def _text_input(block_id: str, label: str, value: str | None, multiline: bool = True) -> Block:
    element: Block = {"type": "plain_text_input", "multiline": multiline, "max_length": FIELD_MAX}
    if value:
        element["initial_value"] = value
    return input_block(block_id, label, element, optional=True)


def _select(block_id: str, label: str, choices: list[tuple[str, str]], chosen: list[str], multi: bool) -> Block:
    options = [option(label_, value) for value, label_ in choices]
    element: Block = {"type": "multi_static_select" if multi else "static_select", "options": options}
    picked = [o for o in options if o["value"] in chosen]
    if picked:
        element["initial_options" if multi else "initial_option"] = picked if multi else picked[0]
    return input_block(block_id, label, element, optional=True)


def _grid_blocks(survey: Survey, page: Page, answers: dict[str, Any], locale: str | None) -> list[Block]:
    grid = answers.get("grid") or {}
    blocks: list[Block] = []
    for target in page.targets:
        given = grid.get(target.id) or {}
        blocks.append(section(t("mapping.target_heading", locale, target=target.label)))
        for field in survey.grid:
            block_id = f"{ids.BLOCK_MAPPING_GRID}{target.id}:{field.id}"
            if field.type == "choice":
                blocks.append(_select(block_id, field.label, list(field.choices), [given.get(field.id, "")], False))
            else:
                blocks.append(_text_input(block_id, field.label, given.get(field.id)))
    return blocks


def _product_blocks(survey: Survey, page: Page, answers: dict[str, Any], locale: str | None) -> list[Block]:
    listed = answers.get("products") or []
    blocks: list[Block] = []
    for number in page.slots:
        given = listed[number - 1] if number <= len(listed) else {}
        prefix = f"{ids.BLOCK_MAPPING_PRODUCT}{number}:"
        blocks += [context(t("mapping.product_heading", locale, number=number)),
                   _text_input(prefix + "title", t_plain("mapping.product_title", locale), given.get("title"), False),
                   _select(prefix + "type", t_plain("mapping.product_type", locale), list(survey.types.items()),
                           [given.get("type", "")], False),
                   _text_input(prefix + "link", t_plain("mapping.product_link", locale), given.get("link"), False),
                   _select(prefix + "topics", t_plain("mapping.product_topics", locale), list(survey.topics.items()),
                           list(given.get("topics") or ()), True)]
    return blocks


def page_view(process: str, survey: Survey, code: str, page: Page, pages: int, answers: dict[str, Any],
              locale: str | None, question: str | None = None) -> dict:
    """One page of the form, prefilled from `answers` (the draft, else what was submitted)."""
    title = page.title if not page.products else t_plain("mapping.products_title", locale)
    blocks: list[Block] = [context(t("mapping.page_context", locale, entity=code, survey=survey.title,
                                     page=page.number, pages=pages, title=title))]
    if question:
        blocks.append(section(t("mapping.returned_question", locale, question=question)))
    if page.products:
        blocks.append(context(t("mapping.products_hint", locale)))
        blocks += _product_blocks(survey, page, answers, locale)
    else:
        blocks += _grid_blocks(survey, page, answers, locale)
    if page.number == 1:
        blocks.append(context(t("mapping.page_saved_note", locale)))
    last = page.number == pages
    return modal(ids.VIEW_MAPPING_PAGE, t_plain("mapping.fill_title", locale, entity=code), blocks,
                 submit=t_plain("mapping.submit" if last else "mapping.next", locale),
                 close=t_plain("mapping.close", locale),
                 private_metadata=_meta(process, survey.id, entity=code, page=page.number))


def return_modal(process: str, survey: Survey, code: str, locale: str | None) -> dict:
    blocks = [section(t("mapping.return_intro", locale, entity=code, title=survey.title, process=process)),
              input_block(ids.BLOCK_MAPPING_QUESTION, t_plain("mapping.return_question", locale),
                          {"type": "plain_text_input", "multiline": True, "max_length": 2000})]
    return modal(ids.VIEW_MAPPING_RETURN, t_plain("mapping.return_title", locale, entity=code), blocks,
                 submit=t_plain("mapping.return_submit", locale), close=t_plain("common.cancel", locale),
                 private_metadata=_meta(process, survey.id, entity=code))


def status(mapping: Mapping, process: str, survey: Survey, states: list[EntityState],
           locale: str | None) -> tuple[str, list[Block]]:
    counts = {s: sum(1 for e in states if e.state == s) for s in STATES}
    summary = t("mapping.status_summary", locale, title=survey.title, process=process, asked=len(states),
                state=t_plain(f"mapping.state_{mapping.status}", locale), deadline=deadline_mrkdwn(mapping), **counts)
    lines = [t("mapping.status_line", locale, entity=e.code, state=t_plain(f"mapping.state_{e.state}", locale))
             for e in states]
    return summary, [header(t_plain("mapping.status_header", locale)), section(summary), *sections(lines)]


def coverage(m: MappingMatrix, process: str, locale: str | None) -> tuple[str, list[Block]]:
    """Who covers each target and who volunteered to lead or facilitate it; the gaps named."""
    nobody = t_plain("mapping.nobody", locale)
    lines = []
    for target in m.survey.targets:
        c = m.coverage(target.id)
        lines.append(t("mapping.show_line", locale, target=target.label, covering=", ".join(c.covering) or nobody,
                       leads=", ".join(c.leads) or nobody, facilitators=", ".join(c.facilitators) or nobody))
    gaps = t("mapping.show_gaps", locale, targets=m.survey.target_names,
             gaps=", ".join(t.label for t in m.gaps) or nobody)
    answered = sum(1 for e in m.entities if e.answered)
    summary = t("mapping.show_summary", locale, title=m.survey.title, process=process, answered=answered,
                asked=len(m.entities))
    hint = t("mapping.show_target_hint", locale, target=m.survey.target_name, process=process, survey=m.survey.id)
    return summary, [header(t_plain("mapping.show_header", locale)), section(summary), *sections(lines),
                     section(gaps), context(hint)]


def find_target(survey: Survey, word: str) -> Target:
    """The target a user names by its code ("5") or its id ("t05")."""
    low = word.strip().lower()
    for target in survey.targets:
        if low in (target.code.lower(), target.id):
            return target
    raise Invalid("mapping.show_unknown_target", field="target", value=word[:40], targets=survey.target_names,
                  known=", ".join(t.code for t in survey.targets))


def _who(m: MappingMatrix, entity: Any, given: dict[str, str], locale: str | None) -> str:
    role = t_plain(f"mapping.cell_{given.get('volunteer', 'covers')}", locale)
    lines = [t("mapping.target_entity", locale, entity=entity.code, name=entity.name, role=role)]
    lines += [t("mapping.target_answer", locale, label=f.label, text=Raw(escaped_clip(given[f.id], TEXT_SHOWN)))
              for f in m.survey.text_fields if given.get(f.id)]
    return "\n".join(lines)


def target_view(m: MappingMatrix, target: Target, process: str, locale: str | None) -> tuple[str, list[Block]]:
    """Who covers one target and what each does there (its texts cut at TEXT_SHOWN characters), leads first;
    within a message's 50 blocks, the entities left out named, and the export that has it all."""
    nobody = t_plain("mapping.nobody", locale)
    c = m.coverage(target.id)
    summary = t("mapping.show_line", locale, target=target.label, covering=", ".join(c.covering) or nobody,
                leads=", ".join(c.leads) or nobody, facilitators=", ".join(c.facilitators) or nobody)
    who = m.who_does_what(target.id)
    blocks = [header(target.label), section(summary)]
    room = MESSAGE_BLOCKS - len(blocks) - 2  # the pointer to the export, and the entities left out
    blocks += [section(_who(m, e, given, locale)) for e, given in who[:room]]
    if not who:
        blocks.append(section(t("mapping.export_nobody", locale, target=m.survey.target_name)))
    if who[room:]:
        blocks.append(context(t("mapping.target_more", locale, entities=", ".join(e.code for e, _ in who[room:]))))
    blocks.append(context(t("mapping.target_export_hint", locale, process=process, survey=m.survey.id,
                            limit=TEXT_SHOWN)))
    return summary, blocks


def reminder(mapping: Mapping, process: str, survey: Survey, code: str, has_draft: bool, locale: str | None,
             question: str | None = None, deadline: datetime | None = None) -> tuple[str, list[Block]]:
    """To a focal point whose entity has not submitted, or whose answers came back with `question`; `deadline`:
    the entity's own, when extended."""
    if question:
        text = t("mapping.reminder_returned", locale, entity=code, title=survey.title, process=process,
                 question=question, deadline=deadline_mrkdwn(mapping, deadline))
    else:
        text = t("mapping.reminder", locale, entity=code, title=survey.title, process=process,
                 deadline=deadline_mrkdwn(mapping, deadline))
    blocks = [section(text)]
    if has_draft:
        blocks.append(context(t("mapping.reminder_draft", locale)))
    return text, blocks + [fill_button(process, survey.id, code, locale, revise=bool(question))]
