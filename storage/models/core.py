"""The tables. Every timestamp is UTC and tz-aware (see storage.types)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Optional

from sqlalchemy import JSON, Column, Index, String, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


def ts_field(**kwargs: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, **kwargs)


class Role(StrEnum):
    SECRETARIAT = "secretariat"
    CHAIR = "chair"
    FOCAL_POINT = "focal_point"
    OBSERVER = "observer"


class ProcessKind(StrEnum):
    CONSULTATION = "consultation"
    IMG = "img"
    PEER_REVIEW = "peer_review"  # bot/peer_review (0014)


class ProcessStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class Entity(SQLModel, table=True):
    __tablename__ = "entities"
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True, index=True)
    name: str = Field(max_length=200)
    duty_station: str = Field(max_length=80)
    timezone: str = Field(max_length=64)
    created_at: datetime = ts_field()
    # a retired entity keeps its history (inputs, figures, memberships) but is asked nothing new
    retired_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime, nullable=True)


UNKNOWN_TEAM = ""  # a person named by user id alone (the CLI): their workspace is set when Slack first names it


class Person(SQLModel, table=True):
    """A Slack user id is unique only within its workspace (or Enterprise Grid org): a person is
    (team_id, slack_user_id) (0015)."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("team_id", "slack_user_id", name="uq_people_team_user"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    slack_user_id: str = Field(max_length=32, index=True)
    team_id: str = Field(default=UNKNOWN_TEAM, max_length=32)
    enterprise_id: Optional[str] = Field(default=None, max_length=32)  # their Enterprise Grid org, if any
    display_name: str = Field(default="", max_length=120)
    timezone: Optional[str] = Field(default=None, max_length=64)
    locale: Optional[str] = Field(default=None, max_length=16)
    email: Optional[str] = Field(default=None, max_length=254)  # Slack's, for calendar invitations (0010)
    # the language they chose with `/consult language xx` (0011); NULL: their Slack locale's
    language: Optional[str] = Field(default=None, max_length=8)
    created_at: datetime = ts_field()
    updated_at: datetime = ts_field()

    @property
    def reads_in(self) -> Optional[str]:
        """The locale their messages are written in: the language they chose, else their Slack locale."""
        return self.language or self.locale


class Process(SQLModel, table=True):
    __tablename__ = "processes"
    id: Optional[int] = Field(default=None, primary_key=True)
    handle: str = Field(max_length=32, unique=True, index=True)
    kind: ProcessKind = Field(sa_type=String(20))
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=3000)
    channel_id: Optional[str] = Field(default=None, max_length=32)
    timezone: str = Field(max_length=64)
    mandate_end: Optional[date] = None
    status: ProcessStatus = Field(default=ProcessStatus.ACTIVE, sa_type=String(20))
    language: str = Field(default="en", max_length=8)  # its channel messages' language (0011)
    created_at: datetime = ts_field()


class ProcessEntity(SQLModel, table=True):
    """An entity that is a member of a process."""

    __tablename__ = "process_entities"
    __table_args__ = (UniqueConstraint("process_id", "entity_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="processes.id", index=True)
    entity_id: int = Field(foreign_key="entities.id")
    created_at: datetime = ts_field()


class Membership(SQLModel, table=True):
    """A person's role: secretariat (no process), chair, focal point or observer."""

    __tablename__ = "memberships"
    __table_args__ = (
        Index(
            "uq_membership_scoped",
            "person_id", "process_id", "entity_id", "role",
            unique=True,
            sqlite_where=text("process_id IS NOT NULL AND entity_id IS NOT NULL"),
            postgresql_where=text("process_id IS NOT NULL AND entity_id IS NOT NULL"),
        ),
        Index(
            "uq_membership_process",
            "person_id", "process_id", "role",
            unique=True,
            sqlite_where=text("process_id IS NOT NULL AND entity_id IS NULL"),
            postgresql_where=text("process_id IS NOT NULL AND entity_id IS NULL"),
        ),
        Index(
            "uq_membership_global",
            "person_id", "role",
            unique=True,
            sqlite_where=text("process_id IS NULL"),
            postgresql_where=text("process_id IS NULL"),
        ),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="people.id", index=True)
    process_id: Optional[int] = Field(default=None, foreign_key="processes.id", index=True)
    entity_id: Optional[int] = Field(default=None, foreign_key="entities.id")
    role: Role = Field(sa_type=String(20))
    created_at: datetime = ts_field()


class JoinRequest(SQLModel, table=True):
    """A person asks to become a focal point of an entity in a process."""

    __tablename__ = "join_requests"
    __table_args__ = (
        Index(
            "uq_join_request_pending",
            "person_id", "process_id", "entity_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="people.id", index=True)
    process_id: int = Field(foreign_key="processes.id")
    entity_id: int = Field(foreign_key="entities.id")
    status: RequestStatus = Field(default=RequestStatus.PENDING, sa_type=String(20))
    created_at: datetime = ts_field()
    decided_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    decided_by_id: Optional[int] = Field(default=None, foreign_key="people.id")


class AuditEntry(SQLModel, table=True):
    """Append-only: the database refuses UPDATE and DELETE on this table."""

    __tablename__ = "audit_log"
    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = ts_field(index=True)
    actor: str = Field(max_length=64)
    actor_team: Optional[str] = Field(default=None, max_length=32)  # the actor's workspace, when a person (0015)
    action: str = Field(max_length=64)
    subject_type: str = Field(max_length=40)
    subject_id: Optional[str] = Field(default=None, max_length=64)
    before: Optional[dict] = Field(default=None, sa_column=Column(JSON))
    after: Optional[dict] = Field(default=None, sa_column=Column(JSON))


class ProcessedRequest(SQLModel, table=True):
    """Keys of Slack deliveries already handled (event ids, view submissions)."""

    __tablename__ = "processed_requests"
    key: str = Field(primary_key=True, max_length=255)
    at: datetime = ts_field()
