"""Mapping surveys as data (bot/data/mapping-*.yaml), loaded and checked at start-up like the HLCM questionnaire.

A survey has a grid (questions asked per target: text fields and one `volunteer` choice, lead or facilitate)
and repeating rows (any number of tools or knowledge products, each with a title, a type, a link, topics).
A bad file fails start-up with one clear line (a CatalogError)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.hlcm.questionnaire import QuestionnaireError, read_tree

# bot/data unless CONSULTBOT_MAPPING_SURVEYS names another folder of mapping-*.yaml files
DATA_DIR = Path(os.environ.get("CONSULTBOT_MAPPING_SURVEYS") or Path(__file__).resolve().parents[1] / "data")
PATTERN = "mapping-*.yaml"
FIELD_TYPES = ("text", "choice")
VOLUNTEER = "volunteer"  # the grid field whose answer is "lead" or "facilitate"
VOLUNTEER_CHOICES = ("lead", "facilitate")
_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_TOP = {"id", "version", "title", "target_name", "target_names", "groups", "targets", "grid", "products"}


class SurveyError(QuestionnaireError):
    """A CatalogError: every entry point reports it as a bad text, one line, before serving."""


@dataclass(frozen=True)
class Target:
    id: str
    code: str
    group: str
    title: str

    @property
    def label(self) -> str:
        return f"{self.code}. {self.title}"


@dataclass(frozen=True)
class GridField:
    id: str
    label: str
    type: str
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Survey:
    id: str
    version: int
    title: str
    target_name: str
    target_names: str
    groups: dict[str, str]
    targets: tuple[Target, ...]
    grid: tuple[GridField, ...]
    types: dict[str, str]
    topics: dict[str, str]

    @property
    def target_ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.targets)

    def target(self, ident: str) -> Target:
        return {t.id: t for t in self.targets}[ident]

    def in_group(self, group: str) -> list[Target]:
        return [t for t in self.targets if t.group == group]

    @property
    def text_fields(self) -> tuple[GridField, ...]:
        return tuple(f for f in self.grid if f.type == "text")


def _text(raw: Any, where: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise SurveyError(f"{where} is missing")
    return raw.strip()


def _ident(raw: Any, where: str) -> str:
    if not isinstance(raw, str) or not _ID.match(raw):
        raise SurveyError(f"{where}: an id is lower-case letters, digits and underscores, not {raw!r}")
    return raw


def _labels(raw: Any, where: str, least: int = 1) -> dict[str, str]:
    if not isinstance(raw, dict) or len(raw) < least:
        raise SurveyError(f"{where} must map at least {least} key(s) to labels")
    return {_ident(k, where): _text(v, f"{where}: {k}") for k, v in raw.items()}


def _unique(idents: list[str], where: str) -> None:
    twice = sorted({i for i in idents if idents.count(i) > 1})
    if twice:
        raise SurveyError(f"{where}: {', '.join(twice)} defined twice")


def _items(raw: Any, where: str, what: str, listed: str):
    """(id, mapping) for each item of a list of mappings with ids."""
    if not isinstance(raw, list) or not raw:
        raise SurveyError(f"{where}: {listed} must be a list")
    for n, item in enumerate(raw, 1):
        if not isinstance(item, dict):
            raise SurveyError(f"{where}: {what} {n} must be a mapping")
        yield _ident(item.get("id"), f"{where}: {what} {n}"), item


def _targets(raw: Any, groups: dict[str, str], where: str) -> tuple[Target, ...]:
    found = []
    for ident, item in _items(raw, where, "target", "targets"):
        group = item.get("group")
        if group not in groups:
            raise SurveyError(f"{where}: {ident}: group {group!r} is not listed under groups")
        found.append(Target(ident, _text(str(item.get("code") or ""), f"{where}: {ident}: code"), group,
                            _text(item.get("title"), f"{where}: {ident}: title")))
    _unique([t.id for t in found], f"{where}: targets")
    return tuple(found)


def _grid(raw: Any, where: str) -> tuple[GridField, ...]:
    found = []
    for ident, item in _items(raw, where, "grid field", "grid (the questions asked per target)"):
        kind = item.get("type")
        if kind not in FIELD_TYPES:
            raise SurveyError(f"{where}: {ident}: type must be one of {', '.join(FIELD_TYPES)}")
        choices = tuple(_labels(item.get("choices"), f"{where}: {ident}: choices", 2).items()) \
            if kind == "choice" else ()
        found.append(GridField(ident, _text(item.get("label"), f"{where}: {ident}: label"), kind, choices))
    _unique([f.id for f in found], f"{where}: grid")
    volunteer = [f for f in found if f.id == VOLUNTEER]
    if not volunteer or tuple(k for k, _ in volunteer[0].choices) != VOLUNTEER_CHOICES:
        raise SurveyError(f"{where}: the grid needs a {VOLUNTEER} choice of {', '.join(VOLUNTEER_CHOICES)}")
    if not any(f.type == "text" for f in found):
        raise SurveyError(f"{where}: the grid needs at least one text field")
    return tuple(found)


def parse(tree: Any, path: Path) -> Survey:
    where = str(path)
    if not isinstance(tree, dict):
        raise SurveyError(f"{where}: must be a mapping")
    unknown = sorted(set(tree) - _TOP)
    if unknown:
        raise SurveyError(f"{where}: unknown field {', '.join(unknown)}")
    ident = _ident(tree.get("id"), where)
    version = tree.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int):
        raise SurveyError(f"{where}: version must be a whole number")
    groups = _labels(tree.get("groups"), f"{where}: groups")
    products = tree.get("products")
    if not isinstance(products, dict):
        raise SurveyError(f"{where}: products must give the types and topics of the products listed")
    return Survey(ident, version, _text(tree.get("title"), f"{where}: title"),
                  _text(tree.get("target_name"), f"{where}: target_name"),
                  _text(tree.get("target_names"), f"{where}: target_names"), groups,
                  _targets(tree.get("targets"), groups, where), _grid(tree.get("grid"), where),
                  _labels(products.get("types"), f"{where}: products: types"),
                  _labels(products.get("topics"), f"{where}: products: topics"))


def load(path: Path) -> Survey:
    return parse(read_tree(path, SurveyError, "the mapping survey"), path)


def load_all(directory: Path = DATA_DIR) -> dict[str, Survey]:
    found: dict[str, Survey] = {}
    for path in sorted(directory.glob(PATTERN)):
        survey = load(path)
        if survey.id in found:
            raise SurveyError(f"{path}: the survey {survey.id} is defined twice")
        found[survey.id] = survey
    if not found:
        raise SurveyError(f"{directory}: no mapping survey ({PATTERN})")
    return found


@lru_cache(maxsize=1)
def surveys() -> dict[str, Survey]:
    return load_all()
