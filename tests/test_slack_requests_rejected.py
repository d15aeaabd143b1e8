"""Scenario: requests that did not come from Slack are refused and leave no trace."""

from __future__ import annotations

import json
import time

from sqlmodel import Session, select

from storage.models import Person
from tests.slack_requests import sign


def _person(engine, user_id):
    with Session(engine) as s:
        return s.exec(select(Person).where(Person.slack_user_id == user_id)).first()


def test_unsigned_wrongly_signed_and_stale_requests_get_401_and_store_nothing(sender, slack, engine, new_user):
    stranger = new_user()
    body = f"command=%2Fconsult&text=help&user_id={stranger}&team_id=T0EMG&response_url=x&trigger_id=1"
    form = "application/x-www-form-urlencoded"

    assert sender.post(body, form, signed=False).status_code == 401
    wrong = {**sign(body), "X-Slack-Signature": "v0=" + "0" * 64}
    assert sender.post(body, form, headers=wrong, signed=False).status_code == 401
    stale = sign(body, timestamp=int(time.time()) - 301)
    assert sender.post(body, form, headers=stale, signed=False).status_code == 401

    time.sleep(0.3)
    assert slack.calls == []
    assert _person(engine, stranger) is None


def test_url_verification_answers_the_challenge_only_when_signed(sender):
    body = json.dumps({"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"})
    refused = sender.post(body, "application/json", signed=False)
    assert refused.status_code == 401
    answered = sender.post(body, "application/json")
    assert answered.status_code == 200
    assert answered.json()["challenge"].startswith("3eZbrw1a")


def test_events_api_retries_publish_the_home_once(sender, slack, new_user):
    viewer = new_user()
    assert sender.home_opened(viewer, event_id="Ev0RETRY1").status_code == 200
    slack.wait_for("views.publish")
    retried = sender.home_opened(viewer, event_id="Ev0RETRY1",
                                 **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert retried.status_code == 200
    time.sleep(0.5)
    assert len(slack.calls_to("views.publish")) == 1
