"""The one error handler: failures reach the person, and Slack always gets its ack."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime
from urllib.parse import urlencode

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import NotFound
from bot.slack.errors import field_params, guarded, message_params
from tests.slack_requests import sign


def _click(slack, listener) -> int:
    body = urlencode({"payload": json.dumps({
        "type": "block_actions", "user": {"id": "U0FAIL"}, "team": {"id": "T0EMG"},
        "response_url": f"{slack.base_url}/response/fail",
        "actions": [{"action_id": "a", "block_id": "b", "value": "x"}]})})

    async def dispatch() -> int:
        app = AsyncApp(client=AsyncWebClient(token="xoxb-test", base_url=slack.api_url), signing_secret="secret")
        app.action("a")(guarded(listener))
        response = await app.async_dispatch(AsyncBoltRequest(body=body, headers=sign(body, "secret")))
        await asyncio.sleep(0.3)
        return response.status

    return asyncio.run(dispatch())


def test_a_domain_error_right_after_the_ack_still_answers_200_and_tells_the_person(slack):
    slack.reset()

    async def fails_at_once(ack, context):
        await ack()
        context["locale"] = "en"
        raise NotFound("errors.unknown_entity", code="UNDIP", suggestions="UNDP")

    assert _click(slack, fails_at_once) == 200
    told = slack.wait_for("response_url")[0].params
    assert "I don't know the entity `UNDIP`. Closest codes: UNDP." in told["text"]


def test_an_unexpected_error_before_the_ack_is_acked_and_apologised_for_with_a_reference_support_can_find(
        slack, caplog):
    slack.reset()

    async def fails_before_ack(ack):
        raise RuntimeError("database down")

    with caplog.at_level("ERROR", logger="bot.slack.errors"):
        assert _click(slack, fails_before_ack) == 200
    text = slack.wait_for("response_url")[0].params["text"]
    assert "something went wrong on my side" in text
    reference = re.search(r"reference: ([0-9a-f]{12})", text).group(1)
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged and logged[0].exc_info and "database down" in str(logged[0].exc_info[1])


def test_a_moment_in_an_error_is_each_readers_own_time_in_a_message_and_named_utc_in_a_field():
    ends = datetime(2014, 2, 14, 11, 0, tzinfo=UTC)
    shown = message_params({"ends": ends, "title": "IMG"})
    assert shown["ends"].startswith("<!date^1392375600^") and shown["title"] == "IMG"
    assert field_params({"ends": ends}) == {"ends": "2014-02-14 11:00 UTC (UTC)"}
