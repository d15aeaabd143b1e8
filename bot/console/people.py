"""The demo's people as the console lists them: number, name, Slack ID and the roles they hold."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from bot.people.service import find_person
from bot.roles.service import RoleHeld, roles_of
from bot.seed import DemoPerson, DemoWorkspace
from bot.texts import t_plain
from storage.db import session_scope


def find(demo: DemoWorkspace, raw: str) -> DemoPerson | None:
    """A person by list number, Slack ID (any case, `<@U…>` too) or display name."""
    raw = raw.strip().strip("<>").lstrip("@")
    if raw.isdigit() and 1 <= int(raw) <= len(demo.people):
        return demo.people[int(raw) - 1]
    for person in demo.people:
        if raw.upper() == person.slack_user_id or raw.lower() == person.display_name.lower():
            return person
    return None


def role_text(role: RoleHeld) -> str:
    name = t_plain(f"roles.{role.role.value}")
    if role.process_handle and role.entity_code:
        return t_plain("console.role_entity", role=name, process=role.process_handle, entity=role.entity_code)
    if role.process_handle:
        return t_plain("console.role_process", role=name, process=role.process_handle)
    return name


def roles_summary(engine: Engine, user_id: str) -> str:
    with session_scope(engine) as session:
        person = find_person(session, user_id)
        roles = roles_of(session, person) if person else []
    return ", ".join(role_text(r) for r in roles) or t_plain("console.no_role")


def listing(engine: Engine, demo: DemoWorkspace, current: str | None = None) -> list[str]:
    lines = [t_plain("console.people_header")]
    for number, person in enumerate(demo.people, 1):
        mark = "*" if person.slack_user_id == current else " "
        lines.append(t_plain("console.person_line", mark=mark, number=number, name=person.display_name,
                             user=person.slack_user_id, roles=roles_summary(engine, person.slack_user_id)))
    return lines
