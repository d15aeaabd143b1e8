"""How rounds look in Slack: the open modal, the announcement, the status board."""

from __future__ import annotations

import json
from datetime import date, timedelta

from bot.mrkdwn import date_token
from bot.reminders.plan import CHOICES, DEFAULT_OFFSETS, is_last_call
from bot.rounds.service import RoundInfo
from bot.rounds.status import Answer, Board
from bot.slack import ids
from bot.slack.blocks import Block, actions, button, context, header, input_block, modal, option, section, sections
from bot.texts import t, t_plain
from bot.timezones import local_text
from storage.models import Document, DocumentVersion, Process

REMINDER_LABELS = {"T-14d": "d14", "T-7d": "d7", "T-2d": "d2", "T-1d": "d1", "T-0": "day", "T-1h": "h1"}
STATUS_ICON = {Answer.SUBMITTED: ":white_check_mark:", Answer.NIL: ":heavy_minus_sign:",
               Answer.PENDING: ":hourglass_flowing_sand:", Answer.LATE: ":warning:"}


def deadline_mrkdwn(info: RoundInfo, deadline=None) -> str:
    """Slack shows the token in each reader's own time zone; the fallback names the round's."""
    moment = deadline or info.round.deadline
    return date_token(moment, local_text(moment, info.round.timezone))


def open_round_modal(process: Process, versions: list[tuple[DocumentVersion, Document]], members: list[str],
                     today: date, locale: str | None) -> dict:
    version_options = [option(t_plain("rounds.version_option", locale, title=d.title, number=v.number), str(v.id))
                       for v, d in versions][:100]
    member_options = [option(code, code) for code in members][:100]
    reminder_options = [option(t_plain(f"rounds.reminder_{REMINDER_LABELS[o]}", locale), o) for o in CHOICES]
    blocks = [
        input_block(ids.BLOCK_VERSION, t_plain("rounds.modal_version", locale),
                    {"type": "static_select", "options": version_options, "initial_option": version_options[0]}),
        input_block(ids.BLOCK_DEADLINE_DATE, t_plain("rounds.modal_deadline_date", locale),
                    {"type": "datepicker", "initial_date": (today + timedelta(days=14)).isoformat()}),
        input_block(ids.BLOCK_DEADLINE_TIME, t_plain("rounds.modal_deadline_time", locale),
                    {"type": "timepicker", "initial_time": "17:00"}),
        input_block(ids.BLOCK_TIMEZONE, t_plain("new_process.timezone", locale),
                    {"type": "plain_text_input", "max_length": 64, "initial_value": process.timezone},
                    hint=t_plain("new_process.timezone_hint", locale)),
        input_block(ids.BLOCK_ENTITIES, t_plain("rounds.modal_entities", locale),
                    {"type": "multi_static_select", "options": member_options, "initial_options": member_options},
                    hint=t_plain("rounds.modal_entities_hint", locale)),
        input_block(ids.BLOCK_INSTRUCTIONS, t_plain("rounds.modal_instructions", locale),
                    {"type": "plain_text_input", "multiline": True, "max_length": 3000}, optional=True),
        input_block(ids.BLOCK_REMINDERS, t_plain("rounds.modal_reminders", locale),
                    {"type": "checkboxes", "options": reminder_options,
                     "initial_options": [o for o in reminder_options if o["value"] in DEFAULT_OFFSETS]},
                    optional=True, hint=t_plain("rounds.modal_reminders_hint", locale)),
        input_block(ids.BLOCK_REFUSE_LATE, t_plain("rounds.modal_late", locale),
                    {"type": "checkboxes", "options": [option(t_plain("rounds.modal_refuse_late", locale), "refuse")]},
                    optional=True),
    ]
    return modal(ids.VIEW_ROUND_OPEN, t_plain("rounds.modal_title", locale), blocks,
                 submit=t_plain("rounds.modal_submit", locale), close=t_plain("common.cancel", locale),
                 private_metadata=json.dumps({"process": process.handle}))


def _buttons(info: RoundInfo, locale: str | None) -> Block:
    value = str(info.round.id)
    return actions(button(t_plain("rounds.submit_input", locale), ids.ACTION_INPUT_OPEN, value, "primary"),
                   button(t_plain("rounds.no_comments", locale), ids.ACTION_NIL_RETURN, value),
                   block_id=f"round:{value}")


def announcement(info: RoundInfo, locale: str | None) -> tuple[str, list[Block]]:
    r = info.round
    text = t("rounds.announced", locale, number=r.number, process=info.process.handle,
             title=info.document_title, version=info.version_number, deadline=deadline_mrkdwn(info),
             count=len(info.entity_codes))
    blocks = [header(t_plain("rounds.announced_header", locale, number=r.number, title=info.document_title)),
              section(text)]
    if r.instructions:
        blocks.append(section(t("rounds.instructions", locale, instructions=r.instructions)))
    blocks += [context(t("rounds.asked", locale, entities=", ".join(info.entity_codes))), _buttons(info, locale)]
    return text, blocks


def invitation(info: RoundInfo, entity_code: str, locale: str | None) -> tuple[str, list[Block]]:
    text = t("rounds.invited", locale, entity=entity_code, number=info.round.number, process=info.process.handle,
             title=info.document_title, version=info.version_number, deadline=deadline_mrkdwn(info))
    blocks = [section(text)]
    if info.round.instructions:
        blocks.append(section(t("rounds.instructions", locale, instructions=info.round.instructions)))
    return text, blocks + [_buttons(info, locale)]


def deadline_changed(info: RoundInfo, locale: str | None) -> str:
    return t("rounds.extended", locale, number=info.round.number, process=info.process.handle,
             deadline=deadline_mrkdwn(info))


def _left(delta: timedelta, locale: str | None) -> str:
    if delta <= timedelta(0):
        return t_plain("rounds.left_none", locale)
    days, hours = delta.days, delta.seconds // 3600
    return t_plain("rounds.left_days", locale, days=days, hours=hours) if days else \
        t_plain("rounds.left_hours", locale, hours=hours, minutes=delta.seconds % 3600 // 60)


def render_board(info: RoundInfo, board: Board, locale: str | None) -> tuple[str, list[Block]]:
    summary = t("rounds.status_summary", locale, number=info.round.number, process=info.process.handle,
                answered=board.answered, asked=len(board.entities), submitted=board.count(Answer.SUBMITTED),
                nil=board.count(Answer.NIL), pending=board.count(Answer.PENDING), late=board.count(Answer.LATE),
                deadline=deadline_mrkdwn(info))
    lines = [t(f"rounds.status_{e.answer.value}", locale, icon=STATUS_ICON[e.answer], entity=e.code,
               inputs=e.inputs, late=e.late_inputs, left=_left(e.time_left, locale)) for e in board.entities]
    return summary, [header(t_plain("rounds.status_header", locale, title=info.document_title)), section(summary),
                     *sections(lines)]


def close_summary(info: RoundInfo, board: Board, per_section: list[tuple[str, int]],
                  locale: str | None) -> tuple[str, list[Block]]:
    missing = [e.code for e in board.entities if e.answer in (Answer.PENDING, Answer.LATE)]
    text = t("rounds.closed", locale, number=info.round.number, process=info.process.handle,
             answered=board.answered, asked=len(board.entities), missing=", ".join(missing) or "—")
    lines = [t("rounds.per_section", locale, section=number or t_plain("inputs.general", locale), count=count)
             for number, count in per_section]
    return text, [section(text), *sections(lines)] if lines else [section(text)]



def reminder(info: RoundInfo, entity_code: str, row, locale: str | None) -> tuple[str, list[Block]]:
    """A chase to a focal point: the three answers at hand (submit, no comments, remind me tomorrow)."""
    deadline = deadline_mrkdwn(info, row.stale_at)
    key = "reminders.last_call" if is_last_call(row.offset) else "reminders.chase"
    text = t(key, locale, entity=entity_code, number=info.round.number, process=info.process.handle,
             title=info.document_title, version=info.version_number, deadline=deadline)
    value = str(info.round.id)
    buttons = actions(button(t_plain("rounds.submit_input", locale), ids.ACTION_INPUT_OPEN, value, "primary"),
                      button(t_plain("rounds.no_comments", locale), ids.ACTION_NIL_RETURN, value),
                      button(t_plain("reminders.tomorrow", locale), ids.ACTION_REMIND_TOMORROW, str(row.id)),
                      block_id=f"reminder:{row.id}")
    return text, [section(text), buttons, context(t("reminders.mute_hint", locale, process=info.process.handle))]


def escalation(info: RoundInfo, missing: list[str], locale: str | None) -> tuple[str, list[Block]]:
    """To the secretariat at the deadline (or the close): who never answered, and one button to extend."""
    key = "reminders.escalation_closed" if info.round.status == "closed" else "reminders.escalation"
    text = t(key, locale, number=info.round.number, process=info.process.handle, title=info.document_title,
             deadline=deadline_mrkdwn(info), count=len(missing), asked=len(info.entity_codes),
             missing=", ".join(missing))
    value = json.dumps({"round": info.round.id, "entities": missing})[:2000]
    return text, [section(text), actions(button(t_plain("reminders.extend_for_them", locale),
                                                ids.ACTION_ESCALATION_EXTEND, value, "primary"),
                                         block_id=f"escalation:{info.round.id}")]


def weekly_status(process: Process, rounds: list[tuple[RoundInfo, Board]], locale: str | None
                  ) -> tuple[str, list[Block]]:
    text = t("reminders.weekly", locale, process=process.handle, count=len(rounds))
    lines = []
    for info, status in rounds:
        waiting = [e.code for e in status.entities if e.answer in (Answer.PENDING, Answer.LATE)]
        lines.append(t("reminders.weekly_round", locale, number=info.round.number, title=info.document_title,
                       answered=status.answered, asked=len(status.entities), deadline=deadline_mrkdwn(info),
                       waiting=", ".join(waiting) or "—"))
    return text, [header(t_plain("reminders.weekly_header", locale, process=process.handle)), section(text),
                  *sections(lines)]
