"""A modal's submission acted on before its ack, in one transaction, so that every refusal keeps the modal: the
data call's and the mapping surveys' opening, pages and returns share it."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from bot.errors import DomainError
from bot.slack.errors import ack_or_raise


class Duplicate(Exception):
    """A second delivery of a submission already acted on: roll back whatever it started."""


async def act(ack, work: Awaitable[Any], fields: dict[str, str], locale: str | None) -> tuple[bool, Any]:
    """(True, what `work` gave) when the caller has still to ack; (False, None) when it was acked here: a
    duplicate (closed quietly) or a refusal (under its field when `fields` names one, else closed and raised)."""
    try:
        return True, await work
    except Duplicate:
        await ack()
    except DomainError as error:
        await ack_or_raise(ack, error, fields, locale)
    return False, None


async def ack_page(ack, errors: dict[str, str] | None, view: dict | None) -> bool:
    """A page of a paged form saved: its field errors shown, else the next page; False when the form is done and
    the caller acks (the peer review's evidence form; the data call's and the mapping's pages do the same)."""
    if errors:
        await ack(response_action="errors", errors=errors)
    elif view:
        await ack(response_action="update", view=view)
    else:
        return False
    return True
