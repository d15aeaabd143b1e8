"""Titles, slugs and section references: the names people use for documents and sections."""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from pathlib import PurePath

from bot.errors import Invalid, NotFound

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
SLUG_LENGTH = 48
TITLE_MAX = 300
SOURCE_MAX = 255
VERSION_SUFFIX = re.compile(r"[\s_.-]*(?:v|ver|version|rev|draft)[\s_.-]*\d+$", re.I)
REFERENCE_PREFIX = re.compile(r"^(?:§+|sections?\b\.?|sec\.|s\.)\s*", re.I)
PARA_PREFIX = re.compile(r"^(?:paragraphs?\b\.?|paras?\b\.?|pp?\.|¶)\s*", re.I)


def slugify(title: str) -> str:
    """`interim-guidance-on-the-framework-for-advancing`; a title with no Latin letters
    gets a stable `doc-` + hash slug, so two such titles never share a document."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_title).strip("-")
    if not words:
        return "doc-" + hashlib.sha1(title.encode()).hexdigest()[:8]
    if len(words) > SLUG_LENGTH:
        words = words[:SLUG_LENGTH].rsplit("-", 1)[0] if "-" in words[:SLUG_LENGTH] else words[:SLUG_LENGTH]
    return words.strip("-")


def check_slug(slug: str) -> str:
    wanted = slug.strip().lower()
    if not SLUG.match(wanted):
        raise Invalid("documents.slug_format", field="slug", slug=slug[:70])
    return wanted


def source_name(name: str) -> str:
    base = PurePath(name.replace("\\", "/")).name or "upload"
    return base if len(base) <= SOURCE_MAX else base[:SOURCE_MAX]


def title_from_name(name: str) -> str:
    """`interim_guidance_v2.docx` -> `interim guidance`."""
    stem = PurePath(source_name(name)).stem
    stem = VERSION_SUFFIX.sub("", stem)
    return " ".join(re.sub(r"[_]+|(?<=\w)-(?=\w)", " ", stem).split()) or stem


def clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise Invalid("documents.title_empty", field="title")
    return title if len(title) <= TITLE_MAX else title[:TITLE_MAX - 1] + "…"


def _canonical(reference: str) -> tuple[str, bool]:
    """("14(a)", True) for "para 14 (a)"; ("3.2", False) for "§ 3.2." or "section 3.2"."""
    text = reference.strip()
    text = REFERENCE_PREFIX.sub("", text)
    is_para = bool(PARA_PREFIX.match(text))
    text = PARA_PREFIX.sub("", text)
    return re.sub(r"\s+", "", text).rstrip(".").lower(), is_para


def match_section(sections: Sequence, reference: str):
    """The section a person means by "3.2", "para 14", "§3.2", "section 3.2", or heading words."""
    wanted, para = _canonical(reference)
    hits = [s for s in sections if wanted and _canonical(s.number)[0] == wanted]
    if hits:
        preferred = [s for s in hits if _canonical(s.number)[1] == para]
        return (preferred or hits)[0]
    words = " ".join(reference.casefold().split())
    if words:
        exact = [s for s in sections if s.heading and " ".join(s.heading.casefold().split()) == words]
        partial = [s for s in sections if s.heading and words in s.heading.casefold()]
        if exact or len(partial) == 1:
            return (exact or partial)[0]
        if partial:
            raise NotFound("documents.section_not_found", reference=reference[:60],
                           suggestions=", ".join(s.number for s in partial[:5]))
    raise NotFound("documents.section_not_found", reference=reference[:60],
                   suggestions=_closest(wanted, sections))


def _closest(wanted: str, sections: Sequence) -> str:
    canon = {_canonical(s.number)[0]: s.number for s in sections}
    close = difflib.get_close_matches(wanted, list(canon), n=5, cutoff=0.5)
    return ", ".join(canon[c] for c in close) or ", ".join(s.number for s in sections[:5]) or "—"
