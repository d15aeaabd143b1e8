"""Files uploaded through a modal: `/consult doc import PROCESS` (a draft, as the next version of a
document) and `/consult import matrix PROCESS [N]` (the filled-in comment matrix of a round).

The role is checked before the modal opens and again on submission; the submission is acked
first (the modal closes), then the bot fetches the file itself (bot/slack/downloads.py: files.info
and the bot token, never a URL from the payload), imports it in one transaction and DMs the result
or every reason it was refused.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TypeVar
from textwrap import dedent

from dataclasses import dataclass
from sqlmodel import Session

from bot import idempotency
from bot.documents.naming import TITLE_MAX, check_slug, clean_title
from bot.documents.parse import MAX_BYTES
from bot.documents.render import change_lines, summary
from bot.documents.service import ImportResult, documents_of, import_version, versions_of
from bot.errors import DomainError, Invalid
from bot.exports.matrix_import import read_responses
from bot.inputs.matrix import apply_responses, known_rows, matrix_of
from bot.mrkdwn import Raw, escape
from bot.textclean import clean_name
from bot.processes.service import get_process, require_active
from bot.roles.service import require_manager, require_secretariat
from bot.rounds.service import get_round
from bot.slack import ids
from bot.slack.args import round_number
from bot.slack.blocks import SECTION_TEXT, Block, context, input_block, modal, plain, section
from bot.slack.downloads import fetch_file
from bot.slack.errors import ack_or_raise
from bot.slack.payloads import SlashCommand, ViewSubmission
from bot.slack.reply import Ctx, dm
from bot.texts import t, t_plain
from storage.models import Person

DOC_TYPES = ["md", "markdown", "txt", "docx"]
MATRIX_TYPES = ["xlsx"]
FIELD_BLOCKS = {"file": ids.BLOCK_FILE, "title": ids.BLOCK_TITLE, "slug": ids.BLOCK_SLUG}
SHOWN_CHANGES = 150  # change lines in the DM; the rest are counted

T = TypeVar("T")


@dataclass(frozen=True)
class UploadedFile:
    """One file of a file_input's state. Only its ID is used to fetch it (its URLs never are)."""

    id: str
    name: str = ""


def uploaded_file(submission: ViewSubmission) -> UploadedFile:
    files = submission.element(ids.BLOCK_FILE).files
    if not files:
        raise Invalid("files.no_file", field="file")
    return UploadedFile(id=files[0].id, name=clean_name(files[0].name))


def file_block(label: str, filetypes: list[str], hint: str) -> Block:
    return input_block(ids.BLOCK_FILE, label, {"type": "file_input", "filetypes": filetypes, "max_files": 1},
                       hint=hint)


# ---------------------------------------------------------------- /consult doc import PROCESS

async def doc_command(cmd: SlashCommand, ctx: Ctx) -> None:
    words = cmd.args
    if len(words) != 2 or words[0].lower() != "import":
        raise Invalid("files.doc_usage")
    handle, documents = await ctx.deps.db(_doc_modal_data, ctx.who.person, words[1])
    await ctx.client.views_open(trigger_id=cmd.trigger_id, view=doc_modal(handle, documents, ctx.locale))


def _check_doc(session: Session, person: Person, handle: str):
    process = get_process(session, handle)
    require_manager(session, person, process)
    require_active(process)
    return process


def _doc_modal_data(session: Session, person: Person, handle: str):
    process = _check_doc(session, person, handle)
    documents = [(d.slug, d.title, len(versions_of(session, d))) for d in documents_of(session, process)]
    return process.handle, documents


def doc_modal(handle: str, documents: list[tuple[str, str, int]], locale: str | None) -> Block:
    blocks = [section(t("files.doc_modal_intro", locale, process=handle, limit=MAX_BYTES // 2**20))]
    if documents:
        items = [t("files.doc_modal_document", locale, slug=slug, title=title, version=latest)
                 for slug, title, latest in documents]
        blocks.append(context(t("files.doc_modal_documents", locale, documents=Raw("\n".join(items)))))
    blocks += [
        file_block(t_plain("files.doc_file", locale), DOC_TYPES, t_plain("files.doc_file_hint", locale)),
        input_block(ids.BLOCK_TITLE, t_plain("files.doc_title", locale),
                    {"type": "plain_text_input", "max_length": TITLE_MAX}, optional=True,
                    hint=t_plain("files.doc_title_hint", locale)),
        input_block(ids.BLOCK_SLUG, t_plain("files.doc_slug", locale),
                    {"type": "plain_text_input", "max_length": 64,
                     "placeholder": plain(t_plain("files.doc_slug_placeholder", locale), 150)},
                    optional=True, hint=t_plain("files.doc_slug_hint", locale)),
    ]
    return modal(ids.VIEW_DOC_IMPORT, t_plain("files.doc_modal_title", locale), blocks,
                 submit=t_plain("files.import", locale), close=t_plain("common.cancel", locale),
                 private_metadata=json.dumps({"process": handle}))


async def submit_doc_import(submission: ViewSubmission, ctx: Ctx, ack) -> None:
    handle = submission.meta.process
    try:
        upload = uploaded_file(submission)
        title = " ".join(submission.value(ids.BLOCK_TITLE).split())
        slug = submission.value(ids.BLOCK_SLUG).strip()
        title = clean_title(title) if title else None
        slug = check_slug(slug) if slug else None
        await ctx.deps.db(_check_doc, ctx.who.person, handle)
    except DomainError as error:
        await ack_or_raise(ack, error, FIELD_BLOCKS, ctx.locale)
        return
    done = await _after_ack(submission, ctx, ack, upload, handle,
                            lambda name, data: ctx.deps.db(import_version, ctx.who.person, handle, name, data,
                                                           title, slug))
    if done is not None:
        await dm(ctx.client, ctx.who.user_id, *doc_imported(done[1], handle, ctx.locale))


def doc_imported(result: ImportResult, handle: str, locale: str | None) -> tuple[str, list[Block]]:
    """The import's outcome, and the section-by-section changes against the previous version."""
    head = t("files.doc_imported", locale, title=result.document.title, slug=result.document.slug,
             version=result.version.number, sections=len(result.sections), process=handle)
    blocks = [section(head)]
    if result.previous is not None:
        blocks.append(section(t("files.doc_changes", locale, version=result.previous.number,
                                summary=summary(result.changes, locale))))
        blocks += code_blocks(change_lines(result.changes, locale, unchanged=False, diffs=False), locale)
    blocks.append(context(t("files.doc_next", locale, process=handle)))
    return head, blocks


def code_blocks(lines: list[str], locale: str | None) -> list[Block]:
    """Aligned plain-text lines as preformatted sections, each inside Slack's 3,000 characters."""
    kept = dedent("\n".join(lines[:SHOWN_CHANGES])).splitlines()  # the lines' common indent is noise here
    shown = [escape(line.replace("```", "'''")) for line in kept]
    if len(lines) > SHOWN_CHANGES:
        shown.append(t_plain("common.more_not_shown", locale, count=len(lines) - SHOWN_CHANGES))
    blocks, chunk = [], []
    for line in shown:
        line = line[:SECTION_TEXT - 10]
        if chunk and sum(len(c) + 1 for c in chunk) + len(line) > SECTION_TEXT - 10:
            blocks.append(section("```" + "\n".join(chunk) + "```"))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(section("```" + "\n".join(chunk) + "```"))
    return blocks


# ---------------------------------------------------------------- /consult import matrix PROCESS [N]

async def import_command(cmd: SlashCommand, ctx: Ctx) -> None:
    words = cmd.args
    if len(words) < 2 or words[0].lower() != "matrix":
        raise Invalid("files.import_usage")
    number, rest = round_number(words[2:])
    if rest:
        raise Invalid("files.import_usage")
    handle, number = await ctx.deps.db(_check_matrix, ctx.who.person, words[1], number)
    await ctx.client.views_open(trigger_id=cmd.trigger_id, view=matrix_modal(handle, number, ctx.locale))


def _check_matrix(session: Session, person: Person, handle: str, number: int | None) -> tuple[str, int]:
    require_secretariat(session, person)
    round_ = get_round(session, handle, number)
    return get_process(session, handle).handle, round_.number


def matrix_modal(handle: str, number: int, locale: str | None) -> Block:
    blocks = [section(t("files.matrix_modal_intro", locale, process=handle, number=number)),
              file_block(t_plain("files.matrix_file", locale), MATRIX_TYPES, t_plain("files.matrix_file_hint", locale))]
    return modal(ids.VIEW_MATRIX_IMPORT, t_plain("files.matrix_modal_title", locale), blocks,
                 submit=t_plain("files.import", locale), close=t_plain("common.cancel", locale),
                 private_metadata=json.dumps({"process": handle, "round": number}))


def _apply_matrix(session: Session, person: Person, handle: str, number: int, data: bytes,
                  locale: str | None) -> int:
    """Checked whole, then applied in this one transaction: every response, or none."""
    require_secretariat(session, person)
    round_ = get_round(session, handle, number)
    updates = read_responses(data, known_rows(matrix_of(session, round_)), locale)
    return apply_responses(session, person, round_, updates)


async def submit_matrix_import(submission: ViewSubmission, ctx: Ctx, ack) -> None:
    meta = submission.metadata
    handle = str(meta.get("process") or "")
    number = meta.get("round") if isinstance(meta.get("round"), int) else None
    try:
        upload = uploaded_file(submission)
        handle, number = await ctx.deps.db(_check_matrix, ctx.who.person, handle, number)
    except DomainError as error:
        await ack_or_raise(ack, error, FIELD_BLOCKS, ctx.locale)
        return
    done = await _after_ack(submission, ctx, ack, upload, handle,
                            lambda name, data: ctx.deps.db(_apply_matrix, ctx.who.person, handle, number, data,
                                                           ctx.locale))
    if done is None:
        return
    name, count = done
    if count:
        text = t("files.matrix_imported", ctx.locale, count=count, number=number, process=handle, name=name)
    else:
        text = t("files.matrix_unchanged", ctx.locale, number=number, process=handle, name=name)
    await dm(ctx.client, ctx.who.user_id, text)


async def _after_ack(submission: ViewSubmission, ctx: Ctx, ack, upload, handle: str,
                     work: Callable[[str, bytes], Awaitable[T]]) -> tuple[str, T] | None:
    """Close the modal, then (once per submission) fetch the upload and run `work(name, data)`.
    A refusal is DMed to the person and gives None."""
    await ack()
    await ctx.deps.after_ack()
    if not await ctx.deps.db(idempotency.claim, f"view:{submission.view.id}"):
        return None
    try:
        name, data = await fetch_file(ctx.client, upload.id, ctx.deps.settings, uploader=ctx.who.user_id)
        return name, await work(name, data)
    except DomainError as error:
        await refused(ctx, upload.name or upload.id, handle, error)
        return None


async def refused(ctx: Ctx, name: str, handle: str, error: DomainError) -> None:
    reason = t(error.key, ctx.locale, **error.params)
    await dm(ctx.client, ctx.who.user_id, t("files.refused", ctx.locale, name=name, process=handle, reason=Raw(reason)))
