"""Texts are data: checked at start-up, escaped where people typed them, translatable."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.mrkdwn import Raw
from bot.texts import PROMPTS_DIR, Catalog, CatalogError, catalog, read_locale, t, t_count, t_plain

BOT = Path(__file__).resolve().parents[1] / "bot"


@pytest.fixture
def prompts_copy(tmp_path) -> Path:
    """The shipped English texts and the data folders, without the translations: the mechanism's tests add the
    language files they need (the shipped catalogues are checked whole by the first test below)."""
    shutil.copytree(PROMPTS_DIR, tmp_path / "prompts")
    prompts = tmp_path / "prompts"
    for language in catalog().locales:
        if language != "en":
            shutil.rmtree(prompts / language)
    (prompts / "languages.yaml").write_text("complete: [en]\n", encoding="utf-8")
    return prompts


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


# ---- languages: CLDR plural categories, complete languages checked at start, formatting per language

RU_MISSING = """narrative_missing:
  one: "{count} организация не представила данные: {codes}."
  few: "{count} организации не представили данные: {codes}."
  many: "{count} организаций не представили данные: {codes}."
  other: "{count} организации не представили данные: {codes}."
"""
AR_MISSING = """narrative_missing:
  zero: "لم تقدم أي جهة تقريرا: {codes}."
  one: "جهة واحدة لم تقدم تقريرا: {codes}."
  two: "جهتان لم تقدما تقريرا: {codes}."
  few: "{count} جهات لم تقدم تقريرا: {codes}."
  many: "{count} جهة لم تقدم تقريرا: {codes}."
  other: "{count} جهة لم تقدم تقريرا: {codes}."
"""


def _language(prompts: Path, language: str, file: str, text: str) -> None:
    (prompts / language).mkdir(exist_ok=True)
    (prompts / language / file).write_text(text, encoding="utf-8")


def _complete(prompts: Path, *languages: str) -> None:
    (prompts / "languages.yaml").write_text(f"complete: [en, {', '.join(languages)}]\n", encoding="utf-8")


def _pseudo(prompts: Path, language: str) -> None:
    """Every English text of prompts/en/, marked, with one form per CLDR category of the language."""
    import yaml

    from bot.texts import plural_categories

    def walk(tree):
        if isinstance(tree, dict):
            if set(tree) == {"one", "other"}:
                return {c: f"[{language}] " + tree["other"] for c in plural_categories(language)}
            return {k: walk(v) for k, v in tree.items()}
        return f"[{language}] {tree}"

    for path in (prompts / "en").glob("*.yaml"):
        tree = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        _language(prompts, language, path.name, yaml.safe_dump(walk(tree), allow_unicode=True))


def test_russian_and_arabic_counts_take_their_cldr_plural_forms(prompts_copy):
    _language(prompts_copy, "ru", "hlcm.yaml", RU_MISSING)
    _language(prompts_copy, "ar", "hlcm.yaml", AR_MISSING)
    texts = Catalog.load(prompts_copy, check_code=BOT)
    forms = {(language, n): texts.count("hlcm.narrative_missing", n, language, {"codes": "CBD"})
             for language in ("ru", "ar") for n in (1, 2, 5, 21)}
    assert forms[("ru", 1)].startswith("1 организация ")  # one
    assert forms[("ru", 21)].startswith("21 организация ")  # one
    assert forms[("ru", 2)].startswith("2 организации ")  # few
    assert forms[("ru", 5)].startswith("5 организаций ")  # many
    assert forms[("ar", 1)].startswith("جهة واحدة") and forms[("ar", 2)].startswith("جهتان")  # one, two
    assert forms[("ar", 5)].startswith("5 جهات")  # few
    assert forms[("ar", 21)].startswith("21 جهة لم")  # many
    # a language present but not listed complete falls back to English key by key
    assert texts.render("help.fallback", "ru-RU", {}, mrkdwn=False) == "The commands you can use."
    assert texts.count("hlcm.narrative_neutral", 2, "ru", {}) == "2 were climate neutral"


def test_a_complete_language_must_have_every_key_every_plural_form_and_the_english_placeholders(prompts_copy):
    _pseudo(prompts_copy, "ru")
    _complete(prompts_copy, "ru")
    assert Catalog.load(prompts_copy, check_code=BOT).count("hlcm.narrative_missing", 5, "ru", {"codes": "X"}) \
        == "[ru] 5 entities did not report: X."
    import yaml

    hlcm = prompts_copy / "ru" / "hlcm.yaml"
    good = yaml.safe_load(hlcm.read_text(encoding="utf-8"))

    def mistake(change) -> str:
        tree = yaml.safe_load(yaml.safe_dump(good, allow_unicode=True))
        change(tree)
        return yaml.safe_dump(tree, allow_unicode=True)

    broken = {  # what a translator got wrong: what start-up says
        "a key missing": (mistake(lambda h: h.pop("not_whole")), "ru is listed complete .* lacks hlcm.not_whole"),
        "a plural form missing": (mistake(lambda h: h["narrative_missing"].pop("few")),
                                  "lacks hlcm.narrative_missing.few"),
        "a form Russian does not have": (mistake(lambda h: h["narrative_missing"].update(two="[ru] {count}")),
                                         "'two' is not a plural category of ru"),
        "a placeholder dropped": (mistake(lambda h: h.update(not_whole="[ru] type a whole number")),
                                  "hlcm.not_whole lacks the placeholders \\['label'\\]"),
        "a placeholder renamed": (mistake(lambda h: h.update(not_whole="[ru] {labl}")),
                                  "hlcm.not_whole uses unknown placeholders \\['labl'\\]"),
    }
    for what, (text, message) in broken.items():
        hlcm.write_text(text, encoding="utf-8")
        with pytest.raises(CatalogError, match=message):
            Catalog.load(prompts_copy, check_code=BOT)
    (prompts_copy / "languages.yaml").write_text("complete: [en]\n", encoding="utf-8")  # ru: not complete
    hlcm.write_text(mistake(lambda h: h.pop("not_whole")), encoding="utf-8")
    assert Catalog.load(prompts_copy, check_code=BOT).render("hlcm.not_whole", "ru", {"label": "X"}, False) \
        == "X: type a whole number."


def test_a_language_listed_complete_without_its_folder_fails_at_start(prompts_copy):
    _complete(prompts_copy, "fr")
    with pytest.raises(CatalogError, match="fr is listed complete but prompts/fr is missing"):
        Catalog.load(prompts_copy, check_code=BOT)


def test_numbers_dates_and_percentages_are_written_as_each_language_writes_them(monkeypatch):
    from datetime import date, datetime, timezone

    from bot import formatting, texts

    for language in ("fr", "es", "zh", "ar"):  # the catalogue knows the language (formatting follows the texts)
        monkeypatch.setitem(texts.catalog().locales, language, {})
    narrow = "\u202f"  # CLDR's French group separator, a narrow no-break space
    assert formatting.number(1234.5, "en", 1) == "1,234.5"
    assert formatting.number(1234.5, "fr-FR", 1) == f"1{narrow}234,5"
    assert formatting.number(12345.5, "es-ES", 1) == "12.345,5"
    assert formatting.number(100, "fr", signed=True) == "+100"
    assert formatting.percent(12.34, "en") == "12.3%" and formatting.percent(12.34, "fr") == "12,3\u00a0%"
    assert formatting.number(1234.5, "de-DE", 1) == "1,234.5"  # no German texts: English, like the texts
    assert formatting.date_text(date(2026, 12, 4), "en") == "2026-12-04"
    assert formatting.date_text(date(2026, 12, 4), "fr") == "4 déc. 2026"
    assert formatting.date_text(date(2026, 12, 4), "zh-CN") == "2026年12月4日"
    moment = datetime(2026, 12, 4, 16, 0, tzinfo=timezone.utc)
    assert formatting.datetime_text(moment, "Europe/Zurich", "en") == "2026-12-04 17:00 Europe/Zurich (CET)"
    assert formatting.datetime_text(moment, "Europe/Zurich", "fr") == "4 déc. 2026, 17:00 (Europe/Zurich)"
    assert formatting.right_to_left("ar") and not formatting.right_to_left("fr")
    assert t_count("hlcm.narrative_missing", 2000, "fr", codes="CBD").startswith(f"2{narrow}000 ")


def test_the_questionnaire_reads_in_the_language_of_its_catalogue(prompts_copy):
    import yaml

    from bot.hlcm.questionnaire import QUESTIONNAIRE_FILE, parse

    _language(prompts_copy, "fr", "questionnaire.yaml",
              "indicators:\n  scope1:\n    label: Émissions de scope 1\n    unit: t éq. CO2\n"
              "groups:\n  emissions:\n    title: Émissions de gaz à effet de serre\n")
    texts = Catalog.load(prompts_copy, check_code=BOT)
    tree = yaml.safe_load(QUESTIONNAIRE_FILE.read_text(encoding="utf-8"))
    french = parse(tree, QUESTIONNAIRE_FILE, texts.texts("fr"), check_units=False)
    assert (french.get("scope1").label, french.get("scope1").unit) == ("Émissions de scope 1", "t éq. CO2")
    assert french.groups["emissions"] == "Émissions de gaz à effet de serre"
    assert french.get("scope2").label == "Scope 2 emissions"  # not translated: English
    assert [i.id for i in french.indicators] == [i.id for i in parse(tree, QUESTIONNAIRE_FILE).indicators]


def _keys_by_syntax_tree(package_dir: Path) -> set[str]:
    """The reference: literal first arguments of the text functions and error classes, and `key = "..."`."""
    import ast

    from bot.texts import COUNT_FUNCTIONS, ERROR_CLASSES, PLURAL_FORMS, TEXT_FUNCTIONS

    used: set[str] = set()
    for path in package_dir.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                if name in TEXT_FUNCTIONS | ERROR_CLASSES:
                    used.add(node.args[0].value)
                elif name in COUNT_FUNCTIONS:
                    used.update(f"{node.args[0].value}.{form}" for form in PLURAL_FORMS)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                    and node.targets[0].id == "key" and isinstance(node.value, ast.Constant):
                used.add(node.value.value)
    return used


def test_the_start_up_key_scan_finds_what_the_syntax_trees_hold(tmp_path):
    from bot.texts import keys_used_in_code

    assert keys_used_in_code(BOT) == _keys_by_syntax_tree(BOT)
    (tmp_path / "sample.py").write_text(
        'from bot.texts import t, t_count\n'
        'def f(locale, name):\n'
        '    a = t(\n        "sample.multi_line", locale)\n'
        "    b = t_plain('sample.single', locale)\n"
        '    c = t_count("sample.counted", 2, locale)\n'
        '    d = t(name, locale)  # not a literal: DYNAMIC_KEYS lists those\n'
        'class Refused:\n    key = "sample.refused"\n', encoding="utf-8")
    assert keys_used_in_code(tmp_path) == _keys_by_syntax_tree(tmp_path) == {
        "sample.multi_line", "sample.single", "sample.counted.one", "sample.counted.other", "sample.refused"}


def test_each_glossary_maps_english_terms_to_the_established_terms_of_a_language_with_texts():
    """prompts/glossary/<lang>.yaml (the translators'): English term -> the UN term, or {term, note}."""
    import yaml

    glossaries = sorted((PROMPTS_DIR / "glossary").glob("*.yaml"))
    assert {path.stem for path in glossaries} == set(catalog().locales) - {"en"}  # one per translated language
    for path in glossaries:
        tree = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert path.stem in catalog().locales, f"{path}: no prompts/{path.stem}/ beside it"
        assert isinstance(tree, dict) and tree, f"{path}: a mapping of English terms"
        for english, entry in tree.items():
            # a plain term, or {term: …, note: …} (also written {<lang>: …, note: …})
            term = (entry.get("term") or entry.get(path.stem)) if isinstance(entry, dict) else entry
            assert isinstance(english, str) and isinstance(term, str) and term.strip(), f"{path}: {english!r}"


_HARAKAT = re.compile("[\u064b-\u0652\u0670\u0640]")  # Arabic short vowels, shadda, sukun, tatweel


def _plain(text: str) -> str:
    """A text as a glossary term is looked for in it: lower case, Arabic written without its diacritics."""
    return _HARAKAT.sub("", text).lower()


def test_each_catalogue_uses_its_glossarys_terms_and_none_it_says_to_avoid():
    """A glossary entry may list `avoid` (variants the translators ruled out: fr «point focal», ru «организация»
    for an entity, the letter ё) and `use` (the forms of its term that must appear, for a term written with
    alternatives or a note). No text of the language (questionnaire included) holds an avoided variant; each
    `use` form is in one."""
    import yaml

    for path in sorted((PROMPTS_DIR / "glossary").glob("*.yaml")):
        language = path.stem
        texts = [_plain(value) for value in read_locale(PROMPTS_DIR / language).values()]
        for english, entry in yaml.safe_load(path.read_text(encoding="utf-8")).items():
            if not isinstance(entry, dict):
                continue
            for variant in entry.get("avoid", []):
                hits = [text for text in texts if _plain(variant) in text]
                assert not hits, f"{path.name}: {english!r} says to avoid {variant!r}, yet: {hits[:3]}"
            for form in entry.get("use", []):
                assert any(_plain(form) in text for text in texts), f"{path.name}: {english!r}: {form!r} unused"
