"""The tables, one module per area; everything is importable from `storage.models`."""

from storage.models.core import (AuditEntry, Entity, JoinRequest, Membership, Person, Process, ProcessEntity,
                                 ProcessedRequest, ProcessKind, ProcessStatus, RequestStatus, Role)
from storage.models.documents import Document, DocumentVersion, Section
from storage.models.rounds import (Disposition, Input, InputKind, InputRevision, InputStatus, NilReturn, Response,
                                   Round, RoundEntity, RoundStatus)
from storage.models.reminders import Recurrence, Reminder, ReminderMute, ReminderStatus
from storage.models.meetings import (ActionItem, ActionStatus, AgendaItem, Attendance, Decision, DecisionKind, Meeting,
                                     MeetingChair, MeetingInvitee, MeetingKind, MeetingStatus, Poll, PollAnswer,
                                     PollInvitee, PollSlot, PollStatus, PollVote, Rsvp)
from storage.models.hlcm import (DataCall, DataCallEntity, DataCallStatus, Submission, SubmissionSource,
                                 SubmissionStatus)
from storage.models.digests import DigestKind, DigestLog
from storage.models.mapping import Mapping, MappingResponse, MappingStatus, ResponseStatus
from storage.models.peer_review import PeerReview

__all__ = [
    "AuditEntry", "Entity", "JoinRequest", "Membership", "Person", "Process", "ProcessEntity", "ProcessedRequest",
    "ProcessKind", "ProcessStatus", "RequestStatus", "Role",
    "Document", "DocumentVersion", "Section",
    "Disposition", "Input", "InputKind", "InputRevision", "InputStatus", "NilReturn", "Response", "Round",
    "RoundEntity", "RoundStatus",
    "Recurrence", "Reminder", "ReminderMute", "ReminderStatus",
    "ActionItem", "ActionStatus", "AgendaItem", "Attendance", "Decision", "DecisionKind", "Meeting", "MeetingChair",
    "MeetingInvitee", "MeetingKind", "MeetingStatus", "Poll", "PollAnswer", "PollInvitee", "PollSlot", "PollStatus",
    "PollVote", "Rsvp",
    "DataCall", "DataCallEntity", "DataCallStatus", "Submission", "SubmissionSource", "SubmissionStatus",
    "DigestKind", "DigestLog",
    "Mapping", "MappingResponse", "MappingStatus", "ResponseStatus",
    "PeerReview",
]
