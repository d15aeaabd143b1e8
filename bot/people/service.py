"""People: Slack users the bot has met, with their time zone and locale."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot import audit
from bot.reminders.replan import replan_person
from bot.timezones import is_timezone
from storage.models import Person
from storage.types import utcnow

PROFILE_MAX_AGE = timedelta(days=1)


class Profile(BaseModel):
    """What Slack's users.info says of a person."""

    slack_user_id: str
    team_id: str | None = None
    display_name: str = ""
    timezone: str | None = None
    locale: str | None = None
    email: str | None = None


def find_person(session: Session, slack_user_id: str) -> Person | None:
    return session.exec(select(Person).where(Person.slack_user_id == slack_user_id)).first()


def ensure_person(session: Session, slack_user_id: str, team_id: str | None = None) -> Person:
    person = find_person(session, slack_user_id)
    if person is None:
        try:
            with session.begin_nested():  # a new person's first two requests can race to create them
                person = Person(slack_user_id=slack_user_id, team_id=team_id)
                session.add(person)
                session.flush()
        except IntegrityError:
            return find_person(session, slack_user_id)
        audit.record(session, slack_user_id, "person.create", person)
    return person


def needs_profile(person: Person | None) -> bool:
    return person is None or person.timezone is None or utcnow() - person.updated_at > PROFILE_MAX_AGE


def save_profile(session: Session, profile: Profile) -> Person:
    person = ensure_person(session, profile.slack_user_id, profile.team_id)
    before = audit.snapshot(person)
    person.team_id = profile.team_id or person.team_id
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
