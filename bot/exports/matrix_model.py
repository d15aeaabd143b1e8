"""The comment matrix as plain data: what the writers read and the re-import returns.

The caller (the round's queries) builds a `Matrix`; nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class MatrixRow:
    ref: str               # stable input id, e.g. "R2-UNIDO-3": the key of the Excel round trip
    entity_code: str       # "UNIDO"
    entity_name: str
    section_number: str    # "3.2", "para 14", or "" for general
    section_heading: str
    kind: str              # general | substantive | editorial
    comment: str
    proposed_text: str
    rationale: str
    disposition: str | None  # accepted | partially_accepted | not_accepted | noted | None
    response: str
    late: bool


@dataclass(frozen=True)
class Matrix:
    process_title: str
    document_title: str
    version_number: int
    round_number: int
    deadline_text: str     # already formatted by the caller (English), for a matrix without the moments below
    generated_at_text: str
    rows: list[MatrixRow] = field(default_factory=list)  # ordered by section then entity; numbered 1..n
    # the moments themselves and the round's zone: each export writes them in its reader's language
    deadline: datetime | None = None
    generated_at: datetime | None = None
    timezone: str = "UTC"


@dataclass(frozen=True)
class ResponseUpdate:
    """One row of a re-imported matrix whose disposition or response changed."""

    ref: str
    disposition: str       # always set: a response needs a disposition
    response: str
