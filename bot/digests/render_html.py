"""The digest as one standalone HTML page (inline CSS, no scripts, no external resources). Every
text, labels included, goes through `html.escape`, so what a person typed is shown, never run."""

from __future__ import annotations

from html import escape

from bot.digests.document import Bullets, Heading, Outline, Para, Table, outline
from bot.digests.service import Digest
from bot.exports.matrix_columns import clean
from bot.formatting import language, right_to_left

STYLE = ("body{font-family:Calibri,Arial,sans-serif;max-width:60em;margin:2em auto;color:#222}"
         "table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #999;padding:.2em .5em;"
         "text-align:left;vertical-align:top}th{background:#d9d9d9}")


def _e(text: str) -> str:
    return escape(clean(text), quote=True)


def write_outline(doc: Outline, lang: str = "en", rtl: bool = False) -> str:
    direction = ' dir="rtl"' if rtl else ""
    out = ["<!DOCTYPE html>", f'<html lang="{_e(lang)}"{direction}>', "<head>", '<meta charset="utf-8">',
           f"<title>{_e(doc.title)}</title>", f"<style>{STYLE}</style>", "</head>", "<body>",
           f"<h1>{_e(doc.title)}</h1>"]
    for part in doc.parts:
        if isinstance(part, Heading):
            level = min(part.level, 6)
            out.append(f"<h{level}>{_e(part.text)}</h{level}>")
        elif isinstance(part, Para):
            out.append(f"<p>{_e(part.text)}</p>")
        elif isinstance(part, Bullets):
            out.append("<ul>" + "".join(f"<li>{_e(item)}</li>" for item in part.items) + "</ul>")
        elif isinstance(part, Table):
            head = "".join(f"<th>{_e(c)}</th>" for c in part.columns)
            body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in part.rows)
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def write_html(digest: Digest, locale: str | None = None) -> bytes:
    return write_outline(outline(digest, locale), language(locale), right_to_left(locale)).encode("utf-8")
