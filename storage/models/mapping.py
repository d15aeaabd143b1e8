"""Mapping surveys (issue 18, part 1): a survey of bot/data/mapping-*.yaml opened on a process, the entities
asked, and each entity's one response.

A response keeps the submitted answers (`answers`) apart from the draft being edited (`draft`), so saving a
draft after submitting never changes what the matrix shows. The answers are JSON:
{"grid": {target id: {field id: value}}, "products": [{"title", "type", "link", "topics": [...]}]}."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Optional

from sqlalchemy import JSON, Column, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.core import ts_field
from storage.types import UTCDateTime


class MappingStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class ResponseStatus(StrEnum):
    PENDING = "pending"  # nothing saved yet
    DRAFT = "draft"  # a draft saved, nothing submitted
    SUBMITTED = "submitted"
    RETURNED = "returned"  # sent back with the secretariat's question; the answers still count


class Mapping(SQLModel, table=True):
    __tablename__ = "mappings"
    __table_args__ = (UniqueConstraint("process_id", "survey"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="processes.id", index=True)
    survey: str = Field(max_length=40)  # the survey's id in bot/data/mapping-*.yaml
    deadline: datetime = Field(sa_type=UTCDateTime)
    timezone: str = Field(max_length=64)
    status: MappingStatus = Field(default=MappingStatus.OPEN, sa_type=String(16))
    opened_by: str = Field(max_length=64)
    created_at: datetime = ts_field()
    closed_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)


class MappingResponse(SQLModel, table=True):
    """An entity asked in a mapping, and its answers (one row per entity)."""

    __tablename__ = "mapping_responses"
    __table_args__ = (UniqueConstraint("mapping_id", "entity_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    mapping_id: int = Field(foreign_key="mappings.id", index=True)
    entity_id: int = Field(foreign_key="entities.id")
    status: ResponseStatus = Field(default=ResponseStatus.PENDING, sa_type=String(16))
    answers: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSON, nullable=True))
    draft: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSON, nullable=True))
    question: Optional[str] = Field(default=None, sa_type=Text)
    returned_by: Optional[str] = Field(default=None, max_length=64)
    returned_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    saved_by: Optional[str] = Field(default=None, max_length=64)
    submitted_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    deadline: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)  # extended for it; None: the mapping's
    updated_at: datetime = ts_field()
