"""Tests for the Slack Web API double, driven through slack-sdk's real clients over real HTTP."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
import urllib.request

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook import WebhookClient

from tests.slack_double import SlackDouble, block_kit_errors
from tests.slack_double_limits import view_errors
from tests.slack_double_rate import minimum_seconds, over_limit

TOKEN = "xoxb-test"


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def modal(blocks: list[dict], **extra) -> dict:
    return {"type": "modal", "callback_id": "consult", "title": {"type": "plain_text", "text": "Consult"},
            "blocks": blocks, **extra}


@pytest.fixture
def slack():
    with SlackDouble(bot_token=TOKEN) as double:
        yield double


@pytest.fixture
def client(slack):
    return WebClient(token=TOKEN, base_url=slack.api_url, timeout=5)


def run(coro):
    return asyncio.run(coro)


# ---- basics
def test_urls_and_lifecycle():
    double = SlackDouble()
    double.start()
    try:
        assert double.api_url == double.base_url + "/api/"
        assert double.base_url.startswith("http://127.0.0.1:") and double.port > 0
    finally:
        double.stop()
    double.stop()  # idempotent


def test_auth_test_like_slack(slack, client):
    resp = client.auth_test()
    assert resp.status_code == 200
    assert resp["ok"] is True
    assert {k: resp[k] for k in ("team_id", "user_id", "bot_id")} == {
        "team_id": "T0EMG", "user_id": "U0BOT", "bot_id": "B0BOT"}
    assert resp["url"].startswith("https://") and resp["team"] and resp["user"]
    [call] = slack.calls_to("auth.test")
    assert call.headers["authorization"] == f"Bearer {TOKEN}"
    assert call.path == "/api/auth.test" and call.error is None


def test_auth_test_configurable_ids():
    with SlackDouble(team_id="T9", user_id="U9", bot_id="B9") as double:
        resp = WebClient(token="xoxb-test", base_url=double.api_url).auth_test()
        assert (resp["team_id"], resp["user_id"], resp["bot_id"]) == ("T9", "U9", "B9")


def test_async_client_auth_test(slack):
    async def go():
        return await AsyncWebClient(token=TOKEN, base_url=slack.api_url).auth_test()

    assert run(go())["bot_id"] == "B0BOT"
    assert slack.wait_for("auth.test")[0].error is None


def test_wrong_token_is_invalid_auth(slack):
    with pytest.raises(SlackApiError) as err:
        WebClient(token="xoxb-wrong", base_url=slack.api_url).auth_test()
    assert err.value.response["error"] == "invalid_auth"
    assert slack.calls_to("auth.test")[0].error == "invalid_auth"


def test_missing_token_is_not_authed(slack):
    with pytest.raises(SlackApiError) as err:
        WebClient(base_url=slack.api_url).auth_test()
    assert err.value.response["error"] == "not_authed"


def test_unknown_method(slack, client):
    with pytest.raises(SlackApiError) as err:
        client.api_call("nope.never")
    assert err.value.response.status_code == 200
    assert err.value.response["error"] == "unknown_method"


# ---- users.info
def test_users_info_with_tz_offset_and_locale(slack, client):
    slack.add_user("U1", name="ada", tz="Asia/Kolkata", locale="fr-CH")
    user = client.users_info(user="U1", include_locale=True)["user"]
    assert (user["id"], user["name"], user["tz"], user["team_id"]) == ("U1", "ada", "Asia/Kolkata", "T0EMG")
    assert user["tz_offset"] == 19800 and user["deleted"] is False
    assert user["locale"] == "fr-CH"
    assert "locale" not in client.users_info(user="U1")["user"]


def test_users_info_default_tz_offset_follows_dst(slack, client):
    slack.add_user("U2", name="bob")  # default tz Europe/Zurich (IANA has no Europe/Geneva): +1 h or +2 h
    assert client.users_info(user="U2")["user"]["tz_offset"] in (3600, 7200)


def test_users_info_unknown_user(slack, client):
    with pytest.raises(SlackApiError) as err:
        client.users_info(user="UNOPE")
    assert err.value.response["error"] == "user_not_found"
    assert slack.calls_to("users.info")[0].error == "user_not_found"


def test_users_info_via_async_client_get(slack):
    """AsyncWebClient sends users.info as GET with a query string."""
    slack.add_user("U3", name="cy", deleted=True)

    async def go():
        return await AsyncWebClient(token=TOKEN, base_url=slack.api_url).users_info(user="U3", include_locale=True)

    user = run(go())["user"]
    assert user["deleted"] is True and user["locale"] == "en-US"
    assert slack.calls_to("users.info")[0].params["user"] == "U3"


# ---- messages
def test_post_message_recorded_with_decoded_blocks(slack, client):
    blocks = [section("*hello*"), {"type": "divider"}]
    r1 = client.chat_postMessage(channel="C1", text="hello", blocks=blocks)
    r2 = client.chat_postMessage(channel="C1", text="again")
    assert r1["channel"] == "C1" and r1["message"]["text"] == "hello"
    assert float(r2["ts"]) > float(r1["ts"]) and len(r1["ts"].split(".")[1]) == 6
    [first, _] = slack.wait_for("chat.postMessage", count=2)
    assert first.params["blocks"] == blocks and first.params["channel"] == "C1"
    assert "json" in first.headers["content-type"]


def test_form_encoded_blocks_are_decoded(slack, client):
    blocks = [section("from a form")]
    client.api_call("chat.postMessage", data={"channel": "C1", "blocks": json.dumps(blocks)})
    assert slack.calls_to("chat.postMessage")[0].params["blocks"] == blocks


def test_post_to_user_id_lands_in_dm(client):
    assert client.conversations_open(users="U7")["channel"]["id"] == "DU7"
    assert client.chat_postMessage(channel="U7", text="hi")["channel"] == "DU7"


def test_ephemeral_update_delete(slack, client):
    assert client.chat_postEphemeral(channel="C1", user="U1", text="psst")["message_ts"]
    ts = client.chat_postMessage(channel="C1", text="v1")["ts"]
    updated = client.chat_update(channel="C1", ts=ts, text="v2")
    assert (updated["ts"], updated["text"]) == (ts, "v2")
    assert client.chat_delete(channel="C1", ts=ts)["ts"] == ts
    assert [c.method for c in slack.calls] == ["chat.postEphemeral", "chat.postMessage", "chat.update",
                                               "chat.delete"]


def test_51_blocks_in_a_message_is_invalid_blocks(slack, client):
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="x", blocks=[section("b")] * 51)
    assert err.value.response["error"] == "invalid_blocks"
    assert any("/blocks]" in e for e in err.value.response["errors"])
    [call] = slack.calls_to("chat.postMessage")
    assert call.error == "invalid_blocks" and len(call.params["blocks"]) == 51
    client.chat_postMessage(channel="C1", text="x", blocks=[section("b")] * 50)


def test_3001_char_section_is_invalid_blocks(client):
    with pytest.raises(SlackApiError) as err:
        client.chat_update(channel="C1", ts="1.2", text="x", blocks=[section("a" * 3001)])
    assert err.value.response["error"] == "invalid_blocks"
    assert err.value.response["errors"] == [
        "must be at most 3000 characters (got 3001) [json-pointer:/blocks/0/text/text]"]
    client.chat_postEphemeral(channel="C1", user="U1", text="x", blocks=[section("a" * 3000)])


def test_long_message_text_is_accepted_but_truncated(slack, client):
    resp = client.chat_postMessage(channel="C1", text="y" * 40_001)
    assert len(resp["message"]["text"]) == 40_000
    assert len(slack.calls_to("chat.postMessage")[0].params["text"]) == 40_001


# ---- views
def test_view_with_100_blocks_accepted_101_refused(slack, client):
    opened = client.views_open(trigger_id="123.456.abc", view=modal([section("q")] * 100))["view"]
    assert opened["id"] == "V0001" and opened["hash"] and len(opened["blocks"]) == 100
    assert opened["callback_id"] == "consult"
    with pytest.raises(SlackApiError) as err:
        client.views_open(trigger_id="123.456.abc", view=modal([section("q")] * 101))
    assert err.value.response["error"] == "invalid_blocks"
    assert slack.calls_to("views.open")[1].error == "invalid_blocks"


def test_views_update_push_publish(client):
    opened = client.views_open(trigger_id="t", view=modal([section("1")]))["view"]
    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal([section("2")]))["view"]
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    with pytest.raises(SlackApiError) as err:  # stale hash
        client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal([section("3")]))
    assert err.value.response["error"] == "hash_conflict"
    pushed = client.views_push(trigger_id="t2", view=modal([section("p")]))["view"]
    assert pushed["id"] != opened["id"]
    home = {"type": "home", "blocks": [section(str(i)) for i in range(100)]}
    first = client.views_publish(user_id="U1", view=home)["view"]
    again = client.views_publish(user_id="U1", view=home)["view"]
    assert first["type"] == "home" and first["id"] == again["id"]


def test_modal_title_limit(client):
    with pytest.raises(SlackApiError) as err:
        client.views_open(trigger_id="t", view=modal([], title={"type": "plain_text", "text": "x" * 25}))
    assert "/view/title/text" in err.value.response["errors"][0]


# ---- rate limits and other faults
def test_injected_429_reaches_the_client_with_retry_after(slack, client):
    slack.fail_next("chat.postMessage", status=429, retry_after=1)
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="hi")
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "1"
    assert err.value.response["error"] == "ratelimited"
    client.chat_postMessage(channel="C1", text="hi")  # only the next call failed
    assert [c.error for c in slack.calls_to("chat.postMessage")] == ["ratelimited", None]
    assert slack.calls_to("chat.postMessage")[0].status == 429


def test_rate_limit_retry_handler_succeeds_after_one_429(slack):
    slack.fail_next("chat.postMessage", retry_after=0)
    retrying = WebClient(token=TOKEN, base_url=slack.api_url,
                         retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    started = time.monotonic()
    assert retrying.chat_postMessage(channel="C1", text="hi")["ok"] is True
    assert time.monotonic() - started < 5
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 200]


def test_async_client_sees_429(slack):
    slack.fail_next("chat.postMessage", retry_after=3)

    async def go():
        await AsyncWebClient(token=TOKEN, base_url=slack.api_url).chat_postMessage(channel="C1", text="hi")

    with pytest.raises(SlackApiError) as err:
        run(go())
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "3"


def test_injected_500_and_slack_errors(slack, client):
    slack.fail_next("chat.postMessage", status=500)
    slack.fail_next("conversations.info", status=200, error="channel_not_found", times=2)
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="hi")
    assert err.value.response.status_code == 500
    assert err.value.response["error"] == "internal_error"
    for _ in range(2):
        with pytest.raises(SlackApiError) as err:
            client.conversations_info(channel="C404")
        assert (err.value.response.status_code, err.value.response["error"]) == (200, "channel_not_found")
    assert client.conversations_info(channel="C404")["channel"]["id"] == "C404"


def test_fail_every_nth_call(slack, client):
    slack.fail_every(None, n=3)
    outcomes = []
    for _ in range(6):
        try:
            client.auth_test()
            outcomes.append("ok")
        except SlackApiError as e:
            outcomes.append(e.response["error"])
    assert outcomes == ["ok", "ok", "ratelimited", "ok", "ok", "ratelimited"]
    slack.reset()
    assert slack.calls == []
    client.auth_test()  # the rule is gone after reset()


# ---- per-channel rate limit (tests/slack_double_rate.py)
def posted(client, channel: str) -> int | str:
    """HTTP status of one post, or its Retry-After when rate limited ("429 after N")."""
    try:
        return client.chat_postMessage(channel=channel, text="hi").status_code
    except SlackApiError as e:
        assert (e.response.status_code, e.response["error"]) == (429, "ratelimited")
        return f"429 after {e.response.headers['Retry-After']}"


def test_a_second_post_into_a_channel_within_the_rate_is_refused_with_retry_after(slack, client):
    slack.rate_limit("chat.postMessage", per_channel_per_second=1)
    assert [posted(client, "C1"), posted(client, "C1"), posted(client, "C2")] == [200, "429 after 1", 200]
    refused = slack.calls_to("chat.postMessage")[1]
    assert (refused.status, refused.error, refused.params["channel"]) == (429, "ratelimited", "C1")
    assert refused.response == {"ok": False, "error": "ratelimited"}


def test_retry_after_is_the_wait_for_the_next_token_rounded_up(slack, client):
    slack.rate_limit(per_channel_per_second=0.25)  # one message every 4 s
    assert [posted(client, "C1"), posted(client, "C1")] == [200, "429 after 4"]
    slack.rate_limit(per_channel_per_second=10)  # 0.1 s: still at least 1 s, as Slack says
    assert [posted(client, "C1"), posted(client, "C1")] == [200, "429 after 1"]


def test_the_bucket_refills_at_the_rate_and_allows_a_burst(slack, client):
    slack.rate_limit(per_channel_per_second=5, burst=3)
    assert [posted(client, "C1") for _ in range(4)] == [200, 200, 200, "429 after 1"]
    time.sleep(0.25)  # one token back after 0.2 s, the next at 0.4 s
    assert [posted(client, "C1"), posted(client, "C1")] == [200, "429 after 1"]


def test_a_user_id_and_the_dm_with_that_user_are_one_channel(slack, client):
    limit = slack.rate_limit(per_channel_per_second=1)
    assert [posted(client, "U0FP1"), posted(client, "DU0FP1"), posted(client, "U0FP2")] == [200, "429 after 1", 200]
    assert sorted(limit.accepted) == ["DU0FP1", "DU0FP2"] and list(limit.refused) == ["DU0FP1"]


def test_only_the_limited_method_is_limited(slack, client):
    slack.rate_limit("chat.postMessage", per_channel_per_second=1)
    client.chat_postMessage(channel="C1", text="hi")
    for _ in range(3):
        client.chat_postEphemeral(channel="C1", user="U1", text="only you")
        client.chat_update(channel="C1", ts="1700000000.000100", text="edited")
    assert all(c.status == 200 for c in slack.calls if c.method != "chat.postMessage")


def test_concurrent_posts_into_one_channel_let_exactly_the_burst_through(slack):
    slack.rate_limit(per_channel_per_second=1, burst=2)

    async def go():
        async_client = AsyncWebClient(token=TOKEN, base_url=slack.api_url, retry_handlers=[])
        return await asyncio.gather(*(async_client.chat_postMessage(channel="C1", text=f"{i}") for i in range(10)),
                                    return_exceptions=True)

    outcomes = run(go())
    refused = [o for o in outcomes if isinstance(o, SlackApiError)]
    assert len(refused) == 8 and all(o.response.headers["Retry-After"] == "1" for o in refused)
    assert sorted(c.status for c in slack.calls_to("chat.postMessage")) == [200] * 2 + [429] * 8


def test_the_log_tells_afterwards_whether_a_channel_was_posted_to_too_fast(slack, client):
    enforced = slack.rate_limit(per_channel_per_second=1)
    for _ in range(3):
        posted(client, "C1")
    assert enforced.over_limit() == {} and len(enforced.accepted["C1"]) == 1 and len(enforced.refused["C1"]) == 2

    watched = slack.rate_limit(per_channel_per_second=1, enforce=False)  # let through, only logged
    assert [posted(client, "C1") for _ in range(3)] + [posted(client, "C2")] == [200] * 4
    too_fast = watched.over_limit()
    assert list(too_fast) == ["C1"] and too_fast["C1"] == watched.accepted["C1"][1:]


def test_reset_removes_the_rate_limit(slack, client):
    slack.rate_limit(per_channel_per_second=1)
    slack.reset()
    assert [posted(client, "C1"), posted(client, "C1")] == [200, 200]


def test_over_limit_and_minimum_seconds_unit():
    assert over_limit([0.0, 1.0, 2.0, 3.0], per_second=1) == []
    assert over_limit([0.0, 0.5, 1.0, 3.0], per_second=1) == [0.5, 1.0]  # the late call took a token too
    assert over_limit([3.0, 0.0, 0.5], per_second=1, burst=2) == []  # a burst of 2, then 2.5 s to refill
    assert over_limit([0.0, 0.1, 0.2], per_second=1, burst=2) == [0.2]
    assert over_limit([0.0, 0.999], per_second=1) == [0.999]
    assert minimum_seconds({"D1": 20, "D2": 5}, per_second=1) == 19.0
    assert minimum_seconds([20, 20], per_second=2, burst=4) == 8.0
    assert minimum_seconds([1, 1], per_second=1) == 0.0 and minimum_seconds([], per_second=1) == 0.0


# ---- files_upload_v2
def test_files_upload_v2_end_to_end(slack, client):
    data = bytes(range(256)) * 10
    resp = client.files_upload_v2(channel="C1", filename="report.bin", file=data, title="Report",
                                  initial_comment="here it is")
    assert resp["file"]["id"] == "F0001" and resp["file"]["size"] == len(data)
    stored = slack.uploaded_files["F0001"]
    assert stored == {"filename": "report.bin", "title": "Report", "bytes": data, "channel_id": "C1",
                      "initial_comment": "here it is", "thread_ts": None}
    assert [c.method for c in slack.calls] == ["files.getUploadURLExternal", "upload",
                                               "files.completeUploadExternal"]
    [upload] = slack.calls_to("upload")
    assert upload.params["size"] == len(data) and "authorization" not in upload.headers
    [complete] = slack.calls_to("files.completeUploadExternal")
    assert complete.params["files"] == [{"id": "F0001", "title": "Report"}]


def test_files_upload_v2_async_content(slack):
    async def go():
        client = AsyncWebClient(token=TOKEN, base_url=slack.api_url)
        return await client.files_upload_v2(channel="C2", filename="notes.txt", content="héllo")

    resp = run(go())
    assert resp["file"]["title"] == "notes.txt"
    assert slack.uploaded_files[resp["file"]["id"]]["bytes"] == "héllo".encode()


def test_complete_without_upload_fails(client):
    file_id = client.files_getUploadURLExternal(filename="a.txt", length=3)["file_id"]
    with pytest.raises(SlackApiError) as err:
        client.files_completeUploadExternal(files=[{"id": file_id}], channel_id="C1")
    assert err.value.response["error"] == "file_not_found"


# ---- response_url
def test_response_url_posts_recorded(slack):
    url = slack.base_url + "/response/xyz"
    resp = WebhookClient(url).send(text="done", response_type="ephemeral", blocks=[section("done")])
    assert (resp.status_code, resp.body) == (200, "ok")
    [call] = slack.wait_for("response_url")
    assert call.path == "/response/xyz"
    assert call.params == {"text": "done", "response_type": "ephemeral", "blocks": [section("done")]}


def test_response_url_with_too_many_blocks_is_refused_like_slack(slack):
    resp = WebhookClient(slack.base_url + "/response/abc").send(text="x", blocks=[section("b")] * 51)
    assert (resp.status_code, resp.body) == (400, "invalid_blocks")
    [call] = slack.calls_to("response_url")
    assert call.error == "invalid_blocks" and call.response == "invalid_blocks"


def test_response_url_fault(slack):
    slack.fail_next("response_url", status=404, error="expired_url")
    resp = WebhookClient(slack.base_url + "/response/old").send(text="late")
    assert (resp.status_code, resp.body) == (404, "expired_url")


# ---- wait_for
def test_wait_for_times_out_with_a_readable_dump(slack, client):
    client.chat_postMessage(channel="C1", text="only one")
    with pytest.raises(AssertionError) as err:
        slack.wait_for("chat.postMessage", count=2, timeout=0.2)
    message = str(err.value)
    assert "expected 2 call(s) to chat.postMessage" in message and "only one" in message


def test_wait_for_sees_calls_from_another_thread(slack, client):
    import threading

    threading.Timer(0.2, lambda: client.chat_postMessage(channel="C9", text="later")).start()
    [call] = slack.wait_for("chat.postMessage", lambda c: c.params["channel"] == "C9", timeout=5)
    assert call.params["text"] == "later"


def test_raw_form_post_and_get(slack):
    """Plain urllib: form body with the token field, and GET with a query string."""
    body = urllib.parse.urlencode({"token": TOKEN, "channel": "C5"}).encode()
    with urllib.request.urlopen(slack.api_url + "conversations.join", data=body) as r:
        assert json.load(r)["channel"]["is_member"] is True
    with urllib.request.urlopen(slack.api_url + f"conversations.info?token={TOKEN}&channel=C5") as r:
        assert json.load(r)["channel"]["is_member"] is True


# ---- the limit checker on its own
def test_block_kit_errors_unit():
    assert block_kit_errors([section("ok")], "message") == []
    assert block_kit_errors([section("b")] * 100, "modal") == []
    assert block_kit_errors([section("b")] * 100, "home") == []
    assert len(block_kit_errors([section("b")] * 101, "home")) == 1
    fields = {"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}
    assert "got 11" in block_kit_errors([fields])[0]
    long_field = {"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}
    assert "/blocks/0/fields/0/text" in block_kit_errors([long_field])[0]
    assert block_kit_errors([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}])
    button = {"type": "button", "text": {"type": "plain_text", "text": "b" * 76}, "value": "v" * 2001,
              "action_id": "a" * 256}
    assert len(block_kit_errors([{"type": "actions", "elements": [button]}])) == 3
    ok_button = {"type": "button", "text": {"type": "plain_text", "text": "go"}, "action_id": "go"}
    assert block_kit_errors([{"type": "actions", "elements": [ok_button] * 26}])
    assert block_kit_errors([{"type": "divider", "block_id": "x" * 256}])
    text_input = {"type": "input", "label": {"type": "plain_text", "text": "Q"},
                  "element": {"type": "plain_text_input", "action_id": "q", "max_length": 3001}}
    assert "max_length" in block_kit_errors([text_input], "modal")[0]
    option = {"text": {"type": "plain_text", "text": "o"}, "value": "o"}
    select = {"type": "static_select", "action_id": "s", "options": [option] * 101}
    assert block_kit_errors([{"type": "section", "text": {"type": "mrkdwn", "text": "s"}, "accessory": select}])
    assert block_kit_errors([{"text": "no type"}])
    assert block_kit_errors("not a list")
    with pytest.raises(ValueError):
        block_kit_errors([], "email")


def test_view_errors_unit():
    assert view_errors(modal([section("q")])) == []
    too_much = modal([], submit={"type": "plain_text", "text": "s" * 25},
                     close={"type": "plain_text", "text": "c" * 25}, private_metadata="m" * 3001,
                     callback_id="c" * 256)
    assert len(view_errors(too_much)) == 4
    assert any("bytes of JSON" in e for e in view_errors(modal([section("x" * 2900)] * 90)))
