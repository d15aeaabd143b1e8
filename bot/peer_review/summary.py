"""The year's peer reviews as one document for the senior officials (CLI and Slack share it)."""

from __future__ import annotations

from sqlmodel import Session

from bot.errors import Invalid
from bot.exports.peer_review_docx import write_docx
from bot.peer_review.service import YEARS, reviews_of_year


def parse_year(text: str) -> int:
    text = str(text).strip()
    if not text.isdigit() or not YEARS[0] <= int(text) <= YEARS[1]:
        raise Invalid("peer_review.errors.year", field="year", low=YEARS[0], high=YEARS[1])
    return int(text)


def summary_docx(session: Session, year: str | int, language: str | None) -> tuple[bytes, int]:
    """The DOCX and the number of reviews it covers."""
    number = parse_year(str(year))
    reviews = reviews_of_year(session, number)
    return write_docx(number, reviews, language), len(reviews)
