"""Meetings: availability polls, meetings with agendas, RSVPs by entity, and what was decided."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Optional

from sqlalchemy import String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.core import ts_field
from storage.types import UTCDateTime


class PollStatus(StrEnum):
    OPEN = "open"
    SCHEDULED = "scheduled"  # a slot became a meeting
    CLOSED = "closed"


class PollAnswer(StrEnum):
    YES = "yes"
    IF_NEED_BE = "if_need_be"
    NO = "no"


class MeetingKind(StrEnum):
    SENIOR_OFFICIALS = "senior_officials"
    IMG = "img"
    RETREAT = "retreat"
    PEER_REVIEW = "peer_review"
    OTHER = "other"


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Attendance(StrEnum):
    ATTENDING = "attending"
    TENTATIVE = "tentative"
    NOT_ATTENDING = "not_attending"


class DecisionKind(StrEnum):
    MANDATE_EXTENDED = "mandate_extended"  # sets the process's mandate end date
    GROUP_CLOSED = "group_closed"  # closes the process
    DOCUMENT_APPROVED = "document_approved"  # marks a document version approved
    ACTION_ITEM = "action_item"  # a tracked item with an owner entity, a due date and reminders
    OTHER = "other"


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class Poll(SQLModel, table=True):
    """Candidate slots for a meeting, answered yes / if need be / no by each invited entity."""

    __tablename__ = "polls"
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="processes.id", index=True)
    title: str = Field(max_length=200)
    duration_minutes: int
    timezone: str = Field(max_length=64)  # the zone the slots were typed in
    status: PollStatus = Field(default=PollStatus.OPEN, sa_type=String(16))
    meeting_id: Optional[int] = Field(default=None, foreign_key="meetings.id")
    board_channel: Optional[str] = Field(default=None, max_length=32)  # where the live board was posted
    board_ts: Optional[str] = Field(default=None, max_length=32)
    created_by: str = Field(max_length=64)
    created_at: datetime = ts_field()


class PollSlot(SQLModel, table=True):
    __tablename__ = "poll_slots"
    __table_args__ = (UniqueConstraint("poll_id", "position"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="polls.id", index=True)
    position: int
    start: datetime = Field(sa_type=UTCDateTime)
    end: datetime = Field(sa_type=UTCDateTime)


class PollInvitee(SQLModel, table=True):
    __tablename__ = "poll_invitees"
    __table_args__ = (UniqueConstraint("poll_id", "entity_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="polls.id", index=True)
    entity_id: int = Field(foreign_key="entities.id")


class PollVote(SQLModel, table=True):
    """An entity's answer for one slot; answering again replaces it."""

    __tablename__ = "poll_votes"
    __table_args__ = (UniqueConstraint("slot_id", "entity_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="polls.id", index=True)
    slot_id: int = Field(foreign_key="poll_slots.id", index=True)
    entity_id: int = Field(foreign_key="entities.id")
    answer: PollAnswer = Field(sa_type=String(16))
    by: str = Field(max_length=64)
    by_team: Optional[str] = Field(default=None, max_length=32)  # the workspace of `by` (0015)
    at: datetime = ts_field()


class Meeting(SQLModel, table=True):
    """A meeting of a process. `uid` and `sequence` are its iCalendar identity (RFC 5545): the
    sequence goes up with every change sent to attendees."""

    __tablename__ = "meetings"
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="processes.id", index=True)
    title: str = Field(max_length=200)
    kind: MeetingKind = Field(sa_type=String(24))
    start: datetime = Field(sa_type=UTCDateTime)
    end: datetime = Field(sa_type=UTCDateTime)
    timezone: str = Field(max_length=64)
    place: str = Field(default="", max_length=300)
    online_link: str = Field(default="", max_length=500)
    status: MeetingStatus = Field(default=MeetingStatus.SCHEDULED, sa_type=String(16))
    uid: str = Field(max_length=120, unique=True)
    sequence: int = 0
    reminder_offsets: str = Field(default="T-7d,T-1d,T-1h", max_length=80)
    minutes: str = Field(default="", sa_type=Text)
    outcomes_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    created_by: str = Field(max_length=64)
    created_at: datetime = ts_field()
    updated_at: datetime = ts_field()


class MeetingChair(SQLModel, table=True):
    __tablename__ = "meeting_chairs"
    __table_args__ = (UniqueConstraint("meeting_id", "team_id", "slack_user_id", name="uq_meeting_chairs_person"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meetings.id", index=True)
    slack_user_id: str = Field(max_length=32)
    team_id: str = Field(default="", max_length=32)  # with slack_user_id, the person (0015)


class MeetingInvitee(SQLModel, table=True):
    __tablename__ = "meeting_invitees"
    __table_args__ = (UniqueConstraint("meeting_id", "entity_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meetings.id", index=True)
    entity_id: int = Field(foreign_key="entities.id")


class AgendaItem(SQLModel, table=True):
    __tablename__ = "agenda_items"
    __table_args__ = (UniqueConstraint("meeting_id", "position"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meetings.id", index=True)
    position: int
    title: str = Field(max_length=300)
    round_id: Optional[int] = Field(default=None, foreign_key="rounds.id")
    document_id: Optional[int] = Field(default=None, foreign_key="documents.id")


class Rsvp(SQLModel, table=True):
    """An entity's answer to an invitation; answering again replaces it."""

    __tablename__ = "rsvps"
    __table_args__ = (UniqueConstraint("meeting_id", "entity_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meetings.id", index=True)
    entity_id: int = Field(foreign_key="entities.id")
    attendance: Attendance = Field(sa_type=String(16))
    delegates: str = Field(default="", max_length=500)
    by: str = Field(max_length=64)
    by_team: Optional[str] = Field(default=None, max_length=32)  # the workspace of `by` (0015)
    at: datetime = ts_field()


class Decision(SQLModel, table=True):
    """What a meeting decided. Typed kinds act on the process when recorded (see bot/meetings)."""

    __tablename__ = "decisions"
    id: Optional[int] = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meetings.id", index=True)
    kind: DecisionKind = Field(sa_type=String(24))
    text: str = Field(default="", max_length=3000)
    mandate_end: Optional[date] = None
    version_id: Optional[int] = Field(default=None, foreign_key="document_versions.id")
    by: str = Field(max_length=64)
    at: datetime = ts_field()


class ActionItem(SQLModel, table=True):
    __tablename__ = "action_items"
    id: Optional[int] = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="decisions.id", index=True)
    process_id: int = Field(foreign_key="processes.id", index=True)
    owner_entity_id: int = Field(foreign_key="entities.id")
    text: str = Field(max_length=3000)
    due: date
    status: ActionStatus = Field(default=ActionStatus.OPEN, sa_type=String(16))
    done_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = ts_field()
