"""People: Slack users the bot has met, with their time zone and locale."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot import audit
from bot.reminders.replan import replan_person
from bot.timezones import is_timezone
from storage.models import Person, Recurrence, Reminder
from storage.models.core import UNKNOWN_TEAM
from storage.types import utcnow

PROFILE_MAX_AGE = timedelta(days=1)


class Profile(BaseModel):
    """What Slack's users.info says of a person."""

    slack_user_id: str
    team_id: str | None = None
    enterprise_id: str | None = None
    display_name: str = ""
    timezone: str | None = None
    locale: str | None = None
    email: str | None = None


def find_person(session: Session, slack_user_id: str, team_id: str | None = None,
                enterprise_id: str | None = None) -> Person | None:
    """The person a Slack user id names in a workspace: a user id is unique only within its workspace (or
    Enterprise Grid org, whose W-ids are unique across the org's workspaces). Every lookup from a Slack
    request passes its team. Someone granted a role by user id alone (the CLI), whose workspace is not
    known yet, is found by their user id and becomes theirs. Without a team (the CLI, a reminder planned
    before 0015): the first person with that user id."""
    query = select(Person).where(Person.slack_user_id == slack_user_id)
    if team_id is None and enterprise_id is None:
        return session.exec(query.order_by(Person.id)).first()
    found = session.exec(query.where(Person.team_id == team_id)).first() if team_id is not None else None
    if found is None and enterprise_id:
        found = session.exec(query.where(Person.enterprise_id == enterprise_id).order_by(Person.id)).first()
    if found is None and team_id != UNKNOWN_TEAM:
        found = session.exec(query.where(Person.team_id == UNKNOWN_TEAM).order_by(Person.id)).first()
    return found


def ensure_person(session: Session, slack_user_id: str, team_id: str | None = None,
                  enterprise_id: str | None = None) -> Person:
    person = find_person(session, slack_user_id, team_id, enterprise_id)
    if person is None:
        try:
            with session.begin_nested():  # a new person's first two requests can race to create them
                person = Person(slack_user_id=slack_user_id, team_id=team_id or UNKNOWN_TEAM,
                                enterprise_id=enterprise_id)
                session.add(person)
                session.flush()
        except IntegrityError:
            return find_person(session, slack_user_id, team_id, enterprise_id)
        audit.record(session, slack_user_id, "person.create", person)
    elif team_id and person.team_id == UNKNOWN_TEAM:
        _adopt(session, person, team_id, enterprise_id)
    return person


def _adopt(session: Session, person: Person, team_id: str, enterprise_id: str | None) -> None:
    """A person named by user id alone turns out to be of workspace `team_id`: so are the reminders planned
    for them meanwhile."""
    before = audit.snapshot(person)
    person.team_id, person.enterprise_id = team_id, enterprise_id or person.enterprise_id
    session.add(person)
    for model in (Reminder, Recurrence):
        session.execute(update(model).where(model.recipient == person.slack_user_id,
                                            model.recipient_team == UNKNOWN_TEAM).values(recipient_team=team_id))
    audit.record(session, person.slack_user_id, "person.workspace", person, before=before)


def named_person(session: Session, slack_user_id: str, team_id: str | None = None) -> Person:
    """The person a mention or a typed user id names, from someone of workspace `team_id`: a mention names
    no workspace, so that person in `team_id`, else the only person the bot knows with that user id (an
    external member of a shared channel), else a new person of `team_id`."""
    person = find_person(session, slack_user_id, team_id) if team_id else None
    if person is None and team_id:
        known = session.exec(select(Person).where(Person.slack_user_id == slack_user_id).limit(2)).all()
        person = known[0] if len(known) == 1 else None
    return person or ensure_person(session, slack_user_id, team_id)


def recipient_of(session: Session, row: Reminder | Recurrence) -> Person | None:
    """The person a reminder row goes to (its user id in its workspace)."""
    return find_person(session, row.recipient, row.recipient_team)


def needs_profile(person: Person | None) -> bool:
    return person is None or person.timezone is None or utcnow() - person.updated_at > PROFILE_MAX_AGE


def save_profile(session: Session, profile: Profile) -> Person:
    person = ensure_person(session, profile.slack_user_id, profile.team_id, profile.enterprise_id)
    before = audit.snapshot(person)
    person.enterprise_id = profile.enterprise_id or person.enterprise_id
    person.display_name = profile.display_name[:120] or person.display_name
    if is_timezone(profile.timezone):
        person.timezone = profile.timezone
    person.locale = profile.locale or person.locale
    if profile.email and "@" in profile.email and len(profile.email) <= 254:
        person.email = profile.email
    person.updated_at = utcnow()
    after = audit.snapshot(person)
    if before != after:
        audit.record(session, profile.slack_user_id, "person.profile", person, before=before)
    if before.get("timezone") != person.timezone:
        session.flush()
        replan_person(session, person, utcnow())
    return person


def zone_of(own: str | None, entity_zone: str | None, fallback: str) -> str:
    """The zone a person's reminders are planned in: their own (from Slack), else their entity's duty
    station's (a focal point Slack cannot tell us about), else `fallback` (the round's, the meeting's)."""
    return own or (entity_zone if is_timezone(entity_zone) else None) or fallback


def people_by_ids(session: Session, ids: list[int]) -> dict[int, Person]:
    if not ids:
        return {}
    return {p.id: p for p in session.exec(select(Person).where(Person.id.in_(ids))).all()}
