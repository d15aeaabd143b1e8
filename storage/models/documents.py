"""Versioned documents of a process, cut into addressable sections."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.core import ts_field
from storage.types import UTCDateTime


class Document(SQLModel, table=True):
    """A draft put out for comment (the interim guidance, terms of reference, indicators)."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("process_id", "slug"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="processes.id", index=True)
    slug: str = Field(max_length=64)
    title: str = Field(max_length=300)
    created_at: datetime = ts_field()


class DocumentVersion(SQLModel, table=True):
    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "number"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="documents.id", index=True)
    number: int
    source_name: str = Field(max_length=255)
    source_sha256: str = Field(max_length=64)
    imported_by: str = Field(max_length=64)
    imported_at: datetime = ts_field()
    approved_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)


class Section(SQLModel, table=True):
    """A heading or numbered paragraph ("3.2", "para 14") with its text.

    `identity` stays the same across versions where the heading matches, so inputs on
    section 3.2 of version 1 can be followed into version 2."""

    __tablename__ = "sections"
    __table_args__ = (UniqueConstraint("version_id", "number"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="document_versions.id", index=True)
    position: int
    number: str = Field(max_length=32)
    heading: str = Field(default="", max_length=500)
    text: str = Field(default="", sa_type=Text)
    identity: str = Field(max_length=64, index=True)
