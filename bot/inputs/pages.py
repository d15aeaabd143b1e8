"""A round's inputs a page at a time, filtered, in the comment matrix's order (document order, general last)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import case, func
from sqlmodel import Session, select

from bot.errors import Invalid
from bot.inputs.queries import InputRow
from bot.inputs.service import speaks_for
from bot.roles.service import is_secretariat
from storage.models import Disposition, Entity, Input, InputStatus, Person, Response, Round, Section

PAGE_SIZE = 20  # two blocks an input (the text, its buttons): 40 of a message's 50, with room for the rest
UNANSWERED = "unanswered"
GENERAL = "general"
FILTER_WORDS = ("section", "entity", "disposition", "page")


class InputFilter(BaseModel):
    """What `/consult inputs` shows: one round, optionally one section / entity / disposition, one page.
    Also the value of the Previous / Next buttons (short keys: a button value holds 2,000 characters)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    round_id: int = Field(alias="r", gt=0)
    section: str | None = Field(default=None, alias="s", max_length=32)
    entity: str | None = Field(default=None, alias="e", max_length=32)
    disposition: str | None = Field(default=None, alias="d", max_length=32)
    page: int = Field(default=1, alias="p", ge=1)

    def button_value(self, page: int) -> str:
        return self.model_copy(update={"page": page}).model_dump_json(by_alias=True, exclude_none=True)


@dataclass(frozen=True)
class InputPage:
    round: Round
    filter: InputFilter
    rows: list[InputRow]
    total: int  # inputs matching the filter
    page: int
    pages: int
    first: int  # 1-based number of the first row shown; 0 when none
    can_respond: bool

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


def parse_filter(round_id: int, words: list[str]) -> InputFilter:
    """`section 3.2`, `entity UNEP`, `disposition noted|unanswered`, `page 2`, in any order."""
    values: dict[str, str] = {}
    rest = list(words)
    while rest:
        word = rest.pop(0).lower()
        if word not in FILTER_WORDS or not rest:
            raise Invalid("errors.inputs_usage")
        values[word] = rest.pop(0)
    disposition = values.get("disposition", "").lower() or None
    if disposition is not None and disposition not in {d.value for d in Disposition} | {UNANSWERED}:
        raise Invalid("errors.inputs_disposition_unknown", value=disposition,
                      known=", ".join([d.value for d in Disposition] + [UNANSWERED]))
    page = values.get("page", "1")
    if not page.isdigit() or int(page) < 1:
        raise Invalid("errors.inputs_usage")
    return InputFilter(r=round_id, s=values.get("section"), e=(values.get("entity") or "").upper() or None,
                       d=disposition, p=int(page))


def _where(session: Session, round_: Round, wanted: InputFilter, mine: set[int], everyone: bool) -> list:
    conditions = [Input.round_id == round_.id]
    if not everyone:
        conditions.append(Input.entity_id.in_(mine or {-1}))
    if wanted.section is not None:
        if wanted.section.lower() == GENERAL:
            conditions.append(Input.section_id.is_(None))
        else:
            section_id = session.exec(select(Section.id).where(Section.version_id == round_.version_id,
                                                                Section.number == wanted.section)).first()
            if section_id is None:
                raise Invalid("errors.inputs_section_unknown", section=wanted.section, number=round_.number)
            conditions.append(Input.section_id == section_id)
    if wanted.entity is not None:
        entity_id = session.exec(select(Entity.id).where(Entity.code == wanted.entity)).first()
        if entity_id is None:
            raise Invalid("errors.inputs_entity_unknown", code=wanted.entity)
        conditions.append(Input.entity_id == entity_id)
    if wanted.disposition == UNANSWERED:
        conditions += [Input.status == InputStatus.ACTIVE, Response.id.is_(None)]
    elif wanted.disposition is not None:
        conditions.append(Response.disposition == wanted.disposition)
    return conditions


def input_page(session: Session, person: Person, round_: Round, wanted: InputFilter,
               page_size: int = PAGE_SIZE) -> InputPage:
    """The secretariat sees every input, a focal point their entities'. Ordered as the comment matrix:
    by section in document order with general comments last, then entity, then input; counted first."""
    everyone = is_secretariat(session, person)
    mine = {e.id for e in speaks_for(session, person, round_.process_id)}
    conditions = _where(session, round_, wanted, mine, everyone)
    joined = (lambda q: q.join(Entity, Input.entity_id == Entity.id)
              .join(Section, Input.section_id == Section.id, isouter=True)
              .join(Response, Response.input_id == Input.id, isouter=True).where(*conditions))
    total = session.exec(joined(select(func.count(Input.id)))).one()
    pages = max(1, -(-total // page_size))
    page = min(wanted.page, pages)
    general_last = case((Input.section_id.is_(None), 1), else_=0)
    rows = session.exec(joined(select(Input, Entity.code, Section, Response))
                        .order_by(general_last, Section.position, Entity.code, Input.id)
                        .offset((page - 1) * page_size).limit(page_size)).all()
    shown = [InputRow(i, code, s, r, i.entity_id in mine) for i, code, s, r in rows]
    return InputPage(round=round_, filter=wanted.model_copy(update={"page": page}), rows=shown, total=total,
                     page=page, pages=pages, first=(page - 1) * page_size + 1 if shown else 0,
                     can_respond=everyone)
