"""Documents as plain text (the terminal): an import's outcome and a change list."""

from __future__ import annotations

from collections import Counter

from bot.documents.compare import ChangeKind, SectionChange
from bot.texts import t_plain

LABEL_WORDS = 60
DIFF_INDENT = "      "


def label(heading: str, text: str) -> str:
    """A section's heading, or the start of its text for a numbered paragraph."""
    if heading.strip():
        return heading.strip()
    words = " ".join(text.split())
    return words if len(words) <= LABEL_WORDS else words[:LABEL_WORDS - 1].rstrip() + "…"


def summary(changes: list[SectionChange], locale: str | None = None) -> str:
    counts = Counter(c.kind for c in changes)
    return t_plain("documents.summary", locale, **{kind.value: counts.get(kind, 0) for kind in ChangeKind})


def change_line(change: SectionChange, locale: str | None = None) -> str:
    name = label(change.new_heading or change.old_heading, change.text)
    number = change.number
    if change.kind is ChangeKind.ADDED:
        line = t_plain("documents.change_added", locale, number=number, label=name)
    elif change.kind is ChangeKind.REMOVED:
        line = t_plain("documents.change_removed", locale, number=number, label=name)
    elif change.kind is ChangeKind.CHANGED:
        line = t_plain("documents.change_changed", locale, number=number, label=name)
    elif change.kind is ChangeKind.RENUMBERED:
        line = t_plain("documents.change_renumbered", locale, number=number, label=name)
    else:
        line = t_plain("documents.change_unchanged", locale, number=number, label=name)
    extras = []
    if change.renumbered:
        extras.append(t_plain("documents.change_was", locale, number=change.old_number))
    if change.heading_changed and change.old_heading:
        extras.append(t_plain("documents.change_heading_was", locale, heading=change.old_heading))
    return " ".join([line, *extras])


def change_lines(changes: list[SectionChange], locale: str | None = None, *, unchanged: bool = True,
                 diffs: bool = True) -> list[str]:
    lines = []
    for change in changes:
        if change.kind is ChangeKind.UNCHANGED and not unchanged:
            continue
        lines.append(change_line(change, locale))
        if diffs:
            lines.extend(DIFF_INDENT + line for line in change.diff)
    return lines
