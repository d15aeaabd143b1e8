"""The questionnaire cut into modal pages: pure, from the questionnaire data and Slack's block budget.

A page holds the indicators of one group, in questionnaire order; a group with more indicators than a modal's
budget is split into parts. Each indicator is one input block; a page also carries a few blocks of its own
(where it is, the secretariat's question, problems to fix elsewhere), reserved as CHROME."""

from __future__ import annotations

from dataclasses import dataclass

from bot.hlcm.questionnaire import Indicator, Questionnaire

VIEW_BLOCKS = 100  # Slack's limit for a modal
CHROME = 5  # blocks a page adds around its inputs (bot/hlcm/render.py: page_view)
BLOCKS_PER_INDICATOR = 1


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    group: str
    title: str
    part: int  # 1-based, within the group
    parts: int
    indicators: tuple[Indicator, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.indicators)


def per_page(budget: int = VIEW_BLOCKS, chrome: int = CHROME, per_indicator: int = BLOCKS_PER_INDICATOR) -> int:
    room = (budget - chrome) // per_indicator
    if room < 1:
        raise ValueError("a page cannot hold a single indicator within that budget")
    return room


def paginate(q: Questionnaire, budget: int = VIEW_BLOCKS, chrome: int = CHROME) -> list[Page]:
    """Every indicator on exactly one page, groups in the order of `q.groups`, no page over the budget."""
    room = per_page(budget, chrome)
    cut: list[tuple[str, int, int, tuple[Indicator, ...]]] = []
    for group in q.groups:
        members = q.in_group(group)
        if not members:
            continue
        chunks = [tuple(members[i:i + room]) for i in range(0, len(members), room)]
        cut += [(group, n, len(chunks), chunk) for n, chunk in enumerate(chunks, 1)]
    return [Page(number, group, q.groups[group], part, parts, chunk)
            for number, (group, part, parts, chunk) in enumerate(cut, 1)]


def page_of(pages: list[Page], indicator_id: str) -> Page | None:
    for page in pages:
        if indicator_id in page.ids:
            return page
    return None
