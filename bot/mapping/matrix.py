"""The mapping's outputs as plain data: the matrix (entities x targets), the catalogue of products, who covers
and who volunteered for a target, and the gaps (targets nobody covers). Built from the answers that count
(submitted or returned); pure once loaded, so the exports and the Slack view read the same thing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from bot.mapping.answers import covers, volunteer
from bot.mapping.service import COUNTED, process_of, responses, survey_of
from bot.mapping.survey import Survey, Target
from storage.models import Mapping


@dataclass(frozen=True)
class Answered:
    code: str
    name: str
    answered: bool
    answers: dict[str, Any]


@dataclass(frozen=True)
class Product:
    entity: str
    title: str
    type: str
    link: str
    topics: tuple[str, ...]


@dataclass(frozen=True)
class Coverage:
    target: Target
    covering: tuple[str, ...]  # entity codes
    leads: tuple[str, ...]
    facilitators: tuple[str, ...]


@dataclass(frozen=True)
class MappingMatrix:
    survey: Survey
    process_title: str
    entities: tuple[Answered, ...]
    products: tuple[Product, ...] = field(default=())

    def cell(self, entity: Answered, target_id: str) -> str:
        """"lead", "facilitate", "covers" or "" (nothing for that target)."""
        return volunteer(entity.answers, target_id) or ("covers" if covers(entity.answers, target_id) else "")

    def given(self, entity: Answered, target_id: str) -> dict[str, str]:
        """What the entity answered for the target: {question id: text or choice}, {} when nothing."""
        return dict((entity.answers.get("grid") or {}).get(target_id) or {})

    def who_does_what(self, target_id: str) -> list[tuple[Answered, dict[str, str]]]:
        """The entities covering the target with their answers: those leading first, then facilitating, then the
        others, each in the matrix's order."""
        rank = {"lead": 0, "facilitate": 1}
        found = [(e, g) for e in self.entities if (g := self.given(e, target_id))]
        return sorted(found, key=lambda pair: rank.get(pair[1].get("volunteer", ""), 2))

    def coverage(self, target_id: str) -> Coverage:
        target = self.survey.target(target_id)
        cells = [(e.code, self.cell(e, target_id)) for e in self.entities]
        return Coverage(target, tuple(c for c, v in cells if v), tuple(c for c, v in cells if v == "lead"),
                        tuple(c for c, v in cells if v == "facilitate"))

    @property
    def gaps(self) -> list[Target]:
        return [t for t in self.survey.targets if not self.coverage(t.id).covering]

    def catalogue(self, kind: str | None = None, topic: str | None = None) -> list[Product]:
        return [p for p in self.products if (kind is None or p.type == kind) and (topic is None or topic in p.topics)]


def build(survey: Survey, process_title: str, rows: list[tuple[str, str, dict[str, Any] | None]]) -> MappingMatrix:
    """From (entity code, name, answers that count or None) in the order to show."""
    entities = tuple(Answered(code, name, answers is not None, answers or {}) for code, name, answers in rows)
    products = tuple(Product(e.code, p["title"], p["type"], p.get("link", ""), tuple(p.get("topics") or ()))
                     for e in entities for p in e.answers.get("products") or ())
    return MappingMatrix(survey, process_title, entities, products)


def load(session: Session, mapping: Mapping) -> MappingMatrix:
    rows = [(e.code, e.name, r.answers if r.status in COUNTED else None) for e, r in responses(session, mapping)]
    return build(survey_of(mapping), process_of(session, mapping).title, rows)
