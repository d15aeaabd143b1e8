"""Comment rounds: who is asked, their inputs and nil returns, the secretariat's responses."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Optional

from sqlalchemy import Index, String, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.models.core import ts_field
from storage.types import UTCDateTime


class RoundStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class InputKind(StrEnum):
    GENERAL = "general"
    SUBSTANTIVE = "substantive"
    EDITORIAL = "editorial"


class InputStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class Disposition(StrEnum):
    ACCEPTED = "accepted"
    PARTIALLY_ACCEPTED = "partially_accepted"
    NOT_ACCEPTED = "not_accepted"
    NOTED = "noted"


class Round(SQLModel, table=True):
    """A comment period on one document version, with a deadline."""

    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("process_id", "number"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="processes.id", index=True)
    number: int
    version_id: int = Field(foreign_key="document_versions.id")
    deadline: datetime = Field(sa_type=UTCDateTime)
    timezone: str = Field(max_length=64)
    instructions: str = Field(default="", max_length=3000)
    refuse_late: bool = False
    reminder_offsets: str = Field(default="T-7d,T-2d,T-0,T-1h", max_length=80)  # bot/reminders/plan.py
    status: RoundStatus = Field(default=RoundStatus.OPEN, sa_type=String(20))
    opened_by: str = Field(max_length=64)
    opened_at: datetime = ts_field()
    closed_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)


class RoundEntity(SQLModel, table=True):
    """An entity asked in a round; `deadline` overrides the round's when reopened for it."""

    __tablename__ = "round_entities"
    __table_args__ = (UniqueConstraint("round_id", "entity_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="rounds.id", index=True)
    entity_id: int = Field(foreign_key="entities.id")
    deadline: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)


class Input(SQLModel, table=True):
    """What an entity submits in a round. `ref` is the stable id used in the matrix (e.g. R2-UNIDO-3)."""

    __tablename__ = "inputs"
    __table_args__ = (UniqueConstraint("round_id", "ref"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="rounds.id", index=True)
    entity_id: int = Field(foreign_key="entities.id", index=True)
    ref: str = Field(max_length=40)
    section_id: Optional[int] = Field(default=None, foreign_key="sections.id")
    kind: InputKind = Field(sa_type=String(20))
    comment: str = Field(sa_type=Text)
    proposed_text: str = Field(default="", sa_type=Text)
    rationale: str = Field(default="", sa_type=Text)
    status: InputStatus = Field(default=InputStatus.ACTIVE, sa_type=String(20))
    late: bool = False
    submitted_by: str = Field(max_length=64)
    created_at: datetime = ts_field()
    updated_at: datetime = ts_field()


class InputRevision(SQLModel, table=True):
    """Every save of an input, kept: the history a focal point and the secretariat can read."""

    __tablename__ = "input_revisions"
    __table_args__ = (UniqueConstraint("input_id", "number"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    input_id: int = Field(foreign_key="inputs.id", index=True)
    number: int
    section_id: Optional[int] = Field(default=None, foreign_key="sections.id")
    kind: InputKind = Field(sa_type=String(20))
    comment: str = Field(sa_type=Text)
    proposed_text: str = Field(default="", sa_type=Text)
    rationale: str = Field(default="", sa_type=Text)
    status: InputStatus = Field(sa_type=String(20))
    by: str = Field(max_length=64)
    at: datetime = ts_field()


class NilReturn(SQLModel, table=True):
    """An entity's explicit "no comments": counts as a response until the entity submits an input."""

    __tablename__ = "nil_returns"
    __table_args__ = (
        Index("uq_nil_return_active", "round_id", "entity_id", unique=True,
              sqlite_where=text("withdrawn_at IS NULL"), postgresql_where=text("withdrawn_at IS NULL")),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="rounds.id", index=True)
    entity_id: int = Field(foreign_key="entities.id")
    by: str = Field(max_length=64)
    late: bool = False
    at: datetime = ts_field()
    withdrawn_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)


class Response(SQLModel, table=True):
    """The secretariat's answer to one input: disposition and text."""

    __tablename__ = "responses"
    id: Optional[int] = Field(default=None, primary_key=True)
    input_id: int = Field(foreign_key="inputs.id", unique=True)
    disposition: Disposition = Field(sa_type=String(24))
    text: str = Field(default="", sa_type=Text)
    by: str = Field(max_length=64)
    at: datetime = ts_field()
