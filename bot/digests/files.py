"""A digest as a file: the bytes and the name, in one of the formats."""

from __future__ import annotations

from bot.digests.document import file_name
from bot.digests.render_docx import write_docx
from bot.digests.render_html import write_html
from bot.digests.render_md import write_md
from bot.digests.service import Digest

WRITERS = {"md": write_md, "docx": write_docx, "html": write_html}
FORMATS = tuple(WRITERS)


def digest_file(digest: Digest, fmt: str, locale: str | None = None) -> tuple[bytes, str]:
    return WRITERS[fmt](digest, locale), file_name(digest, fmt)
