"""`consultbot console`: the real listeners on the demo workspace, driven through a pipe.

The end-to-end tests run the CLI as a subprocess with a script on stdin and read its transcript;
the last ones check the console's parts in-process (rendering, view state, the Web API it serves).
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.console import form
from bot.console.text import Names, Style, mrkdwn
from bot.console.workspace import Workspace
from bot.seed import load_demo
from bot.slack.payloads import ViewSubmission
from bot.texts import t_plain

ROOT = Path(__file__).resolve().parents[1]
PROMPT = re.compile(r"^[^\n]+ · [^\n]+> (.*)$")


def console(lines: list[str], *args: str, cwd: Path, code: int = 0) -> str:
    """Run `consultbot console` with `lines` on stdin; return stdout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "SECRETARIAT"))}
    env.update({"NO_COLOR": "1", "PYTHONPATH": str(ROOT)})
    result = subprocess.run([sys.executable, "-m", "bot.cli", "console", *args], input="\n".join(lines) + "\n",
                            capture_output=True, text=True, cwd=cwd, env=env, timeout=60)
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout


def after(transcript: str, command: str, nth: int = 1) -> str:
    """What the console printed after the nth prompt that read `command`, up to the next prompt."""
    blocks, current = [], None
    for line in transcript.splitlines():
        match = PROMPT.match(line)
        if match:
            current = [match.group(1), []]
            blocks.append(current)
        elif current is not None:
            current[1].append(line)
    found = [("\n".join(text)) for cmd, text in blocks if cmd == command]
    assert len(found) >= nth, f"{command!r} was not run {nth} time(s):\n{transcript}"
    return found[nth - 1]


def test_the_secretariat_sees_its_commands_and_its_app_home(tmp_path):
    out = console(["/consult help", "/home", "/press 1", "/close", "/quit"], "--user", "U0SEC1", cwd=tmp_path)
    assert "You are Amina (EMG secretariat), U0SEC1, in #framework." in out
    help_text = after(out, "/consult help")
    assert "#framework · consultbot · only visible to you" in help_text
    assert "As secretariat" in help_text and "`/consult new` — create a consultation" in help_text
    home = after(out, "/home")
    assert "App Home of consultbot" in home
    assert "• secretariat of the EMG (all processes)" in home
    assert "`chemicals` Chemicals and Waste Issue Management Group" in home
    assert "chairs @Hiroshi (UNEP); channel #chemicals" in home
    assert "[1] New process" in home
    pressed = after(out, "/press 1")  # the App Home's button opens the modal through a view container
    assert "Modal: New process" in pressed and "[9] Member entities" in pressed
    assert "The modal closed." in after(out, "/close")


def test_a_newcomer_asks_to_join_and_the_secretariat_approves_in_its_dm(tmp_path):
    out = console(["/consult help", "/consult join framework UNCTAD", "/as U0SEC1", "/press 1", "/press 1",
                   "/as U0NEW1", "/consult whoami", "/press 1"], "--user", "U0NEW1", cwd=tmp_path)
    assert "*As secretariat*" not in after(out, "/consult help")
    asked = after(out, "/consult join framework UNCTAD")
    assert "only visible to you" in asked
    assert "Your request to speak for UNCTAD in `framework` went to the secretariat." in asked
    assert "(1 new for Amina (EMG secretariat): /as 1 to see it.)" in asked
    dm = after(out, "/as U0SEC1")
    assert "DM from consultbot" in dm
    assert "@Chen (UNCTAD) asks to be a focal point of UNCTAD in `framework`" in dm
    assert "[1] Approve  [2] Decline" in dm
    approved = after(out, "/press 1")
    assert "DM from consultbot · edited" in approved
    assert "✅ Approved by @Amina (EMG secretariat)." in approved
    assert "[1] Approve" not in approved  # chat.update replaced the buttons
    assert "(1 new for Chen (UNCTAD): /as 8 to see it.)" in approved
    assert "That button is no longer there" in after(out, "/press 1", nth=2)
    told = after(out, "/as U0NEW1")
    assert "You are now a focal point of UNCTAD in `framework`" in told and "approved by @Amina" in told
    assert "• focal point for UNCTAD in `framework`" in after(out, "/consult whoami")
    assert "The last output had no buttons to press." in after(out, "/press 1", nth=3)


def test_the_secretariat_creates_a_process_after_fixing_a_field_error(tmp_path):
    out = console(["/consult new", "/submit", "/fill 1 ipbes", "/fill 3 IPBES nexus assessment", "/fill 2 2",
                   "/fill 6 Mars/Olympus", "/fill 7 30/09/2031", "/fill 7 2031-09-30", "/fill 8 U0UNEP1,3",
                   "/fill 9 UNEP,UNDP", "/submit", "/fill 6 Europe/Paris", "/submit", "/submit", "/consult list"],
                  "--user", "U0SEC1", cwd=tmp_path)
    modal = after(out, "/consult new")
    assert "Modal: New process" in modal
    assert "[6] Time zone · text · required" in modal and "= Europe/Zurich" in modal
    assert "1) Consultation  2) Issue management group" in modal
    assert "/submit → Create" in modal
    assert after(out, "/submit").count("Please complete this required field.") == 3  # handle, title, members
    assert "30/09/2031 is not a date" in after(out, "/fill 7 30/09/2031")
    assert "[8] Chairs = @Hiroshi (UNEP) (U0UNEP1), @Maria (UNDP) (U0UNDP1)" in after(out, "/fill 8 U0UNEP1,3")
    refused = after(out, "/submit", nth=2)
    assert "Modal: New process" in refused  # still open for correction
    assert "! `Mars/Olympus` is not a time zone." in refused
    assert "= ipbes" in refused and "= Issue management group" in refused  # what was filled stays
    created = after(out, "/submit", nth=3)
    assert "The modal closed." in created
    assert "New process `ipbes`: IPBES nexus assessment, with UNDP, UNEP." in created
    assert "── #framework · consultbot ───" in created  # announced in the channel the modal came from
    assert "No modal is open." in after(out, "/submit", nth=4)
    listed = after(out, "/consult list")
    assert "`ipbes` IPBES nexus assessment — Issue management group, active; mandate ends 2031-09-30" in listed
    assert "chairs @Maria (UNDP) @Hiroshi (UNEP)" in listed.split("`ipbes`")[1]


def test_a_chair_cannot_open_the_new_process_modal(tmp_path):
    out = console(["/consult new", "/fill 1 x"], "--user", "U0UNEP1", cwd=tmp_path)
    refused = after(out, "/consult new")
    assert "This needs the secretariat role. The secretariat grants roles: @Amina (EMG secretariat)." in refused
    assert "Modal:" not in refused
    assert "No modal is open." in after(out, "/fill 1 x")


def test_the_console_asks_who_you_are_and_ends_at_end_of_input(tmp_path):
    out = console(["9", "u0wmo1", "/channel chemicals", "/consult whoami", "hello", "/nope"], cwd=tmp_path)
    assert " [1] Amina (EMG secretariat)  U0SEC1  — secretariat" in out
    assert " [5] Petra (UNIDO)  U0UNIDO1  — focal point for UNIDO in chemicals, focal point for UNIDO in framework" \
        in out
    assert " [8] Chen (UNCTAD)  U0NEW1  — no role yet" in out
    assert "There is no 9 in this workspace." in out
    assert "You are Lars (WMO), U0WMO1, in #framework." in out
    assert "Now in #chemicals." in after(out, "/channel chemicals")
    whoami = after(out, "/consult whoami")
    assert "#chemicals · consultbot · only visible to you" in whoami and "focal point for WMO" in whoami
    assert "The bot does not read channel messages" in after(out, "hello")
    assert "/nope is not a command here." in after(out, "/nope")


def test_an_unknown_user_stops_the_console(tmp_path):
    out = console([], "--user", "U0NOBODY", cwd=tmp_path, code=2)
    assert "There is no U0NOBODY in this workspace." in out


# ---- the parts, in-process

def test_mrkdwn_reads_as_the_current_person_would_see_it():
    names = Names(users={"U0UNEP1": "Hiroshi (UNEP)"}, channels={"C0FRAMEWORK": "framework"},
                  timezone="Africa/Nairobi", locale="en-US")
    text = "<@U0UNEP1> in <#C0FRAMEWORK>: &lt;!channel&gt; &amp; <https://unemg.org|EMG> :x: " \
           "<!date^1392364800^{date_short_pretty} at {time}|14 Feb 2014>"
    assert mrkdwn(text, names, Style()) == \
        "@Hiroshi (UNEP) in #framework: <!channel> & EMG (https://unemg.org) ❌ Feb 14, 2014 at 11:00 AM EAT"
    names.timezone, names.locale = "America/New_York", "en-GB"
    assert mrkdwn("<!date^1392364800^{date_num} {time}|x>", names, Style()) == "2014-02-14 03:00 EST"
    assert mrkdwn(":alarm_clock: *Retreat* starts :speech_balloon:", names, Style()) == "⏰ Retreat starts 💬"
    assert mrkdwn("*Retreat*", names, Style(color=True)) == "\033[1mRetreat\033[0m"


def test_a_multi_line_answer_is_one_fill_and_modal_ids_differ_between_runs():
    multiline = {"type": "input", "block_id": "slots", "element": {"type": "plain_text_input", "action_id": "value",
                                                                    "multiline": True}}
    [field] = form.fields({"type": "modal", "blocks": [multiline]})
    assert form.parse(field, r"2031-01-12 09:00\n 2031-01-13 14:00 \n2031-01-14 10:00", [], []) == \
        "2031-01-12 09:00\n2031-01-13 14:00\n2031-01-14 10:00"
    first, second = (Workspace(load_demo(), {"C0FRAMEWORK": "framework"}) for _ in range(2))
    assert first.new_id("V") != second.new_id("V")  # a second run's modal is not a replay of the first's


MODAL = {"type": "modal", "callback_id": "c", "title": {"type": "plain_text", "text": "T"}, "blocks": [
    {"type": "input", "block_id": "text", "element": {"type": "plain_text_input", "action_id": "value"}},
    {"type": "input", "block_id": "one", "element": {"type": "static_select", "action_id": "value", "options": [
        {"text": {"type": "plain_text", "text": "Consultation"}, "value": "consultation"},
        {"text": {"type": "plain_text", "text": "Issue management group"}, "value": "img"}]}},
    {"type": "input", "block_id": "many", "element": {"type": "multi_static_select", "action_id": "value",
                                                      "options": [{"text": {"type": "plain_text", "text": c},
                                                                   "value": c} for c in ("UNEP", "UNDP", "WMO")]}},
    {"type": "input", "block_id": "day", "element": {"type": "datepicker", "action_id": "value"}},
    {"type": "input", "block_id": "where", "element": {"type": "conversations_select", "action_id": "value"}},
    {"type": "input", "block_id": "who", "element": {"type": "multi_users_select", "action_id": "value"}},
    {"type": "input", "block_id": "empty", "optional": True,
     "element": {"type": "plain_text_input", "action_id": "value"}},
]}


def test_filled_fields_reach_the_bot_as_slack_sends_them():
    people, channels = [("U0UNEP1", "Hiroshi (UNEP)"), ("U0UNDP1", "Maria (UNDP)")], [("C0FRAMEWORK", "framework")]
    fields = {f.block_id: f for f in form.fields(MODAL)}
    values = {"text": form.parse(fields["text"], "ipbes", people, channels),
              "one": form.parse(fields["one"], "2", people, channels),
              "many": form.parse(fields["many"], "3, UNEP", people, channels),
              "day": form.parse(fields["day"], "2031-09-30", people, channels),
              "where": form.parse(fields["where"], "#framework", people, channels),
              "who": form.parse(fields["who"], "U0UNDP1,1", people, channels), "empty": None}
    state = form.state_values(MODAL, values)
    assert state["values"]["one"]["value"] == {"type": "static_select", "selected_option": {
        "text": {"type": "plain_text", "text": "Issue management group"}, "value": "img"}}
    assert state["values"]["day"]["value"] == {"type": "datepicker", "selected_date": "2031-09-30"}
    assert state["values"]["empty"]["value"] == {"type": "plain_text_input", "value": None}
    submission = ViewSubmission.model_validate({"user": {"id": "U0SEC1"}, "view": {
        "id": "V1", "callback_id": "c", "state": state}})
    assert [submission.value(b) for b in ("text", "one", "many", "day", "where", "who", "empty")] == \
        ["ipbes", "img", ["WMO", "UNEP"], "2031-09-30", "C0FRAMEWORK", ["U0UNDP1", "U0UNEP1"], ""]
    with pytest.raises(form.FillError) as bad:
        form.parse(fields["one"], "3", people, channels)
    assert "is not one of the options" in t_plain(bad.value.key, **bad.value.params)
    for key in {*form.TYPE_KEYS.values(), "console.fill_no_person", "console.fill_no_channel"}:
        assert t_plain(key, value="x")  # keys built at run time exist too


def test_the_workspace_answers_slack_sdk_like_slack():
    async def scenario(files: list[Path]) -> None:
        ws = Workspace(load_demo(), {"C0FRAMEWORK": "framework"}).start()
        client = AsyncWebClient(token="xoxb-console", base_url=ws.api_url)
        try:
            user = (await client.users_info(user="U0UNEP1"))["user"]
            assert (user["tz"], user["profile"]["display_name"]) == ("Africa/Nairobi", "Hiroshi (UNEP)")
            posted = await client.chat_postMessage(channel="U0UNEP1", text="hi", blocks=[
                {"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}])
            assert posted["channel"] == "D0UNEP1" and posted["message"]["blocks"][0]["block_id"]
            hook = ws.new_response_url("U0UNEP1", "D0UNEP1", ("D0UNEP1", posted["ts"]))
            await AsyncWebhookClient(hook).send(text="changed", replace_original=True)
            assert ws.messages[("D0UNEP1", posted["ts"])].text == "changed"
            await AsyncWebhookClient(hook).send(text="just for you")
            assert ws.surfaces[-1].message.ephemeral_for == "U0UNEP1"
            await AsyncWebhookClient(hook).send(delete_original=True)
            assert ws.messages[("D0UNEP1", posted["ts"])].deleted
            with pytest.raises(SlackApiError) as expired:
                await client.views_open(trigger_id="1.nope", view={"type": "modal", "title": {
                    "type": "plain_text", "text": "T"}, "blocks": []})
            assert expired.value.response["error"] == "invalid_trigger_id"
            upload = await client.files_upload_v2(channel="C0FRAMEWORK", filename="digest.md", content="# Digest\n",
                                                  title="Digest")
            assert upload["file"]["title"] == "Digest"
            files.append(Path(ws.surfaces[-1].detail))
        finally:
            ws.stop()

    saved: list[Path] = []
    asyncio.run(scenario(saved))
    assert saved[0].name == "digest.md" and saved[0].read_text() == "# Digest\n"
