"""Peer reviews of entities' environmental profiles (issue 18, part 2): a process of kind `peer_review` with the
entity reviewed, the year, the topics (two required, two chosen; bot/data/peer-review.yaml), the expert group
and the reviewed entity's evidence.

The review body's entities are the process's member entities; the draft report is a document of the process
(its comment round and meeting are the existing ones); the review is adopted when a *document approved*
decision approves a version of it; its recommendations are the process's action items. The evidence keeps the
submitted answers (`evidence`) apart from the draft being edited (`draft`), as a mapping response does:
{topic id: {question id: text, or a list of links}}."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.core import ts_field
from storage.models.mapping import ResponseStatus
from storage.types import UTCDateTime


class PeerReview(SQLModel, table=True):
    __tablename__ = "peer_reviews"
    __table_args__ = (UniqueConstraint("process_id"), UniqueConstraint("entity_id", "year"))
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="processes.id")
    entity_id: int = Field(foreign_key="entities.id", index=True)  # the entity reviewed
    year: int
    topics: Optional[list[str]] = Field(default=None, sa_column=Column(JSON, nullable=True))  # the two chosen
    topics_by: Optional[str] = Field(default=None, max_length=64)
    experts: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # Slack user ids
    deadline: datetime = Field(sa_type=UTCDateTime)  # of the evidence
    status: ResponseStatus = Field(default=ResponseStatus.PENDING, sa_type=String(16))  # of the evidence
    evidence: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSON, nullable=True))
    draft: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSON, nullable=True))
    saved_by: Optional[str] = Field(default=None, max_length=64)
    submitted_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    opened_by: str = Field(max_length=64)
    created_at: datetime = ts_field()
    updated_at: datetime = ts_field()
