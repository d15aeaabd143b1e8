"""What the bot itself put in a modal's `private_metadata` or a button's `value`, as typed models.

Slack sends these back untouched, but a forged request (or a stale message from an older
version) can carry anything. The dispatcher (bot/slack/app.py) parses each one with the model
registered for its view or action before a listener runs; what does not parse is refused with
"this form or button is out of date or not yours" and nothing is saved.

Button values are short texts ("12", "12:UNEP", "2025:WMO") or JSON (the escalation's), a
modal's metadata is always JSON.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from bot.errors import DomainError
from bot.inputs.pages import InputFilter
from bot.slack import ids

Code = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9&.\-]*$")]
Handle = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")]
RowId = Annotated[int, Field(gt=0, lt=2**63)]
Year = Annotated[int, Field(ge=1990, le=2200)]


class StaleForm(DomainError):
    """A modal or button whose data the bot did not write (forged) or no longer understands."""

    key = "errors.stale_form"


class _Form(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


# ---- button values


class _Joined(_Form):
    """A button value whose fields are joined by ":" in the order they are declared ("12:UNEP"); the last
    ones may be missing where they are optional."""

    @model_validator(mode="before")
    @classmethod
    def _text(cls, raw: Any) -> Any:
        if not isinstance(raw, str):
            return raw
        names = list(cls.model_fields)
        return dict(zip(names, raw.split(":", len(names) - 1)))


class RowRef(_Joined):
    """A row's id: "12"."""

    id: RowId


class RowAndCode(_Joined):
    """A row's id and, for someone speaking for several entities, which one: "12" or "12:UNEP"."""

    id: RowId
    code: Code | None = None


class PollSlot(_Joined):
    """A poll and one of its slots: "3:17"."""

    poll: RowId
    slot: RowId


class YearAndCode(_Joined):
    """A data call's year and an entity: "2025:WMO"."""

    year: Year
    code: Code


class Escalation(_Form):
    """The escalation's Extend button: {"round": 12, "entities": ["WMO", "ILO"]}."""

    round: RowId
    entities: Annotated[list[Code], Field(max_length=300)] = []


class NoValue(_Form):
    """A button that carries nothing the bot reads."""

    @model_validator(mode="before")
    @classmethod
    def _anything(cls, raw: Any) -> Any:
        return {}


# ---- modal metadata


class ProcessMeta(_Form):
    process: Handle


class ChannelMeta(_Form):
    channel_id: Annotated[str, StringConstraints(max_length=64, pattern=r"^[A-Za-z0-9]*$")] | None = None


class InputMeta(_Form):
    round_id: RowId
    input_id: RowId | None = None


class ResponseMeta(_Form):
    input_id: RowId


class MatrixMeta(_Form):
    process: Handle
    round: RowId | None = None


class EscalationMeta(_Form):
    round: RowId
    process: Handle


class MeetingMeta(_Form):
    meeting: RowId


class AttendMeta(_Form):
    meeting: RowId
    entity: Code | None = None


class NewMeetingMeta(_Form):
    process: Handle
    poll_id: RowId | None = None
    slot_id: RowId | None = None


class BallotMeta(_Form):
    poll: RowId
    entity: Code


class YearMeta(_Form):
    year: Year


class YearEntityMeta(_Form):
    year: Year
    entity: Code


class PageMeta(_Form):
    year: Year
    entity: Code
    page: Annotated[int, Field(ge=0, le=1000)]


VALUES: dict[str, type[BaseModel]] = {
    ids.ACTION_JOIN_APPROVE: RowRef,
    ids.ACTION_JOIN_DECLINE: RowRef,
    ids.ACTION_OPEN_NEW_PROCESS: NoValue,
    ids.ACTION_INPUT_OPEN: RowAndCode,
    ids.ACTION_NIL_RETURN: RowAndCode,
    ids.ACTION_INPUT_EDIT: RowRef,
    ids.ACTION_INPUT_WITHDRAW: RowRef,
    ids.ACTION_INPUT_RESPOND: RowRef,
    ids.ACTION_INPUT_HISTORY: RowRef,
    ids.ACTION_REMIND_TOMORROW: RowRef,
    ids.ACTION_ESCALATION_EXTEND: Escalation,
    ids.ACTION_OUTCOMES_OPEN: RowRef,
    ids.ACTION_ITEM_DONE: RowRef,
    ids.ACTION_POLL_ANSWER: RowAndCode,
    ids.ACTION_POLL_SCHEDULE: PollSlot,
    ids.ACTION_MEETING_ATTENDING: RowAndCode,
    ids.ACTION_MEETING_TENTATIVE: RowAndCode,
    ids.ACTION_MEETING_NOT_ATTENDING: RowAndCode,
    ids.ACTION_DATACALL_FILL: YearAndCode,
    ids.ACTION_INPUTS_PREVIOUS: InputFilter,
    ids.ACTION_INPUTS_NEXT: InputFilter,
    ids.ACTION_INPUTS_UNANSWERED: InputFilter,
}
JSON_VALUES = {ids.ACTION_ESCALATION_EXTEND, ids.ACTION_INPUTS_PREVIOUS, ids.ACTION_INPUTS_NEXT,
               ids.ACTION_INPUTS_UNANSWERED}
METADATA: dict[str, type[_Form]] = {
    ids.VIEW_NEW_PROCESS: ChannelMeta,
    ids.VIEW_ROUND_OPEN: ProcessMeta,
    ids.VIEW_INPUT: InputMeta,
    ids.VIEW_RESPOND: ResponseMeta,
    ids.VIEW_DOC_IMPORT: ProcessMeta,
    ids.VIEW_MATRIX_IMPORT: MatrixMeta,
    ids.VIEW_ESCALATION_EXTEND: EscalationMeta,
    ids.VIEW_OUTCOMES: MeetingMeta,
    ids.VIEW_POLL_NEW: ProcessMeta,
    ids.VIEW_POLL_ANSWER: BallotMeta,
    ids.VIEW_MEETING_NEW: NewMeetingMeta,
    ids.VIEW_MEETING_ATTEND: AttendMeta,
    ids.VIEW_DATACALL_OPEN: YearMeta,
    ids.VIEW_DATACALL_CHOOSE: YearMeta,
    ids.VIEW_DATACALL_PAGE: PageMeta,
    ids.VIEW_DATACALL_REASONS: YearEntityMeta,
    ids.VIEW_DATACALL_RETURN: YearEntityMeta,
}


def register_value(action_id: str, model: type[BaseModel], as_json: bool = False) -> None:
    """An area that adds a button says what its value holds."""
    VALUES[action_id] = model
    if as_json:
        JSON_VALUES.add(action_id)


def register_metadata(callback_id: str, model: type[_Form]) -> None:
    METADATA[callback_id] = model


def parse_value(action_id: str, raw: str | None) -> BaseModel:
    model = VALUES[action_id]
    try:
        if action_id in JSON_VALUES:
            return model.model_validate_json(raw or "")
        return model.model_validate(raw or "")
    except ValidationError as exc:
        raise StaleForm(what=action_id) from exc


def parse_metadata(callback_id: str, raw: str) -> _Form:
    model = METADATA[callback_id]
    try:
        data = json.loads(raw or "{}")
    except ValueError as exc:
        raise StaleForm(what=callback_id) from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise StaleForm(what=callback_id) from exc


# ---- mapping surveys (bot/slack/mapping.py)

SurveyKey = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]


class MappingRef(_Joined):
    """A mapping and, for the Fill button, the entity: "img-biodiversity:aichi:CBD"."""

    process: Handle
    survey: SurveyKey
    code: Code | None = None


class MappingMeta(_Form):
    process: Handle
    survey: SurveyKey
    entity: Code | None = None


class MappingPageMeta(_Form):
    process: Handle
    survey: SurveyKey
    entity: Code
    page: Annotated[int, Field(ge=1, le=1000)]


register_value(ids.ACTION_MAPPING_FILL, MappingRef)
register_metadata(ids.VIEW_MAPPING_OPEN, MappingMeta)
register_metadata(ids.VIEW_MAPPING_PAGE, MappingPageMeta)
register_metadata(ids.VIEW_MAPPING_RETURN, MappingMeta)


# ---- peer reviews (bot/slack/peer_review.py)


class ReviewRef(_Joined):
    """The Send evidence button: the review's process, "unido-2014"."""

    process: Handle


class ReviewOpenMeta(_Form):
    process: Handle
    entity: Code
    year: Year


class ReviewPageMeta(_Form):
    process: Handle
    page: Annotated[int, Field(ge=1, le=100)]


register_value(ids.ACTION_REVIEW_EVIDENCE, ReviewRef)
register_metadata(ids.VIEW_REVIEW_OPEN, ReviewOpenMeta)
register_metadata(ids.VIEW_REVIEW_PAGE, ReviewPageMeta)
register_value(ids.ACTION_MAPPING_EXTEND, MappingRef)  # without the entity: the whole mapping
register_metadata(ids.VIEW_MAPPING_EXTEND, MappingMeta)
