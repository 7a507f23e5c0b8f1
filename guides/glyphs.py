"""Which characters the bundled font (guides/fonts, Noto Sans SC) can draw.

Posters, the print page, receipts' raster lines and the kiosk screen draw text
with that one font; a character it has no glyph for (CJK Ext B such as 𡉃
U+21243, private-use 生僻字 codes, most emoji) would vanish or become a box.
The checker reports such characters with path:line, and posters refuse them,
through ``undrawable_chars``. Coverage is the font's Unicode cmap: for the bundled font it is
read from COVERAGE_PATH, the cmap's code points as ranges (a test keeps it equal to the font's
cmap; `python -m guides.glyphs` writes it again), since parsing the 8 MB font's cmap with
fontTools costs about 0.2 s in every process that checks content; any other font is read
with fontTools.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from guides.fonts import FONT_PATH

COVERAGE_PATH = Path(FONT_PATH).with_suffix(".coverage")

# Selectors and joiners change how the character before them looks; they need no glyph
# of their own (an unsupported variation falls back to the base character).
_NO_GLYPH_NEEDED = {"Cc", "Cf"}


def _is_selector(ch: str) -> bool:
    o = ord(ch)
    return 0xFE00 <= o <= 0xFE0F or 0xE0100 <= o <= 0xE01EF


@lru_cache(maxsize=4)
def font_coverage(font_path: str | Path = FONT_PATH) -> frozenset[int]:
    """Code points ``font_path`` (default: the bundled font) maps to a glyph."""
    if Path(font_path) == Path(FONT_PATH) and COVERAGE_PATH.is_file():
        return frozenset(_from_ranges(COVERAGE_PATH.read_text(encoding="ascii")))
    return cmap_coverage(font_path)


def cmap_coverage(font_path: str | Path) -> frozenset[int]:
    """Code points the Unicode cmap of ``font_path`` maps to a glyph, read with fontTools."""
    from fontTools.ttLib import TTFont

    with TTFont(str(font_path), lazy=True) as font:
        return frozenset(font.getBestCmap())


def coverage_text(points: frozenset[int]) -> str:
    """Code points as the coverage file writes them: one range per line, "4E00-9FA5" or "3000"."""
    lines: list[str] = []
    run: list[int] = []
    for p in sorted(points):
        if run and p == run[1] + 1:
            run[1] = p
            continue
        if run:
            lines.append(f"{run[0]:04X}" if run[0] == run[1] else f"{run[0]:04X}-{run[1]:04X}")
        run = [p, p]
    if run:
        lines.append(f"{run[0]:04X}" if run[0] == run[1] else f"{run[0]:04X}-{run[1]:04X}")
    return "\n".join(lines) + "\n"


def _from_ranges(text: str):
    for line in text.split():
        first, _, last = line.partition("-")
        yield from range(int(first, 16), int(last or first, 16) + 1)


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


if __name__ == "__main__":  # write the bundled font's coverage file again (after a font update)
    COVERAGE_PATH.write_text(coverage_text(cmap_coverage(FONT_PATH)), encoding="ascii")
    print(f"{COVERAGE_PATH}: {len(font_coverage.__wrapped__(FONT_PATH))} code points")
