"""How meetings look in Slack: the modal, the invitation, answers, moves, cancellations, reminders.

Times are date tokens: Slack shows each reader the meeting in their own time zone; the fallback
text names the meeting's zone."""

from __future__ import annotations

import json
from datetime import datetime, time
from typing import Any

from bot.formatting import weekday_time
from bot.meetings.invitees import Invitee
from bot.meetings.service import AgendaView, Board, MeetingInfo, REMINDER_CHOICES
from bot.mrkdwn import Raw, date_token, mention
from bot.slack import ids
from bot.slack.blocks import (Block, actions, button, context, header, input_block, modal, option, section,
                              sections)
from bot.texts import t, t_plain
from bot.timezones import is_timezone, local_text, zone
from storage.models import Attendance, Entity, Meeting, MeetingKind, MeetingStatus, Process, ProcessKind

ICONS = {Attendance.ATTENDING: ":white_check_mark:", Attendance.TENTATIVE: ":grey_question:",
         Attendance.NOT_ATTENDING: ":x:", None: ":hourglass_flowing_sand:"}
WORKING = (time(8, 0), time(19, 0))  # a start outside these local hours is flagged for that duty station
LONG = "{date_long_pretty} {time}"


# ---- the modal


def _local(value: Any, zone_name: str) -> datetime | None:
    """A prefilled moment (an aware datetime or ISO text) as wall-clock time in the zone."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        return None
    return value.astimezone(zone(zone_name))


def meeting_modal(process: Process, members: list[str], locale: str | None, prefill: dict | None = None) -> dict:
    """The "schedule a meeting" modal. `prefill` may hold start and end (aware datetimes or ISO
    text), timezone, title, kind, entities (codes), chairs (user IDs), place, online_link, agenda
    (text), reminders (offsets); poll_id (the poll is marked scheduled with the meeting, in the
    same transaction); `callback_id` and `metadata` (merged into private_metadata) let a caller
    handle the submission itself."""
    prefill = dict(prefill or {})
    zone_name = prefill.get("timezone") if is_timezone(prefill.get("timezone")) else process.timezone
    start, end = _local(prefill.get("start"), zone_name), _local(prefill.get("end"), zone_name)
    kind = prefill.get("kind") or {ProcessKind.IMG: MeetingKind.IMG, ProcessKind.PEER_REVIEW: MeetingKind.PEER_REVIEW
                                   }.get(process.kind, MeetingKind.OTHER).value
    kinds = [option(t_plain(f"meetings.kind_{k.value}", locale), k.value) for k in MeetingKind]
    member_options = [option(code, code) for code in members][:100]
    chosen = [c.upper() for c in prefill.get("entities") or []]
    initial_members = [o for o in member_options if o["value"] in chosen] if chosen else member_options
    labels = {"T-7d": t_plain("meetings.reminder_d7", locale), "T-1d": t_plain("meetings.reminder_d1", locale),
              "T-1h": t_plain("meetings.reminder_h1", locale)}
    reminder_options = [option(labels[o], o) for o in REMINDER_CHOICES]
    reminders = prefill.get("reminders", REMINDER_CHOICES)
    date_element: Block = {"type": "datepicker"}
    if start:
        date_element["initial_date"] = start.date().isoformat()
    end_date_element: Block = {"type": "datepicker"}
    if start and end and end.date() != start.date():
        end_date_element["initial_date"] = end.date().isoformat()
    chairs_element: Block = {"type": "multi_users_select"}
    if prefill.get("chairs"):
        chairs_element["initial_users"] = list(prefill["chairs"])[:10]
    blocks = [
        input_block(ids.BLOCK_TITLE, t_plain("meetings.modal_meeting_title", locale),
                    _text_input(prefill.get("title"), 200)),
        input_block(ids.BLOCK_KIND, t_plain("meetings.modal_kind", locale),
                    {"type": "static_select", "options": kinds,
                     "initial_option": next((o for o in kinds if o["value"] == kind), kinds[-1])}),
        input_block(ids.BLOCK_MEETING_DATE, t_plain("meetings.modal_date", locale), date_element),
        input_block(ids.BLOCK_MEETING_START, t_plain("meetings.modal_start", locale),
                    {"type": "timepicker", "initial_time": f"{start:%H:%M}" if start else "10:00"}),
        input_block(ids.BLOCK_MEETING_END, t_plain("meetings.modal_end", locale),
                    {"type": "timepicker", "initial_time": f"{end:%H:%M}" if end else "12:00"}),
        input_block(ids.BLOCK_MEETING_END_DATE, t_plain("meetings.modal_end_date", locale), end_date_element,
                    optional=True),
        input_block(ids.BLOCK_TIMEZONE, t_plain("meetings.modal_timezone", locale),
                    _text_input(zone_name, 64), hint=t_plain("meetings.modal_timezone_hint", locale)),
        input_block(ids.BLOCK_MEETING_PLACE, t_plain("meetings.modal_place", locale),
                    _text_input(prefill.get("place"), 300), optional=True,
                    hint=t_plain("meetings.modal_place_hint", locale)),
        input_block(ids.BLOCK_MEETING_LINK, t_plain("meetings.modal_link", locale),
                    _text_input(prefill.get("online_link"), 500), optional=True,
                    hint=t_plain("meetings.modal_link_hint", locale)),
        input_block(ids.BLOCK_CHAIRS, t_plain("meetings.modal_chairs", locale), chairs_element, optional=True),
        input_block(ids.BLOCK_ENTITIES, t_plain("meetings.modal_entities", locale),
                    {"type": "multi_static_select", "options": member_options, "initial_options": initial_members},
                    hint=t_plain("meetings.modal_entities_hint", locale)),
        input_block(ids.BLOCK_MEETING_AGENDA, t_plain("meetings.modal_agenda", locale),
                    {**_text_input(prefill.get("agenda"), 3000), "multiline": True}, optional=True,
                    hint=t_plain("meetings.modal_agenda_hint", locale, process=process.handle)),
        input_block(ids.BLOCK_REMINDERS, t_plain("meetings.modal_reminders", locale),
                    {"type": "checkboxes", "options": reminder_options,
                     **({"initial_options": [o for o in reminder_options if o["value"] in reminders]}
                        if reminders else {})},
                    optional=True, hint=t_plain("meetings.modal_reminders_hint", locale)),
    ]
    metadata = {"process": process.handle, **{k: prefill[k] for k in ("poll_id", "slot_id") if prefill.get(k)},
                **(prefill.get("metadata") or {})}
    return modal(prefill.get("callback_id") or ids.VIEW_MEETING_NEW, t_plain("meetings.modal_title", locale), blocks,
                 submit=t_plain("meetings.modal_submit", locale), close=t_plain("common.cancel", locale),
                 private_metadata=json.dumps(metadata))


def _text_input(initial: Any, max_length: int) -> Block:
    element: Block = {"type": "plain_text_input", "max_length": max_length}
    if initial:
        element["initial_value"] = str(initial)[:max_length]
    return element


def attend_modal(info: MeetingInfo, entities: list[str], chosen: str | None, delegates: str,
                 locale: str | None) -> dict:
    """Attending: the names of the entity's delegates (and which entity, for someone speaking for several)."""
    blocks: list[Block] = []
    if chosen is None and len(entities) > 1:
        options = [option(code, code) for code in entities]
        blocks.append(input_block(ids.BLOCK_ENTITY, t_plain("meetings.attend_entity", locale),
                                  {"type": "static_select", "options": options, "initial_option": options[0]}))
    else:
        blocks.append(section(t("meetings.attend_for", locale, title=info.meeting.title,
                                entity=chosen or entities[0])))
    element = {**_text_input(delegates, 500), "multiline": True}
    blocks.append(input_block(ids.BLOCK_MEETING_DELEGATES, t_plain("meetings.attend_delegates", locale), element,
                              hint=t_plain("meetings.attend_delegates_hint", locale)))
    metadata = {"meeting": info.meeting.id, "entity": chosen or (entities[0] if len(entities) == 1 else None)}
    return modal(ids.VIEW_MEETING_ATTEND, t_plain("meetings.attend_title", locale), blocks,
                 submit=t_plain("meetings.attend_submit", locale), close=t_plain("common.cancel", locale),
                 private_metadata=json.dumps(metadata))


# ---- pieces of messages


def kind_label(meeting: Meeting, locale: str | None) -> str:
    return t_plain(f"meetings.kind_{meeting.kind}", locale)


def answer_label(attendance: Attendance | str | None, locale: str | None) -> str:
    if attendance is None:
        return t_plain("meetings.not_answered", locale)
    return t_plain(f"meetings.attendance_{Attendance(attendance).value}", locale)


def when(meeting: Meeting, locale: str | None, start: datetime | None = None, end: datetime | None = None,
         timezone_name: str | None = None) -> Raw:
    """"Friday, February 14th 2014 09:00 – 11:00" in each reader's zone."""
    start, end = start or meeting.start, end or meeting.end
    zone_name = timezone_name or meeting.timezone
    tz = zone(zone_name)
    first = date_token(start, local_text(start, zone_name), LONG)
    if start.astimezone(tz).date() == end.astimezone(tz).date():
        last = date_token(end, f"{end.astimezone(tz):%H:%M}", "{time}")
    else:
        last = date_token(end, local_text(end, zone_name), LONG)
    return Raw(t("meetings.when_span", locale, start=first, end=last))


def local_times(meeting: Meeting, entities: list[Entity], locale: str | None) -> str:
    """The start at each invited duty station, flagged where it falls outside 08:00–19:00 there."""
    stations: dict[tuple[str, str], None] = {}
    for entity in entities:
        stations.setdefault((entity.duty_station, entity.timezone), None)
    parts = []
    west_to_east = sorted(stations, key=lambda s: (meeting.start.astimezone(zone(s[1])).utcoffset(), s[0]))
    for station, zone_name in west_to_east[:15]:
        local = meeting.start.astimezone(zone(zone_name))
        key = "meetings.local_time" if WORKING[0] <= local.time() < WORKING[1] else "meetings.local_time_outside"
        parts.append(t(key, locale, station=station, time=weekday_time(meeting.start, zone_name, locale)))
    return t("meetings.local_times", locale, times=Raw(" · ".join(parts)))


def _ref(view: AgendaView, locale: str | None) -> str:
    what, value = view.ref
    if what == "round":
        return t_plain("meetings.ref_round", locale, number=value)
    return t_plain("meetings.ref_document", locale, slug=value)


def agenda_lines(info: MeetingInfo, locale: str | None) -> list[str]:
    return [t("meetings.agenda_line_ref", locale, position=a.position, title=a.title, ref=_ref(a, locale)) if a.ref
            else t("meetings.agenda_line", locale, position=a.position, title=a.title) for a in info.agenda]


def details(info: MeetingInfo, locale: str | None) -> list[Block]:
    m = info.meeting
    lines = []
    if m.place:
        lines.append(t("meetings.where", locale, place=m.place))
    if m.online_link:
        lines.append(t("meetings.online", locale, link=m.online_link))
    if info.chairs:
        lines.append(t("meetings.chairs", locale, chairs=Raw(", ".join(mention(c) for c in info.chairs))))
    blocks = [section("\n".join(lines))] if lines else []
    agenda = agenda_lines(info, locale)
    if agenda:
        blocks += sections([t("meetings.agenda_header", locale), *agenda])
    return blocks


def rsvp_buttons(meeting: Meeting, locale: str | None, entity: str | None = None) -> Block:
    value = f"{meeting.id}:{entity}" if entity else str(meeting.id)
    return actions(button(t_plain("meetings.attending", locale), ids.ACTION_MEETING_ATTENDING, value, "primary"),
                   button(t_plain("meetings.tentative", locale), ids.ACTION_MEETING_TENTATIVE, value),
                   button(t_plain("meetings.not_attending", locale), ids.ACTION_MEETING_NOT_ATTENDING, value),
                   block_id=f"meeting:{value}")


def _footer(info: MeetingInfo, locale: str | None) -> list[Block]:
    return [context(t("meetings.invited_list", locale, entities=", ".join(e.code for e in info.entities))),
            context(local_times(info.meeting, info.entities, locale)),
            context(t("meetings.ics_hint", locale, id=info.meeting.id))]


# ---- messages


def announcement(info: MeetingInfo, locale: str | None) -> tuple[str, list[Block]]:
    """The invitation in the process channel (or to its creator when the process has none)."""
    m = info.meeting
    text = t("meetings.announced", locale, title=m.title, kind=kind_label(m, locale), process=info.process.handle,
             when=when(m, locale), id=m.id, count=len(info.entities))
    return text, [header(m.title), section(text), *details(info, locale), rsvp_buttons(m, locale),
                  *_footer(info, locale)]


def invitation(info: MeetingInfo, person: Invitee, locale: str | None,
               answers: list[tuple[str, Attendance | None]] = ()) -> tuple[str, list[Block]]:
    """The DM to a focal point (with the answer buttons) or a chair."""
    m = info.meeting
    if person.entity_codes:
        text = t("meetings.invitation", locale, entities=", ".join(person.entity_codes), title=m.title,
                 kind=kind_label(m, locale), process=info.process.handle, when=when(m, locale))
    else:
        text = t("meetings.invitation_chair", locale, title=m.title, kind=kind_label(m, locale),
                 process=info.process.handle, when=when(m, locale), id=m.id)
    blocks = [section(text), *details(info, locale)]
    for code, answer in answers:
        if answer is not None:
            blocks.append(context(t("meetings.answer_kept", locale, entity=code, answer=answer_label(answer, locale))))
    if person.entity_codes:
        blocks.append(rsvp_buttons(m, locale))
    return text, blocks + _footer(info, locale)


def moved(info: MeetingInfo, before: datetime, person: Invitee | None, locale: str | None,
          answers: list[tuple[str, Attendance | None]] = ()) -> tuple[str, list[Block]]:
    m = info.meeting
    duration = m.end - m.start
    text = t("meetings.moved", locale, title=m.title, process=info.process.handle, when=when(m, locale),
             before=when(m, locale, before, before + duration))
    blocks = [section(text), *details(info, locale)]
    for code, answer in answers:
        if answer is not None:
            blocks.append(context(t("meetings.answer_kept", locale, entity=code, answer=answer_label(answer, locale))))
    if person is None or person.entity_codes:
        blocks.append(rsvp_buttons(m, locale))
    return text, blocks + _footer(info, locale)


def cancelled(info: MeetingInfo, locale: str | None) -> tuple[str, list[Block]]:
    m = info.meeting
    text = t("meetings.cancelled", locale, title=m.title, process=info.process.handle, when=when(m, locale))
    return text, [section(text)]


def show(info: MeetingInfo, answers_board: Board | None, mine: list[tuple[str, Attendance | None]],
         locale: str | None) -> tuple[str, list[Block]]:
    """`/consult meeting ID`: the meeting, and who comes (to the chairs and the secretariat)."""
    m = info.meeting
    summary = t("meetings.show_summary", locale, title=m.title, kind=kind_label(m, locale),
                process=info.process.handle, when=when(m, locale))
    blocks = [header(t_plain("meetings.show_header", locale, id=m.id, title=m.title)), section(summary)]
    if m.status == MeetingStatus.CANCELLED:
        blocks.append(section(t("meetings.show_status_cancelled", locale)))
    blocks += details(info, locale)
    if answers_board is not None:
        b = answers_board
        counts = t("meetings.show_counts", locale, attending=b.count(Attendance.ATTENDING),
                   tentative=b.count(Attendance.TENTATIVE), not_attending=b.count(Attendance.NOT_ATTENDING),
                   pending=b.count(None), invited=len(b.lines))
        blocks.append(section(counts))
        if b.pending:
            blocks.append(section(t("meetings.show_pending", locale, entities=", ".join(b.pending))))
        lines = [t("meetings.show_line_delegates" if line.delegates else "meetings.show_line", locale,
                   icon=ICONS[line.attendance], entity=line.entity_code, answer=answer_label(line.attendance, locale),
                   delegates=line.delegates) for line in b.lines]
        blocks += sections(lines)
        summary = f"{summary} {counts}"
    for code, answer in mine:
        blocks.append(section(t("meetings.show_yours", locale, entity=code, answer=answer_label(answer, locale))))
    if mine and m.status == MeetingStatus.SCHEDULED:
        blocks.append(rsvp_buttons(m, locale))
    blocks += _footer(info, locale)
    return summary, blocks


def recorded(info: MeetingInfo, entity: str, attendance: Attendance, delegates: str, locale: str | None) -> str:
    if delegates:
        return t("meetings.rsvp_recorded_delegates", locale, entity=entity, answer=answer_label(attendance, locale),
                 title=info.meeting.title, delegates=delegates)
    return t("meetings.rsvp_recorded", locale, entity=entity, answer=answer_label(attendance, locale),
             title=info.meeting.title)


def which_entity(meeting: Meeting, action_id: str, attendance: Attendance, entities: list[str],
                 locale: str | None) -> tuple[str, list[Block]]:
    text = t("meetings.rsvp_which", locale)
    buttons = [button(t_plain("meetings.rsvp_for", locale, answer=answer_label(attendance, locale), entity=code),
                      action_id, f"{meeting.id}:{code}") for code in entities]
    return text, [section(text), actions(*buttons, block_id=f"meeting-which:{meeting.id}")]


def reminder(info: MeetingInfo, person: Invitee, answers: list[tuple[str, Attendance | None]],
             answers_board: Board | None, last_call: bool, locale: str | None) -> tuple[str, list[Block]]:
    """Before the meeting: to a focal point (their entity's answer, the buttons if unanswered) or to a
    chair (who comes)."""
    m = info.meeting
    where = ""
    if m.place:
        where += t("meetings.reminder_where", locale, place=m.place)
    if m.online_link:
        where += t("meetings.reminder_online", locale, link=m.online_link)
    key = "meetings.reminder_last_call" if last_call else "meetings.reminder"
    moment = date_token(m.start, local_text(m.start, m.timezone), "{date_pretty} {time}")
    text = t(key, locale, title=m.title, process=info.process.handle, when=moment, where=Raw(where))
    blocks = [section(text)]
    if person.chair and answers_board is not None:
        b = answers_board
        chair_key = "meetings.reminder_chair" if b.pending else "meetings.reminder_chair_all"
        blocks.append(section(t(chair_key, locale, attending=b.count(Attendance.ATTENDING),
                                tentative=b.count(Attendance.TENTATIVE),
                                not_attending=b.count(Attendance.NOT_ATTENDING), pending=len(b.pending),
                                entities=", ".join(b.pending))))
    unanswered = [code for code, answer in answers if answer is None]
    for code, answer in answers:
        key = "meetings.reminder_unanswered" if answer is None else "meetings.answer_now"
        blocks.append(context(t(key, locale, entity=code, answer=answer_label(answer, locale))))
    if answers:
        blocks.append(rsvp_buttons(m, locale, unanswered[0] if len(unanswered) == 1 and len(answers) > 1 else None))
    blocks.append(context(t("meetings.mute_hint", locale, process=info.process.handle)))
    return text, blocks


def outcomes_due(info: MeetingInfo, locale: str | None) -> tuple[str, list[Block]]:
    m = info.meeting
    text = t("meetings.outcomes_due", locale, title=m.title, process=info.process.handle, id=m.id,
             when=date_token(m.end, local_text(m.end, m.timezone), LONG))
    record = button(t_plain("outcomes.record", locale), ids.ACTION_OUTCOMES_OPEN, str(m.id), "primary")
    return text, [section(text), actions(record, block_id=f"meeting-outcomes:{m.id}")]
