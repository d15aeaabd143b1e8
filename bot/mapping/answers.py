"""An entity's answers to a mapping survey, checked against the survey: pure, no database.

Answers are {"grid": {target id: {field id: text or choice}}, "products": [{"title", "type", "link",
"topics"}]}. Every problem is an Invalid whose `field` says where it is ("t05.tools", "products.2.link"), so a
form can put it under its input; nothing is stored while one remains."""

from __future__ import annotations

import re
from typing import Any, Mapping

from bot.errors import Invalid
from bot.mapping.survey import Survey

TEXT_LIMIT = 1000
TITLE_LIMIT = 200
LINK_LIMIT = 500
PRODUCTS_LIMIT = 200
_LINK = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def _grid(survey: Survey, raw: Any, errors: list[Invalid]) -> dict[str, dict[str, str]]:
    grid: dict[str, dict[str, str]] = {}
    if raw is None:
        return grid
    if not isinstance(raw, Mapping):
        errors.append(Invalid("mapping.bad_answers", field="grid"))
        return grid
    fields = {f.id: f for f in survey.grid}
    for target_id, values in raw.items():
        if target_id not in survey.target_ids:
            errors.append(Invalid("mapping.unknown_target", field=str(target_id), target=str(target_id)[:40]))
            continue
        target = survey.target(target_id)
        kept: dict[str, str] = {}
        for field_id, value in (values or {}).items() if isinstance(values, Mapping) else ():
            where = f"{target_id}.{field_id}"
            field = fields.get(field_id)
            if field is None:
                errors.append(Invalid("mapping.unknown_field", field=where, name=str(field_id)[:40]))
                continue
            text = "" if value is None else str(value).strip()
            if not text:
                continue
            if field.type == "choice" and text not in dict(field.choices):
                errors.append(Invalid("mapping.not_a_choice", field=where, target=target.label, label=field.label,
                                      choices=", ".join(label for _, label in field.choices)))
            elif len(text) > TEXT_LIMIT:
                errors.append(Invalid("mapping.text_too_long", field=where, target=target.label, label=field.label,
                                      limit=TEXT_LIMIT))
            else:
                kept[field_id] = text
        if kept:
            grid[target_id] = kept
    return grid


def _topics(survey: Survey, raw: Any, where: str, errors: list[Invalid]) -> list[str]:
    if raw is None or raw == "":
        return []
    items = raw if isinstance(raw, list) else [w.strip() for w in str(raw).split(",")]
    topics = []
    for item in items:
        item = str(item).strip().lower()
        if not item:
            continue
        if item not in survey.topics:
            errors.append(Invalid("mapping.unknown_topic", field=where, topic=item[:40],
                                  known=", ".join(survey.topics)))
        elif item not in topics:
            topics.append(item)
    return topics


def _product(survey: Survey, raw: Any, n: int, errors: list[Invalid]) -> dict[str, Any] | None:
    where = f"products.{n}"
    if not isinstance(raw, Mapping):
        errors.append(Invalid("mapping.bad_answers", field=where))
        return None
    title = str(raw.get("title") or "").strip()
    kind = str(raw.get("type") or "").strip().lower()
    link = str(raw.get("link") or "").strip()
    if not (title or kind or link or raw.get("topics")):
        return None  # an empty row of the form
    before = len(errors)
    if not title:
        errors.append(Invalid("mapping.product_title_needed", field=f"{where}.title", number=n))
    elif len(title) > TITLE_LIMIT:
        errors.append(Invalid("mapping.product_title_too_long", field=f"{where}.title", number=n, limit=TITLE_LIMIT))
    if kind not in survey.types:
        errors.append(Invalid("mapping.unknown_type", field=f"{where}.type", number=n, value=kind[:40] or "—",
                              known=", ".join(survey.types)))
    if link and (len(link) > LINK_LIMIT or not _LINK.match(link)):
        errors.append(Invalid("mapping.bad_link", field=f"{where}.link", number=n))
    topics = _topics(survey, raw.get("topics"), f"{where}.topics", errors)
    if len(errors) > before:
        return None
    return {"title": title, "type": kind, "link": link, "topics": topics}


def parse_answers(survey: Survey, raw: Mapping[str, Any] | None,
                  first: int = 1) -> tuple[dict[str, Any], list[Invalid]]:
    """The answers cleaned (blank fields and empty product rows dropped) and every problem found; the products
    are numbered from `first` (a form page showing rows from the middle of the list)."""
    errors: list[Invalid] = []
    raw = raw or {}
    grid = _grid(survey, raw.get("grid"), errors)
    listed = raw.get("products") or []
    if not isinstance(listed, list):
        errors.append(Invalid("mapping.bad_answers", field="products"))
        listed = []
    if len(listed) > PRODUCTS_LIMIT:
        errors.append(Invalid("mapping.too_many_products", field="products", limit=PRODUCTS_LIMIT))
        listed = listed[:PRODUCTS_LIMIT]
    products = [p for n, item in enumerate(listed, first) if (p := _product(survey, item, n, errors)) is not None]
    return {"grid": grid, "products": products}, errors


def covers(answers: Mapping[str, Any] | None, target_id: str) -> bool:
    """An entity covers a target when it gave any answer for it (a text or a volunteer choice)."""
    return bool(((answers or {}).get("grid") or {}).get(target_id))


def volunteer(answers: Mapping[str, Any] | None, target_id: str) -> str | None:
    """"lead", "facilitate" or None."""
    return (((answers or {}).get("grid") or {}).get(target_id) or {}).get("volunteer")
