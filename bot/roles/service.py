"""Who may do what: memberships (person × process × entity × role)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from bot import audit
from bot.mrkdwn import Raw, mention
from bot.errors import Conflict, Invalid, NotAllowed, NotFound
from bot.people.service import ensure_person, named_person
from bot.reminders.replan import role_changed
from bot.texts import Ref
from storage.models import Entity, Membership, Person, Process, ProcessEntity, Role
from storage.types import utcnow


@dataclass(frozen=True)
class RoleHeld:
    role: Role
    process_handle: str | None
    process_title: str | None
    entity_code: str | None


def roles_of(session: Session, person: Person) -> list[RoleHeld]:
    rows = session.exec(
        select(Membership, Process, Entity)
        .join(Process, Membership.process_id == Process.id, isouter=True)
        .join(Entity, Membership.entity_id == Entity.id, isouter=True)
        .where(Membership.person_id == person.id)
    ).all()
    held = [RoleHeld(Role(m.role), p.handle if p else None, p.title if p else None, e.code if e else None)
            for m, p, e in rows]
    return sorted(held, key=lambda r: (r.process_handle or "", r.role, r.entity_code or ""))


def is_secretariat(session: Session, person: Person | None) -> bool:
    if person is None or person.id is None:
        return False
    return session.exec(
        select(Membership.id).where(Membership.person_id == person.id,
                                    Membership.role == Role.SECRETARIAT,
                                    Membership.process_id.is_(None))
    ).first() is not None


def speaks_for(session: Session, person: Person | None, process_id: int, entity_id: int) -> bool:
    """Whether the person is a focal point of that entity in that process."""
    return person is not None and person.id is not None and session.exec(select(Membership.id).where(
        Membership.person_id == person.id, Membership.process_id == process_id, Membership.entity_id == entity_id,
        Membership.role == Role.FOCAL_POINT)).first() is not None


def secretariat_people(session: Session) -> list[Person]:
    """Who holds the secretariat role (escalations and outcomes reminders go to each), by Slack ID."""
    return list(session.exec(
        select(Person).join(Membership, Membership.person_id == Person.id)
        .where(Membership.role == Role.SECRETARIAT, Membership.process_id.is_(None))
        .order_by(Person.slack_user_id)).all())


def secretariat_user_ids(session: Session) -> list[str]:
    return [person.slack_user_id for person in secretariat_people(session)]


def secretariat_mentions(session: Session) -> Raw | str:
    """The secretariat as mentions, for texts that say whom to ask ("—" when nobody holds the role)."""
    return Raw(" ".join(mention(u) for u in secretariat_user_ids(session))) or "—"


def _refuse(session: Session, role: Ref) -> NotAllowed:
    granted_by = secretariat_mentions(session)
    return NotAllowed("errors.not_allowed", role=role,
                      granted_by="consultbot grant" if granted_by == "—" else granted_by)


def require_secretariat(session: Session, person: Person) -> None:
    if not is_secretariat(session, person):
        raise _refuse(session, Ref("roles.secretariat"))


def is_chair(session: Session, person: Person, process: Process) -> bool:
    return session.exec(
        select(Membership.id).where(Membership.person_id == person.id, Membership.process_id == process.id,
                                    Membership.role == Role.CHAIR)
    ).first() is not None


def require_manager(session: Session, person: Person, process: Process) -> None:
    """Secretariat, or a chair of this process."""
    if not (is_secretariat(session, person) or is_chair(session, person, process)):
        raise _refuse(session, Ref("roles.secretariat_or_chair"))


def _scope_check(session: Session, role: Role, process: Process | None, entity: Entity | None) -> None:
    if role is Role.SECRETARIAT and (process or entity):
        raise Invalid("errors.role_secretariat_global")
    if role is not Role.SECRETARIAT and process is None:
        raise Invalid("errors.role_needs_process", role=Ref(f"roles.{role.value}"))
    if role is Role.FOCAL_POINT:
        if entity is None:
            raise Invalid("errors.role_needs_entity")
        member = session.exec(select(ProcessEntity.id).where(ProcessEntity.process_id == process.id,
                                                            ProcessEntity.entity_id == entity.id)).first()
        if member is None:
            raise Invalid("errors.entity_not_member", entity=entity.code, process=process.handle)


def _find(session: Session, person: Person, role: Role, process: Process | None,
          entity: Entity | None) -> Membership | None:
    query = select(Membership).where(Membership.person_id == person.id, Membership.role == role)
    query = query.where(Membership.process_id == process.id if process else Membership.process_id.is_(None))
    query = query.where(Membership.entity_id == entity.id if entity else Membership.entity_id.is_(None))
    return session.exec(query).first()


def grant(session: Session, actor: str, slack_user_id: str, role: Role, process: Process | None = None,
          entity: Entity | None = None, *, if_missing: bool = False, team_id: str | None = None,
          named_in: str | None = None) -> Membership | None:
    """Give a role to the user `slack_user_id` of workspace `team_id`, or (`named_in`) mentioned by someone of
    that workspace (see named_person); neither: the CLI, by user id alone. Already held: Conflict, or nothing
    when `if_missing`."""
    _scope_check(session, role, process, entity)
    person = _person(session, slack_user_id, team_id, named_in)
    existing = _find(session, person, role, process, entity)
    if existing is not None:
        if if_missing:
            return None
        raise Conflict("errors.role_exists", role=Ref(f"roles.{role.value}"))
    membership = Membership(person_id=person.id, role=role, process_id=process.id if process else None,
                            entity_id=entity.id if entity else None)
    session.add(membership)
    audit.record(session, actor, "membership.grant", membership)
    _replan(session, role, process)
    return membership


def revoke(session: Session, actor: str, slack_user_id: str, role: Role, process: Process | None = None,
           entity: Entity | None = None, *, team_id: str | None = None, named_in: str | None = None) -> None:
    person = _person(session, slack_user_id, team_id, named_in)
    existing = _find(session, person, role, process, entity)
    if existing is None:
        raise NotFound("errors.role_not_held", role=Ref(f"roles.{role.value}"))
    if role is Role.SECRETARIAT and len(secretariat_user_ids(session)) == 1:
        raise Conflict("errors.last_secretariat")
    before = audit.snapshot(existing)
    session.delete(existing)
    audit.record(session, actor, "membership.revoke", subject_type="memberships", subject_id=existing.id,
                 before=before, after=None)
    _replan(session, role, process)


def _person(session: Session, slack_user_id: str, team_id: str | None, named_in: str | None) -> Person:
    if named_in and not team_id:
        return named_person(session, slack_user_id, named_in)
    return ensure_person(session, slack_user_id, team_id)


def _replan(session: Session, role: Role, process: Process | None) -> None:
    """Who is reminded follows who holds the role: the reminders area re-plans (bot/reminders/replan.py)."""
    role_changed(session, role, process.id if process is not None else None, utcnow())


def sync_secretariat(session: Session, slack_user_ids: list[str], actor: str = "SECRETARIAT_USERS") -> int:
    """Grant the secretariat role to each listed user who lacks it (read at every start)."""
    return sum(grant(session, actor, uid, Role.SECRETARIAT, if_missing=True) is not None
               for uid in slack_user_ids)


def parse_role(text: str) -> Role:
    wanted = text.strip().lower().replace("-", "_").replace(" ", "_")
    aliases = {"focal": Role.FOCAL_POINT, "fp": Role.FOCAL_POINT, "admin": Role.SECRETARIAT}
    if wanted in aliases:
        return aliases[wanted]
    try:
        return Role(wanted)
    except ValueError:
        raise Invalid("errors.unknown_role", role=text, roles=", ".join(r.value for r in Role)) from None
