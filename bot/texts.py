"""Every sentence a person reads lives in prompts/<locale>/*.yaml.

Files hold nested mappings; a text's key is its path joined with dots
(`help.header`). Values use `{name}` placeholders. `load()` runs at start-up and
fails if a key the code uses is missing, if a translation names placeholders the
English text does not have, or if a file is not a mapping of strings.
"""

from __future__ import annotations

import ast
import os
import string
from collections import ChainMap
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

import prompts
from bot.mrkdwn import Raw, escape

# The `prompts` package's own folder (a checkout or an installed wheel); CONSULTBOT_PROMPTS_DIR overrides it.
PROMPTS_DIR = Path(os.environ.get("CONSULTBOT_PROMPTS_DIR") or prompts.HERE)
BASE_LOCALE = "en"
DATA_DIRS = {"hlcm"}  # folders of prompts/ that hold data (the HLCM questionnaire), not a locale
TEXT_FUNCTIONS = {"t", "t_plain"}
COUNT_FUNCTIONS = {"t_count"}  # key.one / key.other, by the count
PLURAL_FORMS = ("one", "other")
ERROR_CLASSES = {"DomainError", "NotAllowed", "NotFound", "Invalid", "Conflict"}
# Keys built at run time from a value; `load` checks each expansion exists.
DYNAMIC_KEYS = {
    "roles.{}": ("secretariat", "chair", "focal_point", "observer"),
    "process_kinds.{}": ("consultation", "img"),
    "process_status.{}": ("active", "closed"),
    "help.commands.{}": ("help", "whoami", "entities", "list", "join", "new", "grant", "revoke", "round",
                         "status", "inputs", "export", "doc", "import", "reminders", "mute",
                         "meetings", "action", "poll", "meeting", "meeting_manage", "hlcm", "datacall",
                         "digest", "entity"),
    "entities.bad_{}": ("code", "name", "duty_station", "timezone"),
    "join.decided_{}": ("approved", "declined"),
    "join.told_{}": ("approved", "declined"),
    "console.fill_no_{}": ("person", "channel"),
    "errors.time_{}": ("nonexistent", "ambiguous"),
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


class CatalogError(Exception):
    pass


def language_of(locale: str | None) -> str:
    """`fr-FR`, `fr_FR`, `FR` -> `fr`; None -> English."""
    return (locale or BASE_LOCALE).split("-")[0].split("_")[0].lower() or BASE_LOCALE


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
        tree = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(tree, Mapping):
            raise CatalogError(f"{path}: must be a mapping of texts")
        prefix = "" if path.stem == "common" else f"{path.stem}."
        for key, value in _flatten(tree, prefix, path).items():
            if key in texts:
                raise CatalogError(f"{path}: {key} is defined twice")
            texts[key] = value
    return texts


def keys_used_in_code(package_dir: Path) -> set[str]:
    """Literal keys passed to t()/t_plain() (t_count(): both forms) and error `key = "..."` attributes."""
    used: set[str] = set()
    for path in package_dir.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if name in TEXT_FUNCTIONS | ERROR_CLASSES and isinstance(node.args[0].value, str):
                    used.add(node.args[0].value)
                elif name in COUNT_FUNCTIONS and isinstance(node.args[0].value, str):
                    used.update(f"{node.args[0].value}.{form}" for form in PLURAL_FORMS)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name) and target.id == "key" and isinstance(node.value, ast.Constant):
                    used.add(node.value.value)
    return used


def required_keys(package_dir: Path) -> set[str]:
    dynamic = {pattern.format(value) for pattern, values in DYNAMIC_KEYS.items() for value in values}
    return keys_used_in_code(package_dir) | dynamic


class Catalog:
    def __init__(self, locales: dict[str, dict[str, str]]) -> None:
        self.locales = locales

    @classmethod
    def load(cls, root: Path = PROMPTS_DIR, check_code: Path | None = Path(__file__).parent) -> "Catalog":
        if not (root / BASE_LOCALE).is_dir():
            raise CatalogError(f"{root / BASE_LOCALE}: the English texts are missing")
        locales = {d.name: read_locale(d) for d in sorted(root.iterdir()) if d.is_dir() and d.name not in DATA_DIRS}
        base = locales[BASE_LOCALE]
        for key, template in base.items():
            _placeholders(template, f"{BASE_LOCALE}:{key}")
        for locale, texts in locales.items():
            for key, template in texts.items():
                if key not in base:
                    raise CatalogError(f"{locale}:{key} has no English original")
                extra = _placeholders(template, f"{locale}:{key}") - _placeholders(base[key], key)
                if extra:
                    raise CatalogError(f"{locale}:{key} uses unknown placeholders {sorted(extra)}")
        if check_code is not None:
            missing = sorted(required_keys(check_code) - set(base))
            if missing:
                raise CatalogError(f"texts missing from prompts/{BASE_LOCALE}: {', '.join(missing)}")
        return cls(locales)

    def texts(self, language: str) -> Mapping[str, str]:
        """Every text of `language` by key, English for a key it lacks."""
        if language == BASE_LOCALE or language not in self.locales:
            return self.locales[BASE_LOCALE]
        return ChainMap(self.locales[language], self.locales[BASE_LOCALE])

    def template(self, key: str, locale: str | None) -> str:
        texts = self.locales.get(language_of(locale)) or self.locales[BASE_LOCALE]
        if key in texts:
            return texts[key]
        return self.locales[BASE_LOCALE][key]

    def render(self, key: str, locale: str | None, params: Mapping[str, Any], mrkdwn: bool) -> str:
        values = {name: _safe(value) if mrkdwn else value for name, value in params.items()}
        return self.template(key, locale).format_map(values)

    def keys(self) -> Iterable[str]:
        return self.locales[BASE_LOCALE].keys()


def _safe(value: Any) -> Any:
    if isinstance(value, Raw) or not isinstance(value, str):
        return value
    return escape(value)


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
    """A plain text that agrees with `count`: `key.one` for 1, `key.other` otherwise; {count} is given."""
    form = "one" if count == 1 else "other"
    return catalog().render(f"{key}.{form}", locale, {"count": count, **params}, mrkdwn=False)
