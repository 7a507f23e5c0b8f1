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

FS_CHINESE_ON = b"\x1c\x26"   # FS &
FS_CHINESE_OFF = b"\x1c\x2e"  # FS .

# Must not start a line (Chinese line-breaking rules, GB/T 15834 practice).
NO_LINE_START = set("，。、：；！？）】》」』〉”’…—·,.:;!?)]}%")
# Must not end a line.
NO_LINE_END = set("（【《「『〈“‘([{")


@functools.lru_cache(maxsize=65536)
def printable(ch: str, charset: str) -> bool:
    """True when the printer's Chinese mode has this character as text."""
    if ch.isascii():
        return ch.isprintable()
    try:
        encoded = ch.encode(charset)
    except UnicodeEncodeError:
        return False
    if charset == "gb18030" and len(encoded) == 4:
        # Four-byte codes: printer fonts hold the GB18030-2000 mandatory set,
        # i.e. CJK Extension A, not the later planes (Ext B+, emoji).
        return 0x3400 <= ord(ch) <= 0x4DBF
    return True


def line_printable(text: str, charset: str) -> bool:
    return all(printable(ch, charset) for ch in text)


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


def _tokens(paragraph: str) -> list[str]:
    """Break opportunities: a run of ASCII non-space characters stays whole; spaces and
    every other character stand alone."""
    tokens: list[str] = []
    word = ""
    for ch in paragraph:
        if ch.isascii() and ch != " ":
            word += ch
            continue
        if word:
            tokens.append(word)
            word = ""
        tokens.append(ch)
    if word:
        tokens.append(word)
    return tokens


def _split_long(token: str, limit: int) -> list[str]:
    parts, cur = [], ""
    for ch in token:
        if width(cur + ch) > limit:
            parts.append(cur)
            cur = ""
        cur += ch
    if cur:
        parts.append(cur)
    return parts


def wrap(text: str, columns: int, indent: int = 0) -> list[str]:
    """Wrap ``text`` into lines of at most ``columns`` columns.

    Newlines start new paragraphs; continuation lines get ``indent`` spaces
    (a hanging indent).  Closing punctuation is kept off the start of a line
    and opening brackets off the end, by moving one character down.
    """
    if columns < 2:
        raise ValueError("columns must be at least 2")
    indent = min(indent, columns - 2)
    lines: list[str] = []
    for paragraph in clean(text).split("\n"):
        lines.extend(_wrap_paragraph(paragraph, columns, indent))
    return lines


def _wrap_paragraph(paragraph: str, columns: int, indent: int) -> list[str]:
    narrow = columns - indent  # the width of a continuation line
    tokens: list[tuple[str, int]] = []
    for tok in _tokens(paragraph.rstrip(" ")):
        w = width(tok)
        if w > narrow:
            tokens.extend((part, width(part)) for part in _split_long(tok, narrow))
        else:
            tokens.append((tok, w))
    if not tokens:
        return [""]
    lines: list[list[tuple[str, int]]] = [[]]
    used = 0
    limit = columns
    for tok, w in tokens:
        line = lines[-1]
        if tok == " " and not line and len(lines) > 1:
            continue  # no leading spaces on a continuation line
        if used + w <= limit:
            line.append((tok, w))
            used += w
            continue
        if tok == " ":
            continue  # a space at a break disappears
        carried: list[tuple[str, int]] = []
        if tok in NO_LINE_START:
            # take the previous character along (and any closing marks before it)
            while len(line) > 1 and line[-1][0] != " " and (not carried or carried[0][0] in NO_LINE_START):
                carried.insert(0, line.pop())
        while len(line) > 1 and line[-1][0] in NO_LINE_END:
            carried.insert(0, line.pop())
        if carried and sum(cw for _, cw in carried) + w > narrow:
            line.extend(carried)  # cannot keep them together: break plainly
            carried = []
        while line and line[-1][0] == " ":
            line.pop()
        lines.append(carried + [(tok, w)])
        used = sum(cw for _, cw in lines[-1])
        limit = narrow
    out = []
    for i, toks in enumerate(lines):
        line = "".join(t for t, _ in toks).rstrip(" ")
        out.append((" " * indent + line) if i and line else line)
    return out


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
