"""The peer review's topics and evidence questions as data (bot/data/peer-review.yaml), loaded and checked at
start-up like the mapping surveys: ids and types here, what a person reads in prompts/<locale>/peer_review.yaml
(`peer_review.topics.<topic>.title`, `...questions.<question>.label`). A bad file fails with one line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.hlcm.questionnaire import QuestionnaireError, read_tree

DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "peer-review.yaml"
TYPES = ("text", "links")
TEXT_MAX = 2900  # a Slack plain_text_input holds 3,000 characters
LINKS_MAX = 10
_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
SLACK_FILES = "slack.com"  # https://<workspace>.slack.com/files/... : a file shared in Slack


class TopicsError(QuestionnaireError):
    """A CatalogError: every entry point reports it as a bad text, one line, before serving."""


@dataclass(frozen=True)
class Question:
    id: str
    type: str


@dataclass(frozen=True)
class Topics:
    choose: int
    required: tuple[str, ...]
    optional: tuple[str, ...]
    questions: dict[str, tuple[Question, ...]]
    link_hosts: tuple[str, ...]

    def covered(self, chosen: list[str] | None) -> list[str]:
        """The review's topics in order: the required ones, then those chosen."""
        return list(self.required) + [t for t in self.optional if t in (chosen or [])]


def _ids(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and _ID.match(v) for v in value):
        raise TopicsError(f"{where} must list ids (lower-case letters, digits, underscores)")
    return tuple(value)


def parse(tree: Any, path: Path) -> Topics:
    if not isinstance(tree, dict):
        raise TopicsError(f"{path}: must be a mapping")
    required = _ids(tree.get("required"), f"{path}: required")
    optional = _ids(tree.get("optional"), f"{path}: optional")
    if set(required) & set(optional):
        raise TopicsError(f"{path}: a topic is both required and optional")
    choose = tree.get("choose")
    if isinstance(choose, bool) or not isinstance(choose, int) or not 1 <= choose <= len(optional):
        raise TopicsError(f"{path}: choose must be a whole number from 1 to the optional topics' count")
    raw = tree.get("questions")
    if not isinstance(raw, dict) or set(raw) != set(required) | set(optional):
        raise TopicsError(f"{path}: questions must list the questions of every topic, and only those")
    questions = {}
    for topic, items in raw.items():
        if not isinstance(items, list) or not items:
            raise TopicsError(f"{path}: {topic}: questions must be a list")
        found = []
        for item in items:
            if not isinstance(item, dict) or not _ID.match(str(item.get("id", ""))) or item.get("type") not in TYPES:
                raise TopicsError(f"{path}: {topic}: each question needs an id and a type ({', '.join(TYPES)})")
            found.append(Question(item["id"], item["type"]))
        if len({q.id for q in found}) != len(found):
            raise TopicsError(f"{path}: {topic}: a question id is used twice")
        questions[topic] = tuple(found)
    hosts = tree.get("link_hosts") or []
    if not isinstance(hosts, list) or not all(isinstance(h, str) and h for h in hosts):
        raise TopicsError(f"{path}: link_hosts must list host names")
    return Topics(choose, required, optional, questions, tuple(h.lower() for h in hosts))


@lru_cache(maxsize=1)
def topics() -> Topics:
    return parse(read_tree(DATA_FILE, TopicsError, "the peer review's topics"), DATA_FILE)


def link_allowed(url: str, hosts: tuple[str, ...]) -> bool:
    """An https link to a file shared in Slack, or to a page of a host listed (or a subdomain of one)."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # a port that is no number raises
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() != "https" or not host or parts.username or parts.password:
        return False
    if host == SLACK_FILES or host.endswith("." + SLACK_FILES):
        return parts.path.startswith("/files/")
    return any(host == h or host.endswith("." + h) for h in hosts)
