"""How inputs look in Slack: the Submit input modal, confirmations, lists, the response modal."""

from __future__ import annotations

import json

from bot.inputs.pages import UNANSWERED, InputPage
from bot.inputs.service import COMMENT_MAX, TEXT_MAX, Saved
from bot.slack import ids
from bot.mrkdwn import date_token, mention
from bot.slack.blocks import Block, actions, button, context, header, input_block, modal, option, section
from bot.slack.blocks import sections as sections_of
from bot.texts import t, t_plain
from storage.models import Disposition, Entity, Input, InputKind, InputRevision, Response, Section

SECTION_OPTIONS_MAX = 99  # Slack allows 100 options; one is "general"
OPTION_TEXT = 75  # Slack's limit for an option's text


def section_label(s: Section) -> str:
    """`3.2 Scope of application`; a numbered paragraph has no heading: `para 14 — The Parties agree…`."""
    if s.heading.strip():
        label = f"{s.number} {s.heading}".strip()
    else:
        words = " ".join((s.text or "").split())
        label = f"{s.number} — {words}" if words else s.number
    return label if len(label) <= OPTION_TEXT else label[:OPTION_TEXT - 1].rstrip() + "…"


def input_modal(round_id: int, entities: list[Entity], sections: list[Section], locale: str | None,
                existing: Input | None = None, existing_section: str = "") -> dict:
    entity_options = [option(f"{e.code} — {e.name}", e.code) for e in entities]
    general = option(t_plain("inputs.general", locale), "general")
    kinds = [option(t_plain(f"input_kinds.{k.value}", locale), k.value) for k in InputKind]

    def initial(options: list[dict], value: str) -> dict:
        return next((o for o in options if o["value"] == value), options[0])

    entity_element: dict = {"type": "static_select", "options": entity_options, "initial_option": entity_options[0]}
    if existing is not None:
        entity_element["initial_option"] = initial(entity_options, next(
            (e.code for e in entities if e.id == existing.entity_id), entity_options[0]["value"]))
    if len(sections) <= SECTION_OPTIONS_MAX:
        section_options = [general] + [option(section_label(s), s.number) for s in sections]
        section_element: dict = {"type": "static_select", "options": section_options,
                                 "initial_option": initial(section_options, existing_section or "general")}
    else:  # a long document: type the number
        section_element = {"type": "plain_text_input", "max_length": 32, "initial_value": existing_section}

    def text(value: str, limit: int) -> dict:
        element = {"type": "plain_text_input", "multiline": True, "max_length": limit}
        return {**element, "initial_value": value} if value else element

    blocks: list[Block] = [
        input_block(ids.BLOCK_ENTITY, t_plain("inputs.modal_entity", locale), entity_element),
        input_block(ids.BLOCK_SECTION, t_plain("inputs.modal_section", locale), section_element, optional=True,
                    hint=t_plain("inputs.modal_section_hint", locale)),
        input_block(ids.BLOCK_INPUT_KIND, t_plain("inputs.modal_kind", locale),
                    {"type": "static_select", "options": kinds,
                     "initial_option": initial(kinds, existing.kind if existing else "general")}),
        input_block(ids.BLOCK_COMMENT, t_plain("inputs.modal_comment", locale),
                    text(existing.comment if existing else "", COMMENT_MAX)),
        input_block(ids.BLOCK_PROPOSED_TEXT, t_plain("inputs.modal_proposed_text", locale),
                    text(existing.proposed_text if existing else "", TEXT_MAX), optional=True),
        input_block(ids.BLOCK_RATIONALE, t_plain("inputs.modal_rationale", locale),
                    text(existing.rationale if existing else "", TEXT_MAX), optional=True),
    ]
    metadata = {"round_id": round_id, "input_id": existing.id if existing else None}
    title = "inputs.modal_title_edit" if existing else "inputs.modal_title"
    return modal(ids.VIEW_INPUT, t_plain(title, locale), blocks, submit=t_plain("inputs.modal_submit", locale),
                 close=t_plain("common.cancel", locale), private_metadata=json.dumps(metadata))


def saved(result: Saved, locale: str | None) -> str:
    key = "inputs.withdrawn" if result.input.status == "withdrawn" else \
        "inputs.saved_late" if result.input.late else "inputs.saved"
    return t(key, locale, ref=result.input.ref, entity=result.entity_code, revision=result.revision)


def input_line(item: Input, entity_code: str, section: Section | None, response: Response | None,
               locale: str | None) -> str:
    where = f"{section.number} {section.heading}".strip() if section else t_plain("inputs.general", locale)
    line = t("inputs.line", locale, ref=item.ref, entity=entity_code, section=where,
             kind=t_plain(f"input_kinds.{item.kind}", locale), comment=item.comment[:500])
    if item.late:
        line += " " + t("inputs.late_flag", locale)
    if item.status == "withdrawn":
        line += " " + t("inputs.withdrawn_flag", locale)
    if response is not None:
        line += "\n" + t("inputs.response_line", locale, disposition=t_plain(f"dispositions.{response.disposition}",
                                                                             locale), response=response.text[:500])
    return line


def input_blocks(item: Input, entity_code: str, where: Section | None, response: Response | None,
                 can_edit: bool, can_respond: bool, locale: str | None) -> list[Block]:
    blocks = [section(input_line(item, entity_code, where, response, locale))]
    buttons = []
    value = str(item.id)
    if can_edit and item.status == "active":
        buttons += [button(t_plain("inputs.edit", locale), ids.ACTION_INPUT_EDIT, value),
                    button(t_plain("inputs.withdraw", locale), ids.ACTION_INPUT_WITHDRAW, value, "danger")]
    if can_respond and item.status == "active":
        buttons.append(button(t_plain("inputs.respond", locale), ids.ACTION_INPUT_RESPOND, value, "primary"))
    if can_edit or can_respond:
        buttons.append(button(t_plain("inputs.history", locale), ids.ACTION_INPUT_HISTORY, value))
    if buttons:
        blocks.append(actions(*buttons, block_id=f"input:{value}"))
    return blocks


def _filters(page: InputPage, locale: str | None) -> str:
    wanted = page.filter
    parts = [t_plain(f"inputs.filter_{name}", locale, value=value) for name, value in
             (("section", wanted.section), ("entity", wanted.entity), ("disposition", wanted.disposition))
             if value is not None]
    return ", ".join(parts)


def page_blocks(page: InputPage, locale: str | None) -> tuple[str, list[Block]]:
    """One page: each input with its buttons, a footer counting inputs (not blocks), Previous / Next."""
    title = t_plain("inputs.list_header", locale, number=page.round.number, count=page.total)
    blocks: list[Block] = [header(title)]
    filters = _filters(page, locale)
    if filters:
        blocks.append(context(t("inputs.filtered_by", locale, filters=filters)))
    for row in page.rows:
        blocks += input_blocks(row.input, row.entity_code, row.section, row.response, row.can_edit,
                               page.can_respond, locale)
    if not page.rows:
        blocks.append(section(t("inputs.none_filtered" if filters else "inputs.none", locale)))
    else:
        blocks.append(context(t("inputs.page_footer", locale, first=page.first, last=page.last, total=page.total,
                                page=page.page, pages=page.pages)))
    nav = []
    if page.page > 1:
        nav.append(button(t_plain("inputs.previous", locale), ids.ACTION_INPUTS_PREVIOUS,
                          page.filter.button_value(page.page - 1)))
    if page.page < page.pages:
        nav.append(button(t_plain("inputs.next", locale), ids.ACTION_INPUTS_NEXT,
                          page.filter.button_value(page.page + 1)))
    if page.can_respond and page.filter.disposition is None and page.total:
        unanswered = page.filter.model_copy(update={"disposition": UNANSWERED})
        nav.append(button(t_plain("inputs.only_unanswered", locale), ids.ACTION_INPUTS_UNANSWERED,
                          unanswered.button_value(1)))
    if nav:
        blocks.append(actions(*nav, block_id="inputs.pages"))
    return title, blocks


def respond_modal(item: Input, entity_code: str, response: Response | None, locale: str | None) -> dict:
    options = [option(t_plain(f"dispositions.{d.value}", locale), d.value) for d in Disposition]
    element: dict = {"type": "static_select", "options": options}
    if response is not None:
        element["initial_option"] = next(o for o in options if o["value"] == response.disposition)
    text: dict = {"type": "plain_text_input", "multiline": True, "max_length": TEXT_MAX}
    if response is not None and response.text:
        text["initial_value"] = response.text
    blocks = [section(t("inputs.respond_to", locale, ref=item.ref, entity=entity_code, comment=item.comment[:2500])),
              input_block(ids.BLOCK_DISPOSITION, t_plain("inputs.modal_disposition", locale), element),
              input_block(ids.BLOCK_RESPONSE, t_plain("inputs.modal_response", locale), text, optional=True)]
    return modal(ids.VIEW_RESPOND, t_plain("inputs.respond_title", locale), blocks,
                 submit=t_plain("inputs.respond_submit", locale), close=t_plain("common.cancel", locale),
                 private_metadata=json.dumps({"input_id": item.id}))



def render_history(item: Input, revisions: list[InputRevision], sections: dict[int, str],
                   locale: str | None) -> tuple[str, list[Block]]:
    lines = [t("inputs.revision", locale, number=r.number, by=mention(r.by), at=date_token(r.at, r.at.isoformat()),
               status=t_plain(f"inputs.revision_status_{r.status}", locale),
               section=sections.get(r.section_id, t_plain("inputs.general", locale)),
               kind=t_plain(f"input_kinds.{r.kind}", locale), comment=r.comment[:400],
               proposed=r.proposed_text[:300] or "—")
             for r in revisions]
    title = t("inputs.history_of", locale, ref=item.ref, count=len(revisions))
    return title, [section(title), *sections_of(lines)]
