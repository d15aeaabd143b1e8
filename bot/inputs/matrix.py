"""The comment matrix of a round, from the database: rows for the writers, responses back in bulk."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from bot.exports.matrix_docx import write_docx
from bot.exports.matrix_model import Matrix, MatrixRow, ResponseUpdate
from bot.exports.matrix_text import write_csv, write_markdown
from bot.exports.matrix_xlsx import write_xlsx
from bot.inputs.formats import FORMATS  # noqa: F401 - bot/slack/exports.py reads it from here
from bot.inputs.heard_back import AT_ONCE
from bot.inputs.service import respond
from bot.rounds.service import describe
from bot.timezones import local_text
from storage.models import Entity, Input, InputStatus, Person, Response, Round, Section
from storage.types import utcnow


def matrix_of(session: Session, round_: Round, now: datetime | None = None) -> Matrix:
    """Active inputs ordered by section (document order, general last) then entity."""
    info = describe(session, round_)
    rows = session.exec(
        select(Input, Entity, Section, Response)
        .join(Entity, Input.entity_id == Entity.id)
        .join(Section, Input.section_id == Section.id, isouter=True)
        .join(Response, Response.input_id == Input.id, isouter=True)
        .where(Input.round_id == round_.id, Input.status == InputStatus.ACTIVE)).all()
    rows = sorted(rows, key=lambda r: (r[2] is None, r[2].position if r[2] else 0, r[1].code, r[0].id))
    return Matrix(
        process_title=info.process.title, document_title=info.document_title, version_number=info.version_number,
        round_number=round_.number, deadline_text=local_text(round_.deadline, round_.timezone),
        generated_at_text=local_text(now or utcnow(), round_.timezone), deadline=round_.deadline,
        generated_at=now or utcnow(), timezone=round_.timezone,
        rows=[MatrixRow(ref=i.ref, entity_code=e.code, entity_name=e.name, section_number=s.number if s else "",
                        section_heading=s.heading if s else "", kind=i.kind, comment=i.comment,
                        proposed_text=i.proposed_text, rationale=i.rationale,
                        disposition=r.disposition if r else None, response=r.text if r else "", late=i.late)
              for i, e, s, r in rows])


def known_rows(matrix: Matrix) -> dict[str, MatrixRow]:
    return {row.ref: row for row in matrix.rows}


def apply_responses(session: Session, person: Person, round_: Round, updates: list[ResponseUpdate]) -> int:
    """All the updates of a checked file, in the caller's one transaction: all or nothing."""
    for update in updates:
        respond(session, person, update.ref, update.disposition, update.response, round_, wait=AT_ONCE)
    return len(updates)



def matrix_file(matrix: Matrix, fmt: str, handle: str, locale: str | None = None) -> tuple[bytes, str]:
    """The file's bytes and its name, e.g. framework-round-2-comment-matrix.xlsx."""
    writers = {"xlsx": write_xlsx, "docx": write_docx, "csv": write_csv,
               "md": lambda m, loc: write_markdown(m, loc).encode("utf-8")}
    return writers[fmt](matrix, locale), f"{handle}-round-{matrix.round_number}-comment-matrix.{fmt}"
