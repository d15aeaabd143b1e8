"""Every sentence a person reads lives in prompts/<locale>/*.yaml.

Files hold nested mappings; a text's key is its path joined with dots
(`help.header`). Values use `{name}` placeholders. `load()` runs at start-up and
fails if a key the code uses is missing, if a translation names placeholders the
English text does not have, or if a file is not a mapping of strings.

Languages: prompts/<lang>/ (fr, es, zh, ru, ar beside en). prompts/languages.yaml lists the `complete` ones:
for those a missing key, a missing plural category or placeholders other than the English text's fail start-up;
a language present but not listed falls back to English key by key. Counted texts (`t_count`) hold one leaf per
CLDR plural category of the language (Babel): English `one`/`other`, Russian `one`/`few`/`many`/`other`,
Arabic `zero`/`one`/`two`/`few`/`many`/`other`, Chinese `other` only.
"""

from __future__ import annotations

import os
import re
import string
from collections import ChainMap
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from babel import Locale, UnknownLocaleError
from babel.numbers import NumberPattern, parse_pattern

import prompts
from bot.mrkdwn import DATE_AT_TIME, DateToken, Raw, escape

# The `prompts` package's own folder (a checkout or an installed wheel); CONSULTBOT_PROMPTS_DIR overrides it.
PROMPTS_DIR = Path(os.environ.get("CONSULTBOT_PROMPTS_DIR") or prompts.HERE)
BASE_LOCALE = "en"
DATA_DIRS = {"hlcm", "glossary"}  # folders of prompts/ that hold data (HLCM questionnaire, term lists), not a locale
LANGUAGES_FILE = "languages.yaml"  # prompts/languages.yaml: `complete: [en, ...]`
TEXT_FUNCTIONS = {"t", "t_plain", "Ref"}
COUNT_FUNCTIONS = {"t_count"}  # key.one / key.other, by the count
PLURAL_FORMS = ("one", "other")  # English's CLDR categories, the forms the code's keys are checked against
ERROR_CLASSES = {"DomainError", "NotAllowed", "NotFound", "Invalid", "Conflict"}
# Keys built at run time from a value; `load` checks each expansion exists.
DYNAMIC_KEYS = {
    "roles.{}": ("secretariat", "chair", "focal_point", "observer"),
    "process_kinds.{}": ("consultation", "img", "peer_review"),
    "process_status.{}": ("active", "closed"),
    "help.commands.{}": ("help", "whoami", "entities", "list", "join", "new", "grant", "revoke", "round",
                         "status", "inputs", "export", "doc", "import", "reminders", "mute",
                         "meetings", "action", "poll", "meeting", "meeting_manage", "hlcm", "datacall",
                         "digest", "entity", "language", "process_language"),
    "entities.bad_{}": ("code", "name", "duty_station", "timezone"),
    "join.decided_{}": ("approved", "declined"),
    "join.told_{}": ("approved", "declined"),
    "join.status_{}": ("approved", "declined"),
    "inputs.revision_status_{}": ("active", "withdrawn"),
    "reminders.skip.{}": ("stale", "all_answered", "all_submitted", "answered", "cancelled", "closed", "done", "muted",
                          "not_attending", "not_focal_point", "not_invited", "not_secretariat", "nothing_new",
                          "nothing_open", "outcomes_recorded", "process_closed", "replanned", "submitted",
                          "superseded", "switched_off", "unknown_kind", "poll_open", "poll_closed",
                          "poll_scheduled"),
    "reminders.failure.{}": ("gave_up", "too_many_attempts", "workspace_not_installed"),
    "console.fill_no_{}": ("person", "channel"),
    "errors.time_{}": ("nonexistent", "ambiguous"),
    "common.date_{}": ("at_time",),
    "rounds.status_{}": ("submitted", "nil", "pending", "late"),
    "rounds.reminder_{}": ("d14", "d7", "d2", "d1", "day", "h1"),
    "reminders.kind_{}": ("deadline", "escalation", "weekly", "other", "action", "meeting", "outcomes", "poll",
                          "datacall",
                          "datacall_escalation",
                          "digest"),
    "reminders.part_{}": ("scheduled", "sent", "failed"),
    "input_kinds.{}": ("general", "substantive", "editorial"),
    "dispositions.{}": ("accepted", "partially_accepted", "not_accepted", "noted"),
    "meetings.kind_{}": ("senior_officials", "img", "retreat", "peer_review", "other"),
    "meetings.attendance_{}": ("attending", "tentative", "not_attending"),
    "polls.answer_{}": ("yes", "if_need_be", "no"),
    "polls.status_{}": ("open", "closed", "scheduled"),
    "datacall.status_{}": ("submitted", "returned", "draft", "pending", "late"),
    "datacall.state_{}": ("open", "closed"),
    "digests.doc.source_{}": ("given", "last_digest", "default"),
    "digests.doc.round_status_{}": ("open", "closed"),
    "digests.doc.decision_kind_{}": ("mandate_extended", "group_closed", "document_approved", "action_item",
                                     "other"),
}


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's safe loader, ~10x faster, when PyYAML has it


class CatalogError(Exception):
    pass


_default = BASE_LOCALE  # DEFAULT_LOCALE's language, set at start (use_default_language); English until then


def use_default_language(locale: str) -> str:
    """DEFAULT_LOCALE (bot/settings.py checks it names a language with texts): the language of the command
    line, of documents asked for without --lang, and of people whose Slack locale is none the bot has texts
    for (and of anyone Slack gives no locale). English when unset."""
    global _default
    _default = language_of(locale)
    return _default


def default_language() -> str:
    return _default


def language_of(locale: str | None) -> str:
    """`fr-FR`, `fr_FR`, `FR` -> `fr`; None -> the default language (DEFAULT_LOCALE, else English)."""
    return (locale or _default).split("-")[0].split("_")[0].lower() or _default


@lru_cache(maxsize=64)
def babel_locale(language: str) -> Locale:
    """Babel's locale of a language we have texts for (English for one Babel does not know)."""
    try:
        return Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(BASE_LOCALE)


def plural_categories(language: str) -> tuple[str, ...]:
    """The CLDR plural categories of a language, in CLDR's order, `other` last."""
    order = ("zero", "one", "two", "few", "many")
    tags = babel_locale(language).plural_form.tags
    return tuple(c for c in order if c in tags) + ("other",)


def plural_category(count: float, language: str) -> str:
    return babel_locale(language).plural_form(count)


def read_complete(root: Path) -> tuple[str, ...]:
    path = root / LANGUAGES_FILE
    if not path.is_file():
        return (BASE_LOCALE,)
    try:
        tree = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path}: not valid YAML: {' '.join(str(exc).split())}") from None
    complete = tree.get("complete") if isinstance(tree, Mapping) else None
    if not isinstance(complete, list) or not all(isinstance(c, str) for c in complete):
        raise CatalogError(f"{path}: `complete` must list languages, such as [en, fr]")
    return tuple(dict.fromkeys([BASE_LOCALE, *complete]))


def _flatten(tree: Mapping[str, Any], prefix: str, path: Path) -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, full + ".", path))
        elif isinstance(value, str):
            flat[full] = value
        else:
            raise CatalogError(f"{path}: {full} must be a text, not {type(value).__name__}")
    return flat


def _placeholders(template: str, where: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}
    except ValueError as exc:
        raise CatalogError(f"{where}: {exc}") from None


def read_locale(directory: Path) -> dict[str, str]:
    texts: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        tree = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
        if not isinstance(tree, Mapping):
            raise CatalogError(f"{path}: must be a mapping of texts")
        prefix = "" if path.stem == "common" else f"{path.stem}."
        for key, value in _flatten(tree, prefix, path).items():
            if key in texts:
                raise CatalogError(f"{path}: {key} is defined twice")
            texts[key] = value
    return texts


_NAMES = "|".join(sorted(TEXT_FUNCTIONS | ERROR_CLASSES | COUNT_FUNCTIONS))
_LITERAL = r"(?:\"([^\"\\\n]*)\"|'([^'\\\n]*)')"
_CALL = re.compile(rf"(?<![\w])({_NAMES})\(\s*{_LITERAL}\s*[,)]")
_KEY = re.compile(rf"^\s*key\s*=\s*{_LITERAL}\s*$", re.M)


def keys_used_in_code(package_dir: Path) -> set[str]:
    """Literal keys passed to t()/t_plain()/Ref() (t_count(): both English forms), error classes, and error
    `key = "..."` attributes. A regular expression over the source, not a parse: start-up pays ~0.1 s, not ~1 s
    (tests/test_texts.py checks it finds exactly what a walk of the syntax trees finds)."""
    used: set[str] = set()
    for path in package_dir.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for match in _CALL.finditer(source):
            key = match.group(2) if match.group(2) is not None else match.group(3)
            if match.group(1) in COUNT_FUNCTIONS:
                used.update(f"{key}.{form}" for form in PLURAL_FORMS)
            else:
                used.add(key)
        used.update(a if a is not None else b for a, b in _KEY.findall(source))
    return used


def required_keys(package_dir: Path) -> set[str]:
    dynamic = {pattern.format(value) for pattern, values in DYNAMIC_KEYS.items() for value in values}
    return keys_used_in_code(package_dir) | dynamic


def _count_stems(base: Mapping[str, str]) -> set[str]:
    """The English counted texts: `key` for every `key.one` + `key.other` pair."""
    return {k[:-len(".other")] for k in base if k.endswith(".other") and k[:-len(".other")] + ".one" in base}


def _check_language(language: str, texts: Mapping[str, str], base: Mapping[str, set[str]], stems: set[str],
                    complete: bool) -> None:
    """A translation: only English keys, the language's plural categories, the English placeholders."""
    categories = plural_categories(language)
    for key, template in texts.items():
        stem, _, category = key.rpartition(".")
        if stem in stems:
            if category not in categories:
                raise CatalogError(f"{language}:{key}: {category!r} is not a plural category of {language} "
                                   f"(its categories: {', '.join(categories)})")
            expected = base[f"{stem}.one"] | base[f"{stem}.other"]
            needed = expected - {"count"}  # a form may spell its number out ("one entity", "two entities")
        elif key in base:
            expected = needed = base[key]
        else:
            raise CatalogError(f"{language}:{key} has no English original")
        found = _placeholders(template, f"{language}:{key}")
        if found - expected:
            raise CatalogError(f"{language}:{key} uses unknown placeholders {sorted(found - expected)}")
        if complete and needed - found:
            raise CatalogError(f"{language}:{key} lacks the placeholders {sorted(needed - found)} of the English text")
    if complete:
        missing = [k for k in base if k.rpartition(".")[0] not in stems and k not in texts]
        missing += [f"{stem}.{c}" for stem in sorted(stems) for c in categories if f"{stem}.{c}" not in texts]
        if missing:
            shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
            raise CatalogError(f"prompts/{language} is listed complete in {LANGUAGES_FILE} but lacks {shown}")


class Catalog:
    def __init__(self, locales: dict[str, dict[str, str]], complete: tuple[str, ...] = (BASE_LOCALE,)) -> None:
        self.locales = locales
        self.complete = complete

    @classmethod
    def load(cls, root: Path = PROMPTS_DIR, check_code: Path | None = Path(__file__).parent) -> "Catalog":
        if not (root / BASE_LOCALE).is_dir():
            raise CatalogError(f"{root / BASE_LOCALE}: the English texts are missing")
        locales = {d.name: read_locale(d) for d in sorted(root.iterdir())
                   if d.is_dir() and d.name not in DATA_DIRS and not d.name.startswith((".", "_"))}
        base = locales[BASE_LOCALE]
        placeholders = {key: _placeholders(template, f"{BASE_LOCALE}:{key}") for key, template in base.items()}
        complete = read_complete(root)
        for language in complete:
            if language not in locales:
                raise CatalogError(f"{root / LANGUAGES_FILE}: {language} is listed complete but prompts/{language} "
                                   "is missing")
        for language in locales:
            try:
                Locale.parse(language)
            except (UnknownLocaleError, ValueError):
                raise CatalogError(f"{root / language}: {language!r} is not a language code Babel knows") from None
        stems = _count_stems(base)
        for language, texts in locales.items():
            if language != BASE_LOCALE:
                _check_language(language, texts, placeholders, stems, language in complete)
        if check_code is not None:
            missing = sorted(required_keys(check_code) - set(base))
            if missing:
                raise CatalogError(f"texts missing from prompts/{BASE_LOCALE}: {', '.join(missing)}")
        return cls(locales, complete)

    def texts(self, language: str) -> Mapping[str, str]:
        """Every text of `language` by key, English for a key it lacks."""
        if language == BASE_LOCALE or language not in self.locales:
            return self.locales[BASE_LOCALE]
        return ChainMap(self.locales[language], self.locales[BASE_LOCALE])

    def template(self, key: str, locale: str | None) -> str:
        texts = self.locales.get(language_of(locale)) or self.locales.get(_default) or self.locales[BASE_LOCALE]
        if key in texts:
            return texts[key]
        return self.locales[BASE_LOCALE][key]

    def count_template(self, key: str, count: float, locale: str | None) -> str:
        """`key.<category>` of the count in the locale's language; English (its own category) if it lacks it."""
        language = language_of(locale)
        if language not in self.locales:
            language = _default
        texts = self.locales.get(language)
        if texts is not None:
            form = texts.get(f"{key}.{plural_category(count, language)}")
            if form is not None:
                return form
        return self.locales[BASE_LOCALE][f"{key}.{plural_category(count, BASE_LOCALE)}"]

    def count(self, key: str, count: int, locale: str | None, params: Mapping[str, Any]) -> str:
        """The plain text of `key` that agrees with `count` in the locale's language ({count} formatted in it)."""
        return self.render(key, locale, {"count": Number(count), **params}, mrkdwn=False,
                           template=self.count_template(key, count, locale))

    def render(self, key: str, locale: str | None, params: Mapping[str, Any], mrkdwn: bool,
               template: str | None = None) -> str:
        values = {name: self._value(value, locale, mrkdwn) for name, value in params.items()}
        return (template if template is not None else self.template(key, locale)).format_map(values)

    def languages(self) -> tuple[str, ...]:
        return tuple(self.locales)

    def _value(self, value: Any, locale: str | None, mrkdwn: bool) -> Any:
        """A value as the reader reads it: numbers in their language's digits, a date token's words in theirs."""
        if isinstance(value, Number):
            return value.shown(locale)
        if isinstance(value, Ref):
            return self.render(value.key, locale, value.params, mrkdwn)
        if isinstance(value, DateToken) and value.fmt == DATE_AT_TIME and language_of(locale) != BASE_LOCALE:
            return value.reworded(self.template("common.date_at_time", locale).format(date="{date_short_pretty}",
                                                                                      time="{time}"))
        return _safe(value) if mrkdwn else value

    def keys(self) -> Iterable[str]:
        return self.locales[BASE_LOCALE].keys()


def _safe(value: Any) -> Any:
    if isinstance(value, Raw) or not isinstance(value, str):
        return value
    return escape(value)


class Number(float):
    """A number given to a text as a value, shown in the reader's language when the text is rendered
    (`1,234.5` in English, `1 234,5` in French); a domain error carries these, not strings formatted in English.
    str() is the English form (logs, CLIs without a language)."""

    def __new__(cls, value: float, decimals: int = 0, signed: bool = False) -> "Number":
        number = super().__new__(cls, value)
        number.decimals, number.signed = decimals, signed
        return number

    def shown(self, locale: str | None) -> str:
        return format_number(float(self), locale, self.decimals, self.signed)

    def __str__(self) -> str:
        return self.shown(BASE_LOCALE)

    def __format__(self, spec: str) -> str:
        return str(self) if not spec else format(float(self), spec)


def languages() -> tuple[str, ...]:
    """The languages the bot has texts for, English first."""
    return (BASE_LOCALE, *sorted(code for code in catalog().locales if code != BASE_LOCALE))


def language_name(code: str, reader: str | None) -> str:
    """`French`, `français`, `法语`: a language's name (CLDR) in the reader's language."""
    name = babel_locale(code).get_display_name(babel_locale(reader_language(reader))) or code
    return name[:1].upper() + name[1:] if reader_language(reader) == BASE_LOCALE else name


class Ref(str):
    """A text given as a value to another text, rendered in the same reader's language (a role's name in a
    domain error raised before anyone knows who will read it). str() is its key."""

    def __new__(cls, key: str, /, **params: Any) -> "Ref":
        ref = super().__new__(cls, key)
        ref.key, ref.params = key, params
        return ref


def reader_language(locale: str | None) -> str:
    """The language a reader gets: theirs if the bot has its texts, else the default (DEFAULT_LOCALE, else
    English)."""
    wanted = language_of(locale)
    if wanted in catalog().locales:
        return wanted
    return _default if _default in catalog().locales else BASE_LOCALE


@lru_cache(maxsize=128)
def _pattern(language: str, kind: str, decimals: int, signed: bool) -> NumberPattern:
    """The language's own decimal (or percent) pattern, with exactly `decimals` digits after the point."""
    loc = babel_locale(language)
    pattern = parse_pattern((loc.percent_formats if kind == "percent" else loc.decimal_formats)[None].pattern)
    pattern.frac_prec = (decimals, decimals)
    if signed:
        pattern.prefix = ("+" + pattern.prefix[0], pattern.prefix[1])
    return pattern


def format_number(value: float, locale: str | None, decimals: int = 0, signed: bool = False,
                  kind: str = "decimal") -> str:
    """`value` rounded to `decimals` digits, grouped as the reader's language groups them (CLDR)."""
    language = reader_language(locale)
    return _pattern(language, kind, decimals, signed).apply(value, babel_locale(language))


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    return Catalog.load()


def t(key: str, locale: str | None = None, /, **params: Any) -> str:
    """A mrkdwn text: string values are escaped unless wrapped in mrkdwn.Raw."""
    return catalog().render(key, locale, params, mrkdwn=True)


def t_plain(key: str, locale: str | None = None, /, **params: Any) -> str:
    """A plain_text text (modal titles, buttons, console): nothing escaped."""
    return catalog().render(key, locale, params, mrkdwn=False)


def t_count(key: str, count: int, locale: str | None = None, /, **params: Any) -> str:
    """A plain text that agrees with `count`: `key.<CLDR category of count in the locale's language>`.

    {count} is the count formatted for the locale (`1 234` in French); pass count=... to give another value."""
    return catalog().count(key, count, locale, params)
