"""The year's data call opened, closed or given a new deadline, its reminder rows rewritten in the same
transaction (bot/hlcm/reminder_plan.py). The call itself is bot/hlcm/service.py's, which knows nothing of
reminders."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot import audit
from bot.errors import Conflict
from bot.hlcm.reminder_plan import plan_call
from bot.hlcm.service import close_data_call, get_call, open_data_call
from bot.reminders.plan import parse_offsets
from bot.roles.service import require_secretariat
from bot.rounds.service import OpenRound, deadline_utc
from bot.timezones import local_text
from storage.models import DataCall, DataCallStatus, Person
from storage.types import utcnow


def open_with_reminders(session: Session, actor: Person, year: int, deadline: datetime, timezone: str,
                        codes: list[str] | None, offsets: list[str], now: datetime | None = None) -> DataCall:
    """Open the call and write its reminder rows in the same transaction (bot/hlcm/reminder_plan.py)."""
    now = now or utcnow()
    call = open_data_call(session, actor, year, deadline, timezone, codes, now)
    call.reminder_offsets = ",".join(parse_offsets(",".join(offsets)))  # kept for every replan; "" for none
    session.add(call)
    plan_call(session, call, now, offsets)
    return call


def close_with_reminders(session: Session, actor: Person, year: int, now: datetime | None = None) -> DataCall:
    """Close the call; its pending reminders are cancelled in the same transaction."""
    now = now or utcnow()
    call = close_data_call(session, actor, year, now)
    plan_call(session, call, now)
    return call


def extend_data_call(session: Session, actor: Person, year: int, request: OpenRound,
                     now: datetime | None = None) -> DataCall:
    """Move the open call's deadline (`request`: `YYYY-MM-DD [HH:MM] [ZONE]` as bot/slack/args.when reads it; the
    zone defaults to the call's). Its reminders are replanned in the same transaction: the deadline is part of
    their key, so what was sent stays history and the chase starts again towards the new deadline."""
    now = now or utcnow()
    require_secretariat(session, actor)
    call = get_call(session, year)
    if call.status == DataCallStatus.CLOSED:
        raise Conflict("hlcm.call_closed", year=year)
    deadline = deadline_utc(request, call.timezone, now)
    if deadline == call.deadline:
        raise Conflict("datacall.deadline_unchanged", year=year, deadline=local_text(deadline, call.timezone))
    before = audit.snapshot(call)
    call.deadline = deadline
    call.timezone = request.timezone.strip() or call.timezone  # the zone the deadline was typed in
    session.add(call)
    audit.record(session, actor.slack_user_id, "hlcm.call_extended", call, before=before)
    plan_call(session, call, now)
    return call
