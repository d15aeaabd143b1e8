"""A mapping survey cut into modal pages: pure, from the survey data, the answers so far and Slack's block
budget (the page arithmetic is the data call's: bot/hlcm/pages.per_page).

The grid pages come first: the targets of one group a page (split in parts when a group does not fit), each
target a line of its own and one input per question. Then the product pages: the products listed so far plus
BLANK_ROWS empty rows, ROWS_PER_PAGE rows a page. Filling every row of the last page brings more empty rows
(bot/slack/mapping.py asks for the page again), so an entity lists any number of products."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.hlcm.pages import VIEW_BLOCKS, per_page
from bot.mapping.survey import Survey, Target

CHROME = 4  # blocks a page adds around its inputs (bot/mapping/render.py: page_view)
BLOCKS_PER_PRODUCT = 5  # its heading and four inputs: title, type, link, topics
BLANK_ROWS = 3
ROWS_PER_PAGE = per_page(VIEW_BLOCKS, CHROME, BLOCKS_PER_PRODUCT)


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    title: str
    targets: tuple[Target, ...] = ()  # a grid page
    first: int = 0  # a products page: the number (1-based) of its first row
    rows: int = 0  # a products page: how many rows it shows

    @property
    def products(self) -> bool:
        return self.rows > 0

    @property
    def slots(self) -> range:
        return range(self.first, self.first + self.rows)


def grid_pages(survey: Survey) -> list[Page]:
    room = per_page(VIEW_BLOCKS, CHROME, 1 + len(survey.grid))
    pages: list[Page] = []
    for group, title in survey.groups.items():
        members = survey.in_group(group)
        for start in range(0, len(members), room):
            pages.append(Page(len(pages) + 1, title, tuple(members[start:start + room])))
    return pages


def paginate(survey: Survey, answers: dict[str, Any]) -> list[Page]:
    """The grid pages, then the products pages for what `answers` lists and BLANK_ROWS empty rows."""
    pages = grid_pages(survey)
    rows = len(answers.get("products") or ()) + BLANK_ROWS
    for first in range(1, rows + 1, ROWS_PER_PAGE):
        pages.append(Page(len(pages) + 1, "", first=first, rows=min(ROWS_PER_PAGE, rows - first + 1)))
    return pages
