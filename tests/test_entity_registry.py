"""Scenario: the registry of UN entities — the bundled UN system, `consultbot entities import FILE.csv` (all or
nothing, problems by line) and `/consult entity add|rename|retire` through signed HTTP; a retired entity keeps its
history and drops out of what is asked next. SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import json

from sqlmodel import Session, select

from bot.entities.service import ENTITIES_FILE, bundled_entities
from storage.db import make_engine, session_scope
from storage.models import DataCall, Entity, ProcessEntity
from tests.bot_process import consultbot
from tests.conftest import SECRETARIAT

_n = itertools.count(1)


def _answer(slack) -> str:
    return json.dumps(slack.wait_for("response_url")[0].params, ensure_ascii=False)


def _ask(sender, slack, user: str, text: str) -> str:
    slack.reset()
    sender.command(user, text)
    return _answer(slack)


def test_the_bundled_registry_covers_the_un_system_an_emg_secretariat_deals_with():
    entities = {e.code: e for e in bundled_entities()}
    assert len(entities) >= 70  # EMG members, the GHG inventory's entities, the MEA secretariats
    for code in ("UNEP", "UNDP", "FAO", "WHO", "IMF", "UPU", "WIPO", "UNWTO", "ECA", "ECLAC", "ESCWA", "UNRWA",
                 "CTBTO", "PAHO", "UNSSC", "CBD", "CITES", "CMS", "BRS", "OZONE", "MINAMATA", "UNFCCC", "UNCCD",
                 "RAMSAR"):
        assert code in entities, code
    assert {e.timezone for e in entities.values() if e.duty_station == "Geneva"} == {"Europe/Zurich"}
    assert (entities["CBD"].duty_station, entities["CBD"].timezone) == ("Montreal", "America/Toronto")
    assert (entities["UNWTO"].duty_station, entities["ECLAC"].timezone) == ("Madrid", "America/Santiago")
    header = ENTITIES_FILE.read_text("utf-8").split("\n- ")[0]
    assert "unemg.org" in header and "Moving Towards a Climate Neutral UN" in header and "unsceb.org" in header


def test_the_secretariat_adds_renames_and_retires_an_entity_and_its_history_stays(sender, slack, new_user, engine,
                                                                                    framework):
    code = f"TEST-{next(_n)}{abs(hash(framework)) % 1000}"
    focal = new_user("Petra (UNIDO)")
    assert "secretariat" in _ask(sender, slack, focal, f"entity add {code} | Test entity | Geneva | Europe/Zurich")

    wrong_zone = _ask(sender, slack, SECRETARIAT, f"entity add {code} | Test entity | Geneva | Europe/Geneva")
    assert "Time zone" in wrong_zone and "Europe/Geneva" in wrong_zone
    assert "Code" in _ask(sender, slack, SECRETARIAT, "entity add un habitat | Test entity | Geneva | Europe/Zurich")
    assert "entity add CODE" in _ask(sender, slack, SECRETARIAT, f"entity add {code} Test entity Geneva")
    with Session(engine) as s:
        assert s.exec(select(Entity).where(Entity.code == code)).first() is None

    added = _ask(sender, slack, SECRETARIAT,
                 f"entity add {code.lower()} | Secretariat of the Test Convention | Geneva | Europe/Zurich")
    assert f"*{code}*" in added and "Secretariat of the Test Convention" in added
    assert "already an entity" in _ask(sender, slack, SECRETARIAT, f"entity add {code} | Again | Bonn | Europe/Berlin")

    renamed = _ask(sender, slack, SECRETARIAT, f"entity rename {code} Secretariat of the Renamed Test Convention")
    assert "Secretariat of the Renamed Test Convention" in renamed and "was Secretariat of the Test Convention" in renamed

    # its history: a member of the process, so it was asked in rounds and polls until now
    from bot.entities.service import get_entity
    from bot.processes.service import add_member, get_process, member_codes
    with session_scope(engine) as s:
        add_member(s, SECRETARIAT, get_process(s, framework), get_entity(s, code))
        assert code in member_codes(s, get_process(s, framework))

    retired = _ask(sender, slack, SECRETARIAT, f"entity retire {code}")
    assert "is retired" in retired
    assert "already retired" in _ask(sender, slack, SECRETARIAT, f"entity retire {code}")

    listed = _ask(sender, slack, focal, "entities")
    assert f"~{code}~" in listed and "retired" in listed and "*UNEP*" in listed
    with session_scope(engine) as s:
        entity = get_entity(s, code)
        assert entity.retired_at is not None and entity.name == "Secretariat of the Renamed Test Convention"
        process = get_process(s, framework)
        assert s.exec(select(ProcessEntity).where(ProcessEntity.entity_id == entity.id,
                                                  ProcessEntity.process_id == process.id)).first() is not None
        # new rounds, polls and meetings ask the members by default: the retired one is no longer among them
        assert code not in member_codes(s, process) and "UNEP" in member_codes(s, process)
        free_year = next(y for y in range(2000, 2100)
                         if s.exec(select(DataCall.id).where(DataCall.year == y)).first() is None)

    slack.reset()
    sender.command(SECRETARIAT, "new")
    new_process = json.dumps(slack.wait_for("views.open")[0].params["view"])
    assert f'"{code}"' not in new_process and '"UNEP"' in new_process
    slack.reset()
    sender.command(SECRETARIAT, f"datacall open {free_year}")
    datacall = json.dumps(slack.wait_for("views.open")[0].params["view"])
    assert f'"{code}"' not in datacall and '"UNEP"' in datacall


def test_entities_import_is_all_or_nothing_with_every_problem_by_line(private_database_url, tmp_path):
    env = {"DATABASE_URL": private_database_url}
    bad = tmp_path / "entities.csv"
    bad.write_text("code,name,duty_station,timezone\n"
                   "IRENA,International Renewable Energy Agency,Abu Dhabi,Asia/Dubai\n"
                   "GGGI,Global Green Growth Institute,Seoul,Asia/Seoul/Gangnam\n"
                   "irena,International Renewable Energy Agency,Masdar City,Asia/Dubai\n"
                   "Green fund,Green Climate Fund,Incheon,Asia/Seoul\n"
                   "UNEP,,Nairobi,Africa/Nairobi\n"
                   "SPREP,Secretariat of the Pacific Regional Environment Programme,Apia\n", encoding="utf-8")
    result = consultbot("entities", "import", str(bad), env=env, check=False)
    assert result.returncode == 1
    problems = result.stderr
    assert "nothing imported, 5 problem(s)" in problems
    assert "line 3: Time zone: `Asia/Seoul/Gangnam`" in problems
    assert "line 4: IRENA already appears on line 2" in problems
    assert "line 5: Code: `GREEN FUND`" in problems
    assert "line 6: Official name" in problems
    assert "line 7: 3 cells for 4 columns" in problems
    engine = make_engine(private_database_url)
    with Session(engine) as s:
        assert s.exec(select(Entity).where(Entity.code == "IRENA")).first() is None
        assert s.exec(select(Entity).where(Entity.code == "UNEP")).one().name == "United Nations Environment Programme"

    good = tmp_path / "good.csv"
    good.write_text("code,name,duty_station,timezone\n"
                    "IRENA,International Renewable Energy Agency,Abu Dhabi,Asia/Dubai\n"
                    "UNWTO,World Tourism Organization,Madrid,Europe/Madrid\n"
                    "UNEP,United Nations Environment Programme,Nairobi,Africa/Nairobi\n", encoding="utf-8")
    done = consultbot("entities", "import", str(good), env=env)
    assert "3 entities read, 2 added or updated" in done.stdout
    with Session(engine) as s:
        assert s.exec(select(Entity).where(Entity.code == "IRENA")).one().timezone == "Asia/Dubai"
        assert s.exec(select(Entity).where(Entity.code == "UNWTO")).one().name == "World Tourism Organization"
    engine.dispose()

    # `consultbot seed` again: the bundled list does not undo what the secretariat imported
    assert "entities: 0 added or updated" in consultbot("seed", env=env).stdout
    engine = make_engine(private_database_url)
    with Session(engine) as s:
        assert s.exec(select(Entity).where(Entity.code == "UNWTO")).one().name == "World Tourism Organization"
    engine.dispose()

    header = tmp_path / "header.csv"
    header.write_text("entity,name\nX,Y\n", encoding="utf-8")
    refused = consultbot("entities", "import", str(header), env=env, check=False)
    assert refused.returncode == 1 and "line 1: the first line must name the columns" in refused.stderr
