"""The comment matrix as CSV (for spreadsheets) and Markdown (for wikis and plain-text mail).

CSV: UTF-8 with a byte-order mark so Excel reads the accents right, the header row and one
row per input, no title block. A cell starting with = + - @ gets a leading apostrophe, so a
spreadsheet shows it as text instead of running it as a formula ("CSV injection").

Markdown: the title, the title block as a list, then one table. In cells `|` is escaped,
line breaks become `<br>`, and & < > become entities, so `<!channel>` or `<script>` typed by
a person stays text in a Markdown renderer and in Slack.
"""

from __future__ import annotations

import csv
import io

from bot.exports.matrix_columns import COLUMNS, Labels, cells, clean, title, title_block
from bot.exports.matrix_model import Matrix

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t")
_MD_TABLE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "\\|", "\\": "\\\\", "\n": "<br>"})
_MD_LINE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\\": "\\\\"})
RIGHT_ALIGNED = {"no"}


def write_csv(matrix: Matrix, locale: str | None = None) -> bytes:
    labels = Labels(locale)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([labels.columns[c] for c in COLUMNS])
    writer.writerows([_csv_cell(v) for v in values] for values in cells(matrix, labels))
    return (BOM + out.getvalue()).encode("utf-8")


def _csv_cell(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_markdown(matrix: Matrix, locale: str | None = None) -> str:
    labels = Labels(locale)
    lines = [f"# {title(locale)}", ""]
    lines += [f"- {line.translate(_MD_LINE)}" for line in title_block(matrix, locale)]
    lines.append("")
    lines.append(_md_row(labels.columns[c] for c in COLUMNS))
    lines.append("| " + " | ".join("---:" if c in RIGHT_ALIGNED else "---" for c in COLUMNS) + " |")
    lines.extend(_md_row(values) for values in cells(matrix, labels))
    return "\n".join(lines) + "\n"


def _md_row(values) -> str:
    return "| " + " | ".join(clean(str(v)).strip().translate(_MD_TABLE) for v in values) + " |"
