"""The annual HLCM data call: a call per year, the entities asked, and each entity's submissions.

A submission is one revision of an entity's figures for a year. Submitting again adds a revision; earlier
revisions are kept (status `superseded`). The figures are a JSON mapping indicator id -> value, the
indicators being data (prompts/hlcm/questionnaire.yaml)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Optional

from sqlalchemy import JSON, Column, Index, String, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.models.core import ts_field
from storage.types import UTCDateTime


class DataCallStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class SubmissionStatus(StrEnum):
    DRAFT = "draft"  # saved, not yet submitted; at most one per entity and year
    SUBMITTED = "submitted"  # the entity's current figures
    RETURNED = "returned"  # sent back by the secretariat with a question
    SUPERSEDED = "superseded"  # an earlier revision, kept


class SubmissionSource(StrEnum):
    SLACK = "slack"
    CSV = "csv"


class DataCall(SQLModel, table=True):
    __tablename__ = "hlcm_data_calls"
    id: Optional[int] = Field(default=None, primary_key=True)
    year: int = Field(unique=True, index=True)  # the reporting year the figures are for
    deadline: datetime = Field(sa_type=UTCDateTime)
    timezone: str = Field(max_length=64)  # the zone the deadline was typed in
    status: DataCallStatus = Field(default=DataCallStatus.OPEN, sa_type=String(16))
    opened_by: str = Field(max_length=64)
    created_at: datetime = ts_field()
    closed_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    # The reminder offsets chosen at opening, comma-separated ("T-7d,T-0"; "" = no reminders). NULL: a call
    # opened before they were stored (migration 0008), whose offsets are read back from its reminder rows.
    reminder_offsets: Optional[str] = Field(default=None, max_length=80)


class DataCallEntity(SQLModel, table=True):
    """An entity asked for its figures in a data call."""

    __tablename__ = "hlcm_data_call_entities"
    __table_args__ = (UniqueConstraint("data_call_id", "entity_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    data_call_id: int = Field(foreign_key="hlcm_data_calls.id", index=True)
    entity_id: int = Field(foreign_key="entities.id")


class Submission(SQLModel, table=True):
    __tablename__ = "hlcm_submissions"
    __table_args__ = (
        UniqueConstraint("entity_id", "year", "revision"),
        Index("uq_hlcm_draft", "entity_id", "year", unique=True,
              sqlite_where=text("status = 'draft'"), postgresql_where=text("status = 'draft'")),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    entity_id: int = Field(foreign_key="entities.id", index=True)
    year: int = Field(index=True)
    revision: int  # 1, 2, ... per entity and year
    status: SubmissionStatus = Field(sa_type=String(16))
    source: SubmissionSource = Field(default=SubmissionSource.SLACK, sa_type=String(16))
    data_call_id: Optional[int] = Field(default=None, foreign_key="hlcm_data_calls.id")
    figures: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    reasons: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # flagged changes
    question: Optional[str] = Field(default=None, sa_type=Text)  # the secretariat's, when returned
    returned_by: Optional[str] = Field(default=None, max_length=64)
    returned_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    saved_by: str = Field(max_length=64)
    submitted_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = ts_field()
    updated_at: datetime = ts_field()
