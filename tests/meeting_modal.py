"""The values a person types in the `meeting new` modal, as Slack reports them."""

from __future__ import annotations

from datetime import date

from tests.slack_requests import state


def meeting_values(day: date, entities: list[str], reminders: list[str], zone: str = "Europe/Zurich",
                   start: str = "10:00", end: str = "12:00") -> dict:
    return {"title": state("plain_text_input", "IMG meeting"), "kind": state("static_select", "img"),
            "meeting_date": state("datepicker", day.isoformat()),
            "meeting_start": {"type": "timepicker", "selected_time": start},
            "meeting_end": {"type": "timepicker", "selected_time": end},
            "meeting_end_date": state("datepicker", None), "timezone": state("plain_text_input", zone),
            "meeting_place": state("plain_text_input", "Online"),
            "meeting_link": state("plain_text_input", "https://meet.example.org/img"),
            "chairs": state("multi_users_select", []), "entities": state("multi_static_select", entities),
            "meeting_agenda": state("plain_text_input", "Opening\nAOB"),
            "reminders": state("checkboxes", reminders)}
