"""The open mapping surveys on the App Home (bot/slack/home.py): to a focal point, each mapping its entities
must still answer (not started, a draft, or returned with a question) with the button to answer, continue or
revise, its deadline in the reader's zone; to the secretariat, each open mapping's answered and outstanding
counts. Pure once the rows are read: `home_blocks` takes the session first, as a domain service does."""

from __future__ import annotations

from sqlmodel import Session

from bot.mapping.render import deadline_mrkdwn, fill_button
from bot.mapping.service import COUNTED, answerable, deadline_of, open_mappings, process_of, responses, survey_of
from bot.roles.service import is_secretariat
from bot.slack import ids
from bot.slack.blocks import Block, actions, button, section, sections, under_header
from bot.texts import t, t_plain
from storage.models import Person, ResponseStatus

HOME_SHOWN = 5  # mappings to answer shown to a focal point (two blocks each)
PROGRESS_SHOWN = 20  # open mappings counted for the secretariat


def _to_answer(session: Session, person: Person, locale: str | None) -> list[Block]:
    blocks: list[Block] = []
    for mapping in open_mappings(session):
        mine = {e.id for e in answerable(session, person, mapping)}
        for entity, row in responses(session, mapping):
            if entity.id not in mine or row.status == ResponseStatus.SUBMITTED:
                continue
            if len(blocks) >= 2 * HOME_SHOWN:
                return blocks
            process, survey = process_of(session, mapping).handle, survey_of(mapping)
            returned, draft = row.status == ResponseStatus.RETURNED, row.draft is not None
            key = "mapping.home_returned" if returned else "mapping.home_draft" if draft else "mapping.home_waiting"
            blocks.append(section(t(key, locale, title=survey.title, process=process, entity=entity.code,
                                    deadline=deadline_mrkdwn(mapping, deadline_of(mapping, row)))))
            if draft and not returned:
                blocks.append(actions(button(t_plain("mapping.home_continue", locale), ids.ACTION_MAPPING_FILL,
                                             f"{process}:{survey.id}:{entity.code}", "primary"),
                                      block_id=f"mapping:{process}:{survey.id}:{entity.code}"))
            else:
                blocks.append(fill_button(process, survey.id, entity.code, locale, revise=returned))
    return blocks


def _progress(session: Session, locale: str | None) -> list[Block]:
    lines = []
    for mapping in open_mappings(session)[:PROGRESS_SHOWN]:
        rows = responses(session, mapping)
        answered = sum(1 for _, r in rows if r.status in COUNTED)
        lines.append(t("mapping.home_progress", locale, title=survey_of(mapping).title,
                       process=process_of(session, mapping).handle, deadline=deadline_mrkdwn(mapping),
                       answered=answered, asked=len(rows), outstanding=len(rows) - answered))
    return [section(t("mapping.home_progress_header", locale)), *sections(lines)] if lines else []


def home_blocks(session: Session, person: Person, locale: str | None) -> list[Block]:
    """The focal point's mappings to answer; for the secretariat, then, where each open mapping stands."""
    blocks = _to_answer(session, person, locale)
    if is_secretariat(session, person):
        blocks += _progress(session, locale)
    return blocks


def with_home_blocks(session: Session, person: Person, view: dict, locale: str | None) -> dict:
    """The App Home with the person's open mappings under its header, within the view's 100 blocks."""
    return under_header(view, home_blocks(session, person, locale))
