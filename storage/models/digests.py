"""Digests: each one generated is logged, so "what changed since the last digest" has a start."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Optional

from sqlalchemy import Index, String
from sqlmodel import Field, SQLModel

from storage.models.core import ts_field
from storage.types import UTCDateTime


class DigestKind(StrEnum):
    MANUAL = "manual"  # `/consult digest`
    WEEKLY = "weekly"  # the weekly digest posted to the process channel
    CLI = "cli"  # `consultbot digest`


class DigestLog(SQLModel, table=True):
    """One digest of a process: when it was made, the start of the changes it covered, by whom."""

    __tablename__ = "digests"
    __table_args__ = (Index("ix_digests_process_generated", "process_id", "generated_at"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="processes.id")
    generated_at: datetime = ts_field()
    since: datetime = Field(sa_type=UTCDateTime)
    kind: DigestKind = Field(sa_type=String(16))
    generated_by: str = Field(max_length=64)
