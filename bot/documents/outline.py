"""From a draft's blocks (headings and paragraphs, in reading order) to numbered sections.

Numbering rules (one place, shared by the Markdown and the DOCX reader):
- A heading with its own number keeps it: "3.2 Scope" is section 3.2 ("3.2" is absolute).
  A one-part number ("2.", "II.", "A.") under a numbered heading is relative to it:
  "A. Background" under "II. Scope" is "II.A".
- A heading without a number is numbered by its place in the outline: 1, 1.1, 1.2, 2, ...
  (counting continues from the last explicit number at that level).
- A paragraph starting "14." or "14)" is "para 14"; one starting "3.2" is clause "3.2";
  "(a)" / "a)" items belong to the paragraph or heading above ("para 14 (a)"), and
  "(i)", "(ii)" under a lettered item nest once more ("para 14 (a) (i)").
- Text before the first heading or numbered paragraph is the "preamble".
- An explicit number used twice is refused (the draft is ambiguous: which "para 14"
  does a comment mean?). An outline number that would take a number the draft gives
  explicitly moves aside the way drafters insert paragraphs: "2 bis" (its subheadings
  follow: "2 bis.1"), then "2 ter", ...
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from bot.errors import Invalid

PREAMBLE = "preamble"
NUMBER_MAX = 32
HEADING_MAX = 500
INSERTED = ("bis", "ter", "quater", "quinquies", "sexies", "septies", "octies", "novies", "decies")

HEADING_NUMBER = re.compile(
    r"^(?:(?P<dotted>\d{1,3}(?:\.\d{1,3})+)\.?|(?P<single>\d{1,3}|[IVXL]{1,6}|[A-Z])[.)]|(?P<bare>\d{1,3}))"
    r"(?:\s+(?P<rest>\S.*))?$", re.S)
PARA_NUMBER = re.compile(r"^(?P<num>\d{1,3})[.)](?:\s+(?P<rest>\S.*))?$", re.S)
CLAUSE_NUMBER = re.compile(r"^(?P<num>\d{1,3}(?:\.\d{1,3})+)\.?(?:\s+(?P<rest>\S.*))?$", re.S)
SUB_ITEM = re.compile(r"^(?:\((?P<paren>[a-z]{1,6})\)|(?P<plain>[a-z]{1,6})[.)])(?:\s+(?P<rest>\S.*))?$", re.S)
ROMAN = re.compile(r"^(?=[ivxl]+$)(x{0,3}|xl|l)(ix|iv|v?i{0,3})$")


@dataclass(frozen=True)
class Block:
    """One paragraph of the source. `level` 1-9 is a heading, 0 body text."""

    text: str
    level: int = 0
    label: str = ""  # the list number Word shows before the text ("14.", "(a)", "3.2")
    title: bool = False  # Word's Title style
    plain: bool = False  # table text: never read as a numbered paragraph


@dataclass(frozen=True)
class ParsedSection:
    number: str
    heading: str
    text: str


@dataclass(frozen=True)
class ParsedDocument:
    title: str
    sections: tuple[ParsedSection, ...]


@dataclass
class _Draft:
    number: str
    heading: str = ""
    auto: bool = False
    parts: list[str] = field(default_factory=list)


@dataclass
class _Level:
    level: int
    number: str
    children: int = 0


def roman_value(marker: str) -> int | None:
    if not marker or not ROMAN.match(marker):
        return None
    values = {"i": 1, "v": 5, "x": 10, "l": 50}
    total = 0
    for here, after in zip(marker, marker[1:] + " "):
        value = values[here]
        total += -value if after != " " and values[after] > value else value
    return total


def _letter(marker: str) -> bool:
    return len(marker) == 1 or (len(marker) == 2 and marker[0] == marker[1])


def sub_item(text: str) -> re.Match | None:
    match = SUB_ITEM.match(text)
    if match is None:
        return None
    marker = match["paren"] or match["plain"]
    return match if _letter(marker) or roman_value(marker) else None


def is_numbered(text: str, interrupting: bool = False) -> bool:
    """Does this line open a numbered paragraph or item? In the middle of a paragraph only
    "14." and "(a)" do: a wrapped line may well start with "3.5 million" or "a)"."""
    item = sub_item(text)
    if interrupting:
        return bool(PARA_NUMBER.match(text) or (item and item["paren"]))
    return bool(PARA_NUMBER.match(text) or CLAUSE_NUMBER.match(text) or item)


class _Outline:
    def __init__(self, reserved: frozenset[str] = frozenset()) -> None:
        self.drafts: list[_Draft] = []
        self.stack: list[_Level] = []
        self.top = _Level(0, "")
        self.reserved = set(reserved)  # explicit numbers an outline number must not take
        self._reset_items(None)

    def _reset_items(self, parent: str | None) -> None:
        self.parent = parent  # what "(a)" hangs from: the last numbered paragraph or heading
        self.letter_item: str | None = None
        self.last_letter: str | None = None
        self.last_roman: int | None = None

    def _open(self, number: str, heading: str = "", auto: bool = False) -> _Draft:
        draft = _Draft(number, heading, auto)
        self.drafts.append(draft)
        return draft

    def append(self, text: str) -> None:
        if not self.drafts:
            self._open(PREAMBLE)
        self.drafts[-1].parts.append(text)

    def heading(self, level: int, text: str) -> None:
        while self.stack and self.stack[-1].level >= level:
            self.stack.pop()
        parent = self.stack[-1] if self.stack else self.top
        match = HEADING_NUMBER.match(text)
        if match:
            given = match["dotted"] or match["single"] or match["bare"]
            number = given if match["dotted"] or not parent.number else f"{parent.number}.{given}"
            heading, auto = match["rest"] or "", False
        else:
            step = str(parent.children + 1)
            number = f"{parent.number}.{step}" if parent.number else step
            heading, auto = text, True
            number = self._free(number)
        last = number.rsplit(".", 1)[-1]
        parent.children = int(last) if last.isdigit() else parent.children + 1
        self.stack.append(_Level(level, number))
        self._open(number, heading, auto)
        self._reset_items(number)

    def _free(self, number: str) -> str:
        base, n = number, 0
        while number in self.reserved:
            number = f"{base} {INSERTED[n]}" if n < len(INSERTED) else f"{base} ({n + 2})"
            n += 1
        self.reserved.add(number)
        return number

    def body(self, text: str) -> None:
        item = sub_item(text)
        if item is not None:
            self._open(self._item_number(item["paren"] or item["plain"])).parts.append(item["rest"] or "")
            return
        match = CLAUSE_NUMBER.match(text) or PARA_NUMBER.match(text)
        if match is None:
            self.append(text)
            return
        number = match["num"] if "." in match["num"] else f"para {match['num']}"
        self._open(number).parts.append(match["rest"] or "")
        self._reset_items(number)

    def _item_number(self, marker: str) -> str:
        value = roman_value(marker)
        roman = value is not None and (not _letter(marker) or (value == 1 and self.last_letter != "h")
                                       or (self.last_roman is not None and value == self.last_roman + 1))
        if roman:
            base, self.last_roman = self.letter_item or self.parent, value
            return f"{base} ({marker})" if base else f"({marker})"
        number = f"{self.parent} ({marker})" if self.parent else f"({marker})"
        self.letter_item, self.last_letter, self.last_roman = number, marker, None
        return number


def _walk(blocks: list[Block], reserved: frozenset[str] = frozenset()) -> list[_Draft]:
    outline = _Outline(reserved)
    for block in blocks:
        text = f"{block.label} {block.text.strip()}".strip()
        if block.level:
            outline.heading(block.level, _one_line(text))
        elif block.plain:
            outline.append(block.text.strip())
        else:
            outline.body(text)
    return outline.drafts


def _numbered(blocks: list[Block]) -> list[_Draft]:
    """Walk once; if an outline number took an explicit one, walk again with the explicit
    numbers reserved, so the outline number (and its children) move aside: "2 bis", "2 bis.1"."""
    drafts = _walk(blocks)
    if len({d.number for d in drafts}) < len(drafts):
        drafts = _walk(blocks, frozenset(d.number for d in drafts if not d.auto))
    repeated = [number for number, count in Counter(d.number for d in drafts).items() if count > 1]
    if repeated:
        raise Invalid("documents.number_repeated", number=repeated[0])
    for draft in drafts:
        if len(draft.number) > NUMBER_MAX:
            raise Invalid("documents.number_too_long", number=draft.number[:60], limit=NUMBER_MAX)
    return drafts


def split_title(blocks: list[Block]) -> tuple[str, list[Block]]:
    """Word's Title style; else a lone, unnumbered top heading that comes first."""
    for i, block in enumerate(blocks):
        if block.title:
            rest = [Block(b.text) if b.title else b for b in blocks[i + 1:]]
            return block.text, blocks[:i] + rest
    headings = [(i, b) for i, b in enumerate(blocks) if b.level]
    if not headings:
        return "", blocks
    top = min(b.level for _, b in headings)
    first_index, first = headings[0]
    lone = sum(1 for _, b in headings if b.level == top) == 1
    if first.level == top and lone and not first.label and not HEADING_NUMBER.match(first.text):
        return first.text, blocks[:first_index] + blocks[first_index + 1:]
    return "", blocks


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= HEADING_MAX else text[:HEADING_MAX - 1] + "…"


def build(blocks: list[Block]) -> ParsedDocument:
    """Sections from blocks; refuses an empty draft, or one without structure."""
    blocks = [b for b in blocks if b.text.strip() or b.label]
    if not blocks:
        raise Invalid("documents.empty")
    title, blocks = split_title(blocks)
    drafts = _numbered(blocks)
    if not any(d.number != PREAMBLE for d in drafts):
        raise Invalid("documents.no_structure")
    sections = tuple(ParsedSection(d.number, d.heading, "\n\n".join(p.strip() for p in d.parts).strip())
                     for d in drafts)
    return ParsedDocument(_one_line(title)[:300], sections)
