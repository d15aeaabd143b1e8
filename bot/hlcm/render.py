"""How the HLCM data call looks in Slack: the open modal, the questionnaire pages (built from the questionnaire
data, never from a list of indicators here), the reasons page, the DMs and reminders, the status board."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Mapping

from bot.hlcm.pages import Page
from bot.hlcm.questionnaire import Indicator, Questionnaire
from bot.hlcm.service import Flag, EntityState
from bot.mrkdwn import Raw, date_token
from bot.reminders.plan import CHOICES
from bot.rounds.render import REMINDER_LABELS
from bot.slack import ids
from bot.slack.deadline_form import deadline_inputs
from bot.slack.entity_picker import entity_input
from bot.slack.blocks import (Block, actions, button, context, fit_message, header, input_block, modal, option,
                              section, sections)
from bot.texts import Number, t, t_plain
from bot.timezones import local_text
from storage.models import DataCall, Entity

OPTIONS_MAX = 100
STATES = ("submitted", "returned", "draft", "pending", "late")


def deadline_mrkdwn(call: DataCall, moment: datetime | None = None) -> Raw:
    """Each reader sees the deadline in their own zone; the fallback names the call's."""
    moment = moment or call.deadline
    return date_token(moment, local_text(moment, call.timezone))


def shown(value: Any) -> str:
    """A stored figure as the person typed it (no thousands separator, no trailing .0)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def fill_value(year: int, code: str) -> str:
    return f"{year}:{code}"


def parse_fill_value(value: str | None) -> tuple[int, str] | None:
    year, _, code = (value or "").partition(":")
    return (int(year), code) if year.isdigit() and len(year) == 4 and code else None


def fill_button(year: int, code: str, locale: str | None, revise: bool = False) -> Block:
    label = t_plain("datacall.revise_button" if revise else "datacall.fill_button", locale)
    return actions(button(label, ids.ACTION_DATACALL_FILL, fill_value(year, code), "primary"),
                   block_id=f"datacall:{year}:{code}")


# ---- opening the call


def open_modal(year: int, entities: list[Entity], today: date, timezone: str, q: Questionnaire,
               locale: str | None, default_offsets: tuple[str, ...]) -> dict:
    entity_options = [option(e.code, e.code) for e in entities]
    reminder_options = [option(t_plain(f"rounds.reminder_{REMINDER_LABELS[o]}", locale), o) for o in CHOICES]
    blocks = [
        section(t("datacall.open_intro", locale, count=len(q.indicators))),
        *deadline_inputs(today, timezone, locale),
        entity_input(ids.BLOCK_ENTITIES, t_plain("datacall.entities", locale), entity_options, locale,
                     preselect=True, hint=t_plain("datacall.entities_hint", locale)),
        input_block(ids.BLOCK_REMINDERS, t_plain("datacall.reminders", locale),
                    {"type": "checkboxes", "options": reminder_options,
                     "initial_options": [o for o in reminder_options if o["value"] in default_offsets]},
                    optional=True, hint=t_plain("datacall.reminders_hint", locale)),
    ]
    return modal(ids.VIEW_DATACALL_OPEN, t_plain("datacall.open_title", locale, year=year), blocks,
                 submit=t_plain("datacall.open_submit", locale), close=t_plain("common.cancel", locale),
                 private_metadata=json.dumps({"year": year}))


def asked(call: DataCall, entity_code: str, q: Questionnaire, locale: str | None) -> tuple[str, list[Block]]:
    text = t("datacall.asked", locale, entity=entity_code, year=call.year, count=len(q.indicators),
             groups=", ".join(q.groups.values()), deadline=deadline_mrkdwn(call))
    return text, [section(text), fill_button(call.year, entity_code, locale)]


def reminder(call: DataCall, entity_code: str, stale_at: datetime | None, has_draft: bool,
             locale: str | None, question: str | None = None) -> tuple[str, list[Block]]:
    """To a focal point whose entity has not submitted, or whose figures came back with `question`."""
    if question:
        text = t("datacall.reminder_returned", locale, entity=entity_code, year=call.year, question=question,
                 deadline=deadline_mrkdwn(call, stale_at))
    else:
        text = t("datacall.reminder", locale, entity=entity_code, year=call.year,
                 deadline=deadline_mrkdwn(call, stale_at))
    blocks = [section(text)]
    if has_draft:
        blocks.append(context(t("datacall.reminder_draft", locale)))
    return text, blocks + [fill_button(call.year, entity_code, locale, revise=bool(question))]


def extended(call: DataCall, entity_code: str, locale: str | None) -> tuple[str, list[Block]]:
    """To a focal point of an entity that still owes figures: the new deadline."""
    text = t("datacall.extended_dm", locale, entity=entity_code, year=call.year, deadline=deadline_mrkdwn(call))
    return text, [section(text), fill_button(call.year, entity_code, locale)]


def escalation(call: DataCall, missing: list[Entity], returned: list[Entity], asked_count: int,
               locale: str | None) -> tuple[str, list[Block]]:
    """To the secretariat at the deadline: who has not submitted (one line each, packed into as few sections as
    Slack allows: ~70 entities fit in three), who has not answered a question, and how to extend."""
    if missing:
        text = t("datacall.escalation", locale, year=call.year, deadline=deadline_mrkdwn(call),
                 count=len(missing), asked=asked_count)
    else:
        text = t("datacall.escalation_none_missing", locale, year=call.year, deadline=deadline_mrkdwn(call))
    lines = [t("datacall.escalation_line", locale, entity=e.code, name=e.name) for e in missing]
    blocks = [section(text), *sections(lines)]
    if returned:
        blocks += sections([t("datacall.escalation_returned", locale,
                              entities=", ".join(e.code for e in returned))])
    blocks.append(context(t("datacall.escalation_hint", locale, year=call.year)))
    return text, fit_message(blocks, locale)


# ---- the questionnaire


def _label(indicator: Indicator, locale: str | None) -> str:
    if indicator.unit:
        return t_plain("datacall.label_unit", locale, label=indicator.label, unit=indicator.unit)
    return indicator.label


def _choices(indicator: Indicator, locale: str | None) -> list[tuple[str, str]]:
    if indicator.type == "yes_no":
        return [("yes", t_plain("datacall.answer_yes", locale)), ("no", t_plain("datacall.answer_no", locale))]
    return list(indicator.choices.items())


def figure_input(indicator: Indicator, value: Any, locale: str | None) -> Block:
    """Numbers are free text (so a unit or a word typed in gets the service's message); choices are selects."""
    block_id = ids.BLOCK_DATACALL_FIGURE + indicator.id
    if indicator.numeric:
        element: Block = {"type": "plain_text_input", "max_length": 40}
        if value is not None and value != "":
            element["initial_value"] = shown(value)
    else:
        options = [option(label, key) for key, label in _choices(indicator, locale)][:OPTIONS_MAX]
        element = {"type": "static_select", "options": options}
        chosen = shown(value) if value is not None else None
        initial = next((o for o in options if o["value"] == chosen), None)
        if initial is not None:
            element["initial_option"] = initial
    return input_block(block_id, _label(indicator, locale), element, optional=True, hint=indicator.help or None)


def page_view(page: Page, pages: int, year: int, entity_code: str, figures: Mapping[str, Any],
              locale: str | None, question: str | None = None, revising: int | None = None,
              problems: list[tuple[int, str]] = ()) -> dict:
    """One page of the questionnaire, prefilled from `figures`; `problems` (page number, text) are errors of
    other pages shown at the top when a submission could not go through."""
    group = page.title if page.parts == 1 else t_plain("datacall.page_group_part", locale, group=page.title,
                                                       part=page.part, parts=page.parts)
    blocks: list[Block] = [context(t("datacall.page_context", locale, entity=entity_code, year=year,
                                     page=page.number, pages=pages, group=group))]
    if question:
        blocks.append(section(t("datacall.returned_question", locale, question=question)))
    elif revising:
        blocks.append(context(t("datacall.revising", locale, entity=entity_code, year=year, revision=revising)))
    if problems:
        lines = [t("datacall.fix_line", locale, page=n, problem=Raw(text)) for n, text in problems]
        blocks += sections([t("datacall.fix_elsewhere", locale), *lines])[:2]
    blocks += [figure_input(i, figures.get(i.id), locale) for i in page.indicators]
    if page.number == 1:
        blocks.append(context(t("datacall.page_saved_note", locale)))
    last = page.number == pages
    metadata = {"year": year, "entity": entity_code, "page": page.number}
    return modal(ids.VIEW_DATACALL_PAGE, t_plain("datacall.fill_title", locale, year=year), blocks,
                 submit=t_plain("datacall.submit" if last else "datacall.next", locale),
                 close=t_plain("datacall.close", locale), private_metadata=json.dumps(metadata))


def reasons_view(flags: list[Flag], year: int, entity_code: str, reasons: Mapping[str, str],
                 locale: str | None) -> dict:
    blocks: list[Block] = [section(t("datacall.reasons_context", locale, entity=entity_code, year=year,
                                     previous_year=year - 1))]
    for flag in flags[:45]:
        i = flag.indicator
        blocks.append(section(t("datacall.reason_change", locale, label=i.label, previous=shown(flag.previous),
                                value=shown(flag.value), unit=i.unit or "", change=Number(flag.change_pct, signed=True),
                                previous_year=flag.previous_year)))
        element: Block = {"type": "plain_text_input", "multiline": True, "max_length": 500}
        if reasons.get(i.id):
            element["initial_value"] = reasons[i.id]
        blocks.append(input_block(ids.BLOCK_DATACALL_REASON + i.id, t_plain("datacall.reason_label", locale,
                                                                             label=i.label),
                                  element, hint=t_plain("datacall.reason_hint", locale)))
    return modal(ids.VIEW_DATACALL_REASONS, t_plain("datacall.fill_title", locale, year=year), blocks,
                 submit=t_plain("datacall.confirm", locale), close=t_plain("datacall.close", locale),
                 private_metadata=json.dumps({"year": year, "entity": entity_code}))


def choose_view(year: int, codes: list[str], locale: str | None) -> dict:
    options = [option(code, code) for code in codes][:OPTIONS_MAX]
    blocks = [input_block(ids.BLOCK_ENTITY, t_plain("datacall.choose_entity", locale),
                          {"type": "static_select", "options": options})]
    return modal(ids.VIEW_DATACALL_CHOOSE, t_plain("datacall.choose_title", locale, year=year), blocks,
                 submit=t_plain("datacall.choose_next", locale), close=t_plain("common.cancel", locale),
                 private_metadata=json.dumps({"year": year}))


# ---- the secretariat's views


def status(call: DataCall, states: list[EntityState], locale: str | None) -> tuple[str, list[Block]]:
    counts = {s: sum(1 for e in states if e.state == s) for s in STATES}
    summary = t("datacall.status_summary", locale, year=call.year, asked=len(states),
                state=t_plain(f"datacall.state_{call.status}", locale), deadline=deadline_mrkdwn(call), **counts)
    lines = [t(f"datacall.status_{e.state}", locale, entity=e.code, revision=e.revision or "—") for e in states]
    blocks = [header(t_plain("datacall.status_header", locale, year=call.year)), section(summary),
              *sections(lines), context(t("datacall.status_hint", locale, year=call.year))]
    return summary, blocks


def return_modal(entity_code: str, year: int, revision: int, figures: Mapping[str, Any], q: Questionnaire,
                 locale: str | None) -> dict:
    lines = [t("datacall.figure_line", locale, label=_label(i, locale), value=shown(figures[i.id]))
             for i in q.indicators if figures.get(i.id) is not None]
    blocks = [section(t("datacall.return_figures", locale, entity=entity_code, year=year, revision=revision)),
              *sections(lines),
              input_block(ids.BLOCK_DATACALL_QUESTION, t_plain("datacall.return_question", locale),
                          {"type": "plain_text_input", "multiline": True, "max_length": 2000},
                          hint=t_plain("datacall.return_question_hint", locale))]
    return modal(ids.VIEW_DATACALL_RETURN, t_plain("datacall.return_title", locale, entity=entity_code, year=year),
                 blocks, submit=t_plain("datacall.return_submit", locale), close=t_plain("common.cancel", locale),
                 private_metadata=json.dumps({"year": year, "entity": entity_code}))


def returned(call: DataCall, entity_code: str, question: str, locale: str | None) -> tuple[str, list[Block]]:
    text = t("datacall.returned_dm", locale, entity=entity_code, year=call.year, question=question,
             deadline=deadline_mrkdwn(call))
    return text, [section(text), fill_button(call.year, entity_code, locale, revise=True)]


def home_waiting(call: DataCall, entity_code: str, has_draft: bool, locale: str | None,
                 returned: bool = False) -> list[Block]:
    key = "datacall.home_returned" if returned else "datacall.home_draft" if has_draft else "datacall.home_waiting"
    text = t(key, locale, year=call.year, entity=entity_code, deadline=deadline_mrkdwn(call))
    return [section(text), fill_button(call.year, entity_code, locale, revise=returned)]
