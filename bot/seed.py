"""Bundled data: the UN entities (`consultbot seed`) and the console's demo workspace."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, Field
from sqlmodel import Session, select

from bot.documents.service import documents_of, import_version
from bot.entities.service import bundled_entities, get_entity, seed_entities
from bot.people.service import Profile, find_person, save_profile
from bot.processes.service import NewProcess, add_member, create_process
from bot.roles.service import grant
from storage.models import Entity, Person, Process, Role

DEMO_FILE = Path(__file__).resolve().parent / "data" / "demo.yaml"


class DemoPerson(Profile):
    secretariat: bool = False


class DemoFocalPoint(BaseModel):
    person: str
    entity: str


class DemoProcess(NewProcess):
    focal_points: list[DemoFocalPoint] = Field(default_factory=list)
    draft: str | None = None  # a file beside demo.yaml, imported as the process's first document


class DemoWorkspace(BaseModel):
    team_id: str
    people: list[DemoPerson]
    processes: list[DemoProcess]


def load_demo(path: Path = DEMO_FILE) -> DemoWorkspace:
    return DemoWorkspace.model_validate(yaml.safe_load(path.read_text("utf-8")))


def seed(session: Session) -> int:
    return seed_entities(session, bundled_entities(), keep_peoples_changes=True)


def seed_if_empty(session: Session) -> int:
    """The bundled entities when the database has none (a first start), else nothing: an operator's
    later edits and removals stay as they are."""
    if session.exec(select(Entity.id).limit(1)).first() is not None:
        return 0
    return seed(session)


def seed_demo(session: Session, demo: DemoWorkspace) -> None:
    """Entities, people, roles and processes of the demo; running it twice changes nothing."""
    seed(session)
    for person in demo.people:
        save_profile(session, Profile(**person.model_dump(exclude={"secretariat", "team_id"}), team_id=demo.team_id))
        if person.secretariat:
            grant(session, "demo", person.slack_user_id, Role.SECRETARIAT, if_missing=True)
    session.flush()
    actor = find_person(session, next(p for p in demo.people if p.secretariat).slack_user_id)
    for item in demo.processes:
        process = session.exec(select(Process).where(Process.handle == item.handle)).first()
        if process is None:
            request = NewProcess(**item.model_dump(exclude={"focal_points", "draft"}))
            process = create_process_unchecked(session, actor, request)
        for code in item.members:
            add_member(session, "demo", process, get_entity(session, code))
        for fp in item.focal_points:
            grant(session, "demo", fp.person, Role.FOCAL_POINT, process, get_entity(session, fp.entity),
                  if_missing=True)
        if item.draft and not documents_of(session, process):
            path = DEMO_FILE.parent / item.draft
            import_version(session, actor, process.handle, path.name, path.read_bytes())


def create_process_unchecked(session: Session, actor: Person, request: NewProcess) -> Process:
    """The demo's mandates lie in the past (2014): skip the date check, keep the rest."""
    request = request.model_copy()
    mandate_end, request.mandate_end = request.mandate_end, None
    process = create_process(session, actor, request)
    process.mandate_end = mandate_end
    return process
