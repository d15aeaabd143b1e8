"""What a due meeting reminder says, decided at send time: a cancelled or moved meeting, a muted
process, a person no longer invited, an entity that will not attend, or a later reminder already
due, means no message; outcomes already recorded mean no "record the outcomes" reminder."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.meetings import render
from bot.meetings.reminder_plan import OUTCOMES, OUTCOMES_AFTER, REMINDER
from bot.meetings.invitees import invited, recipients
from bot.meetings.service import answers, board, describe
from bot.people.service import recipient_of
from bot.reminders.outcomes import Message, Skip
from bot.reminders.plan import is_last_call
from bot.reminders.registry import register_kind
from bot.reminders.service import is_muted
from bot.reminders.store import superseded
from bot.roles.service import is_secretariat
from storage.models import Attendance, Meeting, MeetingStatus, Reminder




def reminder_message(session: Session, row: Reminder, now: datetime) -> Message | Skip:
    meeting = session.get(Meeting, row.subject_id)
    if meeting is None or meeting.status != MeetingStatus.SCHEDULED:
        return Skip("cancelled")
    if row.stale_at != meeting.start:
        return Skip("replanned")
    if is_muted(session, meeting.process_id, row.recipient, row.recipient_team):
        return Skip("muted")
    person = next((p for p in recipients(session, meeting) if (p.team_id, p.slack_user_id) == (row.recipient_team, row.recipient)), None)
    if person is None:
        return Skip("not invited")
    got = answers(session, meeting)
    codes = {e.code: e.id for e in invited(session, meeting)}
    mine = [(code, Attendance(got[codes[code]].attendance) if codes[code] in got else None)
            for code in person.entity_codes]
    if not person.chair and all(answer == Attendance.NOT_ATTENDING for _, answer in mine):
        return Skip("not attending")
    if superseded(session, row, now):
        return Skip("superseded")
    text, blocks = render.reminder(describe(session, meeting), person, mine,
                                   board(session, meeting) if person.chair else None, is_last_call(row.offset),
                                   person.locale)
    return Message(row.recipient, text, blocks)


def outcomes_message(session: Session, row: Reminder, now: datetime) -> Message | Skip:
    meeting = session.get(Meeting, row.subject_id)
    if meeting is None or meeting.status != MeetingStatus.SCHEDULED:
        return Skip("cancelled")
    if row.due_at != meeting.end + OUTCOMES_AFTER:
        return Skip("replanned")
    if meeting.outcomes_at is not None:
        return Skip("outcomes recorded")
    person = recipient_of(session, row)
    if not is_secretariat(session, person):
        return Skip("not secretariat")
    if is_muted(session, meeting.process_id, row.recipient, row.recipient_team):
        return Skip("muted")
    text, blocks = render.outcomes_due(describe(session, meeting), person.reads_in)
    return Message(row.recipient, text, blocks)


register_kind(REMINDER, reminder_message)
register_kind(OUTCOMES, outcomes_message)
