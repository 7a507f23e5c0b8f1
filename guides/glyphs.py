"""Which characters the bundled font (guides/fonts, Noto Sans SC) can draw.

Posters, the kiosk screen and receipt raster lines all draw with this one font, so a
character missing from its cmap would vanish from a poster (fpdf2 drops it with a
warning) or turn into an empty box. Every surface that renders content asks here first.

    undrawable_chars("居民身份证换领(𡉃头村)")   # ['𡉃'] (U+21243, CJK Extension B)
    describe("𡉃")                            # 'U+21243（CJK UNIFIED IDEOGRAPH-21243）'
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

# Line breaks and tabs are layout, not glyphs: no surface draws them.
_LAYOUT = frozenset("\t\n\r")


@lru_cache(maxsize=1)
def font_codepoints() -> frozenset[int]:
    """Code points the bundled font maps to a glyph (its best cmap; read once per process)."""
    from fontTools.ttLib import TTFont

    from guides.fonts import FONT_PATH

    font = TTFont(str(FONT_PATH), lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def undrawable_chars(text: str) -> list[str]:
    """Characters of `text` the bundled font has no glyph for, each once, in order of first
    appearance. Tabs and line breaks are not counted (they are layout, never drawn)."""
    if not text:
        return []
    cmap = font_codepoints()
    out: list[str] = []
    for ch in text:
        if ch not in _LAYOUT and ord(ch) not in cmap and ch not in out:
            out.append(ch)
    return out


def describe(ch: str) -> str:
    """A character as an editor can find it: ``“𡉃”（U+21243）``; invisible ones by name only."""
    name = unicodedata.name(ch, "")
    visible = unicodedata.category(ch)[0] not in "CZ"
    shown = f"“{ch}”" if visible else ""
    return f"{shown}（U+{ord(ch):04X}{' ' + name if name and not visible else ''}）"
