"""The questionnaire modal's pages, pure: from the questionnaire data and Slack's block budget.

Today's 13 indicators make one page per group; a synthetic questionnaire with a group of 250 indicators (a YAML
edit away) is split so no page passes the 100 blocks of a modal, and every indicator sits on exactly one page."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import yaml

from bot.hlcm import render
from bot.hlcm.pages import page_of, paginate
from bot.hlcm.questionnaire import QUESTIONNAIRE_FILE, parse, questionnaire
from bot.hlcm.service import EntityState
from bot.slack.blocks import fit_message
from bot.texts import catalog
from storage.models import DataCall, Entity
from tests.slack_double_limits import block_kit_errors, view_errors


def _large() -> object:
    tree = yaml.safe_load(QUESTIONNAIRE_FILE.read_text(encoding="utf-8"))
    texts = dict(catalog().texts("en"))  # the data in the data file, the texts beside the catalogue's
    tree["groups"].append("sites")
    texts["questionnaire.groups.sites.title"] = "Emissions by duty station"
    for n in range(250):
        tree["indicators"].append({"id": f"site_{n:03d}", "group": "sites", "type": "number", "min": 0,
                                   "max": 100000, "required": False})
        texts |= {f"questionnaire.indicators.site_{n:03d}.label": f"Duty station {n} emissions",
                  f"questionnaire.indicators.site_{n:03d}.unit": "tCO2e",
                  f"questionnaire.indicators.site_{n:03d}.help": "Where reported."}
    tree["indicators"].append({"id": "site_policy", "group": "sites", "type": "choice",
                               "choices": [f"c{i}" for i in range(5)]})
    texts["questionnaire.indicators.site_policy.label"] = "Duty station policy"
    texts |= {f"questionnaire.indicators.site_policy.choices.c{i}": f"Choice {i}" for i in range(5)}
    return parse(tree, Path("synthetic.yaml"), texts)


def _every_page(q, **page_args) -> list[dict]:
    pages = paginate(q)
    figures = {i.id: 1 if i.numeric else (next(iter(i.choices)) if i.choices else "yes") for i in q.indicators}
    return [render.page_view(p, len(pages), 2025, "UNEP", figures, None, **page_args) for p in pages]


def test_todays_questionnaire_is_one_page_per_group_in_order():
    q = questionnaire()
    pages = paginate(q)
    assert [p.group for p in pages] == list(q.groups)
    assert [p.number for p in pages] == list(range(1, len(q.groups) + 1))
    assert [i.id for p in pages for i in p.indicators] == [i.id for i in q.indicators]
    assert page_of(pages, "water").group == "resources"
    for view in _every_page(q):
        assert view_errors(view) == []


def test_a_group_larger_than_a_modal_is_split_and_no_page_passes_the_block_limit():
    q = _large()
    pages = paginate(q)
    placed = Counter(i.id for p in pages for i in p.indicators)
    assert set(placed) == {i.id for i in q.indicators} and set(placed.values()) == {1}  # each exactly once
    sites = [p for p in pages if p.group == "sites"]
    assert len(sites) == 3 and [p.part for p in sites] == [1, 2, 3] and {p.parts for p in sites} == {3}
    question = "Why did scope 2 fall? " * 80  # the longest returned question, and problems listed on top
    problems = [(1, "Scope 1 emissions is needed to submit."), (5, "Staff numbers: type a whole number.")]
    for view in _every_page(q, question=question[:2000], problems=problems):
        assert len(view["blocks"]) <= 100
        assert view_errors(view) == []
        assert "more_not_shown" not in str(view) and "not shown" not in str(view)  # nothing was cut off


def test_a_page_shows_units_help_choices_and_the_saved_figures():
    q = questionnaire()
    pages = paginate(q)
    view = render.page_view(pages[0], len(pages), 2025, "UNEP", {"scope1": 1250.5, "scope2": 3000}, None)
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    scope1 = blocks["figure:scope1"]
    assert scope1["label"]["text"] == "Scope 1 emissions (tCO2e)" and scope1["element"]["type"] == "plain_text_input"
    assert scope1["element"]["initial_value"] == "1250.5"
    assert blocks["figure:scope2"]["element"]["initial_value"] == "3000"
    assert "Direct emissions" in scope1["hint"]["text"]
    assert view["submit"]["text"] == "Save and next"
    management = render.page_view(pages[2], len(pages), 2025, "UNEP", {"strategy": "approved", "climate_neutral": True},
                                  None)
    blocks = {b.get("block_id"): b for b in management["blocks"]}
    assert [o["value"] for o in blocks["figure:strategy"]["element"]["options"]] == ["none", "drafting", "approved"]
    assert blocks["figure:strategy"]["element"]["initial_option"]["value"] == "approved"
    assert blocks["figure:climate_neutral"]["element"]["initial_option"]["value"] == "yes"
    last = render.page_view(pages[-1], len(pages), 2025, "UNEP", {}, None)
    assert last["submit"]["text"] == "Submit figures"


def test_the_status_of_seventy_entities_fits_one_message():
    call = DataCall(year=2025, deadline=datetime(2026, 3, 31, 15, tzinfo=timezone.utc), timezone="Europe/Zurich",
                    opened_by="U0SEC")
    kinds = ("submitted", "returned", "draft", "pending", "late")
    states = [EntityState(f"ENTITY-{n:02d}", f"Entity {n}", kinds[n % 5], 1 + n % 3) for n in range(70)]
    text, blocks = render.status(call, states, None)
    assert "14 of 70 entities submitted, 14 returned with a question, 14 with a draft, 14 pending, 14 late" in text
    assert len(blocks) <= 50 and fit_message(blocks) == blocks
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    shown = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    assert all(f"*ENTITY-{n:02d}*" in shown for n in range(70))
    assert view_errors({"type": "modal", "title": {"type": "plain_text", "text": "x"}, "blocks": blocks}) == []


def test_the_escalation_for_seventy_late_entities_fits_one_message():
    call = DataCall(year=2025, deadline=datetime(2026, 3, 31, 15, tzinfo=timezone.utc), timezone="Europe/Zurich",
                    opened_by="U0SEC")
    name = "United Nations Educational, Scientific and Cultural Organization & <partners>"
    missing = [Entity(code=f"ENTITY-{n:02d}", name=f"{name} {n}") for n in range(70)]
    returned = [Entity(code=f"BACK-{n:02d}", name="Returned") for n in range(20)]
    text, blocks = render.escalation(call, missing, returned, 95, None)
    assert "70 of 95 entities have not submitted" in text
    assert len(blocks) <= 50 and block_kit_errors(blocks) == []
    shown = "\n".join(b["text"]["text"] for b in blocks if b["type"] in ("section", "context") and "text" in b)
    shown += "\n".join(e["text"] for b in blocks if b["type"] == "context" for e in b["elements"])
    assert all(f"*ENTITY-{n:02d}* —" in shown for n in range(70))  # every one listed, none cut off
    assert "&amp; &lt;partners&gt;" in shown and "BACK-19" in shown and "datacall extend 2025" in shown
