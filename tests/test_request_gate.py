"""Scenario: requests an attacker would send. Nothing acts before Slack's signature is verified; a signed
request the bot cannot read, or whose form data it did not write, is refused plainly, with no traceback."""

from __future__ import annotations

import json
import time
from urllib.parse import quote, urlencode

import pytest
from sqlmodel import Session, select

from storage.models import Input, Person, Process
from tests.conftest import SECRETARIAT
from tests.loopback_listener import LoopbackListener
from tests.slack_requests import sign, state

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def bot_log(bot, slack, sender):
    """What the running bot logs from now on; the double's calls are this test's (what earlier tests set off,
    such as the fuzz suite's App Home events, has been sent)."""
    slack.wait_until_quiet(quiet_s=1.5)
    slack.reset()
    start = len(bot.output())
    return lambda: bot.output()[start:]


@pytest.fixture
def listener():
    with LoopbackListener() as server:
        yield server


def _command_body(user: str, text: str = "help", response_url: str = "https://hooks.slack.com/x", **drop) -> str:
    fields = {"token": "t", "team_id": "T0EMG", "channel_id": "C0FRAMEWORK", "user_id": user,
              "command": "/consult", "text": text, "response_url": response_url, "trigger_id": "1.2.trigger"}
    return urlencode({k: v for k, v in fields.items() if k not in drop})


def _person(engine, user_id):
    with Session(engine) as s:
        return s.exec(select(Person).where(Person.slack_user_id == user_id)).first()


FUZZ_USER_PREFIX = "UFZ"  # tests/test_request_fuzz.py's people, whose App Home may still be published after its quiet wait


def _calls(slack) -> list:
    """The double's calls this test's requests could have set off: not the App Home views the fuzz module's events
    are still publishing (a 429's Retry-After can leave a gap longer than the quiet wait between two of them)."""
    return [c for c in slack.calls if not str(c.params.get("user_id", c.params.get("channel", ""))).startswith(
        FUZZ_USER_PREFIX)]


def _assert_clean(log: str) -> None:
    assert "Traceback" not in log and "Exception in ASGI application" not in log, log


# ---- unverified: answered at the gate, nothing else happens


@pytest.mark.parametrize("headers", [
    {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=" + "0" * 64},
    {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": "v0=" + "0" * 64},
    {"X-Slack-Request-Timestamp": "1e3"},
    {"X-Slack-Request-Timestamp": str(int(time.time()) + 3600)},
    {},
], ids=["timestamp-abc", "timestamp-empty", "no-signature", "future", "no-headers"])
def test_a_request_with_a_bad_timestamp_gets_401_and_the_bot_calls_no_one(sender, slack, listener, engine,
                                                                          new_user, bot_log, headers):
    """The blind SSRF: the forged body's response_url must receive nothing, ever."""
    stranger = new_user()
    body = _command_body(stranger, response_url=listener.url + "/ssrf")
    assert sender.post(body, FORM, headers=headers, signed=False).status_code == 401
    time.sleep(0.4)
    assert listener.requests == [] and _calls(slack) == []
    assert _person(engine, stranger) is None
    _assert_clean(bot_log())


@pytest.mark.parametrize("body", ["payload=not-json{", "payload=%E0%A4%A", "payload=[1,2]", "\xff\xfe"],
                         ids=["payload-not-json", "bad-percent-encoding", "payload-list", "not-utf8"])
def test_an_unsigned_body_the_bot_could_not_read_is_refused_as_unsigned_first(sender, slack, body, bot_log):
    assert sender.post(body, FORM, signed=False).status_code == 401
    _assert_clean(bot_log())


def test_a_body_over_the_limit_is_refused_before_it_is_read(sender, slack, bot_log):
    body = "payload=" + "x" * (1024 * 1024 + 1)
    assert sender.post(body, FORM).status_code == 413
    assert sender.post(body, FORM, signed=False).status_code == 413
    assert _calls(slack) == []
    _assert_clean(bot_log())


# ---- signed but unreadable: 400 (or the command's own ephemeral answer), one warning, no traceback


@pytest.mark.parametrize("body,content_type,kind", [
    ("payload=not-json{", FORM, "interaction"),
    ("payload=%E0%A4%A", FORM, "request"),
    ("payload=[1,2]", FORM, "interaction"),
    ("{not json", "application/json", "event"),
    ("[1, 2]", "application/json", "event"),
    (urlencode({"payload": json.dumps({"type": "block_actions", "user": {"id": "U0X"}, "actions": []})}), FORM,
     "block_actions"),
    (urlencode({"payload": json.dumps({"type": "block_actions", "actions": [{"action_id": "input.open"}]})}), FORM,
     "block_actions"),
    (urlencode({"payload": json.dumps({"type": "view_submission", "user": {"id": "U0X"},
                                       "view": {"id": "V1", "callback_id": "input.save", "state": "oops"}})}), FORM,
     "view_submission"),
    (urlencode({"payload": json.dumps({"type": "mystery"})}), FORM, "interactive"),
    ("payload=" + quote(json.dumps({"type": "block_actions"})) + "&payload=x", FORM, "request"),
    (json.dumps({"type": "event_callback", "event": "app_home_opened"}), "application/json", "event_callback"),
    ("hello", "text/plain", "request"),
], ids=["not-json", "bad-percent", "list", "json-broken", "json-list", "no-actions", "no-user", "state-string",
        "unknown-type", "duplicated-field", "event-not-object", "text-plain"])
def test_a_signed_request_the_bot_cannot_read_gets_400_and_one_warning(sender, slack, body, content_type, kind,
                                                                      bot_log):
    response = sender.post(body, content_type)
    assert response.status_code == 400
    time.sleep(0.2)
    assert _calls(slack) == []
    log = bot_log()
    assert f"malformed {kind} request refused" in log
    _assert_clean(log)


@pytest.mark.parametrize("drop", ["user_id", "trigger_id"])
def test_a_command_missing_a_field_gets_an_ephemeral_answer_not_a_traceback(sender, slack, engine, new_user,
                                                                           bot_log, drop):
    stranger = new_user()
    response = sender.post(_command_body(stranger, **{drop: True}), FORM)
    assert response.status_code == 200
    assert response.json()["response_type"] == "ephemeral"
    assert "could not read that request" in response.json()["text"]
    time.sleep(0.3)
    assert _calls(slack) == [] and _person(engine, stranger) is None
    _assert_clean(bot_log())


# ---- response_url only to Slack


def test_a_signed_command_whose_response_url_is_not_slacks_is_answered_by_dm_instead(sender, slack, listener,
                                                                                    new_user, bot_log):
    person = new_user()
    assert sender.post(_command_body(person, "whoami", response_url=listener.url + "/hook"), FORM).status_code == 200
    dm = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == person)[0]
    assert "Focal point" in json.dumps(dm.params) or dm.params.get("text")
    assert listener.requests == []
    assert "ignored a response_url outside the allowed hosts" in bot_log()
    _assert_clean(bot_log())


# ---- forged form data: a plain refusal, nothing saved


def _answer(slack) -> str:
    return slack.wait_for("response_url")[0].params["text"]


@pytest.mark.parametrize("value", ["", "not-a-number", "[1,2]", '{"round": 1}', "-4", "0", "12:UN EP", "1" * 30],
                         ids=["empty", "text", "list", "json", "negative", "zero", "bad-code", "huge"])
def test_a_forged_button_value_is_refused_as_out_of_date(sender, slack, new_user, bot_log, value):
    person = new_user()
    assert sender.click(person, "input.open", value).status_code == 200
    assert "out of date or not yours" in _answer(slack)
    log = bot_log()
    assert "refused a stale or forged input.open" in log
    _assert_clean(log)


def test_a_forged_escalation_value_is_refused(sender, slack, new_user, bot_log):
    assert sender.click(new_user(), "escalation.extend", '{"round": "x"}').status_code == 200
    assert "out of date or not yours" in _answer(slack)
    _assert_clean(bot_log())


@pytest.mark.parametrize("metadata", ["not json", "[1]", '"text"', '{"round_id": "abc"}', '{"round_id": 5, "x": 1}',
                                      "{}"], ids=["text", "list", "string", "id-text", "extra-key", "empty"])
def test_forged_private_metadata_is_refused_and_nothing_is_saved(sender, slack, engine, new_user, bot_log, metadata):
    person = new_user()
    view = {"callback_id": "input.save", "private_metadata": metadata, "type": "modal", "blocks": []}
    response = sender.submit_view(person, view, {"comment": state("plain_text_input", "forged")})
    assert response.status_code == 200
    told = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == person)[0]
    assert "out of date or not yours" in told.params["text"]
    with Session(engine) as s:
        assert s.exec(select(Input).where(Input.comment == "forged")).first() is None
    _assert_clean(bot_log())


@pytest.mark.parametrize("field,element", [("timezone", state("multi_static_select", ["Europe/Geneva"])),
                                           ("mandate_end", state("multi_static_select", ["2027-01-01"]))],
                         ids=["timezone-list", "date-list"])
def test_a_new_process_form_with_a_forged_element_type_is_answered_not_a_traceback(sender, slack, engine, bot_log,
                                                                                 field, element):
    view = {"callback_id": "process.new", "private_metadata": "{}", "type": "modal", "blocks": []}
    values = {"handle": state("plain_text_input", "forged-kind"), "title": state("plain_text_input", "Forged"),
              "kind": state("static_select", "img"), "timezone": state("plain_text_input", "Europe/Geneva"),
              field: element}
    response = sender.submit_view(SECRETARIAT, view, values)
    assert response.status_code == 200
    time.sleep(0.5)
    with Session(engine) as s:
        assert s.exec(select(Process).where(Process.handle == "forged-kind")).first() is None
    _assert_clean(bot_log())


def test_a_button_pointing_at_a_row_that_does_not_exist_gets_a_plain_answer(sender, slack, new_user, bot_log):
    for action_id, value in [("input.open", "999999"), ("input.edit", "999999"), ("poll.answer.open", "999999:UNEP"),
                             ("meeting.tentative", "999999:UNEP"), ("datacall.fill", "2001:UNEP"),
                             ("action_item.done", "999999"), ("reminder.tomorrow", "999999"),
                             ("outcomes.open", "999999"), ("join.approve", "999999")]:
        slack.reset()
        assert sender.click(new_user(), action_id, value).status_code == 200
        text = _answer(slack)
        assert "something went wrong" not in text, (action_id, text)
    _assert_clean(bot_log())


# ---- unknown actions and views: acked, nothing else


def test_an_unknown_action_or_view_is_acked_and_nothing_else(sender, slack, new_user, bot_log):
    person = new_user()
    assert sender.click(person, "no.such.action", "1").status_code == 200
    view = {"callback_id": "no.such.view", "private_metadata": "", "type": "modal", "blocks": []}
    submitted = sender.submit_view(person, view, {})
    assert submitted.status_code == 200 and submitted.content in (b"", b"{}")
    assert sender.event({"type": "reaction_added", "user": person, "reaction": "x"}).status_code == 200
    time.sleep(0.4)
    assert _calls(slack) == []
    _assert_clean(bot_log())


# ---- typed text is cleaned the same way on both databases


def test_a_nul_byte_and_a_bidi_override_in_an_input_never_reach_the_database(sender, slack, consultation, engine,
                                                                             bot_log):
    from tests.test_round_scenarios import _open_round, _round_id

    _open_round(sender, slack, consultation)
    round_id = _round_id(engine, consultation["handle"])
    unido = consultation["focal"]["UNIDO"]
    slack.reset()
    sender.click(unido, "input.open", str(round_id))
    modal = slack.wait_for("views.open")[0].params["view"]
    typed = "Scope\x00 should\u202e cover\r\npartners e\u0301\x07"
    response = sender.submit_view(unido, modal, {
        "entity": state("static_select", "UNIDO"), "section": state("static_select", "1"),
        "input_kind": state("static_select", "editorial"), "comment": state("plain_text_input", typed),
        "proposed_text": state("plain_text_input", ""), "rationale": state("plain_text_input", "")})
    assert response.status_code == 200 and not response.content
    slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == unido)
    with Session(engine) as s:
        saved = s.exec(select(Input).where(Input.round_id == round_id)).one()
    assert saved.comment == "Scope should cover\npartners \u00e9"
    _assert_clean(bot_log())


def test_a_title_typed_as_a_mention_stays_text_in_plain_text_fields():
    from bot.slack.blocks import header, plain

    assert header("<!channel> review & sign-off")["text"]["text"] == "&lt;!channel&gt; review &amp; sign-off"
    clipped = plain("<" * 40, 24)["text"]
    assert len(clipped) <= 24 and clipped.endswith("…") and "&lt" not in clipped.replace("&lt;", "")


def test_a_signed_request_is_still_answered_with_everything_in_place(sender, slack, bot_log):
    assert sender.command(SECRETARIAT, "whoami").status_code == 200
    assert "*secretariat* of the EMG" in json.dumps(slack.wait_for("response_url")[0].params)
    _assert_clean(bot_log())


def test_a_stale_but_well_signed_replay_is_refused(sender, slack):
    body = _command_body(SECRETARIAT)
    stale = sign(body, timestamp=int(time.time()) - 301)
    assert sender.post(body, FORM, headers=stale, signed=False).status_code == 401


def test_every_button_and_modal_the_bot_listens_to_has_a_model_for_what_it_carries():
    from bot.slack import app as slack_app
    from bot.slack import forms

    assert set(slack_app.ACTIONS) == set(forms.VALUES)
    assert set(slack_app.VIEWS) == set(forms.METADATA)


def test_a_field_whose_value_has_another_type_than_the_form_gave_it_is_refused_as_forged(sender, slack, new_user,
                                                                                        bot_log):
    """A datepicker's state where the form has a text input: the domain request cannot be built from it."""
    person = new_user()
    view = {"callback_id": "process.new", "private_metadata": "{}", "type": "modal", "blocks": []}
    response = sender.submit_view(person, view, {"title": {"type": "datepicker", "selected_date": None},
                                                 "members": {"type": "plain_text_input", "value": "UNEP"}})
    assert response.status_code == 200
    told = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == person)[0]
    assert "out of date or not yours" in told.params["text"]
    log = bot_log()
    assert "refused a stale or forged form" in log
    _assert_clean(log)
