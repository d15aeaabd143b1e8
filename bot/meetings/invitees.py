"""Who a meeting concerns: its chairs, the invited entities and their focal points, one entry per person to tell.
Read by the service, the reminder planner and the messages alike (bot/meetings/service.py plans through
bot/meetings/reminder_plan.py, which reads these, so they live below both)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from bot.people.service import find_person
from storage.models import Entity, Meeting, MeetingChair, MeetingInvitee, Membership, Person, Role


def chairs_of(session: Session, meeting: Meeting) -> list[str]:
    return list(session.exec(select(MeetingChair.slack_user_id).where(MeetingChair.meeting_id == meeting.id)
                             .order_by(MeetingChair.id)).all())


def chairs(session: Session, person: Person, meeting: Meeting) -> bool:
    """Whether this person (user id in their workspace) is one of the meeting's chairs."""
    return session.exec(select(MeetingChair.id).where(
        MeetingChair.meeting_id == meeting.id, MeetingChair.slack_user_id == person.slack_user_id,
        MeetingChair.team_id == person.team_id)).first() is not None


def invited(session: Session, meeting: Meeting) -> list[Entity]:
    return list(session.exec(
        select(Entity).join(MeetingInvitee, MeetingInvitee.entity_id == Entity.id)
        .where(MeetingInvitee.meeting_id == meeting.id).order_by(Entity.code)).all())


def focal_points(session: Session, meeting: Meeting) -> list[tuple[Entity, Person]]:
    """Each focal point of each invited entity (a person speaking for two entities appears twice)."""
    return list(session.exec(
        select(Entity, Person).join(MeetingInvitee, MeetingInvitee.entity_id == Entity.id)
        .join(Membership, (Membership.entity_id == Entity.id) & (Membership.process_id == meeting.process_id)
              & (Membership.role == Role.FOCAL_POINT))
        .join(Person, Membership.person_id == Person.id)
        .where(MeetingInvitee.meeting_id == meeting.id).order_by(Entity.code, Person.slack_user_id)).all())


@dataclass(frozen=True)
class Invitee:
    """A person to tell about a meeting: a focal point (with the invited entities they speak for), a chair, or both."""

    slack_user_id: str
    entity_codes: tuple[str, ...]
    chair: bool
    locale: str | None
    timezone: str | None
    display_name: str
    team_id: str | None = None  # their workspace: with slack_user_id, who they are


def recipients(session: Session, meeting: Meeting) -> list[Invitee]:
    """Focal points of the invited entities and the chairs, one entry per person."""
    people: dict[tuple[str, str], dict] = {}  # (workspace, user id): a person
    for entity, person in focal_points(session, meeting):
        entry = people.setdefault((person.team_id, person.slack_user_id), {"person": person, "codes": [], "chair": False})
        entry["codes"].append(entity.code)
    for chair in session.exec(select(MeetingChair).where(MeetingChair.meeting_id == meeting.id)
                              .order_by(MeetingChair.id)).all():
        entry = people.setdefault((chair.team_id, chair.slack_user_id), {
            "person": find_person(session, chair.slack_user_id, chair.team_id or None), "codes": [], "chair": False})
        entry["chair"] = True
    result = []
    for (team_id, user_id), entry in people.items():
        person = entry["person"]
        result.append(Invitee(user_id, tuple(entry["codes"]), entry["chair"], person.reads_in if person else None,
                              person.timezone if person else None, (person.display_name if person else "") or user_id,
                              team_id))
    return result
