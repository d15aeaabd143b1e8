"""Texts are data: checked at start-up, escaped where people typed them, translatable."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.mrkdwn import Raw
from bot.texts import PROMPTS_DIR, Catalog, CatalogError, catalog, t, t_count, t_plain

BOT = Path(__file__).resolve().parents[1] / "bot"


@pytest.fixture
def prompts_copy(tmp_path) -> Path:
    shutil.copytree(PROMPTS_DIR, tmp_path / "prompts")
    return tmp_path / "prompts"


def test_the_shipped_texts_cover_every_key_the_code_uses():
    assert Catalog.load(PROMPTS_DIR, check_code=BOT)


def test_a_missing_key_fails_at_start_not_in_front_of_a_user(prompts_copy):
    errors = prompts_copy / "en" / "errors.yaml"
    errors.write_text(errors.read_text().replace("unknown_entity:", "unknown_entity_renamed:"))
    with pytest.raises(CatalogError, match="errors.unknown_entity"):
        Catalog.load(prompts_copy, check_code=BOT)


def test_a_counted_text_agrees_with_its_count_and_both_forms_must_exist(prompts_copy):
    assert t_count("hlcm.narrative_neutral", 1) == "1 was climate neutral"
    assert t_count("hlcm.narrative_neutral", 0) == "0 were climate neutral"
    assert t_count("hlcm.narrative_missing", 2, codes="CBD, UNU") == "2 entities did not report: CBD, UNU."
    hlcm = prompts_copy / "en" / "hlcm.yaml"
    hlcm.write_text(hlcm.read_text().replace('  one: "1 was climate neutral"\n', ""))
    with pytest.raises(CatalogError, match="hlcm.narrative_neutral.one"):
        Catalog.load(prompts_copy, check_code=BOT)


def test_a_translation_is_used_for_its_locale_and_falls_back_to_english(prompts_copy):
    (prompts_copy / "fr").mkdir(exist_ok=True)  # the shipped French texts may be there already
    (prompts_copy / "fr" / "help.yaml").write_text('header: "consultbot — ce que vous pouvez faire"\n')
    texts = Catalog.load(prompts_copy, check_code=BOT)
    assert texts.render("help.header", "fr-FR", {}, mrkdwn=False).startswith("consultbot — ce que")
    assert texts.render("help.fallback", "fr-FR", {}, mrkdwn=False) == "The commands you can use."


def test_a_translation_with_an_unknown_placeholder_is_refused(prompts_copy):
    (prompts_copy / "fr").mkdir(exist_ok=True)  # the shipped French texts may be there already
    (prompts_copy / "fr" / "errors.yaml").write_text('unknown_entity: "Entité {entite} inconnue"\n')
    with pytest.raises(CatalogError, match="unknown placeholders"):
        Catalog.load(prompts_copy, check_code=BOT)


def test_values_typed_by_people_are_escaped_in_mrkdwn_but_the_bots_own_markup_is_not():
    text = t("errors.unknown_entity", None, code="<!channel> & <@U0SEC1>", suggestions=Raw("<@U0SEC1>"))
    assert "&lt;!channel&gt; &amp; &lt;@U0SEC1&gt;" in text
    assert "Closest codes: <@U0SEC1>" in text
    assert t_plain("errors.unknown_entity", None, code="<b>", suggestions="x").count("<b>") == 1


def test_no_user_facing_sentence_hides_in_python():
    """A crude guard: string literals in bot/ that look like sentences belong in prompts/."""
    import ast
    import re

    sentence = re.compile(r"^[A-Z][a-z]+( [a-z,']+){3,}[.!?]$")
    offenders = []
    for path in BOT.rglob("*.py"):
        if path.name == "settings.py":  # start-up errors name variables for operators, not users
            continue
        tree = ast.parse(path.read_text())
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and n.body and isinstance(n.body[0], ast.Expr)}
        for node in ast.walk(tree):
            if id(node) not in docstrings and isinstance(node, ast.Constant) and isinstance(node.value, str) and sentence.match(node.value):
                offenders.append(f"{path.relative_to(BOT)}: {node.value!r}")
    assert offenders == []


def test_catalog_is_loaded_once():
    assert catalog() is catalog()
