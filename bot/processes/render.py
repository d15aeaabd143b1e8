"""How processes look in Slack: the list and the new-process modal."""

from __future__ import annotations

import json

from bot.mrkdwn import Raw, channel, mention
from bot.processes.service import DESCRIPTION_MAX, TITLE_MAX, ProcessSummary
from bot.slack import ids
from bot.slack.blocks import Block, context, header, input_block, modal, option, plain, section, sections
from bot.slack.entity_picker import entity_input
from bot.texts import language_name, languages, t, t_plain
from storage.models import Entity, Process, ProcessKind


def process_line(summary: ProcessSummary, locale: str | None) -> str:
    p = summary.process
    return t("processes.line", locale, handle=p.handle, title=p.title,
             kind=t_plain(f"process_kinds.{p.kind}", locale),
             status=t_plain(f"process_status.{p.status}", locale),
             mandate_end=p.mandate_end.isoformat() if p.mandate_end else t_plain("processes.no_mandate_end", locale),
             members=len(summary.member_codes), focal_points=summary.focal_points,
             chairs=Raw(" ".join(mention(c) for c in summary.chairs)) or "—",
             channel=channel(p.channel_id) if p.channel_id else "—")


def render_list(summaries: list[ProcessSummary], locale: str | None) -> tuple[str, list[Block]]:
    lines = [process_line(s, locale) for s in summaries] or [t("processes.none", locale)]
    return (t("processes.fallback", locale, count=len(summaries)),
            [header(t_plain("processes.header", locale)), *sections(lines)])


def render_created(process: Process, members: list[str], locale: str | None) -> tuple[str, list[Block]]:
    text = t("processes.created", locale, handle=process.handle, title=process.title,
             members=", ".join(members))
    return text, [section(text), context(t("processes.created_next", locale, handle=process.handle))]


def new_process_modal(entities: list[Entity], default_timezone: str, locale: str | None,
                      channel_id: str | None = None) -> dict:
    kinds = [option(t_plain(f"process_kinds.{k.value}", locale), k.value) for k in ProcessKind
             if k != ProcessKind.PEER_REVIEW]  # opened with `/consult review open`, with the review's own data
    entity_options = [option(f"{e.code} — {e.name}", e.code) for e in entities]
    channel_element: dict = {"type": "conversations_select",
                             "filter": {"include": ["public", "private"], "exclude_bot_users": True}}
    if channel_id and channel_id.startswith(("C", "G")):
        channel_element["initial_conversation"] = channel_id
    spoken = [option(language_name(code, locale), code) for code in languages()]  # English first
    blocks = [
        input_block(ids.BLOCK_HANDLE, t_plain("new_process.handle", locale),
               {"type": "plain_text_input", "max_length": 32,
                "placeholder": plain(t_plain("new_process.handle_placeholder", locale), 150)},
               hint=t_plain("new_process.handle_hint", locale)),
        input_block(ids.BLOCK_KIND, t_plain("new_process.kind", locale),
               {"type": "static_select", "options": kinds, "initial_option": kinds[0]}),
        input_block(ids.BLOCK_TITLE, t_plain("new_process.title", locale),
               {"type": "plain_text_input", "max_length": TITLE_MAX}),
        input_block(ids.BLOCK_DESCRIPTION, t_plain("new_process.description", locale),
               {"type": "plain_text_input", "multiline": True, "max_length": DESCRIPTION_MAX}, optional=True),
        input_block(ids.BLOCK_CHANNEL, t_plain("new_process.channel", locale), channel_element, optional=True),
        input_block(ids.BLOCK_TIMEZONE, t_plain("new_process.timezone", locale),
               {"type": "plain_text_input", "max_length": 64, "initial_value": default_timezone},
               hint=t_plain("new_process.timezone_hint", locale)),
        input_block(ids.BLOCK_MANDATE_END, t_plain("new_process.mandate_end", locale), {"type": "datepicker"},
               optional=True),
        input_block(ids.BLOCK_CHAIRS, t_plain("new_process.chairs", locale), {"type": "multi_users_select"},
               optional=True),
        entity_input(ids.BLOCK_MEMBERS, t_plain("new_process.members", locale), entity_options, locale),
        input_block(ids.BLOCK_PROCESS_LANGUAGE, t_plain("new_process.language", locale),
               {"type": "static_select", "options": spoken, "initial_option": spoken[0]},
               hint=t_plain("new_process.language_hint", locale)),
    ]
    return modal(ids.VIEW_NEW_PROCESS, t_plain("new_process.modal_title", locale), blocks,
                 submit=t_plain("new_process.submit", locale), close=t_plain("common.cancel", locale),
                 private_metadata=json.dumps({"channel_id": channel_id}))
