"""What a chart's words need to be drawn in every language: a font that has the language's glyphs, and Arabic
shaped and ordered before matplotlib sees it.

matplotlib's bundled DejaVu Sans has no Chinese glyphs (they come out as empty boxes, with a "Glyph … missing"
warning) and matplotlib neither joins Arabic letters nor lays a right-to-left line out. So:
  - `fonts(locale)`: the families, in order of preference, that this machine has (Noto Sans CJK for Chinese,
    Noto Sans Arabic for Arabic: Debian's fonts-noto-cjk and fonts-noto-core, installed by .ci/office-binaries and
    deploy/Dockerfile), then DejaVu Sans; matplotlib falls back glyph by glyph along the list, so a machine without
    them still draws every chart (Latin and digits in DejaVu Sans).
  - `shaped(text, locale)`: Arabic letters in their joined presentation forms (arabic-reshaper) and the line in
    visual order (python-bidi), as a renderer that knows no shaping must be given it; other languages unchanged.
"""

from __future__ import annotations

from functools import lru_cache

from bot import formatting

FALLBACK = "DejaVu Sans"  # matplotlib's own font: always there
PREFERRED = {
    "zh": ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
           "Droid Sans Fallback"),
    "ar": ("Noto Sans Arabic", "Noto Naskh Arabic", "Noto Sans Arabic UI", "Amiri"),
}


@lru_cache(maxsize=1)
def _installed() -> frozenset[str]:
    from matplotlib import font_manager

    return frozenset(font.name for font in font_manager.fontManager.ttflist)


def fonts(locale: str | None) -> list[str]:
    """The font families to draw the language with: those of PREFERRED that are installed, then DejaVu Sans."""
    installed = _installed()
    return [name for name in PREFERRED.get(formatting.language(locale), ()) if name in installed] + [FALLBACK]


def has_glyphs(locale: str | None) -> bool:
    """Whether a font for the language's script is installed (always, for a language written in Latin or
    Cyrillic letters, which DejaVu Sans has)."""
    return formatting.language(locale) not in PREFERRED or len(fonts(locale)) > 1


def shaped(text: str, locale: str | None) -> str:
    """The text as matplotlib must be given it: Arabic reshaped and in visual order; others as they are."""
    if not formatting.right_to_left(locale):
        return text
    from arabic_reshaper import reshape
    from bidi import get_display

    return get_display(reshape(text))
