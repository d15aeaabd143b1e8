"""Scenario: a registry of 130 entities (the 76 bundled and 54 more), past the 100 options a static select
holds. The pickers of `/consult new`, `datacall open` and `mapping open` become external selects: typing asks
the bot (a signed `block_suggestion`) and it answers with the entities matching, so none is silently dropped;
the mapping's picker offers the process's members only; too many to preselect, left empty means all of them.
Its own bot on a private database (SQLite and PostgreSQL), so the other tests keep the bundled registry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.entities.service import EntityRecord, seed_entities
from bot.people.service import ensure_person
from bot.processes.service import NewProcess, create_process
from bot.roles.service import sync_secretariat
from storage.db import make_engine, session_scope
from storage.models import DataCall, Entity, Mapping, MappingResponse, Process, ProcessEntity
from storage.types import utcnow
from tests.bot_process import BotProcess
from tests.conftest import SECRETARIAT
from tests.slack_double_limits import view_errors
from tests.slack_requests import SlackSender, state

EXTRA = [EntityRecord(code=f"EXTRA-{n:03d}", name=f"Regional office number {n}", duty_station="Nairobi",
                      timezone="Africa/Nairobi") for n in range(1, 55)]


@pytest.fixture
def big_registry(bot_env, private_database_url, tmp_path, slack):
    engine = make_engine(private_database_url)
    with session_scope(engine) as s:
        seed_entities(s, EXTRA, actor=SECRETARIAT)
        codes = [e.code for e in s.exec(select(Entity).order_by(Entity.code)).all()]
        sync_secretariat(s, [SECRETARIAT])  # as `consultbot serve` does at start from SECRETARIAT_USERS
        create_process(s, ensure_person(s, SECRETARIAT), NewProcess(
            handle="img-everyone", kind="img", timezone="Europe/Zurich", title="Everyone", members=codes))
    assert len(codes) == 130
    server = BotProcess({**bot_env, "DATABASE_URL": private_database_url}, tmp_path / "serve.log").start()
    slack.reset()
    yield engine, SlackSender(server.url, slack.base_url)
    server.stop()
    engine.dispose()


def _opened(slack, callback: str) -> dict:
    return slack.wait_for("views.open", lambda c: c.params["view"]["callback_id"] == callback)[-1].params["view"]


def _values(answer) -> list[str]:
    return [o["value"] for o in answer.json()["options"]]


def test_pickers_past_100_entities_ask_as_the_person_types(big_registry, slack):
    engine, sender = big_registry
    # /consult new: no preselection, the picker asks
    sender.command(SECRETARIAT, "new")
    view = _opened(slack, "process.new")
    members = {b["block_id"]: b for b in view["blocks"]}["members"]
    assert view_errors(view) == [] and members["element"]["type"] == "multi_external_select"
    assert members["optional"] is False
    everything = _values(sender.suggest(SECRETARIAT, view, "members", ""))
    assert len(everything) == 100  # an empty query: the first 100, by code
    assert _values(sender.suggest(SECRETARIAT, view, "members", "extra-05")) == [f"EXTRA-{n:03d}"
                                                                                  for n in range(50, 55)]
    found = sender.suggest(SECRETARIAT, view, "members", "office number 54").json()["options"]
    assert found == [{"text": {"type": "plain_text", "text": "EXTRA-054 — Regional office number 54", "emoji": True},
                      "value": "EXTRA-054"}]
    assert _values(sender.suggest(SECRETARIAT, view, "members", "unep"))[0] == "UNEP"  # the code first
    assert _values(sender.suggest(SECRETARIAT, view, "other_menu", "unep")) == []  # not an entity picker
    answer = sender.submit_view(SECRETARIAT, view, {
        "handle": state("plain_text_input", "img-regions"), "kind": state("static_select", "img"),
        "title": state("plain_text_input", "Regional offices"), "timezone": state("plain_text_input", "Europe/Zurich"),
        "members": state("multi_external_select", ["UNEP", "EXTRA-054"])}, view_id="VNEWBIG")
    assert answer.status_code == 200 and not answer.content
    slack.wait_for("chat.postMessage", lambda c: "img-regions" in str(c.params))
    with Session(engine) as s:
        process = s.exec(select(Process).where(Process.handle == "img-regions")).one()
        kept = s.exec(select(Entity.code).join(ProcessEntity, ProcessEntity.entity_id == Entity.id)
                      .where(ProcessEntity.process_id == process.id)).all()
    assert sorted(kept) == ["EXTRA-054", "UNEP"]  # the 130th entity, beyond any 100-option cut

    # mapping open on a process of 130 members: too many to preselect, empty asks all of them
    slack.reset()
    sender.command(SECRETARIAT, "mapping open img-everyone aichi")
    view = _opened(slack, "mapping.open")
    entities = {b.get("block_id"): b for b in view["blocks"]}["entities"]
    assert view_errors(view) == [] and entities["element"]["type"] == "multi_external_select"
    assert entities["optional"] is True and "There are 130" in entities["hint"]["text"]
    assert _values(sender.suggest(SECRETARIAT, view, "entities", "EXTRA-001")) == ["EXTRA-001"]
    soon = (utcnow() + timedelta(days=30)).date().isoformat()
    assert not sender.submit_view(SECRETARIAT, view, {
        "deadline_date": state("datepicker", soon), "deadline_time": {"type": "timepicker", "selected_time": "17:00"},
        "timezone": state("plain_text_input", "Europe/Zurich")}, view_id="VMAPBIG").content
    slack.wait_for("chat.postMessage", lambda c: "is open" in str(c.params))
    with Session(engine) as s:
        mapping = s.exec(select(Mapping)).one()
        assert len(s.exec(select(MappingResponse).where(MappingResponse.mapping_id == mapping.id)).all()) == 130

    # the data call: the same picker, the same "empty means all"
    slack.reset()
    year = utcnow().year
    sender.command(SECRETARIAT, f"datacall open {year}")
    view = _opened(slack, "datacall.open")
    entities = {b.get("block_id"): b for b in view["blocks"]}["entities"]
    assert view_errors(view) == [] and entities["element"]["type"] == "multi_external_select"
    assert sender.submit_view(SECRETARIAT, view, {
        "deadline_date": state("datepicker", soon), "deadline_time": {"type": "timepicker", "selected_time": "17:00"},
        "timezone": state("plain_text_input", "Europe/Zurich"),
        "entities": state("multi_external_select", ["EXTRA-054", "WMO"])}, view_id="VCALLBIG").status_code == 200
    with Session(engine) as s:
        assert s.exec(select(DataCall).where(DataCall.year == year)).first() is not None
