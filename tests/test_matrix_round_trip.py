"""Scenario: a dozen entities answer a round on the interim guidance; the secretariat compiles,
exports and answers the comment matrix through Excel (domain services and the CLI, both databases)."""

from __future__ import annotations

import io
import itertools
from datetime import datetime, timedelta, timezone
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from bot.documents.service import import_version
from bot.entities.service import get_entity
from bot.exports.matrix_import import MatrixFileErrors, read_responses
from bot.inputs.matrix import apply_responses, known_rows, matrix_file, matrix_of
from bot.inputs.service import InputDraft, edit_input, nil_return, respond, submit_input, withdraw_input
from bot.people.service import ensure_person
from bot.processes.service import NewProcess, create_process
from bot.roles.service import grant, sync_secretariat
from bot.rounds.service import OpenRound, open_round
from bot.seed import seed
from storage.db import session_scope
from storage.models import Response, Role
from tests.bot_process import consultbot

FIXTURES = Path(__file__).parent / "fixtures"
ENTITIES = ["UNEP", "UNDP", "WMO", "UNIDO", "WFP", "UNCTAD", "UNESCO", "ILO", "UNOPS", "CBD", "FAO", "WHO"]
OPENED = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
_n = itertools.count(1)



@pytest.fixture
def engine(offline_engine):
    """This module sets the clock by hand (rounds opened in November 2026): its reminder rows live
    where no running bot would send them."""
    return offline_engine

@pytest.fixture
def answered_round(engine):
    """Six entities comment (one late, one edits, one withdraws one of two), three say no comments, three are silent."""
    n = next(_n)
    with session_scope(engine) as s:
        seed(s)
        secretariat = f"U0MXSEC{n}"
        sync_secretariat(s, [secretariat])
        actor = ensure_person(s, secretariat)
        process = create_process(s, actor, NewProcess(handle=f"matrix-{n}", kind="consultation",
                                                      title="Consultation on the sustainability framework",
                                                      timezone="Europe/Zurich", members=ENTITIES))
        imported = import_version(s, actor, process.handle, "interim_guidance_v1.md",
                                  (FIXTURES / "interim_guidance_v1.md").read_bytes())
        focal = {}
        for code in ENTITIES:
            user = f"U0MX{code}{n}"
            grant(s, secretariat, user, Role.FOCAL_POINT, process, get_entity(s, code))
            focal[code] = ensure_person(s, user)
        round_ = open_round(s, actor, OpenRound(process=process.handle, version_id=imported.version.id,
                                                deadline_date=(OPENED + timedelta(days=30)).date()), now=OPENED)
        at = OPENED + timedelta(days=1)
        numbers = [sec.number for sec in imported.sections]

        def draft(code, section, comment, kind="substantive", proposed=""):
            return InputDraft(entity=code, section=section, kind=kind, comment=comment, proposed_text=proposed)

        submit_input(s, focal["UNIDO"], round_, draft("UNIDO", numbers[3], "Cover implementing partners.",
                                                       proposed="…and their implementing partners."), now=at)
        submit_input(s, focal["WMO"], round_, draft("WMO", numbers[1], "Mention climate services | data."), now=at)
        first = submit_input(s, focal["UNEP"], round_, draft("UNEP", numbers[3], "Draft wording."), now=at)
        edit_input(s, focal["UNEP"], first.input.id, draft("UNEP", numbers[3], "Final wording, <!channel>."), now=at)
        gone = submit_input(s, focal["UNDP"], round_, draft("UNDP", "", "To be withdrawn.", "general"), now=at)
        withdraw_input(s, focal["UNDP"], gone.input.id, now=at)
        submit_input(s, focal["UNDP"], round_, draft("UNDP", "", "Sécurité des données: see annex.", "general"), now=at)
        submit_input(s, focal["WFP"], round_, draft("WFP", numbers[1], "Typo.", "editorial"), now=at)
        late = submit_input(s, focal["FAO"], round_, draft("FAO", numbers[1], "Late but useful."),
                            now=round_.deadline + timedelta(hours=2))
        for code in ("ILO", "UNOPS", "CBD"):
            nil_return(s, focal[code], round_, code, now=at)
        respond(s, actor, late.input.id, "noted", "Received after the deadline; noted for version 2.")
        return {"process": process.handle, "round_id": round_.id, "secretariat": secretariat,
                "section_1": numbers[1], "section_3": numbers[3], "database_url": str(engine.url)}


def _matrix(engine, answered_round):
    from storage.models import Round

    with Session(engine) as s:
        return matrix_of(s, s.get(Round, answered_round["round_id"]))


def test_the_matrix_is_ordered_by_section_then_entity_without_withdrawn_inputs(engine, answered_round):
    matrix = _matrix(engine, answered_round)
    order = [(row.section_number, row.entity_code) for row in matrix.rows]
    s1, s3 = answered_round["section_1"], answered_round["section_3"]
    assert order == [(s1, "FAO"), (s1, "WFP"), (s1, "WMO"), (s3, "UNEP"), (s3, "UNIDO"), ("", "UNDP")]
    assert [row.late for row in matrix.rows] == [True, False, False, False, False, False]
    assert matrix.rows[3].comment == "Final wording, <!channel>."


def test_xlsx_and_docx_exports_are_right_cell_by_cell(engine, answered_round):
    matrix = _matrix(engine, answered_round)
    data, name = matrix_file(matrix, "xlsx", answered_round["process"])
    assert name.endswith("-round-1-comment-matrix.xlsx")
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    header_at = next(i for i, row in enumerate(rows) if row[0] == "No.")
    header = rows[header_at]
    assert list(header[:10]) == ["No.", "Entity", "Section", "Type", "Comment", "Proposed text", "Rationale",
                                 "Disposition", "Response", "Late"]
    body = rows[header_at + 1:]
    assert [row[0] for row in body] == [1, 2, 3, 4, 5, 6]
    fao = body[0]
    assert (fao[1], fao[3], fao[4], fao[7], fao[8]) == ("FAO", "Substantive", "Late but useful.", "Noted",
                                                        "Received after the deadline; noted for version 2.")
    assert fao[9] not in (None, "") and body[1][9] in (None, "")
    assert body[4][5] == "…and their implementing partners."
    assert body[5][4] == "Sécurité des données: see annex."
    assert sheet.freeze_panes == f"A{header_at + 2}"
    assert sheet.auto_filter.ref.startswith(f"A{header_at + 1}")

    data, _ = matrix_file(matrix, "docx", answered_round["process"])
    document = docx.Document(io.BytesIO(data))
    section = document.sections[0]
    assert section.page_width > section.page_height  # landscape
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells][:3] == ["No.\nRef", "Entity", "Section"]
    assert len(table.rows) == 7
    assert "Late but useful." in [c.text for c in table.rows[1].cells]
    assert table.rows[0]._tr.trPr is not None and table.rows[0]._tr.trPr.xpath("./w:tblHeader")


def test_the_excel_round_trip_applies_every_response_or_none(engine, answered_round):
    matrix = _matrix(engine, answered_round)
    data, _ = matrix_file(matrix, "xlsx", answered_round["process"])
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    header_at = next(r for r in range(1, 20) if sheet.cell(r, 1).value == "No.")
    sheet.cell(header_at + 2, 8).value = "Accepted"
    sheet.cell(header_at + 2, 9).value = "Corrected."
    sheet.cell(header_at + 3, 8).value = "maybe"
    bad = io.BytesIO()
    book.save(bad)
    with pytest.raises(MatrixFileErrors) as refused:
        read_responses(bad.getvalue(), known_rows(matrix))
    assert any(p.row == header_at + 3 for p in refused.value.problems)

    sheet.cell(header_at + 3, 8).value = "Partially accepted"
    good = io.BytesIO()
    book.save(good)
    updates = read_responses(good.getvalue(), known_rows(matrix))
    with session_scope(engine) as s:
        from storage.models import Round

        person = ensure_person(s, answered_round["secretariat"])
        assert apply_responses(s, person, s.get(Round, answered_round["round_id"]), updates) == 2
    after = _matrix(engine, answered_round)
    assert [(r.entity_code, r.disposition) for r in after.rows[:3]] == [
        ("FAO", "noted"), ("WFP", "accepted"), ("WMO", "partially_accepted")]
    with Session(engine) as s:
        assert len(s.exec(select(Response)).all()) >= 3


def test_the_cli_exports_and_imports_the_matrix(engine, answered_round, tmp_path):
    env = {"DATABASE_URL": answered_round["database_url"]}
    out = tmp_path / "matrix.xlsx"
    consultbot("export", "matrix", answered_round["process"], "--format", "xlsx", "--out", str(out), env=env)
    book = load_workbook(out)
    sheet = book.active
    header_at = next(r for r in range(1, 20) if sheet.cell(r, 1).value == "No.")
    sheet.cell(header_at + 1, 5).value = "An edited comment"
    book.save(out)
    refused = consultbot("import", "matrix", answered_round["process"], str(out), "--as",
                         answered_round["secretariat"], env=env, check=False)
    assert refused.returncode == 1 and str(header_at + 1) in refused.stderr
    for fmt in ("docx", "csv", "md"):
        target = tmp_path / f"matrix.{fmt}"
        consultbot("export", "matrix", answered_round["process"], "--format", fmt, "--out", str(target), env=env)
        assert target.stat().st_size > 500
    assert "Sécurité des données" in (tmp_path / "matrix.md").read_text("utf-8")
