"""Text that must never reach a screen, a poster or a receipt.

CONTENT-STANDARD.md, for any text of any content file (guides, site.yaml, categories.yaml, and
of a content folder with halls: regions.yaml, each hall.yaml, override and own guide):

- markup or script: an HTML tag (``<b``, ``</``, ``<!``), an entity (``&amp;``, ``&#60;``),
  ``javascript:``, an inline handler (``onclick=``). A lone ``<`` or ``>`` in Chinese text
  (a nested title written ``<关于…>``) is not markup.
- invisible control characters: bidi embeddings and overrides (U+202A-202E), bidi isolates
  (U+2066-2069), zero-width and direction marks (U+200B-200F, U+2060-2064, U+FEFF, U+061C,
  U+180E), the soft hyphen and other C0/C1 controls (tab and line breaks are fine).
- a character the bundled font (guides/fonts, Noto Sans SC) cannot draw: it would vanish
  from the poster and the kiosk screen.
"""
from __future__ import annotations

import re
import unicodedata

MARKUP_RE = re.compile(r"<\s*/?\s*[A-Za-z!?]|&(?:#\d{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
                       r"|javascript\s*:|\bon[a-z]{3,20}\s*=", re.IGNORECASE)
CONTROL_RE = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e"
                        "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_ALLOWED_WHITESPACE = frozenset("\t\n\r")


def font_codepoints() -> frozenset[int]:
    """Code points the bundled font maps to a glyph (guides.glyphs; read once per process)."""
    from guides.glyphs import font_coverage
    return font_coverage()


def markup(text: str) -> str | None:
    """The first piece of markup or script in `text`, or None."""
    m = MARKUP_RE.search(text)
    return m.group() if m else None


def control_chars(text: str) -> list[str]:
    """Invisible control characters in `text`, each once, in order."""
    out: list[str] = []
    for m in CONTROL_RE.finditer(text):
        if m.group() not in out:
            out.append(m.group())
    return out


def undrawable(text: str) -> list[str]:
    """Characters of `text` the bundled font cannot draw, each once, in order (guides.glyphs:
    control and format characters, which have their own rule, and variation selectors are
    not listed)."""
    if text.isascii():
        return []
    from guides.glyphs import undrawable_chars
    return undrawable_chars(text)


def describe(ch: str) -> str:
    """A character named for an editor: U+202E（RIGHT-TO-LEFT OVERRIDE）."""
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f"（{name}）" if name else "")
