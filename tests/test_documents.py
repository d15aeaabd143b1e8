"""Versioned documents: a draft of the interim guidance imported from Markdown or DOCX,
its sections, a second version that keeps section identity, and what is refused."""

from __future__ import annotations

import io
import itertools
import re
from pathlib import Path

import pytest
from docx import Document as DocxDocument
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from sqlalchemy import func
from sqlmodel import select

from bot.documents import service
from bot.entities.service import get_entity
from bot.documents.compare import ChangeKind
from bot.documents.parse import MAX_BYTES, parse_docx, parse_file, parse_markdown
from bot.documents.service import (diff_versions, find_section, get_document, import_version, latest_version,
                                   sections_of)
from bot.errors import Conflict, Invalid, NotAllowed, NotFound
from bot.people.service import ensure_person
from bot.processes.service import NewProcess, create_process, get_process
from bot.roles.service import grant, sync_secretariat
from bot.seed import seed
from bot.texts import t_plain
from storage.db import make_engine, session_scope
from storage.models import AuditEntry, Document, DocumentVersion, Role, Section
from tests.bot_process import consultbot

FIXTURES = Path(__file__).parent / "fixtures"
V1 = (FIXTURES / "interim_guidance_v1.md").read_bytes()
V2 = (FIXTURES / "interim_guidance_v2.md").read_bytes()
TITLE = "Interim guidance on the Framework for Advancing Environmental and Social Sustainability in the UN System"
V1_NUMBERS = ["preamble", "1", "para 1", "para 2", "1.1", "para 3", "1.2", "para 4", "2", "para 5", "3", "3.1",
              "para 6", "para 6 (a)", "para 6 (b)", "para 6 (c)", "3.2", "para 7", "3.3", "para 8", "4", "4.1",
              "4.2", "5", "para 9"]
_n = itertools.count(1)


# --- parsing: pure, no database ------------------------------------------------------------

def docx_from_markdown(markdown: bytes) -> bytes:
    """The same draft as Word would hold it: Title and Heading styles, paragraphs numbered by
    Word's list numbering ("List Number"), not by typed numbers."""
    document = DocxDocument()
    styles = {"#": "Title", "##": "Heading 1", "###": "Heading 2"}
    for block in re.split(r"\n\s*\n|\n(?=\(\w\))", markdown.decode()):
        text = " ".join(block.split())
        marks, _, rest = text.partition(" ")
        if marks in styles:
            document.add_paragraph(rest, style=styles[marks])
        elif re.match(r"^\d+\. ", text):
            document.add_paragraph(text.split(" ", 1)[1], style="List Number")
        else:
            document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_markdown_draft_becomes_numbered_sections():
    draft = parse_markdown(V1.decode())
    assert draft.title == TITLE
    assert [s.number for s in draft.sections] == V1_NUMBERS
    by_number = {s.number: s for s in draft.sections}
    assert by_number["3.2"].heading == "Safeguards in procurement"
    assert by_number["para 6 (a)"].text == "screen its programmes and projects for environmental and social risks;"
    assert by_number["para 1"].heading == "" and by_number["para 1"].text.startswith("The Framework for Advancing")
    assert "\n" not in by_number["para 1"].text  # wrapped lines rejoin
    assert by_number["4.1"].heading == "Roles and responsibilities"  # numbered by its place in the outline
    assert by_number["4.1"].text.startswith("Each entity designates a focal point")
    assert by_number["preamble"].text.startswith("Draft of 2 December 2013")


def test_the_same_draft_as_docx_gives_the_same_sections():
    from_word = parse_file("interim-guidance.docx", docx_from_markdown(V1))
    from_markdown = parse_markdown(V1.decode())
    assert from_word.title == TITLE
    assert [(s.number, s.heading, s.text) for s in from_word.sections] == \
           [(s.number, s.heading, s.text) for s in from_markdown.sections]


def _multilevel_list(document) -> None:
    """A Word multilevel list (1. / 1.1 / (a)) as numbering.xml holds it."""
    numbering = document.part.numbering_part.element
    levels = [("decimal", "%1."), ("decimal", "%1.%2"), ("lowerLetter", "(%3)")]
    lvls = "".join(f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'
                   f'</w:lvl>' for i, (fmt, text) in enumerate(levels))
    numbering.insert(0, parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">{lvls}</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))


def _numbered(paragraph, level: int):
    paragraph._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))
    return paragraph


def test_docx_headings_numbered_by_a_word_list_keep_those_numbers():
    document = DocxDocument()
    _multilevel_list(document)
    document.add_paragraph("Terms of reference of the Chemicals and Waste IMG", style="Title")
    _numbered(document.add_heading("Objectives", 1), 0)
    _numbered(document.add_heading("Common objectives", 2), 1)
    document.add_paragraph("A set of common objectives on sound chemicals management.")
    _numbered(document.add_heading("Indicators", 2), 1)
    _numbered(document.add_paragraph("indicators for the Sustainable Development Goals;"), 2)
    _numbered(document.add_paragraph("a map of UN activities toward the 2020 goal."), 2)
    document.add_paragraph("UNEP, UNIDO and WHO contribute.", style="List Bullet")
    _numbered(document.add_heading("Working modalities", 1), 0)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "First meeting", "14 February 2014"
    buffer = io.BytesIO()
    document.save(buffer)
    draft = parse_docx(buffer.getvalue())
    assert draft.title == "Terms of reference of the Chemicals and Waste IMG"
    assert [(s.number, s.heading) for s in draft.sections] == [
        ("1", "Objectives"), ("1.1", "Common objectives"), ("1.2", "Indicators"), ("1.2 (a)", ""),
        ("1.2 (b)", ""), ("2", "Working modalities")]
    assert draft.sections[4].text == "a map of UN activities toward the 2020 goal.\n\n• UNEP, UNIDO and WHO contribute."
    assert draft.sections[5].text == "First meeting | 14 February 2014"


def test_outline_numbers_never_take_an_explicit_number():
    draft = parse_markdown("# Terms of reference\n\n## Background\n\nWhy.\n\n## Objectives\n\n### Indicators\n\n"
                           "Which.\n\n## 2. Working modalities\n\nHow.\n")
    assert [(s.number, s.heading) for s in draft.sections] == [
        ("1", "Background"), ("2 bis", "Objectives"), ("2 bis.1", "Indicators"), ("2", "Working modalities")]


def test_lettered_and_roman_items_nest_under_their_paragraph():
    draft = parse_markdown("## I. Scope\n\n### A. Facilities\n\n14. Entities should:\n(a) measure;\n(i) buildings;\n"
                           "(ii) air travel;\n(b) report.\n\n3.2 A clause.\n")
    assert [s.number for s in draft.sections] == [
        "I", "I.A", "para 14", "para 14 (a)", "para 14 (a) (i)", "para 14 (a) (ii)", "para 14 (b)", "3.2"]


@pytest.mark.parametrize(("name", "data", "key"), [
    ("draft.docx", bytes(range(256)) * 8, "documents.refused_binary"),
    ("draft.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj", "documents.refused_pdf"),
    ("draft.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "documents.refused_doc"),
    ("draft.rtf", b"{\\rtf1\\ansi Interim guidance}", "documents.refused_rtf"),
    ("draft.docx", b"PK\x03\x04 not really a zip", "documents.docx_unreadable"),
    ("draft.md", b"", "documents.empty"),
    ("draft.md", b"  \n\n \t\n", "documents.empty"),
    ("draft.md", b"The secretariat thanks entities for their comments on the draft.\n", "documents.no_structure"),
    ("draft.md", b"# Interim guidance\n\nOnly a title and some text.\n", "documents.no_structure"),
    ("draft.md", b"## 1. Scope\n\n14. One.\n\n14. The same number again.\n", "documents.number_repeated"),
    ("draft.md", b"## 3.2 Scope\n\nText.\n\n## 3.2 Scope again\n", "documents.number_repeated"),
    ("big.md", b"## 1. Scope\n\n" + b"x" * MAX_BYTES, "documents.too_large"),
])
def test_a_file_that_cannot_be_parsed_is_refused_with_the_reason(name, data, key):
    with pytest.raises(Invalid) as refused:
        parse_file(name, data)
    assert refused.value.key == key
    assert t_plain(refused.value.key, None, **refused.value.params)  # the message renders


def test_a_zip_that_is_not_a_word_document_is_refused():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(Invalid) as refused:
        parse_file("indicators.docx", buffer.getvalue())
    assert refused.value.key == "documents.refused_zip"
    assert "not a DOCX or Markdown file" in t_plain(refused.value.key, None, **refused.value.params)


def test_the_file_name_does_not_decide_the_format():
    assert parse_file("draft.docx", V1).title == TITLE  # Markdown named .docx: read as Markdown
    assert parse_file("draft.md", docx_from_markdown(V1)).title == TITLE  # a DOCX named .md


# --- the database: both SQLite and PostgreSQL ---------------------------------------------

@pytest.fixture
def secretariat(session):
    seed(session)
    user = f"U0DSEC{next(_n)}"
    sync_secretariat(session, [user])
    return ensure_person(session, user)


@pytest.fixture
def framework(session, secretariat):
    return create_process(session, secretariat, NewProcess(
        handle=f"docs-{next(_n)}", kind="consultation", title="Consultation on the sustainability framework",
        timezone="Europe/Zurich", members=["UNEP", "UNDP", "WMO", "UNIDO", "WFP"]))


def rows(session, process) -> tuple[int, int, int]:
    documents = select(Document.id).where(Document.process_id == process.id)
    versions = select(DocumentVersion.id).where(DocumentVersion.document_id.in_(documents))
    count = lambda query: session.exec(select(func.count()).select_from(query.subquery())).one()  # noqa: E731
    return (count(documents), count(versions),
            count(select(Section.id).where(Section.version_id.in_(versions))))


def test_importing_a_draft_creates_its_first_version_with_sections_and_an_audit_entry(session, secretariat, framework):
    result = import_version(session, secretariat, framework.handle, "interim_guidance_v1.md", V1)
    assert result.created and result.previous is None and result.changes == []
    assert (result.document.title, result.version.number) == (TITLE, 1)
    assert result.document.slug == "interim-guidance-on-the-framework-for-advancing"
    assert result.version.source_name == "interim_guidance_v1.md" and len(result.version.source_sha256) == 64
    assert result.version.imported_by == secretariat.slack_user_id
    stored = sections_of(session, result.version.id)
    assert [s.number for s in stored] == V1_NUMBERS
    assert len({s.identity for s in stored}) == len(stored)
    assert rows(session, framework) == (1, 1, len(V1_NUMBERS))
    actions = session.exec(select(AuditEntry.action).where(AuditEntry.subject_id == str(result.version.id),
                                                          AuditEntry.subject_type == "document_versions")).all()
    assert actions == ["document.import"]


def test_version_two_keeps_section_identity_and_shows_what_changed(session, secretariat, framework):
    first = import_version(session, secretariat, framework.handle, "interim_guidance_v1.md", V1)
    second = import_version(session, secretariat, framework.handle, "interim_guidance_v2.md", V2)
    assert not second.created and second.document.id == first.document.id
    assert (second.version.number, second.previous.number) == (2, 1)
    old = {s.number: s for s in first.sections}
    new = {s.number: s for s in second.sections}
    assert new["3.4"].identity == old["3.3"].identity  # same heading, renumbered
    assert new["para 4"].identity == old["para 5"].identity  # same text, renumbered
    assert new["para 6"].identity == old["para 7"].identity  # reworded where it stood
    assert new["4.2"].identity == old["4.2"].identity  # heading renamed, same body
    assert new["3.3"].identity not in {s.identity for s in first.sections}  # new section
    changes = {(c.kind, c.number) for c in second.changes}
    assert {(ChangeKind.REMOVED, "1.2"), (ChangeKind.REMOVED, "para 4"), (ChangeKind.ADDED, "3.3"),
            (ChangeKind.ADDED, "para 7"), (ChangeKind.CHANGED, "para 6"), (ChangeKind.CHANGED, "4.2"),
            (ChangeKind.RENUMBERED, "3.4"), (ChangeKind.RENUMBERED, "para 5 (a)"),
            (ChangeKind.UNCHANGED, "para 8"), (ChangeKind.UNCHANGED, "preamble")} <= changes
    assert diff_versions(session, first.version.id, second.version.id) == second.changes
    assert latest_version(session, framework).id == second.version.id


def test_the_diff_names_each_changed_section_and_its_text_change(session, secretariat, framework):
    first = import_version(session, secretariat, framework.handle, "v1.md", V1)
    second = import_version(session, secretariat, framework.handle, "v2.md", V2)
    changes = diff_versions(session, first.version.id, second.version.id)
    reworded = next(c for c in changes if c.number == "para 6")
    assert (reworded.old_number, reworded.text_changed, reworded.heading_changed) == ("para 7", True, False)
    assert reworded.diff[0].startswith("- Entities should apply") and reworded.diff[0].endswith("threshold they set.")
    assert "USD 50,000" in reworded.diff[1] and reworded.diff[1].startswith("+ ")
    renamed = next(c for c in changes if c.number == "4.2")
    assert (renamed.old_heading, renamed.new_heading, renamed.text_changed) == (
        "Reporting to the HLCM", "Annual reporting to the HLCM", False)
    order = [c.number for c in changes]
    assert order.index("1.1") < order.index("1.2") < order.index("para 4") < order.index("2")  # removed in place


def test_a_docx_version_follows_a_markdown_version(session, secretariat, framework):
    first = import_version(session, secretariat, framework.handle, "v1.md", V1)
    second = import_version(session, secretariat, framework.handle, "v2.docx", docx_from_markdown(V2))
    assert second.version.number == 2
    assert {s.number: s.identity for s in second.sections}["3.4"] == \
           {s.number: s.identity for s in first.sections}["3.3"]


def test_importing_the_same_bytes_again_is_refused_and_adds_nothing(session, secretariat, framework):
    import_version(session, secretariat, framework.handle, "v1.md", V1)
    import_version(session, secretariat, framework.handle, "v2.md", V2)
    before = rows(session, framework)
    with pytest.raises(Conflict) as refused:
        import_version(session, secretariat, framework.handle, "v1-again.md", V1)
    assert refused.value.key == "documents.already_imported" and refused.value.params["version"] == 1
    assert "already imported as version 1" in t_plain(refused.value.key, None, **refused.value.params)
    assert rows(session, framework) == before


@pytest.mark.parametrize(("name", "data"), [
    ("draft.docx", bytes(range(256)) * 4), ("draft.pdf", b"%PDF-1.4\n1 0 obj\n"), ("draft.md", b""),
    ("draft.md", b"Thank you for the comments received so far.\n"),
])
def test_a_refused_file_leaves_no_document_behind(session, secretariat, framework, name, data):
    with pytest.raises(Invalid):
        import_version(session, secretariat, framework.handle, name, data)
    assert rows(session, framework) == (0, 0, 0)


def test_a_focal_point_cannot_import_but_a_chair_can(session, secretariat, framework):
    focal = f"U0DFP{next(_n)}"
    grant(session, secretariat.slack_user_id, focal, Role.FOCAL_POINT, framework, get_entity(session, "UNIDO"))
    with pytest.raises(NotAllowed):
        import_version(session, ensure_person(session, focal), framework.handle, "v1.md", V1)
    assert rows(session, framework) == (0, 0, 0)
    chair = f"U0DCH{next(_n)}"
    grant(session, secretariat.slack_user_id, chair, Role.CHAIR, framework)
    assert import_version(session, ensure_person(session, chair), framework.handle, "v1.md", V1).version.number == 1


def test_an_import_that_fails_half_way_writes_nothing(engine, monkeypatch):
    with session_scope(engine) as s:
        seed(s)
        user = f"U0DSEC{next(_n)}"
        sync_secretariat(s, [user])
        handle = f"docs-{next(_n)}"
        create_process(s, ensure_person(s, user), NewProcess(handle=handle, kind="consultation", title="Framework",
                                                             timezone="Europe/Zurich", members=["UNEP"]))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "assign_identities", broken)
    with pytest.raises(RuntimeError), session_scope(engine) as s:
        import_version(s, ensure_person(s, user), handle, "v1.md", V1)
    with session_scope(engine) as s:
        assert rows(s, get_process(s, handle)) == (0, 0, 0)


def test_a_section_is_found_by_number_paragraph_or_heading(session, secretariat, framework):
    version = import_version(session, secretariat, framework.handle, "v1.md", V1).version
    for reference, number in [("3.2", "3.2"), ("§3.2", "3.2"), ("section 3.2", "3.2"), ("§ 3.2.", "3.2"),
                              ("para 6", "para 6"), ("paragraph 6 (a)", "para 6 (a)"),
                              ("6(a)", "para 6 (a)"), ("Scope", "2"), ("stakeholder", "3.3"), ("preamble", "preamble")]:
        assert find_section(session, version.id, reference).number == number, reference
    with pytest.raises(NotFound) as missing:
        find_section(session, version.id, "3.7")
    assert missing.value.key == "documents.section_not_found"
    assert "3.2" in missing.value.params["suggestions"]
    with pytest.raises(NotFound) as missing:
        find_section(session, version.id, "para 14")
    assert "para 1" in missing.value.params["suggestions"]


def test_several_documents_in_a_process_are_told_apart_by_slug(session, secretariat, framework):
    import_version(session, secretariat, framework.handle, "v1.md", V1)
    options = b"# Options paper\n\n1. Circulate the draft to other inter-agency bodies.\n"
    other = import_version(session, secretariat, framework.handle, "options.md", options, slug="options")
    assert other.created and other.document.slug == "options"
    with pytest.raises(Invalid) as which:
        latest_version(session, framework)
    assert which.value.key == "documents.which_document"
    assert get_document(session, framework, "options").id == other.document.id
    with pytest.raises(Invalid):
        import_version(session, secretariat, framework.handle, "o.md", options + b"\n2. More.\n", slug="Options Paper!")


# --- the command line, end to end -----------------------------------------------------------

def test_doc_import_and_diff_from_the_command_line(tmp_path):
    url = f"sqlite:///{tmp_path}/docs.sqlite3"
    env = {"DATABASE_URL": url}
    consultbot("seed", env=env)
    consultbot("grant", "U0AMINA", "secretariat", env=env)
    engine = make_engine(url)
    with session_scope(engine) as s:
        create_process(s, ensure_person(s, "U0AMINA"), NewProcess(
            handle="framework", kind="consultation", title="Consultation on the sustainability framework",
            timezone="Europe/Zurich", members=["UNEP", "UNDP", "WMO"]))
    engine.dispose()
    (tmp_path / "guidance-v1.md").write_bytes(V1)
    (tmp_path / "guidance-v2.docx").write_bytes(docx_from_markdown(V2))
    (tmp_path / "guidance.pdf").write_bytes(b"%PDF-1.5\n")

    first = consultbot("doc", "import", "framework", str(tmp_path / "guidance-v1.md"), env=env)
    assert first.stdout.strip() == f"imported {TITLE} version 1: {len(V1_NUMBERS)} sections"
    second = consultbot("doc", "import", "framework", str(tmp_path / "guidance-v2.docx"), "--as", "U0AMINA", env=env)
    assert f"imported {TITLE} version 2: " in second.stdout
    assert "changes since version 1: 2 changed, 2 added, 2 removed, 6 renumbered, 15 unchanged" in second.stdout
    assert re.search(r"added +3\.3 +Grievance mechanisms", second.stdout)

    refused = consultbot("doc", "import", "framework", str(tmp_path / "guidance.pdf"), env=env, check=False)
    assert refused.returncode == 1 and "is not a DOCX or Markdown file: it is a PDF" in refused.stderr
    again = consultbot("doc", "import", "framework", str(tmp_path / "guidance-v1.md"), env=env, check=False)
    assert again.returncode == 1 and "already imported as version 1" in again.stderr
    unknown = consultbot("doc", "import", "framewrk", str(tmp_path / "guidance-v1.md"), env=env, check=False)
    assert unknown.returncode == 1 and "framework" in unknown.stderr

    diff = consultbot("doc", "diff", "framework", env=env)
    assert diff.stdout.startswith(f"{TITLE} (`interim-guidance-on-the-framework-for-advancing`): version 1 → version 2")
    assert re.search(r"changed +para 6 .*\(was para 7\)", diff.stdout)
    assert "+ Entities should apply" in diff.stdout and "USD 50,000" in diff.stdout
    assert re.search(r"renumbered +3\.4 +Stakeholder engagement \(was 3\.3\)", diff.stdout)
    same = consultbot("doc", "diff", "framework", "--from", "2", "--to", "2", env=env)
    assert "0 changed, 0 added, 0 removed, 0 renumbered" in same.stdout
