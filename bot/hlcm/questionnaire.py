"""The HLCM questionnaire: indicators as data (prompts/hlcm/questionnaire.yaml), loaded and checked at start-up.

The data holds ids, types, bounds, precision and the groups' ids; what a person reads (labels, short headers,
units, help, the choices' labels, the groups' titles) is text, `questionnaire.*` in prompts/<locale>/, so it is
translated like any text. `questionnaire(locale)` is the questionnaire in that language (English for a key the
language lacks). A bad file or a missing English text fails start-up with one clear line, like the catalogue."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from collections.abc import Mapping
from typing import Any

import yaml

from bot.texts import BASE_LOCALE, PROMPTS_DIR, CatalogError, catalog, reader_language

# hlcm/questionnaire.yaml of the texts' folder (the `prompts` package unless CONSULTBOT_PROMPTS_DIR says)
QUESTIONNAIRE_FILE = Path(os.environ.get("CONSULTBOT_HLCM_QUESTIONNAIRE") or PROMPTS_DIR / "hlcm" / "questionnaire.yaml")
TYPES = ("number", "integer", "yes_no", "choice")
NUMERIC = ("number", "integer")
# The ids the compilation reads; the rest only appear in the annex.
REQUIRED_IDS = ("scope1", "scope2", "scope3_travel", "air_travel", "staff", "offsets", "climate_neutral", "strategy",
                "ems", "procurement_policy", "staff_trained")
# The choice values the HLCM counts read.
REQUIRED_CHOICES = {"strategy": ("none", "drafting", "approved"), "ems": ("none", "approaching", "met")}
_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_KNOWN = {"id", "group", "type", "min", "max", "choices", "required", "compare", "in_total", "part_of", "decimals"}
_MOVED = {"label", "unit", "help", "short"}  # texts: prompts/<locale>/questionnaire.yaml
TEXTS = "questionnaire"  # the catalogue file (and key prefix) of the questionnaire's texts


class QuestionnaireError(CatalogError):
    """A CatalogError, so every entry point reports it as it reports a bad text: one line, before serving."""


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    group: str
    type: str
    help: str = ""
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    choices: dict[str, str] = field(default_factory=dict)
    required: bool = True
    compare: bool = False
    in_total: bool = False
    part_of: str | None = None
    short: str = ""  # the column header of the annex (the label when empty)
    decimals: int = 0  # the precision the annex and the workbook show it at

    @property
    def numeric(self) -> bool:
        return self.type in NUMERIC


@dataclass(frozen=True)
class Questionnaire:
    version: int
    groups: dict[str, str]
    indicators: tuple[Indicator, ...]

    def get(self, indicator_id: str) -> Indicator:
        return self.by_id[indicator_id]

    @property
    def by_id(self) -> dict[str, Indicator]:
        return {i.id: i for i in self.indicators}

    @property
    def sources(self) -> list[Indicator]:
        """The emission sources summed into an entity's total, in questionnaire order."""
        return [i for i in self.indicators if i.in_total]

    def in_group(self, group: str) -> list[Indicator]:
        return [i for i in self.indicators if i.group == group]


def _number(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise QuestionnaireError(f"{where} must be a number")
    return float(value)


def _text(texts: Mapping[str, str], key: str, where: str, required: bool = True) -> str:
    value = texts.get(f"{TEXTS}.{key}")
    if value is None or not value.strip():
        if required:
            raise QuestionnaireError(f"{where}: the text {TEXTS}.{key} is missing from "
                                     f"prompts/{BASE_LOCALE}/{TEXTS}.yaml")
        return ""
    return value.strip()


def _indicator(raw: Any, n: int, groups: dict[str, str], path: Path, texts: Mapping[str, str]) -> Indicator:
    where = f"{path}: indicator {n}"
    if not isinstance(raw, dict):
        raise QuestionnaireError(f"{where} must be a mapping")
    ident = raw.get("id")
    if not isinstance(ident, str) or not _ID.match(ident):
        raise QuestionnaireError(f"{where}: id must be lower-case letters, digits and underscores, not {ident!r}")
    where = f"{path}: {ident}"
    moved = sorted(set(raw) & _MOVED)
    if moved:
        raise QuestionnaireError(f"{where}: {', '.join(moved)} are texts now: write them under "
                                 f"indicators.{ident} of prompts/{BASE_LOCALE}/{TEXTS}.yaml")
    unknown = sorted(set(raw) - _KNOWN)
    if unknown:
        raise QuestionnaireError(f"{where}: unknown field {', '.join(unknown)}")
    for name in ("group", "type"):
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            raise QuestionnaireError(f"{where}: {name} is missing")
    kind = raw["type"]
    if kind not in TYPES:
        raise QuestionnaireError(f"{where}: type must be one of {', '.join(TYPES)}, not {kind!r}")
    if raw["group"] not in groups:
        raise QuestionnaireError(f"{where}: group {raw['group']!r} is not listed under groups")
    low, high = _number(raw.get("min"), f"{where}: min"), _number(raw.get("max"), f"{where}: max")
    label = _text(texts, f"indicators.{ident}.label", where)
    unit = _text(texts, f"indicators.{ident}.unit", where, required=kind in NUMERIC) or None
    values = raw.get("choices") or []
    if not isinstance(values, list) or not all(isinstance(v, str) and _ID.match(v) for v in values) \
            or len(set(values)) != len(values):
        raise QuestionnaireError(f"{where}: choices must list distinct values (lower-case letters, digits, _)")
    choices = {v: _text(texts, f"indicators.{ident}.choices.{v}", where) for v in values}
    if kind in NUMERIC:
        if not isinstance(unit, str) or not unit.strip():
            raise QuestionnaireError(f"{where}: a {kind} needs a unit")
        if high is None:
            raise QuestionnaireError(f"{where}: a {kind} needs a max (it refuses absurd figures)")
        if low is not None and low > high:
            raise QuestionnaireError(f"{where}: min is above max")
        if choices:
            raise QuestionnaireError(f"{where}: a {kind} has no choices")
    else:
        if low is not None or high is not None or unit:
            raise QuestionnaireError(f"{where}: a {kind} has no unit or bounds")
    if kind == "choice":
        if len(choices) < 2:
            raise QuestionnaireError(f"{where}: choices must list at least two values")
    elif choices:
        raise QuestionnaireError(f"{where}: only a choice has choices")
    for name in ("required", "compare", "in_total"):
        if name in raw and not isinstance(raw[name], bool):
            raise QuestionnaireError(f"{where}: {name} must be true or false")
    decimals = raw.get("decimals", 0)
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 3:
        raise QuestionnaireError(f"{where}: decimals must be a whole number from 0 to 3")
    if decimals and kind != "number":
        raise QuestionnaireError(f"{where}: only a number has decimals")
    short = _text(texts, f"indicators.{ident}.short", where, required=False)
    if len(short) > 30:
        raise QuestionnaireError(f"{where}: {TEXTS}.indicators.{ident}.short must be at most 30 characters")
    if (raw.get("in_total") or raw.get("compare")) and kind not in NUMERIC:
        raise QuestionnaireError(f"{where}: only numbers can be compared or summed")
    return Indicator(id=ident, label=label, group=raw["group"], type=kind,
                     help=_text(texts, f"indicators.{ident}.help", where, required=False), unit=unit, min=low, max=high,
                     choices=dict(choices), required=raw.get("required", True),
                     compare=raw.get("compare", kind in NUMERIC), in_total=raw.get("in_total", False),
                     part_of=raw.get("part_of"), short=short.strip(), decimals=decimals)


def parse(tree: Any, path: Path, texts: Mapping[str, str] | None = None, check_units: bool = True) -> Questionnaire:
    """`texts`: flat catalogue keys (`questionnaire.indicators.scope1.label` ...); the English catalogue by default.
    `check_units`: units compared between indicators (on the English texts; a translation is checked once, for all)."""
    if texts is None:
        texts = catalog().texts(BASE_LOCALE)
    if not isinstance(tree, dict):
        raise QuestionnaireError(f"{path}: must be a mapping with groups and indicators")
    ids = tree.get("groups")
    if not isinstance(ids, list) or not ids or not all(isinstance(v, str) and _ID.match(v) for v in ids):
        raise QuestionnaireError(f"{path}: groups must list the groups' ids, in the form's order "
                                 f"(their titles are texts: groups.<id>.title of prompts/{BASE_LOCALE}/{TEXTS}.yaml)")
    groups = {g: _text(texts, f"groups.{g}.title", f"{path}: group {g}") for g in ids}
    raw = tree.get("indicators")
    if not isinstance(raw, list) or not raw:
        raise QuestionnaireError(f"{path}: indicators must be a list")
    indicators = [_indicator(item, n, groups, path, texts) for n, item in enumerate(raw, 1)]
    seen: set[str] = set()
    for indicator in indicators:
        if indicator.id in seen:
            raise QuestionnaireError(f"{path}: {indicator.id} is defined twice")
        seen.add(indicator.id)
    by_id = {i.id: i for i in indicators}
    for indicator in indicators:
        if indicator.part_of is not None:
            whole = by_id.get(indicator.part_of)
            if whole is None or not whole.numeric or (check_units and whole.unit != indicator.unit):
                raise QuestionnaireError(f"{path}: {indicator.id}: part_of must name a number in the same unit")
    missing = [i for i in REQUIRED_IDS if i not in by_id]
    if missing:
        raise QuestionnaireError(f"{path}: the compilation needs {', '.join(missing)}")
    for ident, values in REQUIRED_CHOICES.items():
        if tuple(by_id[ident].choices) != values:
            raise QuestionnaireError(f"{path}: {ident} must offer the choices {', '.join(values)}, in that order")
    units = {i.unit for i in indicators if i.in_total}
    if check_units and len(units) != 1:
        raise QuestionnaireError(f"{path}: the emission sources must share one unit")
    version = tree.get("version", 1)
    if not isinstance(version, int):
        raise QuestionnaireError(f"{path}: version must be a whole number")
    return Questionnaire(version=version, groups=dict(groups), indicators=tuple(indicators))


def read_tree(path: Path, error: type[CatalogError], what: str) -> Any:
    """A data file's YAML; missing or malformed: `error` with one line (the mapping surveys read theirs so too)."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{path}: {what} is missing") from None
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML: {' '.join(str(exc).split())}") from None


def load(path: Path = QUESTIONNAIRE_FILE, texts: Mapping[str, str] | None = None,
         check_units: bool = True) -> Questionnaire:
    return parse(read_tree(path, QuestionnaireError, "the HLCM questionnaire"), path, texts, check_units)


def questionnaire(locale: str | None = None) -> Questionnaire:
    """The questionnaire with its texts in the reader's language of `locale` (DEFAULT_LOCALE's when None or a
    language without texts)."""
    return _in_language(reader_language(locale))


@lru_cache(maxsize=8)
def _in_language(language: str) -> Questionnaire:
    return load(texts=catalog().texts(language), check_units=language == BASE_LOCALE)
