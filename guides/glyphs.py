"""Which characters the bundled font (guides/fonts, Noto Sans SC) can draw.

Posters, the print page, receipts' raster lines and the kiosk screen draw text
with that one font; a character it has no glyph for (CJK Ext B such as 𡉃
U+21243, private-use 生僻字 codes, most emoji) would vanish or become a box.
The checker reports such characters with path:line, and posters refuse them,
through ``undrawable_chars``. Coverage is the font's Unicode cmap, read once
with fontTools.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from guides.fonts import FONT_PATH

# Selectors and joiners change how the character before them looks; they need no glyph
# of their own (an unsupported variation falls back to the base character).
_NO_GLYPH_NEEDED = {"Cc", "Cf"}


def _is_selector(ch: str) -> bool:
    o = ord(ch)
    return 0xFE00 <= o <= 0xFE0F or 0xE0100 <= o <= 0xE01EF


@lru_cache(maxsize=4)
def font_coverage(font_path: str | Path = FONT_PATH) -> frozenset[int]:
    """Code points ``font_path`` (default: the bundled font) maps to a glyph."""
    from fontTools.ttLib import TTFont

    with TTFont(str(font_path), lazy=True) as font:
        return frozenset(font.getBestCmap())


def undrawable_chars(text: str, font_path: str | Path = FONT_PATH) -> list[str]:
    """The characters of ``text`` the font cannot draw, each once, in order of appearance.

    Control and format characters (newline, tab, zero-width joiner, soft hyphen) and
    variation selectors need no glyph and are never listed; everything else, spaces
    included, must be in the font's cmap.
    """
    covered = font_coverage(str(font_path))
    out: list[str] = []
    for ch in dict.fromkeys(text):
        if ord(ch) in covered or _is_selector(ch) or unicodedata.category(ch) in _NO_GLYPH_NEEDED:
            continue
        out.append(ch)
    return out


def char_label(ch: str) -> str:
    """How a message names a character: “𡉃”（U+21243）."""
    return f"“{ch}”（U+{ord(ch):04X}）"
