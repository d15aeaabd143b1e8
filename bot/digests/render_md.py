"""The digest as a Markdown document. In every text `&`, `<`, `>` become entities and `\\` is doubled
(in table cells `|` is escaped too, line breaks become `<br>`), so `<!channel>` or `<script>` typed by
a person stays text in any Markdown renderer and in Slack (as bot/exports/matrix_text.py does)."""

from __future__ import annotations

from bot.digests.document import Bullets, Heading, Outline, Para, Table, outline
from bot.digests.service import Digest
from bot.exports.matrix_columns import clean

_MD_TABLE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "\\|", "\\": "\\\\", "\n": "<br>"})
_MD_LINE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\\": "\\\\", "\n": " "})


def _line(text: str) -> str:
    return clean(text).translate(_MD_LINE)


def _cell(text: str) -> str:
    return clean(text).translate(_MD_TABLE)


def write_outline(doc: Outline) -> str:
    out = [f"# {_line(doc.title)}", ""]
    for part in doc.parts:
        if isinstance(part, Heading):
            out += [f"{'#' * min(part.level, 6)} {_line(part.text)}", ""]
        elif isinstance(part, Para):
            out += [_line(part.text), ""]
        elif isinstance(part, Bullets):
            out += [f"- {_line(item)}" for item in part.items] + [""]
        elif isinstance(part, Table):
            out.append("| " + " | ".join(_cell(c) for c in part.columns) + " |")
            out.append("|" + "|".join("---" for _ in part.columns) + "|")
            out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in part.rows]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def write_md(digest: Digest, locale: str | None = None) -> bytes:
    return write_outline(outline(digest, locale)).encode("utf-8")
