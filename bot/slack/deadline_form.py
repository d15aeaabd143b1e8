"""The deadline part of an opening modal, shared by the data call and the mapping surveys: a date, a time and
the zone they are typed in, parsed into UTC with the field at fault named."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.errors import Invalid
from bot.slack import ids
from bot.slack.blocks import Block, input_block
from bot.slack.payloads import ViewSubmission
from bot.texts import t_plain
from bot.timezones import LocalTimeError, is_timezone, suggest_timezones, to_utc

FIELDS = {"deadline_date": ids.BLOCK_DEADLINE_DATE, "deadline": ids.BLOCK_DEADLINE_DATE,
          "deadline_time": ids.BLOCK_DEADLINE_TIME, "timezone": ids.BLOCK_TIMEZONE}


def deadline_inputs(today: date, timezone: str, locale: str | None, days: int = 30) -> list[Block]:
    """The date (`days` from today, a month unless said), the time (17:00) and the zone (the person's)."""
    return [
        input_block(ids.BLOCK_DEADLINE_DATE, t_plain("datacall.deadline_date", locale),
                    {"type": "datepicker", "initial_date": (today + timedelta(days=days)).isoformat()}),
        input_block(ids.BLOCK_DEADLINE_TIME, t_plain("datacall.deadline_time", locale),
                    {"type": "timepicker", "initial_time": "17:00"}),
        input_block(ids.BLOCK_TIMEZONE, t_plain("datacall.timezone", locale),
                    {"type": "plain_text_input", "max_length": 64, "initial_value": timezone},
                    hint=t_plain("datacall.timezone_hint", locale)),
    ]


def _typed(submission: ViewSubmission, block_id: str) -> str:
    """What a text, date or time input holds ("" for anything else a forged submission carries)."""
    value = submission.value(block_id)
    return value if isinstance(value, str) else ""


def parse_deadline(submission: ViewSubmission) -> tuple[datetime, str]:
    """The deadline as UTC and its zone's name; Invalid names the field at fault."""
    zone_name = _typed(submission, ids.BLOCK_TIMEZONE).strip()
    if not is_timezone(zone_name):
        hint = ", ".join(suggest_timezones(zone_name)) or "Europe/Zurich"
        raise Invalid("errors.timezone_unknown", field="timezone", value=zone_name or "—", hint=hint)
    raw_date, raw_time = _typed(submission, ids.BLOCK_DEADLINE_DATE), _typed(submission, ids.BLOCK_DEADLINE_TIME)
    try:
        day = date.fromisoformat(raw_date) if raw_date else None
        at = time.fromisoformat(raw_time.zfill(5)) if raw_time else time(17, 0)
    except ValueError:
        raise Invalid("errors.date_format", field="deadline_date") from None
    if day is None:
        raise Invalid("errors.field_empty", field="deadline_date")
    try:
        return to_utc(datetime.combine(day, at), zone_name), zone_name
    except LocalTimeError as exc:
        raise Invalid(f"errors.time_{exc.kind}", field="deadline_time", timezone=zone_name) from None
