"""How polls look in Slack: the poll modal, the ballot (DM and answer modal), the board, reminders."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache

from bot.mrkdwn import Raw, date_token
from bot.polls.service import DURATIONS, Answered, Ballot, Board, Waiting
from bot.polls.tally import WORK_END, WORK_START, SlotRow, SlotTally, zone_of
from bot.slack import ids
from bot.slack.blocks import (Block, actions, button, context, header, input_block, modal, option, section,
                              sections)
from bot.texts import t, t_plain
from bot.timezones import local_text
from storage.models import Poll, PollStatus, Process

TOP = 3  # slots with a "Schedule this slot" button on the board
FLAG_CODES = 4  # entity codes named in a flag before "+N"
ICON = {"yes": ":white_check_mark:", "if_need_be": ":grey_question:", "no": ":x:"}
HOURS = f"{WORK_START:%H:%M}–{WORK_END:%H:%M}"


@lru_cache(maxsize=8192)
def when(start: datetime, poll_zone: str) -> Raw:
    """A slot's start in each reader's own zone (Slack's date token); the fallback names the poll's zone
    (as bot.timezones.local_text writes it). The duration is said once, above the slots."""
    local = start.astimezone(zone_of(poll_zone))
    return date_token(start, f"{local:%Y-%m-%d %H:%M} {poll_zone} ({local:%Z})", "{date_short_pretty} {time}")


def _codes(codes: tuple[str, ...] | list[str]) -> str:
    shown = ", ".join(codes[:FLAG_CODES])
    return shown if len(codes) <= FLAG_CODES else f"{shown} +{len(codes) - FLAG_CODES}"


def _flag(outside: tuple[str, ...], locale: str | None, plain: bool = False) -> str:
    if not outside:
        return ""
    render = t_plain if plain else t
    return render("polls.flag", locale, hours=HOURS, count=len(outside), entities=_codes(outside))


class _Flags(dict):
    """The flag text of each set of entities outside working hours, made once per message."""

    def __init__(self, locale: str | None) -> None:
        super().__init__()
        self.locale = locale

    def __missing__(self, outside: tuple[str, ...]) -> Raw:
        self[outside] = text = Raw(_flag(outside, self.locale))
        return text


# ---- the poll modal


def new_poll_modal(process: Process, members: list[str], locale: str | None) -> dict:
    member_options = [option(code, code) for code in members][:100]
    durations = [option(t_plain("polls.minutes", locale, minutes=m), str(m)) for m in DURATIONS]
    blocks = [
        input_block(ids.BLOCK_TITLE, t_plain("polls.modal_title_field", locale),
                    {"type": "plain_text_input", "max_length": 200,
                     "placeholder": {"type": "plain_text", "text": t_plain("polls.modal_title_example", locale)}}),
        input_block(ids.BLOCK_POLL_DURATION, t_plain("polls.modal_duration", locale),
                    {"type": "static_select", "options": durations, "initial_option": durations[1]}),
        input_block(ids.BLOCK_TIMEZONE, t_plain("polls.modal_timezone", locale),
                    {"type": "plain_text_input", "max_length": 64, "initial_value": process.timezone},
                    hint=t_plain("new_process.timezone_hint", locale)),
        input_block(ids.BLOCK_POLL_SLOTS, t_plain("polls.modal_slots", locale),
                    {"type": "plain_text_input", "multiline": True, "max_length": 2000,
                     "placeholder": {"type": "plain_text", "text": "2027-02-14 10:00\n2027-02-14 15:00"}},
                    hint=t_plain("polls.modal_slots_hint", locale, limit=40)),
        input_block(ids.BLOCK_ENTITIES, t_plain("polls.modal_entities", locale),
                    {"type": "multi_static_select", "options": member_options, "initial_options": member_options},
                    hint=t_plain("polls.modal_entities_hint", locale)),
    ]
    return modal(ids.VIEW_POLL_NEW, t_plain("polls.modal_title", locale), blocks,
                 submit=t_plain("polls.modal_submit", locale), close=t_plain("common.cancel", locale),
                 private_metadata=json.dumps({"process": process.handle}))


# ---- what a focal point sees


def _answer_button(poll: Poll, code: str, locale: str | None) -> Block:
    return button(t_plain("polls.answer", locale), ids.ACTION_POLL_ANSWER, f"{poll.id}:{code}", "primary")


def ballot_message(ballot: Ballot, locale: str | None) -> tuple[str, list[Block]]:
    """The DM to a focal point: every slot in their own zone, flagged, and a button to answer."""
    poll = ballot.poll
    text = t("polls.invited", locale, entity=ballot.entity.code, title=poll.title, process=ballot.process.handle,
             count=len(ballot.slots), minutes=poll.duration_minutes)
    lines, flags = [], _Flags(locale)
    for slot in ballot.slots:
        answer = ballot.answers.get(slot.id)
        mark = t("polls.your_answer", locale, answer=t_plain(f"polls.answer_{answer}", locale)) if answer else ""
        lines.append(t("polls.ballot_line", locale, n=slot.position, when=when(slot.start, poll.timezone),
                       flag=flags[ballot.outside[slot.id]], answer=Raw(mark)))
    blocks = [section(text), *sections(lines),
              actions(_answer_button(poll, ballot.entity.code, locale),
                      block_id=f"poll:{poll.id}:{ballot.entity.code}"),
              context(t("polls.flag_legend", locale, hours=HOURS))]
    return text, blocks


def slot_label(slot: SlotRow, reader_zone: str, outside: tuple[str, ...], locale: str | None) -> str:
    tz = zone_of(reader_zone)
    start, end = slot.start.astimezone(tz), slot.end.astimezone(tz)
    end_text = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
    return t_plain("polls.slot_label", locale, n=slot.position, date=f"{start:%Y-%m-%d}", start=f"{start:%H:%M}",
                   end=end_text, flag=_flag(outside, locale, plain=True))


def answer_modal(ballot: Ballot, reader_zone: str, locale: str | None) -> dict:
    """One select per slot (at most 40, inside a modal's 100 blocks), prefilled with the entity's answers."""
    choices = {a: option(t_plain(f"polls.answer_{a}", locale), a) for a in ICON}
    blocks: list[Block] = [section(t("polls.answer_intro", locale, entity=ballot.entity.code, title=ballot.poll.title,
                                     timezone=reader_zone))]
    for slot in ballot.slots:
        element: Block = {"type": "static_select", "options": list(choices.values()),
                          "placeholder": {"type": "plain_text", "text": t_plain("polls.answer_pick", locale)}}
        current = ballot.answers.get(slot.id)
        if current in choices:
            element["initial_option"] = choices[current]
        blocks.append(input_block(f"{ids.BLOCK_POLL_SLOT}{slot.id}",
                                  slot_label(slot, reader_zone, ballot.outside[slot.id], locale), element,
                                  optional=True))
    return modal(ids.VIEW_POLL_ANSWER, t_plain("polls.answer_title", locale), blocks,
                 submit=t_plain("polls.answer_submit", locale), close=t_plain("common.cancel", locale),
                 private_metadata=json.dumps({"poll": ballot.poll.id, "entity": ballot.entity.code}))


def answered(result: Answered, locale: str | None) -> str:
    return t("polls.answered", locale, entity=result.entity_code, title=result.poll.title, yes=result.yes,
             maybe=result.if_need_be, no=result.no, left=result.slots - result.yes - result.if_need_be - result.no)


# ---- what the secretariat or the chair sees


def _slot_line(rank: int, row: SlotTally, poll: Poll, flags: _Flags, locale: str | None) -> str:
    return t("polls.board_line", locale, rank=rank, when=when(row.slot.start, poll.timezone), yes=row.yes,
             maybe=row.if_need_be, no=row.no, missing=row.unanswered, flag=flags[row.outside])


def render_board(board: Board, locale: str | None) -> tuple[str, list[Block]]:
    poll, tally = board.poll, board.tally
    status = t_plain(f"polls.status_{poll.status}", locale)
    text = t("polls.board_summary", locale, id=poll.id, title=poll.title, process=poll.process_handle,
             status=status, answered=tally.answered, invited=len(tally.invited), slots=tally.slots,
             minutes=poll.duration_minutes, timezone=poll.timezone)
    blocks: list[Block] = [header(t_plain("polls.board_header", locale, id=poll.id, title=poll.title)), section(text)]
    schedulable = poll.status != PollStatus.SCHEDULED
    flags = _Flags(locale)
    if tally.ranked:
        blocks.append(section(t("polls.board_best", locale)))
    for rank, row in enumerate(tally.ranked[:TOP], start=1):
        accessory = button(t_plain("polls.schedule", locale), ids.ACTION_POLL_SCHEDULE,
                           f"{poll.id}:{row.slot.id}") if schedulable else None
        blocks.append(section(_slot_line(rank, row, poll, flags, locale), accessory))
    rest = [_slot_line(rank, row, poll, flags, locale) for rank, row in enumerate(tally.ranked[TOP:], start=TOP + 1)]
    if rest:
        blocks += [section(t("polls.board_rest", locale)), *sections(rest)]
    waiting = t("polls.board_waiting", locale, count=len(tally.not_answered), entities=", ".join(tally.not_answered)) \
        if tally.not_answered else t("polls.board_all_answered", locale)
    blocks.append(section(waiting))
    if poll.status == PollStatus.OPEN:
        blocks.append(context(t("polls.board_footer", locale, id=poll.id, hours=HOURS)))
    return text, blocks


def created(board: Board, told: int, unreached: list[str], locale: str | None) -> str:
    text = t("polls.created", locale, id=board.poll.id, title=board.poll.title, count=told)
    if unreached:
        text += " " + t("polls.created_unreached", locale, entities=", ".join(unreached))
    return text


# ---- reminders


def reminder(poll: Poll, process: Process, entity_code: str, answered: int, slots: int, first: datetime | None,
             row, locale: str | None) -> tuple[str, list[Block]]:
    first_text = date_token(first, local_text(first, poll.timezone)) if first else "—"
    text = t("polls.reminder", locale, entity=entity_code, title=poll.title, process=process.handle,
             answered=answered, slots=slots, first=first_text)
    buttons = actions(_answer_button(poll, entity_code, locale),
                      button(t_plain("reminders.tomorrow", locale), ids.ACTION_REMIND_TOMORROW, str(row.id)),
                      block_id=f"reminder:{row.id}")
    return text, [section(text), buttons, context(t("reminders.mute_hint", locale, process=process.handle))]


HOME_POLLS = 5


def home_polls(waiting: list[Waiting], locale: str | None) -> list[Block]:
    """The App Home's polls waiting for the viewer's entities, each with **Answer** (nothing when none)."""
    if not waiting:
        return []
    blocks: list[Block] = [section(t("polls.home_header", locale))]
    for w in waiting[:HOME_POLLS]:
        blocks.append(section(t("polls.home_poll", locale, title=w.poll.title, process=w.process_handle,
                                entity=w.code, answered=w.answered, slots=w.slots,
                                first=when(w.first, w.poll.timezone))))
        blocks.append(actions(_answer_button(w.poll, w.code, locale), block_id=f"home-poll:{w.poll.id}:{w.code}"))
    return blocks
