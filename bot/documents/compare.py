"""Section identity across versions, and what changed between two versions. Pure.

A new version's section takes the identity of a previous section, in this order:
1. a heading that matches (case, spacing and leading numbers ignored): "3.3 Stakeholder
   engagement" in v1 is "3.4 stakeholder engagement" in v2, renumbered;
2. a numbered paragraph (no heading) whose text is unchanged, wherever it moved;
3. a numbered paragraph reworded in place: between the same matched neighbours, the most
   similar unmatched paragraph (ratio >= 0.6), so "para 7" reworded and renumbered to
   "para 6" keeps its comments;
4. a numbered paragraph with the same number (the rule of last resort for paragraphs);
5. a renamed heading in place: between the same neighbours, same number or a body
   that is nearly the same (ratio >= 0.6);
otherwise a fresh identity: the section is new.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

SIMILAR = 0.6
CLOSE = 0.9  # similar enough to stop looking further away
WINDOW = 12  # in a long stretch without anchors, look this many sections either side
DIFF_LINES = 24
LEADING_NUMBER = re.compile(r"^\s*(?:§\s*)?(?:(?:\d+(?:\.\d+)*\.?|(?:[ivxlc]+|[a-z])[.)])\s+)+")


class SectionLike(Protocol):
    number: str
    heading: str
    text: str


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    RENUMBERED = "renumbered"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class SectionChange:
    kind: ChangeKind
    identity: str
    old_number: str | None
    new_number: str | None
    old_heading: str = ""
    new_heading: str = ""
    text: str = ""  # the newest text of the section (the old one when removed)
    text_changed: bool = False
    heading_changed: bool = False
    diff: tuple[str, ...] = ()

    @property
    def number(self) -> str:
        return self.new_number or self.old_number or ""

    @property
    def renumbered(self) -> bool:
        return bool(self.old_number and self.new_number and self.old_number != self.new_number)


def normalise_heading(heading: str) -> str:
    text = LEADING_NUMBER.sub("", " ".join(heading.casefold().split()))
    return text.strip(" .:;,-–—")


def normalise_text(text: str) -> str:
    return " ".join(text.split())


def similarity(a: str, b: str) -> float:
    """Word by word, so a reworded paragraph of 60 words costs little to compare."""
    matcher = difflib.SequenceMatcher(None, a.casefold().split(), b.casefold().split(), autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0
    return matcher.ratio()


class _Matcher:
    def __init__(self, previous: Sequence, current: Sequence[SectionLike]) -> None:
        self.old, self.new = previous, current
        self.pairs: dict[int, int] = {}  # new index -> old index
        self.free = set(range(len(previous)))

    def claim(self, i: int, j: int) -> None:
        self.pairs[i] = j
        self.free.discard(j)

    def unmatched(self, heads: bool, where: range | None = None) -> Iterator[int]:
        for i in where if where is not None else range(len(self.new)):
            if i not in self.pairs and bool(self.new[i].heading) == heads:
                yield i

    def candidates(self, heads: bool, where: range) -> list[int]:
        return [j for j in where if j in self.free and bool(self.old[j].heading) == heads]

    def pick(self, i: int, options: list[int]) -> None:
        if options:
            same = [j for j in options if self.old[j].number == self.new[i].number]
            self.claim(i, (same or options)[0])

    def gaps(self) -> Iterator[tuple[range, range]]:
        """Stretches between matched neighbours that kept their order."""
        anchors, last = [(-1, -1)], -1
        for i, j in sorted(self.pairs.items()):
            if j > last:
                anchors.append((i, j))
                last = j
        anchors.append((len(self.new), len(self.old)))
        for (n0, o0), (n1, o1) in zip(anchors, anchors[1:]):
            yield range(n0 + 1, n1), range(o0 + 1, o1)

    def match_in_gaps(self, heads: bool) -> None:
        for new_range, old_range in list(self.gaps()):
            for i in list(self.unmatched(heads, new_range)):
                near = old_range.start + (i - new_range.start)  # where it would stand in the old version
                window = range(max(old_range.start, near - WINDOW), min(old_range.stop, near + WINDOW + 1))
                options = sorted(self.candidates(heads, window), key=lambda j: abs(j - near))
                best = self._most_similar(i, options, heads)
                if best is not None:
                    self.claim(i, best)

    def _most_similar(self, i: int, options: list[int], heads: bool) -> int | None:
        best, score = None, SIMILAR
        for j in options:
            same_place = heads and self.old[j].number == self.new[i].number
            if not (self.new[i].text.strip() or same_place):
                continue
            ratio = 1.0 if same_place else similarity(self.old[j].text, self.new[i].text)
            if ratio >= CLOSE:
                return j
            if ratio >= score:
                best, score = j, ratio
        return best

    def _by(self, heads: bool, key: Callable[[SectionLike], str]) -> dict[str, list[int]]:
        index: dict[str, list[int]] = {}
        for j, section in enumerate(self.old):
            if bool(section.heading) == heads and key(section):
                index.setdefault(key(section), []).append(j)
        return index

    def match_by(self, heads: bool, key: Callable[[SectionLike], str]) -> None:
        index = self._by(heads, key)
        for i in list(self.unmatched(heads)):
            wanted = key(self.new[i])
            self.pick(i, [j for j in index.get(wanted, []) if j in self.free] if wanted else [])

    def run(self) -> dict[int, int]:
        self.match_by(True, lambda s: normalise_heading(s.heading))
        self.match_by(False, lambda s: normalise_text(s.text))
        self.match_in_gaps(heads=False)
        self.match_by(False, lambda s: s.number)
        self.match_in_gaps(heads=True)
        return self.pairs


def assign_identities(previous: Sequence, current: Sequence[SectionLike], fresh: Callable[[], str]) -> list[str]:
    """`previous` are stored sections (with `identity`); returns one identity per current section."""
    pairs = _Matcher(previous, current).run()
    return [previous[pairs[i]].identity if i in pairs else fresh() for i in range(len(current))]


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.;:!?])\s+|\n+", text) if s.strip()]


def text_diff(old: str, new: str, limit: int = DIFF_LINES) -> tuple[str, ...]:
    """Sentence by sentence, only what was taken out (-) and put in (+)."""
    lines = [f"{line[0]} {line[1:]}" for line in difflib.unified_diff(_sentences(old), _sentences(new),
                                                                        lineterm="", n=0)
             if line[:1] in "+-" and not line.startswith(("---", "+++"))]
    return tuple(lines[:limit] + (["…"] if len(lines) > limit else []))


def _change(old, new) -> SectionChange:
    text_changed = normalise_text(old.text) != normalise_text(new.text)
    heading_changed = " ".join(old.heading.split()) != " ".join(new.heading.split())
    if text_changed or heading_changed:
        kind = ChangeKind.CHANGED
    else:
        kind = ChangeKind.RENUMBERED if old.number != new.number else ChangeKind.UNCHANGED
    return SectionChange(kind, new.identity, old.number, new.number, old.heading, new.heading, new.text,
                         text_changed, heading_changed, text_diff(old.text, new.text) if text_changed else ())


def compare(old: Sequence, new: Sequence) -> list[SectionChange]:
    """Stored sections of two versions (with `identity`), matched by identity, in the new
    version's order; a removed section is listed after the section it used to follow."""
    old_by = {s.identity: s for s in old}
    new_ids = {s.identity for s in new}
    changes = [_change(old_by[s.identity], s) if s.identity in old_by else
               SectionChange(ChangeKind.ADDED, s.identity, None, s.number, "", s.heading, s.text) for s in new]
    at = {c.identity: i for i, c in enumerate(changes)}
    placed: list[tuple[float, SectionChange]] = [(float(i), c) for i, c in enumerate(changes)]
    anchor = -1.0
    for k, section in enumerate(old):
        if section.identity in new_ids:
            anchor = float(at[section.identity])
            continue
        removed = SectionChange(ChangeKind.REMOVED, section.identity, section.number, None, section.heading, "",
                                section.text)
        placed.append((anchor + 0.5 + k / (10 * (len(old) + 1)), removed))
    return [c for _, c in sorted(placed, key=lambda item: item[0])]
