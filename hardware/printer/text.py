"""The Chinese text path: FS & (Chinese mode) + GB18030/GBK bytes, widths, wrapping.

python-escpos' ``text()`` turns full-width punctuation into '?' and never
enters Chinese mode, so receipt text is encoded here instead.  In Chinese mode
every double-byte character prints in the 24x24 Chinese font, i.e. two
half-width columns, whatever Unicode says about its East Asian width (×, ·, ①
included); ASCII prints as one column.
"""
from __future__ import annotations

import functools
import unicodedata

from zhtext import linebreak

FS_CHINESE_ON = b"\x1c\x26"   # FS &
FS_CHINESE_OFF = b"\x1c\x2e"  # FS .

# GB18030 / GBK user-defined areas (用户自定义区, GB 18030-2005 §5.2): codecs map them to the
# Private Use Area; no printer ROM font has glyphs there.
USER_DEFINED_AREAS = (
    (0xAA, 0xAF, 0xA1, 0xFE),  # AAA1–AFFE  (564 codes)
    (0xF8, 0xFE, 0xA1, 0xFE),  # F8A1–FEFE  (658 codes)
    (0xA1, 0xA7, 0x40, 0xA0),  # A140–A7A0  (672 codes)
)
# The four-byte part of the GB18030-2000 mandatory set that printer fonts hold: CJK
# Extension A as it stood in 2000 (U+3400–U+4DB5; U+4DB6–U+4DBF came with Unicode 13).
FOUR_BYTE_SET = range(0x3400, 0x4DB6)


def in_user_defined_area(code: bytes) -> bool:
    """True for a double-byte code in one of the GB18030/GBK user-defined areas."""
    if len(code) != 2:
        return False
    lead, trail = code
    return any(l0 <= lead <= l1 and t0 <= trail <= t1 for l0, l1, t0, t1 in USER_DEFINED_AREAS)


def is_private_use(ch: str) -> bool:
    """Private Use Area code points (U+E000–U+F8FF and planes 15–16), where some fonts put 生僻字:
    their meaning depends on a font the printer does not have."""
    return unicodedata.category(ch) == "Co"


@functools.lru_cache(maxsize=65536)
def printable(ch: str, charset: str, four_byte: bool = True) -> bool:
    """True when a printer whose Chinese mode decodes ``charset`` ("gb18030", "gbk" or "gb2312")
    prints ``ch`` from its ROM font as text.

    That is decided by the printer's character set, not by whether the codec can encode
    ``ch``: printable ASCII; a double-byte code outside the user-defined areas; for gb18030
    with ``four_byte``, a four-byte code of the GB18030-2000 mandatory set (CJK Ext A).
    Never: private-use characters, unassigned or control characters, Ext B and later planes,
    emoji, the single byte 0x80 some GBK codecs give €.  Everything else goes to the raster line.
    """
    o = ord(ch)
    if o < 0x80:
        return 0x20 <= o < 0x7F
    if unicodedata.category(ch) in ("Co", "Cn", "Cs", "Cc"):
        return False
    try:
        code = ch.encode(charset)
    except UnicodeEncodeError:
        return False
    if len(code) == 2:
        return 0x81 <= code[0] <= 0xFE and not in_user_defined_area(code)
    if len(code) == 4:
        return charset == "gb18030" and four_byte and o in FOUR_BYTE_SET
    return False


def line_printable(text: str, profile) -> bool:
    """True when every character of ``text`` prints as text on a printer with ``profile``
    (a PrinterProfile, or a charset name for a printer with that full set)."""
    if isinstance(profile, str):
        return all(printable(ch, profile) for ch in text)
    return all(profile.printable(ch) for ch in text)


def encode(text: str, charset: str) -> bytes:
    """Bytes for Chinese mode; raises UnicodeEncodeError for characters it lacks."""
    return text.encode(charset)


@functools.lru_cache(maxsize=65536)
def char_width(ch: str) -> int:
    if ch.isascii():
        return 1 if ch.isprintable() else 0
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2


def width(text: str) -> int:
    return sum(char_width(ch) for ch in text)


def clean(text: str) -> str:
    """Tabs to spaces, other control and zero-width characters removed."""
    out = []
    for ch in text.replace("\t", " "):
        if ch == "\n" or char_width(ch) > 0 or ch == " ":
            out.append(ch)
    return "".join(out)


def wrap(text: str, columns: int, indent: int = 0) -> list[str]:
    """Wrap ``text`` into lines of at most ``columns`` printer columns.

    The Chinese line-breaking rules are those of every surface (``zhtext.linebreak``: no
    closing punctuation at a line start, no opening one at a line end, numbers with their
    units, times, codes and document numbers kept whole).  Newlines start new paragraphs;
    continuation lines get ``indent`` spaces (a hanging indent).  Raises ValueError for
    fewer than 2 columns.
    """
    if columns < 2:
        raise ValueError("columns must be at least 2")
    indent = min(indent, columns - 2)
    lines: list[str] = []
    for paragraph in clean(text).split("\n"):
        got = linebreak.wrap(paragraph, columns, width, rest_width=columns - indent)
        lines.extend((" " * indent + line) if i and line else line for i, line in enumerate(got))
    return lines


def pad(text: str, columns: int, align: str = "left") -> str:
    """Pad to exactly ``columns`` (text must already fit)."""
    space = columns - width(text)
    if space <= 0:
        return text
    if align == "right":
        return " " * space + text
    if align == "center":
        return " " * (space // 2) + text + " " * (space - space // 2)
    return text + " " * space
