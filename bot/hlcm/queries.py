"""Small reads the data call's Slack listeners need (bot/slack/datacall.py runs no SQL itself)."""

from __future__ import annotations

from sqlmodel import Session, func, select

from bot.entities.service import active_entities
from bot.errors import Conflict
from bot.hlcm.reminder_plan import REMINDER
from bot.hlcm.service import check_year
from bot.roles.service import require_secretariat
from storage.models import DataCall, DataCallStatus, Entity, Person, Reminder, ReminderStatus
from storage.types import utcnow


def open_form_entities(session: Session, person: Person, year: int) -> list[Entity]:
    """What the "open a data call" modal offers: every entity not retired; refused for a year that has a call."""
    require_secretariat(session, person)
    check_year(year, utcnow())
    if session.exec(select(DataCall.id).where(DataCall.year == year)).first() is not None:
        raise Conflict("hlcm.call_exists", year=year)
    return active_entities(session)


def pending_reminders(session: Session, call: DataCall) -> int:
    return session.exec(select(func.count(Reminder.id)).where(
        Reminder.kind == REMINDER, Reminder.subject_id == call.id, Reminder.status == ReminderStatus.PENDING)).one()


def open_calls(session: Session) -> list[DataCall]:
    """Open data calls, the latest year first."""
    return list(session.exec(select(DataCall).where(DataCall.status == DataCallStatus.OPEN)
                             .order_by(DataCall.year.desc())).all())
