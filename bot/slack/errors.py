"""The one error handler: a typed domain error becomes the person's message.

Listeners are wrapped with `guarded` so no exception reaches Bolt: Bolt 1.30's async runner
answers 404 to Slack when a listener fails within ~10 ms of its ack (it overwrites the ack),
and the person would see Slack's own error on top of ours.
"""

from __future__ import annotations

import inspect
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from bot.errors import DomainError
from bot.mrkdwn import date_token
from bot.slack.forms import StaleForm
from bot.slack.http_pool import answer
from bot.slack.reply import can_respond, dm
from bot.texts import t
from bot.timezones import local_text

log = logging.getLogger(__name__)


def message_params(params: dict[str, Any]) -> dict[str, Any]:
    """A domain error's moments (UTC datetimes) as Slack date tokens: each reader sees their own time."""
    return {k: date_token(v, local_text(v, "UTC")) if isinstance(v, datetime) else v for k, v in params.items()}


def field_params(params: dict[str, Any]) -> dict[str, Any]:
    """The same for a modal's field error, which is plain text: the moment in UTC, named."""
    return {k: local_text(v, "UTC") if isinstance(v, datetime) else v for k, v in params.items()}


async def report(error: Exception, kwargs: dict[str, Any]) -> None:
    context = kwargs.get("context") or {}
    locale = context.get("locale")
    if isinstance(error, ValidationError):
        # A listener builds its domain request from the payload: values that do not fit it did not come from the
        # form the bot sent (each field of a genuine form has the type the bot gave it). Refused as forged.
        fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in error.errors()[:5])
        error = StaleForm(what=f"form ({fields})")
    if isinstance(error, StaleForm):
        log.warning("refused a stale or forged %s from %s", error.params.get("what", "form"), context.get("user_id"))
    if isinstance(error, DomainError):
        text = t(error.key, locale, **message_params(error.params))
    else:
        error_id = uuid.uuid4().hex[:12]  # in the person's message and the log line: support finds one from the other
        log.exception("listener failed [error %s]", error_id, exc_info=error)
        text = t("errors.unexpected", locale, error_id=error_id)
    respond, client = kwargs.get("respond"), kwargs.get("client")
    try:
        if can_respond(respond):
            await answer(respond.response_url, client, {"text": text, "response_type": "ephemeral",
                                                        "replace_original": False})
        elif client is not None and context.get("user_id"):
            await dm(client, context["user_id"], text)
    except Exception:  # the person cannot be told; the log must say so
        log.exception("could not tell %s about %r", context.get("user_id"), error)


async def ack_or_raise(ack, error: DomainError, fields: dict[str, str], locale: str | None) -> None:
    """Ack a view submission that failed: an error tied to a field keeps the modal open with the
    message under that field (nothing typed is lost); any other error closes it and is raised."""
    block = fields.get(getattr(error, "field", None) or "")
    if block:
        await ack(response_action="errors", errors={block: t(error.key, locale, **field_params(error.params))})
        return
    await ack()
    raise error


NEEDED = ("ack", "respond", "client", "context")


def guarded(listener: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """Run the listener; any error goes to `report`.

    Bolt injects the arguments a listener's signature names (positional ones: it reads
    `getfullargspec(...).args`): the wrapper asks for the
    listener's own plus what reporting needs, and passes the listener only its own."""
    own = inspect.signature(listener)
    names = list(own.parameters)
    extra = [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in NEEDED if n not in names]

    async def run(**kwargs: Any) -> None:
        try:
            await listener(**{n: kwargs[n] for n in names})
        except Exception as error:  # noqa: BLE001 (every failure must reach the person)
            ack = kwargs.get("ack")
            if ack is not None and getattr(ack, "response", None) is None:
                await ack()  # Slack still needs its answer within 3 s
            await report(error, kwargs)

    run.__name__ = getattr(listener, "__name__", "listener")
    run.__signature__ = own.replace(parameters=[*own.parameters.values(), *extra])  # type: ignore[attr-defined]
    return run
