"""Driving the data call's questionnaire modal as Slack would: what a page reports, page after page."""

from __future__ import annotations

import json

from bot.hlcm.pages import paginate
from bot.hlcm.questionnaire import questionnaire
from tests.slack_double_limits import view_errors
from tests.slack_requests import state

PAGES = paginate(questionnaire())  # emissions, staff and offsets, management, waste and water


def page_values(number: int, typed: dict) -> dict:
    """What Slack reports for one questionnaire page with these answers (blank where none)."""
    values = {}
    for indicator in PAGES[number - 1].indicators:
        value = typed.get(indicator.id) or None
        if indicator.numeric:
            values[f"figure:{indicator.id}"] = state("plain_text_input", value)
        else:
            values[f"figure:{indicator.id}"] = (state("static_select", value) if value
                                                else {"type": "static_select", "selected_option": None})
    return values


def page_number(view: dict) -> int:
    return json.loads(view["private_metadata"])["page"]


def fill(sender, user: str, view: dict, typed: dict, view_id: str, until: int = len(PAGES)) -> dict:
    """"Save and next" page after page from `view` on, up to page `until`; the last answer ({} when closed)."""
    while True:
        number = page_number(view)
        response = sender.submit_view(user, view, page_values(number, typed), view_id=view_id)
        answer = response.json() if response.content else {}
        if number >= until or answer.get("response_action") != "update" \
                or answer["view"]["callback_id"] != "datacall.page":
            return answer
        assert view_errors(answer["view"]) == [] and page_number(answer["view"]) == number + 1
        view = answer["view"]
