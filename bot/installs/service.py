"""What an uninstalled workspace leaves unreachable: the focal points whose Slack account lives there.

Knows nothing of Slack: a workspace is its team id, a person's workspace is `Person.team_id`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from bot import audit
from bot.roles.service import secretariat_people
from storage.models import Entity, Membership, Person, Process, ProcessStatus, Role


@dataclass(frozen=True)
class Unreachable:
    process: str  # handle
    entity: str  # code
    slack_user_id: str
    team_id: str | None = None


@dataclass(frozen=True)
class Removal:
    """A workspace's installation was removed: who can no longer be reached, and who should be told."""

    team_id: str | None
    enterprise_id: str | None
    unreachable: list[Unreachable]
    secretariat: list[tuple[str, str | None]]  # (slack user id, team id) of each secretariat member


def workspace_removed(session: Session, team_id: str | None, enterprise_id: str | None, reason: str) -> Removal:
    """Record the removal in the audit log; list the focal points of open processes in that workspace."""
    rows = session.exec(
        select(Process.handle, Entity.code, Person.slack_user_id)
        .join(Membership, Membership.person_id == Person.id)
        .join(Process, Process.id == Membership.process_id)
        .join(Entity, Entity.id == Membership.entity_id)
        .where(Membership.role == Role.FOCAL_POINT, Person.team_id == team_id, Process.status == ProcessStatus.ACTIVE)
        .order_by(Process.handle, Entity.code, Person.slack_user_id)).all() if team_id else []
    audit.record(session, f"slack:{team_id or enterprise_id}", f"installation.{reason}",
                 subject_type="installation", subject_id=team_id or enterprise_id, after={"team_id": team_id, "enterprise_id": enterprise_id, "unreachable": len(rows)})
    return Removal(team_id, enterprise_id, [Unreachable(*row) for row in rows],
                   [(p.slack_user_id, p.team_id) for p in secretariat_people(session)])


def home_team(session: Session) -> str | None:
    """The secretariat's workspace (that of the first secretariat member whose workspace is known)."""
    return next((p.team_id for p in secretariat_people(session) if p.team_id), None)


def unreachable_focal_points(session: Session, installed: tuple[frozenset[str], frozenset[str]],
                             process_id: int | None = None) -> list[Unreachable]:
    """Focal points of open processes (or of one) whose workspace has no installation, neither its own nor its
    Enterprise Grid org's (storage.installations.installed_workspaces): the bot cannot DM them, and chases them
    in the process channel. A person whose workspace is not known yet is reached through the secretariat's."""
    teams, orgs = installed
    query = (select(Process.handle, Entity.code, Person.slack_user_id, Person.team_id, Person.enterprise_id)
             .join(Membership, Membership.person_id == Person.id)
             .join(Process, Process.id == Membership.process_id)
             .join(Entity, Entity.id == Membership.entity_id)
             .where(Membership.role == Role.FOCAL_POINT, Process.status == ProcessStatus.ACTIVE, Person.team_id != "")
             .order_by(Process.handle, Entity.code, Person.slack_user_id))
    if process_id is not None:
        query = query.where(Process.id == process_id)
    return [Unreachable(handle, code, user, team) for handle, code, user, team, enterprise in session.exec(query).all()
            if team not in teams and enterprise not in orgs]
