"""Listeners for meetings: `/consult meeting new|show|ics|move|cancel`, the invitation modal, the
RSVP buttons (Attending opens a small modal for the delegates' names), and the fan-out that tells
the channel and everyone invited, with the .ics file."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime, time

from slack_sdk.errors import SlackApiError
from sqlmodel import Session, select

from bot import idempotency
from bot.errors import DomainError, Invalid, NotAllowed
from bot.exports.ics import CalendarMeeting
from bot.meetings import render
from bot.meetings.invitees import Invitee, recipients
from bot.meetings.service import (MEETING_ID, REMINDER_CHOICES, MeetingInfo, MoveMeeting, NewMeeting, agenda_lines,
                                  answerable, answers, board, calendar_file, can_see_answers, cancel_meeting,
                                  check_new, create_meeting, describe, get_meeting, move_meeting, my_answers,
                                  require_changeable, require_meeting_manager, rsvp)
from bot.people.service import save_profile
from bot.polls.service import mark_scheduled
from bot.processes.service import get_process, member_codes, require_active
from bot.roles.service import secretariat_mentions
from bot.slack import ids
from bot.slack.polls import refresh_board
from bot.slack.args import DATE, TIME
from bot.slack.errors import ack_or_raise
from bot.slack.outcomes import outcomes_command  # what the meeting decided: bot/outcomes
from bot.slack.payloads import BlockAction, SlashCommand, ViewSubmission
from bot.slack.reply import Ctx, dm, dm_quietly
from bot.slack.runtime import fetch_profile
from bot.texts import t
from storage.models import Attendance, Entity, Meeting, Membership, Person, Process, Role
from storage.types import utcnow

log = logging.getLogger(__name__)

FIELD_BLOCKS = {"title": ids.BLOCK_TITLE, "kind": ids.BLOCK_KIND, "date": ids.BLOCK_MEETING_DATE,
                "start_time": ids.BLOCK_MEETING_START, "end_time": ids.BLOCK_MEETING_END,
                "end_date": ids.BLOCK_MEETING_END_DATE, "timezone": ids.BLOCK_TIMEZONE,
                "place": ids.BLOCK_MEETING_PLACE, "online_link": ids.BLOCK_MEETING_LINK, "chairs": ids.BLOCK_CHAIRS,
                "entities": ids.BLOCK_ENTITIES, "agenda": ids.BLOCK_MEETING_AGENDA, "reminders": ids.BLOCK_REMINDERS}
ATTEND_FIELDS = {"entity": ids.BLOCK_ENTITY, "delegates": ids.BLOCK_MEETING_DELEGATES}
ANSWERS = {ids.ACTION_MEETING_ATTENDING: Attendance.ATTENDING, ids.ACTION_MEETING_TENTATIVE: Attendance.TENTATIVE,
           ids.ACTION_MEETING_NOT_ATTENDING: Attendance.NOT_ATTENDING}


async def meeting_command(cmd: SlashCommand, ctx: Ctx) -> None:
    """`/consult meeting new PROCESS | ID | show ID | ics ID | move ID DATE HH:MM [HH:MM] [ZONE] | cancel ID |
    outcomes ID`"""
    words = cmd.args
    action = words[0].lower() if words else ""
    if action == "new" and len(words) == 2:
        await open_new(ctx, cmd.trigger_id, words[1])
    elif len(words) == 1 and MEETING_ID.match(action):
        await show(ctx, words[0])
    elif action == "show" and len(words) == 2:
        await show(ctx, words[1])
    elif action == "ics" and len(words) == 2:
        await send_ics(ctx, words[1])
    elif action == "move" and len(words) >= 4:
        await move(ctx, words[1], parse_move(words[2:]))
    elif action == "cancel" and len(words) == 2:
        await cancel(ctx, words[1])
    elif action == "outcomes":
        await outcomes_command(cmd, ctx, words[1:])
    else:
        raise Invalid("meetings.usage")


# ---- new meeting


def _modal_data(session: Session, person: Person, handle: str) -> tuple[Process, list[str], list[str]]:
    process = get_process(session, handle)
    require_active(process)
    require_meeting_manager(session, person, process)
    chairs = list(session.exec(select(Person.slack_user_id).join(Membership, Membership.person_id == Person.id)
                               .where(Membership.process_id == process.id, Membership.role == Role.CHAIR)
                               .order_by(Person.slack_user_id)).all())
    return process, member_codes(session, process), chairs


async def open_new(ctx: Ctx, trigger_id: str | None, handle: str) -> None:
    process, members, chairs = await ctx.deps.db(_modal_data, ctx.who.person, handle)
    view = render.meeting_modal(process, members, ctx.locale, {"chairs": chairs})
    await ctx.client.views_open(trigger_id=trigger_id, view=view)


def _date(raw: str | None, field: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise Invalid("errors.date_format", field=field) from None


def _time(raw: str | None, field: str) -> time | None:
    try:
        return time.fromisoformat(raw.zfill(5)) if raw else None
    except ValueError:
        raise Invalid("errors.date_format", field=field) from None


def parse_new(submission: ViewSubmission) -> NewMeeting:
    """The modal's values as a request (public: a poll's own callback can reuse it with FIELD_BLOCKS)."""
    return NewMeeting(
        process=submission.meta.process, title=submission.value(ids.BLOCK_TITLE) or "",
        kind=submission.value(ids.BLOCK_KIND) or "",
        start_date=_date(submission.value(ids.BLOCK_MEETING_DATE), "date"),
        start_time=_time(submission.value(ids.BLOCK_MEETING_START), "start_time"),
        end_time=_time(submission.value(ids.BLOCK_MEETING_END), "end_time"),
        end_date=_date(submission.value(ids.BLOCK_MEETING_END_DATE), "end_date"),
        timezone=submission.value(ids.BLOCK_TIMEZONE) or "", place=submission.value(ids.BLOCK_MEETING_PLACE) or "",
        online_link=submission.value(ids.BLOCK_MEETING_LINK) or "",
        chairs=submission.value(ids.BLOCK_CHAIRS) or [], entities=submission.value(ids.BLOCK_ENTITIES) or [],
        agenda=agenda_lines(submission.value(ids.BLOCK_MEETING_AGENDA) or ""),
        reminders=(submission.value(ids.BLOCK_REMINDERS) or []) if submission.has(ids.BLOCK_REMINDERS)
        else list(REMINDER_CHOICES))


async def ack_problems(ack, problems: list[DomainError], fields: dict[str, str], locale: str | None) -> None:
    """Every problem under its field (the first per field); one that belongs to no field closes the modal."""
    errors: dict[str, str] = {}
    for problem in problems:
        block = fields.get(getattr(problem, "field", None) or "")
        if block is None:
            await ack_or_raise(ack, problem, fields, locale)
            return
        errors.setdefault(block, t(problem.key, locale, **problem.params))
    await ack(response_action="errors", errors=errors)


@dataclass(frozen=True)
class Fanout:
    """What telling everyone about a meeting needs, read in the transaction that changed it."""

    info: MeetingInfo
    people: list[Invitee]
    answers: dict[str, list[tuple[str, Attendance | None]]]  # by user: their entities' answers
    ics: bytes
    file_name: str
    calendar: CalendarMeeting


def fanout(session: Session, meeting: Meeting) -> Fanout:
    info = describe(session, meeting)
    people = recipients(session, meeting)
    got = answers(session, meeting)
    ids_by_code = {e.code: e.id for e in info.entities}
    by_user = {p.slack_user_id: [(code, Attendance(got[ids_by_code[code]].attendance)
                                  if ids_by_code[code] in got else None) for code in p.entity_codes] for p in people}
    data, name, calendar = calendar_file(session, meeting.id)
    return Fanout(info, people, by_user, data, name, calendar)


def _create(session: Session, person: Person, request: NewMeeting, key: str, poll_id: int | None = None
            ) -> Fanout | None:
    """The meeting (and, from a poll's "Schedule this slot", the poll marked scheduled) in one transaction."""
    if not idempotency.claim(session, key):
        return None
    meeting = create_meeting(session, person, request)
    if poll_id is not None:
        mark_scheduled(session, person.slack_user_id, poll_id, meeting.id)
    return fanout(session, meeting)


async def submit_new(submission: ViewSubmission, ctx: Ctx, ack) -> None:
    """Checked before the ack (every field error at once, nothing written), created after it."""
    try:
        request = parse_new(submission)
        problems = await ctx.deps.db(check_new, ctx.who.person, request, utcnow())
    except DomainError as error:
        await ack_or_raise(ack, error, FIELD_BLOCKS, ctx.locale)
        return
    if problems:
        await ack_problems(ack, problems, FIELD_BLOCKS, ctx.locale)
        return
    await ack()
    await refresh_profiles(ctx, await ctx.deps.db(unknown_people, request))
    poll_id = submission.meta.poll_id
    poll_id = int(poll_id) if str(poll_id or "").isdigit() else None
    created = await ctx.deps.db(_create, ctx.who.person, request, f"view:{submission.view.id}", poll_id)
    if created is not None:
        await tell_new(ctx, created)
        if poll_id is not None:  # the poll's live board now says which slot was scheduled
            await refresh_board(ctx, poll_id)


def unknown_people(session: Session, request: NewMeeting) -> list[tuple[str, str | None]]:
    """Focal points of the entities to invite and chairs whose name or time zone the bot does not
    know yet (granted a role, never met): the .ics names them and reminders follow their zone."""
    process = get_process(session, request.process)
    codes = [c.upper() for c in request.entities] or member_codes(session, process)
    focal = select(Person).join(Membership, Membership.person_id == Person.id).join(
        Entity, Membership.entity_id == Entity.id).where(
        Membership.process_id == process.id, Membership.role == Role.FOCAL_POINT, Entity.code.in_(codes))
    people = {p.slack_user_id: p for p in session.exec(focal).all()}
    people.update({p.slack_user_id: p for p in session.exec(
        select(Person).where(Person.slack_user_id.in_(request.chairs or [""]))).all()})
    missing = [(p.slack_user_id, p.team_id) for p in people.values() if p.timezone is None or not p.display_name]
    known = {p for p in people}
    return missing + [(user, None) for user in request.chairs if user not in known]


async def refresh_profiles(ctx: Ctx, users: list[tuple[str, str | None]]) -> None:
    """Ask Slack for these people's profiles (a few at a time) and keep them."""
    gate = asyncio.Semaphore(8)

    async def one(user_id: str, team_id: str | None) -> None:
        async with gate:
            profile = await fetch_profile(ctx.client, user_id, team_id)
        if profile is not None:
            await ctx.deps.db(save_profile, profile)

    await asyncio.gather(*(one(user, team) for user, team in users[:200]))


async def tell_new(ctx: Ctx, done: Fanout) -> None:
    """The invitation with the .ics in the process channel (or the creator's DM), and a DM to each
    focal point of each invited entity and each chair (public: a poll's "Schedule this slot" reuses it)."""
    language = done.info.process.language  # the channel's
    text, blocks = render.announcement(done.info, language)
    await _to_channel(ctx, done, text, blocks, t("meetings.ics_comment", language, title=done.info.meeting.title,
                                                  id=done.info.meeting.id, sequence=done.calendar.sequence))
    for person in done.people:
        text, blocks = render.invitation(done.info, person, person.locale, done.answers.get(person.slack_user_id, []))
        await dm_quietly(await ctx.client_for(person.team_id), person.slack_user_id, text, blocks)


async def _to_channel(ctx: Ctx, done: Fanout, text: str, blocks: list, comment: str) -> None:
    """Post to the process channel and upload the .ics there; without a channel (or when Slack
    refuses it), both go to the person who acted."""
    channel = done.info.process.channel_id
    if channel:
        try:
            await ctx.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        except SlackApiError as exc:
            log.warning("meeting %s: posting to %s failed: %s", done.info.meeting.id, channel,
                        exc.response.get("error"))
            channel = None
    if not channel:
        await dm(ctx.client, ctx.who.user_id, text, blocks)
        channel = await _dm_channel(ctx)
    await _upload(ctx, channel, done, comment)


async def _dm_channel(ctx: Ctx) -> str:
    opened = await ctx.client.conversations_open(users=ctx.who.user_id)
    return opened["channel"]["id"]


async def _upload(ctx: Ctx, channel: str, done: Fanout, comment: str) -> None:
    try:
        await ctx.client.files_upload_v2(channel=channel, content=done.ics, filename=done.file_name,
                                         title=done.file_name, initial_comment=comment)
    except SlackApiError as exc:
        log.warning("meeting %s: uploading %s failed: %s", done.info.meeting.id, done.file_name,
                    exc.response.get("error"))


# ---- show, ics


def _show(session: Session, person: Person, meeting_id: str):
    meeting = get_meeting(session, meeting_id)
    shown_board = board(session, meeting) if can_see_answers(session, person, meeting) else None
    return describe(session, meeting), shown_board, my_answers(session, person, meeting)


async def show(ctx: Ctx, meeting_id: str) -> None:
    info, shown_board, mine = await ctx.deps.db(_show, ctx.who.person, meeting_id)
    await ctx.reply(*render.show(info, shown_board, mine, ctx.locale))


async def send_ics(ctx: Ctx, meeting_id: str) -> None:
    data, name, calendar = await ctx.deps.db(calendar_file, meeting_id)
    key = ("meetings.ics_comment_cancel" if calendar.cancelled else
           "meetings.ics_comment_update" if calendar.sequence else "meetings.ics_comment")
    await ctx.client.files_upload_v2(channel=await _dm_channel(ctx), content=data, filename=name, title=name,
                                     initial_comment=t(key, ctx.locale, title=calendar.title, id=calendar.meeting_id,
                                                       sequence=calendar.sequence))
    await ctx.reply(t("meetings.ics_sent", ctx.locale, id=calendar.meeting_id))


# ---- move, cancel


def parse_move(words: list[str]) -> MoveMeeting:
    """`YYYY-MM-DD HH:MM [HH:MM] [Area/City]`"""
    if not DATE.match(words[0]) or len(words) < 2 or not TIME.match(words[1]):
        raise Invalid("meetings.usage")
    rest = words[2:]
    end = rest.pop(0) if rest and TIME.match(rest[0]) else None
    if len(rest) > 1:
        raise Invalid("meetings.usage")
    try:
        return MoveMeeting(start_date=date.fromisoformat(words[0]), start_time=time.fromisoformat(words[1].zfill(5)),
                           end_time=time.fromisoformat(end.zfill(5)) if end else None,
                           timezone=rest[0] if rest else "")
    except ValueError:
        raise Invalid("errors.when_usage") from None


def _move(session: Session, person: Person, meeting_id: str, request: MoveMeeting) -> tuple[Fanout, datetime]:
    meeting, before = move_meeting(session, person, meeting_id, request)
    return fanout(session, meeting), before


async def move(ctx: Ctx, meeting_id: str, request: MoveMeeting) -> None:
    done, before = await ctx.deps.db(_move, ctx.who.person, meeting_id, request)
    m = done.info.meeting
    await ctx.reply(t("meetings.moved_reply", ctx.locale, id=m.id, title=m.title, when=render.when(m, ctx.locale)))
    language = done.info.process.language  # the channel's
    text, blocks = render.moved(done.info, before, None, language)
    await _to_channel(ctx, done, text, blocks, t("meetings.ics_comment_update", language, title=m.title,
                                                  id=m.id, sequence=done.calendar.sequence))
    for person in done.people:
        text, blocks = render.moved(done.info, before, person, person.locale,
                                    done.answers.get(person.slack_user_id, []))
        await dm_quietly(await ctx.client_for(person.team_id), person.slack_user_id, text, blocks)


def _cancel(session: Session, person: Person, meeting_id: str) -> Fanout:
    return fanout(session, cancel_meeting(session, person, meeting_id))


async def cancel(ctx: Ctx, meeting_id: str) -> None:
    done = await ctx.deps.db(_cancel, ctx.who.person, meeting_id)
    m = done.info.meeting
    await ctx.reply(t("meetings.cancelled_reply", ctx.locale, id=m.id, title=m.title))
    language = done.info.process.language  # the channel's
    text, blocks = render.cancelled(done.info, language)
    await _to_channel(ctx, done, text, blocks, t("meetings.ics_comment_cancel", language, title=m.title, id=m.id,
                                                  sequence=done.calendar.sequence))
    for person in done.people:
        text, blocks = render.cancelled(done.info, person.locale)
        await dm_quietly(await ctx.client_for(person.team_id), person.slack_user_id, text, blocks)


# ---- RSVP


def _value(action: BlockAction) -> tuple[str, str | None]:
    """A button's value: "12" or "12:UNIDO" (an entity chosen by someone speaking for several)."""
    return str(action.ref.id), action.ref.code


def _attend_data(session: Session, person: Person, meeting_id: str, code: str | None):
    meeting = get_meeting(session, meeting_id)
    require_changeable(meeting, utcnow())
    entities = {e.code: e.id for e in answerable(session, person, meeting)}
    if code is not None and code not in entities:
        raise NotAllowed("errors.not_focal_point", entity=code[:20], granted_by=secretariat_mentions(session))
    chosen = code or (next(iter(entities)) if len(entities) == 1 else None)
    row = answers(session, meeting).get(entities.get(chosen or ""))
    current = row.delegates if row is not None and row.attendance == Attendance.ATTENDING else ""
    return describe(session, meeting), list(entities), chosen, current


async def open_attending(action: BlockAction, ctx: Ctx) -> None:
    meeting_id, code = _value(action)
    info, entities, chosen, current = await ctx.deps.db(_attend_data, ctx.who.person, meeting_id, code)
    await ctx.client.views_open(trigger_id=action.trigger_id,
                                view=render.attend_modal(info, entities, chosen, current, ctx.locale))


@dataclass(frozen=True)
class Answered:
    info: MeetingInfo
    entity: str
    attendance: Attendance
    delegates: str


@dataclass(frozen=True)
class Choose:
    """Someone speaking for several invited entities clicked a button that names none."""

    meeting: Meeting
    entities: list[str]


def _answer(session: Session, person: Person, meeting_id: str, code: str | None, attendance: Attendance,
            delegates: str = "", key: str | None = None) -> Answered | Choose | None:
    if key is not None and not idempotency.claim(session, key):
        return None
    meeting = get_meeting(session, meeting_id)
    require_changeable(meeting, utcnow())
    entities = answerable(session, person, meeting)
    if code is None and len(entities) > 1:
        return Choose(meeting, [e.code for e in entities])
    meeting, entity, row = rsvp(session, person, meeting.id, attendance, code, delegates)
    return Answered(describe(session, meeting), entity.code, Attendance(row.attendance), row.delegates)


async def answer(action: BlockAction, ctx: Ctx) -> None:
    """Tentative or Not attending: recorded at once (answering again replaces)."""
    meeting_id, code = _value(action)
    attendance = ANSWERS[action.action.action_id]
    result = await ctx.deps.db(_answer, ctx.who.person, meeting_id, code, attendance)
    if isinstance(result, Choose):
        await ctx.reply(*render.which_entity(result.meeting, action.action.action_id, attendance, result.entities,
                                             ctx.locale))
    elif result is not None:
        await ctx.reply(render.recorded(result.info, result.entity, result.attendance, result.delegates, ctx.locale))


async def save_attending(submission: ViewSubmission, ctx: Ctx, ack) -> None:
    """Saved before the ack (one quick transaction), so a field error keeps the modal and what was typed."""
    meeting_id = str(submission.meta.meeting)
    code = submission.meta.entity or submission.value(ids.BLOCK_ENTITY) or None
    delegates = submission.value(ids.BLOCK_MEETING_DELEGATES) or ""
    try:
        result = await ctx.deps.db(_answer, ctx.who.person, meeting_id, code, Attendance.ATTENDING, delegates,
                                   f"view:{submission.view.id}")
    except DomainError as error:
        await ack_or_raise(ack, error, ATTEND_FIELDS, ctx.locale)
        return
    await ack()
    if isinstance(result, Answered):
        await ctx.reply(render.recorded(result.info, result.entity, result.attendance, result.delegates, ctx.locale))
