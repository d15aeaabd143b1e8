"""Fuzz: Slack's request shapes with fields dropped, retyped, truncated, oversized and duplicated, and
headers mangled, sent to the running bot. Whatever arrives, the bot answers 200, 400, 401 or 413, logs
no traceback, never calls anywhere but the Slack double, and a request it refused changed nothing.

CONSULTBOT_FUZZ_EXAMPLES sets the examples per test (default 60: the three tests take well under two
minutes on both databases); `CONSULTBOT_FUZZ_EXAMPLES=2000 pytest tests/test_request_fuzz.py` digs deeper.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from bot.slack import forms
from storage.models import Person
from tests.loopback_listener import LoopbackListener
from tests.slack_requests import SlackSender, sign

EXAMPLES = int(os.environ.get("CONSULTBOT_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=False, database=None,
                suppress_health_check=list(HealthCheck))
ALLOWED = {200, 400, 401, 413}
FORM = "application/x-www-form-urlencoded"
_ids = itertools.count(1)

ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-2**70, max_value=2**70), st.floats(allow_nan=True),
    st.text(max_size=40), st.just(""), st.just("x" * 5000), st.just("\x00\u202e<!channel>&"),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


@pytest.fixture(scope="module")
def listener():
    with LoopbackListener() as server:
        yield server


@pytest.fixture(scope="module")
def fuzz_sender(bot, slack) -> SlackSender:
    return SlackSender(bot.url, slack.base_url)


class Outcome:
    """What the examples of this module sent and got, checked once the bot has had time to act on them."""

    def __init__(self, bot, engine, listener) -> None:
        self.bot, self.engine, self.listener = bot, engine, listener
        self.log_start = len(bot.output())
        self.refused_users: list[str] = []
        self.statuses: set[int] = set()

    def record(self, status: int, user: str) -> None:
        assert status in ALLOWED, status
        self.statuses.add(status)
        if status in (400, 401, 413):
            self.refused_users.append(user)

    def check(self, slack) -> None:
        slack.wait_until_quiet()  # listeners run after the ack: the next tests see none of this module's calls
        log = self.bot.output()[self.log_start:]
        for marker in ("Traceback", "Exception in ASGI application", "listener failed"):
            at = log.find(marker)
            assert at < 0, log[max(0, at - 1500):at + 2500]
        assert self.listener.requests == []
        with Session(self.engine) as s:
            created = s.exec(select(Person.slack_user_id).where(Person.slack_user_id.in_(self.refused_users))).all()
        assert created == []


@pytest.fixture(scope="module")
def outcome(bot, engine, listener) -> Outcome:
    return Outcome(bot, engine, listener)


def _user() -> str:
    return f"UFZ{next(_ids):05d}P{os.getpid() % 1000:03d}"


def _mutate(data: Any, draw, depth: int = 0) -> Any:
    """Drop, retype or truncate one field somewhere in `data` (or leave it)."""
    if not isinstance(data, (dict, list)) or not data or depth > 4:
        return data
    keys = list(data.keys()) if isinstance(data, dict) else list(range(len(data)))
    key = draw(st.sampled_from(keys))
    operation = draw(st.sampled_from(["drop", "retype", "descend", "descend", "duplicate", "keep"]))
    copy = dict(data) if isinstance(data, dict) else list(data)
    if operation == "drop":
        del copy[key]
    elif operation == "retype":
        copy[key] = draw(ODD_VALUES)
    elif operation == "descend":
        copy[key] = _mutate(copy[key], draw, depth + 1)
    elif operation == "duplicate" and isinstance(copy, list):
        copy.append(copy[key])
    return copy


def _headers(body: str, draw) -> tuple[dict[str, str], bool]:
    """Headers for `body` and whether they are Slack's (a valid signature)."""
    kind = draw(st.sampled_from(["good", "good", "good", "none", "text-timestamp", "stale", "wrong", "other-body",
                                 "no-v0"]))
    good = sign(body)
    if kind == "good":
        return good, True
    if kind == "none":
        return {}, False
    if kind == "text-timestamp":
        return {**good, "X-Slack-Request-Timestamp": draw(st.sampled_from(["abc", "", "1e9", "12.5", "-5", "9" * 40]))}, False
    if kind == "stale":
        return sign(body, timestamp=int(time.time()) - 400), False
    if kind == "wrong":
        return {**good, "X-Slack-Signature": "v0=" + "f" * 64}, False
    if kind == "other-body":
        return sign(body + "x"), False
    return {**good, "X-Slack-Signature": good["X-Slack-Signature"][3:]}, False


def _send(sender: SlackSender, body: str, content_type: str, draw) -> tuple[int, bool]:
    if draw(st.integers(0, 9)) == 0:  # truncated in transit
        body = body[: len(body) * draw(st.integers(0, 99)) // 100]
    headers, verified = _headers(body, draw)
    return sender.post(body, content_type, headers=headers, signed=False).status_code, verified


def _command(user: str, listener_url: str, draw) -> dict[str, Any]:
    words = ["help", "whoami", "entities", "list", "status", "inputs", "round", "meeting", "poll", "datacall",
             "digest", "export", "join", "grant", "reminders", "mute", "hlcm", "action", "nonsense"]
    text = " ".join(draw(st.lists(st.one_of(st.sampled_from(words), st.text(max_size=12)), max_size=4)))
    return {"token": "t", "team_id": "T0EMG", "channel_id": "C0FRAMEWORK", "user_id": user, "command": "/consult",
            "text": text, "response_url": f"{listener_url}/cmd", "trigger_id": f"{next(_ids)}.1.trigger"}


@given(data=st.data())
@FUZZ
def test_fuzzed_slash_commands(data, fuzz_sender, outcome):
    for _ in range(2):
        user = _user()
        fields = _mutate(_command(user, outcome.listener.url, data.draw), data.draw)
        pairs = [(k, v if isinstance(v, str) else json.dumps(v)) for k, v in fields.items()]
        if data.draw(st.booleans()) and pairs:  # a field given twice
            pairs.append(data.draw(st.sampled_from(pairs)))
        status, _ = _send(fuzz_sender, urlencode(pairs), FORM, data.draw)
        outcome.record(status, user)


def _button_value(action_id: str, draw) -> Any:
    return draw(st.one_of(st.text(max_size=30), st.integers().map(str), st.just("1"), st.just("2025:UNEP"),
                          st.just('{"round": 1, "entities": ["WMO"]}'), st.just("999999:UNEP"),
                          st.just("1:2:3")))


def _block_actions(user: str, listener_url: str, draw) -> dict[str, Any]:
    action_id = draw(st.sampled_from([*forms.VALUES, "unknown.action"]))
    return {"type": "block_actions", "user": {"id": user, "team_id": "T0EMG"}, "team": {"id": "T0EMG"},
            "api_app_id": "A0APP", "trigger_id": f"{next(_ids)}.2.trigger", "response_url": f"{listener_url}/act",
            "container": {"type": "message", "message_ts": "1.2", "channel_id": "D0BOT"},
            "actions": [{"action_id": action_id, "block_id": "b", "value": _button_value(action_id, draw),
                         "type": "button"}]}


def _view_submission(user: str, draw) -> dict[str, Any]:
    callback_id = draw(st.sampled_from([*forms.METADATA, "unknown.view"]))
    metadata = draw(st.one_of(st.text(max_size=30), st.just("{}"), st.just('{"process": "framework"}'),
                              st.just('{"round_id": 1}'), st.just('{"year": 2025, "entity": "UNEP", "page": 0}'),
                              st.dictionaries(st.sampled_from(["process", "round", "year", "entity", "input_id",
                                                               "meeting", "poll", "page", "round_id"]),
                                              ODD_VALUES, max_size=3).map(json.dumps)))
    block = draw(st.sampled_from(["comment", "title", "entity", "deadline_date", "timezone", "file", "x"]))
    element = draw(st.sampled_from([
        {"type": "plain_text_input", "value": "text\x00\u202e <!channel>"},
        {"type": "static_select", "selected_option": {"value": "UNEP"}},
        {"type": "datepicker", "selected_date": "2031-02-30"},
        {"type": "multi_static_select", "selected_options": [{"value": "WMO"}]},
        {"type": "file_input", "files": [{"id": "F0NOPE", "name": "x\u202efdp.exe"}]},
    ]))
    return {"type": "view_submission", "team": {"id": "T0EMG"}, "user": {"id": user, "team_id": "T0EMG"},
            "api_app_id": "A0APP", "trigger_id": f"{next(_ids)}.3.trigger",
            "view": {"id": f"VFZ{next(_ids)}", "hash": "1.a", "callback_id": callback_id, "type": "modal",
                     "private_metadata": metadata, "state": {"values": {block: {"value": element}}}}}


@given(data=st.data())
@FUZZ
def test_fuzzed_interactions(data, fuzz_sender, outcome):
    for _ in range(2):
        user = _user()
        payload = (_block_actions(user, outcome.listener.url, data.draw) if data.draw(st.booleans())
                   else _view_submission(user, data.draw))
        payload = _mutate(payload, data.draw)
        raw = json.dumps(payload) if data.draw(st.integers(0, 5)) else data.draw(st.sampled_from(
            ["not-json{", "[1,2]", '"x"', "null", "{" * 5000]))
        status, _ = _send(fuzz_sender, urlencode({"payload": raw}), FORM, data.draw)
        outcome.record(status, user)


@given(data=st.data())
@FUZZ
def test_fuzzed_events(data, fuzz_sender, outcome):
    for _ in range(2):
        user = _user()
        event = data.draw(st.sampled_from([
            {"type": "app_home_opened", "user": user, "channel": "D0BOT", "tab": "home", "event_ts": "1.1"},
            {"type": "app_home_opened", "user": user, "tab": "messages"},
            {"type": "message", "user": user, "text": "hello", "channel": "D0BOT"},
            {"type": "url_verification", "challenge": "abc"},
        ]))
        if event["type"] == "url_verification":
            envelope: Any = event
        else:
            envelope = {"token": "t", "team_id": "T0EMG", "api_app_id": "A0APP", "type": "event_callback",
                        "event_id": f"EvFZ{next(_ids)}", "event_time": 1, "event": event}
        envelope = _mutate(envelope, data.draw)
        body = json.dumps(envelope)
        if data.draw(st.integers(0, 9)) == 0:
            body = data.draw(st.sampled_from(["", "[]", "{", '{"type": 5}', "x" * 100]))
        status, _ = _send(fuzz_sender, body, "application/json", data.draw)
        outcome.record(status, user)


def test_after_the_fuzz_no_traceback_no_outside_call_and_nothing_refused_was_saved(outcome, slack):
    assert {200, 401}.issubset(outcome.statuses), outcome.statuses
    outcome.check(slack)
