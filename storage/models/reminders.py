"""Reminders: every timed message the bot sends is a row here first; the rows are the truth."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Optional

from sqlalchemy import Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.core import ts_field
from storage.types import UTCDateTime


class ReminderStatus(StrEnum):
    PENDING = "pending"  # waiting for send_at
    SENDING = "sending"  # claimed by a sender until lease_until
    SENT = "sent"
    SKIPPED = "skipped"  # not needed at send time: answered, muted, stale, superseded (see outcome)
    CANCELLED = "cancelled"  # the change that caused it was undone: deadline moved, round closed
    FAILED = "failed"  # Slack refused for good (see outcome), or too many attempts


class Reminder(SQLModel, table=True):
    """One occurrence of a timed message to one recipient.

    `key` is unique (e.g. ``round:12@20261204T1600:T-2d:UNIDO:U123``): writing the same reminder
    twice, from a retry or from a second replica, finds the existing row. `due_at` is the time
    the rule names; `send_at` the first moment it may go out (quiet hours, backoff); `stale_at`
    the moment after which it is dropped instead of sent late.
    """

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_status_send_at", "status", "send_at"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=40)
    offset: str = Field(max_length=40)
    process_id: Optional[int] = Field(default=None, foreign_key="processes.id", index=True)
    subject_id: Optional[int] = Field(default=None, index=True)
    entity_id: Optional[int] = Field(default=None, foreign_key="entities.id")
    recipient: str = Field(max_length=32)
    recipient_team: Optional[str] = Field(default=None, max_length=32)  # a person's workspace; None: a channel
    timezone: str = Field(max_length=64)
    due_at: datetime = Field(sa_type=UTCDateTime)
    send_at: datetime = Field(sa_type=UTCDateTime)
    stale_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    quiet: bool = True  # held back in the recipient's quiet hours (a last call is not)
    status: ReminderStatus = Field(default=ReminderStatus.PENDING, sa_type=String(16))
    attempts: int = 0
    lease_owner: Optional[str] = Field(default=None, max_length=64)
    lease_until: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    outcome: Optional[str] = Field(default=None, max_length=80)
    channel: Optional[str] = Field(default=None, max_length=32)
    ts: Optional[str] = Field(default=None, max_length=32)
    sent_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = ts_field()
    updated_at: datetime = ts_field()


class ReminderMute(SQLModel, table=True):
    """A person who asked for no more reminders about one process."""

    __tablename__ = "reminder_mutes"
    __table_args__ = (UniqueConstraint("process_id", "team_id", "slack_user_id", name="uq_reminder_mutes_person"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="processes.id", index=True)
    slack_user_id: str = Field(max_length=32)
    team_id: str = Field(default="", max_length=32)  # with slack_user_id, the person (0015)
    at: datetime = ts_field()


class Recurrence(SQLModel, table=True):
    """A message that comes back (e.g. every Monday 09:00 in the process's zone). Its occurrences
    become Reminder rows keyed ``<key>:<UTC time>``, so each is generated once however many
    replicas generate them; `generated_until` is how far that has been done."""

    __tablename__ = "recurrences"
    id: Optional[int] = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, unique=True)
    kind: str = Field(max_length=40)
    process_id: Optional[int] = Field(default=None, foreign_key="processes.id", index=True)
    recipient: str = Field(max_length=32)
    recipient_team: Optional[str] = Field(default=None, max_length=32)  # a person's workspace; None: a channel
    day_of_week: str = Field(max_length=40)  # cron field: "mon", "mon-fri"
    hour: int
    minute: int = 0
    timezone: str = Field(max_length=64)
    active: bool = True
    generated_until: datetime = Field(sa_type=UTCDateTime)
    created_by: str = Field(max_length=64)
    created_at: datetime = ts_field()
