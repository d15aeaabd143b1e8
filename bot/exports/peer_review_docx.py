"""The year's peer reviews for the senior officials' meeting, as a Word document: per entity reviewed, its topics,
the review body, the evidence, the report and its adoption, the recommendations with their owner, due date and
status, and the recommendations of its earlier reviews with where they stand now. Right to left for Arabic
(bot/exports/direction.py), every text in the reader's language (`peer_review.docx.*`)."""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.shared import Mm, Pt

from bot.exports.direction import docx_right_to_left
from bot.formatting import right_to_left
from bot.peer_review.service import Recommendation, ReviewView, open_recommendations
from bot.texts import t_plain

BODY_PT, TABLE_PT = 10, 9
COLUMNS_MM = (95, 25, 25, 25)  # the recommendation's text gets the room; owner, due date and status are short
FONT = "Arial"


def _topic(topic: str, locale: str | None) -> str:
    return t_plain(f"peer_review.topics.{topic}.title", locale)


def _adoption(v: ReviewView, locale: str | None) -> str:
    if v.adoption is None:
        return t_plain("peer_review.docx.not_adopted", locale)
    return t_plain("peer_review.docx.adopted", locale, title=v.adoption.document, version=v.adoption.version,
                   date=v.adoption.at.date().isoformat())


def _recommendations(doc, items: list[Recommendation], locale: str | None) -> None:
    if not items:
        doc.add_paragraph(t_plain("peer_review.docx.no_recommendations", locale))
        return
    grid = doc.add_table(rows=len(items) + 1, cols=4)
    grid.style = doc.styles["Table Grid"]
    grid.autofit = False
    for column, width in zip(grid.columns, COLUMNS_MM):
        column.width = Mm(width)
    head = [t_plain(f"peer_review.docx.col_{c}", locale) for c in ("recommendation", "owner", "due", "status")]
    for r, row in enumerate(grid.rows):
        values = head if r == 0 else [items[r - 1].item.text, items[r - 1].owner, items[r - 1].item.due.isoformat(),
                                      t_plain(f"peer_review.action_{items[r - 1].item.status}", locale)]
        for cell, value, width in zip(row.cells, values, COLUMNS_MM):
            cell.width = Mm(width)
            run = cell.paragraphs[0].add_run(value)
            run.font.size = Pt(TABLE_PT)
            run.bold = r == 0


def write_docx(year: int, reviews: list[ReviewView], locale: str | None = None) -> bytes:
    doc = Document()
    doc.styles["Normal"].font.size = Pt(BODY_PT)
    doc.styles["Normal"].font.name = FONT
    title = t_plain("peer_review.docx.title", locale, year=year)
    doc.core_properties.title = title
    doc.add_heading(title, level=1)
    adopted = sum(1 for v in reviews if v.adoption is not None)
    doc.add_paragraph(t_plain("peer_review.docx.intro", locale, year=year, count=len(reviews), adopted=adopted,
                              open=sum(open_recommendations(v.recommendations) for v in reviews)))
    if not reviews:
        doc.add_paragraph(t_plain("peer_review.docx.none", locale, year=year))
    for v in reviews:
        doc.add_heading(t_plain("peer_review.docx.review_heading", locale, entity=v.entity.code, name=v.entity.name,
                                year=v.review.year), level=2)
        doc.add_paragraph(t_plain("peer_review.docx.topics", locale,
                                  topics=", ".join(_topic(x, locale) for x in v.topics)))
        doc.add_paragraph(t_plain("peer_review.docx.body", locale, body=", ".join(v.body) or "—",
                                  experts=len(v.review.experts)))
        evidence = v.review.submitted_at
        doc.add_paragraph(t_plain("peer_review.docx.evidence", locale, date=evidence.date().isoformat())
                          if evidence else t_plain("peer_review.docx.no_evidence", locale))
        doc.add_paragraph(_adoption(v, locale))
        doc.add_heading(t_plain("peer_review.docx.recommendations", locale), level=3)
        _recommendations(doc, v.recommendations, locale)
        for earlier in v.earlier:
            doc.add_heading(t_plain("peer_review.docx.earlier", locale, year=earlier.review.year), level=3)
            _recommendations(doc, earlier.recommendations, locale)
    if right_to_left(locale):
        docx_right_to_left(doc)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()
