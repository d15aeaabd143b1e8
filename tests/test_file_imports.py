"""Scenario: drafts and filled-in comment matrices uploaded in a modal, fetched by the bot from Slack.

Signed requests to the running bot, the Slack double serving files.info and the private file
URLs (bot token only), both databases; then the fetching rules in-process, and the console.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import Session, select

from bot.errors import DomainError
from bot.settings import Settings
from bot.slack.downloads import allowed, download, fetch_file
from storage.models import Document, DocumentVersion, Response, Section
from tests.conftest import BOT_TOKEN, SECRETARIAT
from tests.test_documents import V1_NUMBERS, docx_from_markdown

FIXTURES = Path(__file__).parent / "fixtures"
V1 = (FIXTURES / "interim_guidance_v1.md").read_bytes()
V2 = (FIXTURES / "interim_guidance_v2.md").read_bytes()
ROOT = Path(__file__).resolve().parents[1]
_ids = itertools.count(1)


def _text(call) -> str:
    return json.dumps(call.params, ensure_ascii=False)


def _file_id() -> str:
    return f"F0UP{next(_ids):04d}{os.getpid() % 1000:03d}"


def _dm(slack, user: str, *words: str):
    """The DM to `user` holding every one of `words` (the import runs after the ack: poll)."""
    return slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == user
                          and all(w in _text(c) for w in words), timeout=15)[-1]


def _upload_in_modal(sender, slack, user: str, command: str, name: str, data: bytes, filetype: str,
                     callback_id: str, **state) -> tuple[dict, object]:
    """`/consult COMMAND`, then the modal submitted with the file (added to the double as `user`'s upload)."""
    sender.command(user, command)
    opened = slack.wait_for("views.open", lambda c: c.params["view"]["callback_id"] == callback_id)[-1]
    assert opened.error is None, opened.response  # within Block Kit's limits
    view = opened.params["view"]
    file = slack.add_file(_file_id(), name, data, filetype, user=user)
    values = {"file": {"type": "file_input", "files": [file]}, **state}
    return file, sender.submit_view(user, view, values)


def _documents(engine, handle: str) -> list[tuple[str, int, int]]:
    """(slug, version number, sections) of every version of the process's documents."""
    from bot.processes.service import get_process

    with Session(engine) as s:
        process = get_process(s, handle)
        rows = s.exec(select(Document.slug, DocumentVersion.number, DocumentVersion.id)
                      .join(DocumentVersion, DocumentVersion.document_id == Document.id)
                      .where(Document.process_id == process.id).order_by(DocumentVersion.number)).all()
        return [(slug, number, len(s.exec(select(Section.id).where(Section.version_id == vid)).all()))
                for slug, number, vid in rows]


# ---------------------------------------------------------------- drafts

def test_the_secretariat_imports_a_draft_and_then_its_second_version_from_slack(sender, slack, framework, engine):
    sender.command(SECRETARIAT, f"doc import {framework}")
    opened = slack.wait_for("views.open")[0]
    assert opened.error is None, opened.response
    view = opened.params["view"]
    element = next(b for b in view["blocks"] if b.get("block_id") == "file")["element"]
    assert element == {"type": "file_input", "filetypes": ["md", "markdown", "txt", "docx"], "max_files": 1,
                       "action_id": "value"}
    assert json.loads(view["private_metadata"]) == {"process": framework}

    file = slack.add_file(_file_id(), "interim_guidance_v1.md", V1, "markdown", user=SECRETARIAT)
    same = f"V0FILE{next(_ids)}"
    closed = sender.submit_view(SECRETARIAT, view, {"file": {"type": "file_input", "files": [file]}}, view_id=same)
    assert closed.status_code == 200 and not closed.content  # acked at once: the modal closes
    sender.submit_view(SECRETARIAT, view, {"file": {"type": "file_input", "files": [file]}}, view_id=same)
    dm = _dm(slack, SECRETARIAT, "version 1")
    assert f"{len(V1_NUMBERS)} sections" in dm.params["text"] and f"`{framework}`" in dm.params["text"]
    assert _documents(engine, framework) == [("interim-guidance-on-the-framework-for-advancing", 1, len(V1_NUMBERS))]
    [info] = slack.calls_to("files.info")
    assert info.params["file"] == file["id"]
    [fetched] = slack.calls_to("files.download")
    assert fetched.headers["authorization"] == f"Bearer {BOT_TOKEN}" and fetched.status == 200
    assert fetched.path.endswith(f"-{file['id']}/download/interim_guidance_v1.md")

    _upload_in_modal(sender, slack, SECRETARIAT, f"doc import {framework}", "guidance-v2.docx",
                     docx_from_markdown(V2), "docx", "doc.import")
    changes = _text(_dm(slack, SECRETARIAT, "version 2"))
    assert "Changes since version 1: 2 changed, 2 added, 2 removed, 6 renumbered, 15 unchanged" in changes
    assert "added       3.3  Grievance mechanisms" in changes and "(was 3.3)" in changes
    assert [row[1] for row in _documents(engine, framework)] == [1, 2]
    assert not [c for c in slack.calls_to("chat.postMessage") if "already imported" in _text(c)]  # the double submit


def test_a_focal_point_is_refused_before_any_modal_opens(sender, slack, consultation):
    wmo = consultation["focal"]["WMO"]
    sender.command(wmo, f"doc import {consultation['handle']}")
    assert "*secretariat / chair* role" in _text(slack.wait_for("response_url")[0])
    sender.command(wmo, f"import matrix {consultation['handle']}")
    assert "*secretariat* role" in _text(slack.wait_for("response_url", count=2)[1])
    sender.command(SECRETARIAT, f"doc {consultation['handle']}")
    assert "Usage: `/consult doc import PROCESS`" in _text(slack.wait_for("response_url", count=3)[2])
    assert slack.calls_to("views.open") == [] and slack.calls_to("files.info") == []


def test_a_chair_of_the_process_may_import_a_draft(sender, slack, framework, new_user, engine):
    from bot.processes.service import get_process
    from bot.roles.service import grant
    from storage.db import session_scope
    from storage.models import Role

    chair = new_user("UNDP chair", tz="America/New_York")
    with session_scope(engine) as s:
        grant(s, SECRETARIAT, chair, Role.CHAIR, get_process(s, framework))
    _upload_in_modal(sender, slack, chair, f"doc import {framework}", "v1.md", V1, "markdown", "doc.import")
    assert f"{len(V1_NUMBERS)} sections" in _dm(slack, chair, "version 1").params["text"]


@pytest.mark.parametrize(("name", "data", "filetype", "reason"), [
    ("draft.pdf", b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "pdf", "it is a PDF"),
    ("draft.md", bytes(range(256)) * 8, "markdown", "neither a Word document nor UTF-8 text"),
])
def test_a_file_that_is_no_draft_is_refused_by_dm_and_nothing_is_stored(sender, slack, framework, engine,
                                                                      name, data, filetype, reason):
    _upload_in_modal(sender, slack, SECRETARIAT, f"doc import {framework}", name, data, filetype, "doc.import")
    refused = _dm(slack, SECRETARIAT, "was not imported")
    assert f"`{name}` was not imported into `{framework}`" in refused.params["text"]
    assert reason in refused.params["text"]
    assert _documents(engine, framework) == []


def test_a_bad_short_name_keeps_the_modal_open_with_the_error_under_it(sender, slack, framework, engine):
    _, response = _upload_in_modal(sender, slack, SECRETARIAT, f"doc import {framework}", "v1.md", V1, "markdown",
                                   "doc.import", slug={"type": "plain_text_input", "value": "Not a slug!"})
    answer = response.json()
    assert answer["response_action"] == "errors" and "cannot name a document" in answer["errors"]["slug"]
    assert slack.calls_to("files.info") == [] and _documents(engine, framework) == []


def test_the_bot_fetches_only_the_url_files_info_gives_never_the_payloads(sender, slack, framework, engine):
    decoy = slack.add_file(_file_id(), "decoy.md", b"# Decoy\n\n1. Not this one.\n", "markdown", user=SECRETARIAT)
    sender.command(SECRETARIAT, f"doc import {framework}")
    view = slack.wait_for("views.open")[0].params["view"]
    real = slack.add_file(_file_id(), "interim_guidance_v1.md", V1, "markdown", user=SECRETARIAT)
    forged = {**real, "url_private": decoy["url_private"], "url_private_download": "http://127.0.0.1:9/steal"}
    sender.submit_view(SECRETARIAT, view, {"file": {"type": "file_input", "files": [forged]}})
    _dm(slack, SECRETARIAT, "version 1", f"{len(V1_NUMBERS)} sections")
    assert [c.params["file"] for c in slack.calls_to("files.info")] == [real["id"]]
    fetched = slack.calls_to("files.download")
    assert [c.params["file_id"] for c in fetched] == [real["id"]]
    assert fetched[0].headers["authorization"] == f"Bearer {BOT_TOKEN}"


def test_someone_elses_file_is_not_fetched(sender, slack, framework, new_user, engine):
    sender.command(SECRETARIAT, f"doc import {framework}")
    view = slack.wait_for("views.open")[0].params["view"]
    theirs = slack.add_file(_file_id(), "theirs.md", V1, "markdown", user=new_user())
    sender.submit_view(SECRETARIAT, view, {"file": {"type": "file_input", "files": [theirs]}})
    assert "uploaded by someone else" in _dm(slack, SECRETARIAT, "was not imported").params["text"]
    assert slack.calls_to("files.download") == [] and _documents(engine, framework) == []


# ---------------------------------------------------------------- the comment matrix

@pytest.fixture
def answered(consultation, engine) -> dict:
    """Round 1 on the consultation's draft, with an input from UNIDO (section 1) and WMO (section 3.2)."""
    from bot.inputs.service import InputDraft, submit_input
    from bot.people.service import ensure_person, find_person
    from bot.rounds.service import OpenRound, open_round
    from storage.db import session_scope

    with session_scope(engine) as s:
        round_ = open_round(s, find_person(s, SECRETARIAT), OpenRound(
            process=consultation["handle"], version_id=consultation["version_id"], deadline_date=date(2031, 6, 30),
            entities=["UNIDO", "WMO", "WFP"]))
        for code, section, comment in (("UNIDO", "1", "Clarify the purpose."), ("WMO", "3.2", "Add climate services.")):
            submit_input(s, ensure_person(s, consultation["focal"][code]), round_,
                         InputDraft(entity=code, section=section, kind="substantive", comment=comment))
        round_id = round_.id
    return {**consultation, "round_id": round_id}


def _exported_matrix(sender, slack, handle: str):
    sender.command(SECRETARIAT, f"export matrix {handle} xlsx")
    slack.wait_for("files.completeUploadExternal", timeout=15)
    name = f"{handle}-round-1-comment-matrix.xlsx"
    uploaded = next(f for f in slack.uploaded_files.values() if f["filename"] == name)
    book = load_workbook(io.BytesIO(uploaded["bytes"]))
    header = next(r for r in range(1, 30) if book.active.cell(r, 1).value == "No.")
    return name, book, header


def _saved(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _responses(engine, round_id: int) -> dict[str, tuple[str, str]]:
    from storage.models import Input

    with Session(engine) as s:
        rows = s.exec(select(Input.ref, Response.disposition, Response.text)
                      .join(Response, Response.input_id == Input.id).where(Input.round_id == round_id)).all()
        return {ref: (str(getattr(d, "value", d)), text) for ref, d, text in rows}


def test_the_matrix_round_trip_through_slack_applies_every_response(sender, slack, answered, engine):
    handle = answered["handle"]
    name, book, header = _exported_matrix(sender, slack, handle)
    sheet = book.active
    sheet.cell(header + 1, 8).value, sheet.cell(header + 1, 9).value = "Accepted", "Done in version 2."
    sheet.cell(header + 2, 8).value = "Partially accepted"
    slack.reset()
    _, closed = _upload_in_modal(sender, slack, SECRETARIAT, f"import matrix {handle}", name, _saved(book), "xlsx",
                                 "matrix.import")
    assert closed.status_code == 200 and not closed.content
    modal = slack.calls_to("views.open")[0].params["view"]
    assert json.loads(modal["private_metadata"]) == {"process": handle, "round": 1}
    assert "2 responses imported" in _dm(slack, SECRETARIAT, "responses imported").params["text"]
    assert _responses(engine, answered["round_id"]) == {"R1-UNIDO-1": ("accepted", "Done in version 2."),
                                                        "R1-WMO-1": ("partially_accepted", "")}


def test_a_bad_disposition_names_its_row_and_nothing_is_applied(sender, slack, answered, engine):
    handle = answered["handle"]
    name, book, header = _exported_matrix(sender, slack, handle)
    sheet = book.active
    sheet.cell(header + 1, 8).value = "Accepted"
    sheet.cell(header + 2, 8).value = "maybe"
    _upload_in_modal(sender, slack, SECRETARIAT, f"import matrix {handle}", name, _saved(book), "xlsx", "matrix.import")
    refused = _dm(slack, SECRETARIAT, "was not imported").params["text"]
    assert f"Row {header + 2}, Disposition: “maybe” is not a disposition" in refused
    assert _responses(engine, answered["round_id"]) == {}

    _upload_in_modal(sender, slack, SECRETARIAT, f"import matrix {handle}", "notes.md", V1, "xlsx", "matrix.import")
    assert "not an Excel workbook" in _dm(slack, SECRETARIAT, "`notes.md` was not imported").params["text"]


# ---------------------------------------------------------------- fetching, in-process

def test_only_slack_file_hosts_and_the_configured_api_get_the_token():
    slack_api = Settings(_env_file=None)
    assert allowed("https://files.slack.com/files-pri/T1-F1/download/a.md", slack_api)
    assert allowed("https://emg.slack.com/files-pri/T1-F1/a.md", slack_api)
    assert allowed("https://a.slack-edge.com/x", slack_api)
    for url in ("http://files.slack.com/x", "https://files.slack.com.evil.org/x", "https://evilslack.com/x",
                "https://files.slack.com:8443/x", "https://user:pw@files.slack.com/x", "http://127.0.0.1:9/x",
                "file:///etc/passwd", "https://slack-gov.com/x"):
        assert not allowed(url, slack_api), url
    gov = Settings(_env_file=None, slack_api_url="https://slack-gov.com/api/")
    assert allowed("https://files.slack-gov.com/files-pri/T1-F1/a.md", gov)
    local = Settings(_env_file=None, slack_api_url="http://127.0.0.1:8123/api/")
    assert allowed("http://127.0.0.1:8123/files-pri/T1-F1/a.md", local)
    assert not allowed("http://127.0.0.1:8124/files-pri/T1-F1/a.md", local)
    assert not allowed("https://files.127.0.0.1/x", Settings(_env_file=None, slack_api_url="https://127.0.0.1/api/"))


def _fetch(slack, file_id: str, **kwargs) -> tuple[str, bytes] | str:
    """fetch_file against the double; a refusal as its text key."""
    async def run():
        client = AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url)
        return await fetch_file(client, file_id, Settings(_env_file=None, slack_api_url=slack.api_url), **kwargs)

    try:
        return asyncio.run(run())
    except DomainError as error:
        return error.key


def test_fetching_refuses_foreign_hosts_big_files_and_unknown_ids_before_downloading(slack):
    slack.reset()
    assert _fetch(slack, "F0NOSUCH") == "files.not_found"
    away = slack.add_file(_file_id(), "away.md", V1, "markdown", url="https://files.example.org/a.md")
    assert _fetch(slack, away["id"]) == "files.host_refused"
    big = slack.add_file(_file_id(), "big.md", b"x" * (5 * 1024 * 1024 + 1), "markdown")
    assert _fetch(slack, big["id"]) == "files.too_large"
    slack.files[big["id"]]["file"]["size"] = 10  # files.info understates it: the Content-Length stops it
    assert _fetch(slack, big["id"]) == "files.too_large"
    assert [c.params["file_id"] for c in slack.calls_to("files.download")] == [big["id"]]
    ok = slack.add_file(_file_id(), "v1.md", V1, "markdown")
    assert _fetch(slack, ok["id"]) == ("v1.md", V1)
    slack.fail_next("files.download", status=500)
    assert _fetch(slack, ok["id"]) == "files.download_failed"


def test_a_download_without_the_bot_token_is_sent_to_sign_in_and_not_followed(slack):
    file = slack.add_file(_file_id(), "v1.md", V1, "markdown")
    settings = Settings(_env_file=None, slack_api_url=slack.api_url)
    with pytest.raises(DomainError) as refused:
        asyncio.run(download(file["url_private_download"], "xoxb-someone-else", settings, name="v1.md"))
    assert refused.value.key == "files.redirected"
    [call] = slack.calls_to("files.download")[-1:]
    assert call.status == 302 and call.headers["authorization"] == "Bearer xoxb-someone-else"


def test_reading_stops_past_the_limit_and_redirects_are_followed_on_the_same_host_only():
    from aiohttp import web

    async def chunked(request):  # no Content-Length: only counting the bytes read stops it
        response = web.StreamResponse()
        await response.prepare(request)
        try:
            for _ in range(200):
                await response.write(b"x" * 65536)
        except ConnectionError:
            pass
        return response

    def redirect(to: str):
        async def handler(request):
            raise web.HTTPFound(to)
        return handler

    async def file(request):
        return web.Response(body=b"ok" if request.headers.get("Authorization") == "Bearer xoxb-t" else b"no")

    async def scenario() -> list:
        app = web.Application()
        app.router.add_get("/chunked", chunked)
        app.router.add_get("/hop", redirect("/file"))
        app.router.add_get("/away", redirect("https://files.example.org/file"))
        app.router.add_get("/loop", redirect("/loop"))
        app.router.add_get("/file", file)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # noqa: SLF001
        settings = Settings(_env_file=None, slack_api_url=base + "/api/")
        results = []
        try:
            for path in ("/chunked", "/hop", "/away", "/loop"):
                try:
                    results.append(await download(base + path, "xoxb-t", settings, name="f"))
                except DomainError as error:
                    results.append(error.key)
        finally:
            await runner.cleanup()
        return results

    assert asyncio.run(scenario()) == ["files.too_large", b"ok", "files.redirected", "files.redirected"]


# ---------------------------------------------------------------- the console

def _console(lines: list[str], cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "SECRETARIAT"))}
    env.update({"NO_COLOR": "1", "PYTHONPATH": str(ROOT)})
    result = subprocess.run([sys.executable, "-m", "bot.cli", "console", "--user", "U0SEC1"], cwd=cwd, env=env,
                            input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=90)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stdout + result.stderr
    return result.stdout


def test_the_console_fills_a_file_input_with_a_local_file(tmp_path):
    (tmp_path / "guidance-v2.md").write_bytes(V2)
    (tmp_path / "draft.pdf").write_bytes(b"%PDF-1.5\n")
    out = _console(["/consult doc import framework", "/fill 1 draft.pdf", "/fill 1 missing.md",
                    "/fill 1 guidance-v2.md", "/submit"], tmp_path)
    assert "Modal: Import a draft" in out and "[1] Draft · a file (/fill N PATH) · required" in out
    assert "draft.pdf is not accepted here: Slack's upload allows md, markdown, txt, docx." in out
    assert "I cannot read missing.md" in out
    assert "[1] Draft = guidance-v2.md" in out
    dm = out.split("The modal closed.")[1]
    assert "DM from consultbot" in dm and "version 2 into `framework`: 25 sections" in dm
    assert "Changes since version 1: 2 changed, 2 added, 2 removed, 6 renumbered, 15 unchanged" in dm
    assert "added       3.3  Grievance mechanisms" in dm
