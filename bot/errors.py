"""Typed domain errors. Each names a text key in prompts/ and the values it needs;
the Slack edge's one error handler turns them into the user's message."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    key = "errors.generic"

    def __init__(self, key: str | None = None, /, **params: Any) -> None:
        self.key = key or self.key
        self.params = params
        super().__init__(f"{self.key} {params}")


class NotAllowed(DomainError):
    """The actor lacks the role the action needs."""

    key = "errors.not_allowed"


class NotFound(DomainError):
    key = "errors.not_found"


class Invalid(DomainError):
    """Bad input. `field` names the modal field it belongs to, when there is one."""

    key = "errors.invalid"

    def __init__(self, key: str | None = None, /, field: str | None = None, **params: Any) -> None:
        super().__init__(key, **params)
        self.field = field


def title_problems(title: str, limit: int, field: str = "title") -> list[Invalid]:
    """A required one-line text of a modal (a title): empty, or longer than `limit` after trimming."""
    title = title.strip()
    if not title:
        return [Invalid("errors.field_empty", field=field)]
    if len(title) > limit:
        return [Invalid("errors.field_too_long", field=field, limit=limit)]
    return []


class Conflict(DomainError):
    """The thing exists already or was already decided (double clicks, retries)."""

    key = "errors.conflict"
