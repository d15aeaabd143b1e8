"""How outcomes look in Slack: the outcomes modal, decision lines, `/consult meetings`, the App
Home's next meetings, action item messages."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timezone

from bot.mrkdwn import Raw, date_token
from bot.outcomes.reminder_plan import due_moment
from bot.outcomes.service import DecisionView, MeetingList, MeetingView, Recorded
from bot.slack import ids
from bot.slack.blocks import (Block, actions, button, clip, context, divider, header, input_block, modal, option,
                              section)
from bot.texts import t, t_plain
from bot.timezones import local_text
from storage.models import (ActionItem, ActionStatus, Attendance, DecisionKind, Document, DocumentVersion, Meeting,
                            MeetingKind, MeetingStatus, Process)

LIST_TEXT = 300  # a decision's text in a list is cut here
DECISIONS_SHOWN = 8  # per meeting in `/consult meetings`


def meeting_kind(kind: str, locale: str | None) -> str:
    labels = {MeetingKind.SENIOR_OFFICIALS: t_plain("outcomes.meeting_senior_officials", locale),
              MeetingKind.IMG: t_plain("outcomes.meeting_img", locale),
              MeetingKind.RETREAT: t_plain("outcomes.meeting_retreat", locale),
              MeetingKind.PEER_REVIEW: t_plain("outcomes.meeting_peer_review", locale)}
    return labels.get(kind, t_plain("outcomes.meeting_other", locale))


def decision_kinds(locale: str | None) -> list[dict]:
    return [option(t_plain("outcomes.kind_mandate_extended", locale), DecisionKind.MANDATE_EXTENDED.value),
            option(t_plain("outcomes.kind_group_closed", locale), DecisionKind.GROUP_CLOSED.value),
            option(t_plain("outcomes.kind_document_approved", locale), DecisionKind.DOCUMENT_APPROVED.value),
            option(t_plain("outcomes.kind_action_item", locale), DecisionKind.ACTION_ITEM.value),
            option(t_plain("outcomes.kind_other", locale), DecisionKind.OTHER.value)]


def when(meeting: Meeting) -> Raw:
    """Start and end, each in the reader's own zone; the fallback names the meeting's zone."""
    start = date_token(meeting.start, local_text(meeting.start, meeting.timezone))
    end = date_token(meeting.end, local_text(meeting.end, meeting.timezone).split(" ", 1)[1], "{time}")
    return Raw(f"{start}–{end}")


def day_token(day: date) -> Raw:
    """A calendar date (a mandate's end): noon UTC keeps the same day in nearly every zone."""
    return date_token(datetime.combine(day, time(12, 0), tzinfo=timezone.utc), day.isoformat(), "{date_long}")


def due_token(due: date, timezone_name: str) -> Raw:
    moment = due_moment(due, timezone_name)
    return date_token(moment, local_text(moment, timezone_name))


def _where(meeting: Meeting, locale: str | None) -> str:
    if meeting.place:
        return t("outcomes.meeting_place", locale, place=meeting.place)
    return t("outcomes.meeting_online", locale) if meeting.online_link else ""


def decision_line(view: DecisionView, locale: str | None, limit: int | None = None) -> str:
    d = view.decision
    text = clip(d.text, limit) if limit else d.text
    if d.kind == DecisionKind.MANDATE_EXTENDED:
        line = t("outcomes.line_mandate_extended", locale, date=day_token(d.mandate_end))
    elif d.kind == DecisionKind.GROUP_CLOSED:
        line = t("outcomes.line_group_closed", locale)
    elif d.kind == DecisionKind.DOCUMENT_APPROVED:
        line = t("outcomes.line_document_approved", locale, title=view.document_title or "—",
                 number=view.version_number or "—")
    elif d.kind == DecisionKind.ACTION_ITEM and view.action is not None:
        item = view.action
        status = t_plain("outcomes.action_done" if item.status == ActionStatus.DONE else "outcomes.action_open",
                         locale)
        return t("outcomes.line_action_item", locale, entity=view.owner_code or "—", text=text, id=item.id,
                 due=due_token(item.due, view.process_timezone), status=status)
    else:
        return t("outcomes.line_other", locale, text=text)
    return t("outcomes.line_note", locale, line=Raw(line), note=text) if text else line


def outcomes_modal(meeting: Meeting, process: Process, decisions: list[DecisionView],
                   versions: list[tuple[DocumentVersion, Document]], members: list[str], locale: str | None) -> dict:
    lines = [decision_line(v, locale, LIST_TEXT) for v in decisions]
    recorded = t("outcomes.modal_recorded", locale) + "\n" + "\n".join(lines) if lines \
        else t("outcomes.modal_none_yet", locale)
    blocks: list[Block] = [
        section(t("outcomes.modal_meeting", locale, title=meeting.title, process=process.handle, when=when(meeting))),
        context(recorded),
        input_block(ids.BLOCK_OUTCOME_MINUTES, t_plain("outcomes.modal_minutes", locale),
                    {"type": "plain_text_input", "multiline": True, "max_length": 3000,
                     **({"initial_value": meeting.minutes[:3000]} if meeting.minutes else {})},
                    optional=True, hint=t_plain("outcomes.modal_minutes_hint", locale)),
        divider(),
        input_block(ids.BLOCK_OUTCOME_KIND, t_plain("outcomes.modal_kind", locale),
                    {"type": "static_select", "options": decision_kinds(locale)}, optional=True,
                    hint=t_plain("outcomes.modal_kind_hint", locale)),
        input_block(ids.BLOCK_MANDATE_END, t_plain("outcomes.modal_mandate_end", locale), {"type": "datepicker"},
                    optional=True, hint=t_plain("outcomes.modal_mandate_end_hint", locale)),
    ]
    version_options = [option(t_plain("outcomes.version_option", locale, title=d.title, number=v.number), str(v.id))
                       for v, d in versions if v.approved_at is None][:100]
    if version_options:
        blocks.append(input_block(ids.BLOCK_VERSION, t_plain("outcomes.modal_version", locale),
                                  {"type": "static_select", "options": version_options}, optional=True,
                                  hint=t_plain("outcomes.modal_version_hint", locale)))
    member_options = [option(code, code) for code in members][:100]
    if member_options:
        blocks.append(input_block(ids.BLOCK_OUTCOME_OWNER, t_plain("outcomes.modal_owner", locale),
                                  {"type": "static_select", "options": member_options}, optional=True,
                                  hint=t_plain("outcomes.modal_owner_hint", locale)))
    blocks += [
        input_block(ids.BLOCK_OUTCOME_DUE, t_plain("outcomes.modal_due", locale), {"type": "datepicker"},
                    optional=True, hint=t_plain("outcomes.modal_due_hint", locale)),
        input_block(ids.BLOCK_OUTCOME_TEXT, t_plain("outcomes.modal_text", locale),
                    {"type": "plain_text_input", "multiline": True, "max_length": 3000}, optional=True,
                    hint=t_plain("outcomes.modal_text_hint", locale)),
    ]
    return modal(ids.VIEW_OUTCOMES, t_plain("outcomes.modal_title", locale), blocks,
                 submit=t_plain("outcomes.modal_submit", locale), close=t_plain("common.cancel", locale),
                 private_metadata=json.dumps({"meeting": meeting.id}))


def add_another(meeting: Meeting, locale: str | None) -> Block:
    return actions(button(t_plain("outcomes.add_another", locale), ids.ACTION_OUTCOMES_OPEN, str(meeting.id)),
                   block_id=f"outcomes:{meeting.id}")


def recorded_reply(done: Recorded, locale: str | None) -> tuple[str, list[Block]]:
    """To the person who recorded it: what was recorded, what it changed, and "Add another decision"."""
    m, process = done.meeting, done.process
    if done.decision is None:
        text = t("outcomes.minutes_saved", locale, title=m.title, process=process.handle)
        return text, [section(text), add_another(m, locale)]
    text = t("outcomes.recorded", locale, title=m.title, process=process.handle,
             line=Raw(decision_line(done.decision, locale)))
    blocks = [section(text)]
    effect = _effect(done, locale)
    if effect:
        blocks.append(context(effect))
    return text, blocks + [add_another(m, locale)]


def _effect(done: Recorded, locale: str | None) -> str:
    d, process = done.decision, done.process
    kind = d.decision.kind
    if kind == DecisionKind.MANDATE_EXTENDED:
        return t("outcomes.effect_mandate_extended", locale, process=process.handle,
                 date=day_token(d.decision.mandate_end))
    if kind == DecisionKind.GROUP_CLOSED:
        effect = t("outcomes.effect_group_closed", locale, process=process.handle, rounds=done.closed_rounds)
        meetings, actions = done.left
        if meetings or actions:
            effect += " " + t("outcomes.effect_group_closed_left", locale, process=process.handle,
                              meetings=meetings, actions=actions)
        return effect
    if kind == DecisionKind.DOCUMENT_APPROVED:
        return t("outcomes.effect_document_approved", locale, number=d.version_number, title=d.document_title)
    if kind == DecisionKind.ACTION_ITEM and d.action is not None:
        return t("outcomes.effect_action_item", locale, entity=d.owner_code, id=d.action.id)
    return ""


def announcement(done: Recorded, locale: str | None) -> tuple[str, list[Block]]:
    """To the process channel: a decision of the meeting."""
    text = t("outcomes.announced", locale, title=done.meeting.title, when=when(done.meeting),
             line=Raw(decision_line(done.decision, locale)))
    return text, [section(text)]


def _done_button(item: ActionItem, locale: str | None, *more: Block) -> Block:
    return actions(button(t_plain("outcomes.mark_done", locale), ids.ACTION_ITEM_DONE, str(item.id), "primary"),
                   *more, block_id=f"action:{item.id}")


def action_assigned(done: Recorded, locale: str | None) -> tuple[str, list[Block]]:
    """To each focal point of the owner entity: the item, its due date, and "Mark done"."""
    d = done.decision
    item = d.action
    text = t("outcomes.action_assigned", locale, entity=d.owner_code, title=done.meeting.title,
             process=done.process.handle, due=due_token(item.due, done.process.timezone), text=item.text)
    return text, [section(text), _done_button(item, locale), context(t("outcomes.action_hint", locale, id=item.id))]


def action_reminder(item: ActionItem, entity_code: str, meeting: Meeting, process: Process, row_id: int,
                    locale: str | None) -> tuple[str, list[Block]]:
    text = t("outcomes.action_reminder", locale, entity=entity_code, title=meeting.title, process=process.handle,
             due=due_token(item.due, process.timezone), text=item.text)
    tomorrow = button(t_plain("reminders.tomorrow", locale), ids.ACTION_REMIND_TOMORROW, str(row_id))
    return text, [section(text), _done_button(item, locale, tomorrow),
                  context(t("reminders.mute_hint", locale, process=process.handle))]


def marked_done(item: ActionItem, entity_code: str, locale: str | None) -> str:
    return t("outcomes.action_marked_done", locale, id=item.id, entity=entity_code, text=item.text)


# ---- `/consult meetings` and the App Home


def _counts_line(view: MeetingView, locale: str | None) -> str:
    c = view.counts
    return t("outcomes.rsvps", locale, attending=c.attending, tentative=c.tentative, not_attending=c.not_attending,
             no_answer=c.no_answer)


def meeting_text(view: MeetingView, past: bool, locale: str | None) -> str:
    m = view.meeting
    lines = [t("outcomes.meeting", locale, title=m.title, process=view.process_handle,
               kind=meeting_kind(m.kind, locale), id=m.id, when=when(m), where=Raw(_where(m, locale)))]
    if m.status == MeetingStatus.CANCELLED:
        return "\n".join(lines + [t("outcomes.cancelled", locale)])
    lines.append(_counts_line(view, locale))
    if past:
        if m.outcomes_at is None:
            lines.append(t("outcomes.outcomes_none", locale))
        else:
            lines.append(t("outcomes.outcomes_recorded", locale, count=len(view.decisions),
                           when=date_token(m.outcomes_at, local_text(m.outcomes_at, m.timezone)),
                           minutes=t_plain("outcomes.outcomes_minutes", locale) if m.minutes else ""))
        lines += [decision_line(d, locale, LIST_TEXT) for d in view.decisions[:DECISIONS_SHOWN]]
        if len(view.decisions) > DECISIONS_SHOWN:
            lines.append(t("outcomes.more_decisions", locale, count=len(view.decisions) - DECISIONS_SHOWN))
    return "\n".join(lines)


def _meeting_block(view: MeetingView, past: bool, locale: str | None) -> Block:
    record = None
    if past and view.can_record and view.meeting.status != MeetingStatus.CANCELLED:
        record = button(t_plain("outcomes.record", locale), ids.ACTION_OUTCOMES_OPEN, str(view.meeting.id))
    return section(meeting_text(view, past, locale), accessory=record)


def meetings_list(listing: MeetingList, locale: str | None) -> tuple[str, list[Block]]:
    """Upcoming then past meetings, one section each; a context line says when the list is cut."""
    if not listing.takes_part:
        text = t("outcomes.no_processes", locale)
        return text, [section(text)]
    title = t_plain("outcomes.list_header_process", locale, process=listing.process.handle) if listing.process \
        else t_plain("outcomes.list_header", locale)
    text = t("outcomes.summary", locale, upcoming=listing.upcoming_total, past=listing.past_total)
    blocks: list[Block] = [header(title), section(t("outcomes.upcoming", locale))]
    blocks += [_meeting_block(v, False, locale) for v in listing.upcoming] or [context(t("outcomes.no_upcoming",
                                                                                          locale))]
    blocks.append(section(t("outcomes.past", locale)))
    blocks += [_meeting_block(v, True, locale) for v in listing.past] or [context(t("outcomes.no_past", locale))]
    if len(listing.upcoming) < listing.upcoming_total or len(listing.past) < listing.past_total:
        blocks.append(context(t("outcomes.cut", locale, shown_upcoming=len(listing.upcoming),
                                upcoming=listing.upcoming_total, shown_past=len(listing.past),
                                past=listing.past_total)))
    return text, blocks


def _attendance(answer: Attendance | None, locale: str | None) -> str:
    if answer == Attendance.ATTENDING:
        return t_plain("outcomes.attendance_attending", locale)
    if answer == Attendance.TENTATIVE:
        return t_plain("outcomes.attendance_tentative", locale)
    if answer == Attendance.NOT_ATTENDING:
        return t_plain("outcomes.attendance_not_attending", locale)
    return t_plain("outcomes.attendance_none", locale)


def home_meetings(views: list[MeetingView], locale: str | None) -> list[Block]:
    """The App Home's "Your next meetings": when (in the viewer's zone), where, and their entity's answer."""
    blocks: list[Block] = [section(t("outcomes.home_header", locale))]
    if not views:
        return blocks + [context(t("outcomes.home_none", locale))]
    for view in views:
        m = view.meeting
        text = t("outcomes.home_meeting", locale, title=m.title, process=view.process_handle, when=when(m),
                 where=Raw(_where(m, locale)))
        lines = [text, _counts_line(view, locale)]
        if view.answers:
            answers = ", ".join(t_plain("outcomes.home_answer", locale, entity=code, answer=_attendance(a, locale))
                                for code, a in view.answers)
            lines.append(t("outcomes.home_answers", locale, answers=answers))
        blocks.append(section("\n".join(lines)))
    return blocks
