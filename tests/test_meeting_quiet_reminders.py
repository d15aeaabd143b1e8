"""A meeting on Monday 10:00 in Geneva: its "1 day before" falls on Sunday, a quiet day everywhere.
Pushed to Monday 08:00 in each person's zone, it still goes wherever that is before the start:
in Geneva, Paris, Bangkok and Nairobi alike (issue 14, section 3)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import time_machine
from sqlmodel import Session, select

from bot.meetings.reminder_plan import meeting_schedule
from bot.reminders.plan import QuietHours
from storage.models import Reminder
from storage.types import utcnow
from tests.bot_process import BotProcess
from tests.conftest import BOT_TOKEN, SECRETARIAT
from tests.slack_double import SlackDouble
from tests.meeting_modal import meeting_values
from tests.slack_requests import SlackSender

UTC = timezone.utc
GENEVA = "Europe/Zurich"
START = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)  # Monday 16 March 2026, 10:00 in Geneva
OFFSETS = ["T-7d", "T-1d", "T-1h"]


def _plan(zone: str, start: datetime = START) -> dict[str, datetime]:
    with time_machine.travel(datetime(2026, 3, 1, 12, 0, tzinfo=UTC), tick=False):
        planned = meeting_schedule(start, GENEVA, zone, OFFSETS, utcnow(), QuietHours())
    return {p.offset: p.send_at for p in planned}


def _local(moment: datetime, zone: str) -> tuple[str, str]:
    local = moment.astimezone(ZoneInfo(zone))
    return local.strftime("%a"), local.strftime("%H:%M")


def test_a_one_day_reminder_pushed_off_sunday_still_goes_on_monday_morning_before_the_meeting():
    for zone in (GENEVA, "Europe/Paris", "Europe/Berlin"):
        sends = _plan(zone)
        assert set(sends) == {"T-7d", "T-1d", "T-1h"}, zone
        assert _local(sends["T-1d"], zone) == ("Mon", "08:00")  # two hours before the start
        assert _local(sends["T-1h"], zone) == ("Mon", "09:00")
    for zone in ("Asia/Bangkok", "Africa/Nairobi"):  # as before the change
        assert _local(_plan(zone)["T-1d"], zone) == ("Mon", "08:00")


def test_a_reminder_pushed_to_or_past_the_last_call_or_the_start_is_dropped():
    london = _plan("Europe/London")  # Monday 08:00 in London is 09:00 in Geneva: the last call's moment
    assert set(london) == {"T-7d", "T-1h"}
    new_york = _plan("America/New_York")  # Monday 08:00 in New York is after the start
    assert set(new_york) == {"T-7d", "T-1h"}
    nine = _plan(GENEVA, START - timedelta(hours=1))  # a Monday 09:00 meeting: 08:00 is the last call's
    assert set(nine) == {"T-7d", "T-1h"}


def test_the_bot_plans_the_european_focal_points_monday_reminder(private_database_url, private_engine, tmp_path):
    """Through a bot with a fresh deployment's quiet hours (20:00–08:00, weekends)."""
    from bot.entities.service import get_entity
    from bot.people.service import Profile, ensure_person, save_profile
    from bot.processes.service import NewProcess, create_process
    from bot.roles.service import grant, sync_secretariat
    from storage.db import session_scope
    from storage.models import Role

    today = utcnow().date()
    monday = today + timedelta(days=14 + (7 - today.weekday()) % 7)  # a Monday at least two weeks ahead
    focal = {"WMO": ("U0QWMO", GENEVA), "UNIDO": ("U0QUNIDO", "Europe/Vienna"),
             "ESCAP": ("U0QESCAP", "Asia/Bangkok"), "UNEP": ("U0QUNEP", "Africa/Nairobi")}
    with SlackDouble(bot_token=BOT_TOKEN) as double:
        double.add_user(SECRETARIAT, "Amina (EMG secretariat)", tz=GENEVA)
        with session_scope(private_engine) as s:
            sync_secretariat(s, [SECRETARIAT])
            process = create_process(s, ensure_person(s, SECRETARIAT), NewProcess(
                handle="quiet", kind="img", title="Quiet-hours IMG", timezone=GENEVA, channel_id="C0QUIET",
                members=list(focal)))
            for code, (user, zone) in focal.items():
                double.add_user(user, f"{code} focal point", tz=zone)
                save_profile(s, Profile(slack_user_id=user, timezone=zone))
                grant(s, SECRETARIAT, user, Role.FOCAL_POINT, process, get_entity(s, code))
        env = {"DATABASE_URL": private_database_url, "SLACK_API_URL": double.api_url, "SLACK_BOT_TOKEN": BOT_TOKEN,
               "SLACK_SIGNING_SECRET": "test-signing-secret", "SECRETARIAT_USERS": SECRETARIAT,
               "LOG_LEVEL": "warning", "QUIET_HOURS": "20:00-08:00", "QUIET_DAYS": "sat,sun"}
        bot = BotProcess(env, tmp_path / "quiet.log").start()
        try:
            sender = SlackSender(bot.url, double.base_url)
            sender.command(SECRETARIAT, "meeting new quiet", channel="C0QUIET")
            view = double.wait_for("views.open")[0].params["view"]
            response = sender.submit_view(SECRETARIAT, view, meeting_values(monday, list(focal), OFFSETS))
            assert not response.content, response.text
            double.wait_for("files.completeUploadExternal")
        finally:
            bot.stop()
    with Session(private_engine) as s:
        rows = s.exec(select(Reminder).where(Reminder.kind == "meeting.reminder", Reminder.offset == "T-1d")).all()
    one_day = {r.recipient: _local(r.send_at, r.timezone) for r in rows}
    assert one_day == {user: ("Mon", "08:00") for user, _ in focal.values()}

