"""Chinese line breaking (标点禁则 and unbreakable runs) for receipts and screens.

    wrap("工本费 10 元/证，当场发放", 20)                      # display columns
    wrap(text, 986, measure=summed(pixel_width_of_one_char))   # pixels on a screen

Rules, from GB/T 15834-2011 (标点符号用法) and the W3C note "Requirements for
Chinese Text Layout" (clreq, 禁则):

- closing punctuation (，。、：；！？）》」”… and their ASCII forms) never starts
  a line: it stays with the character before it;
- opening punctuation (（《「“ and currency signs ￥$) never ends a line: it
  goes down with the character after it;
- a number and its unit (``10 元/证``, ``15 个工作日``, ``2026年11月1日``,
  ``第十一条``), a time or a range (``8:30-12:00``), a document number
  (``〔2019〕51号``) and a run of Latin letters, digits and ASCII signs (codes
  such as ``330382-GA-0001``, phone numbers, URLs) are never cut;
- a space is a break opportunity and disappears at a break; a no-break space
  (U+00A0) or a word joiner (U+2060) joins its neighbours;
- only a run wider than a whole line is cut, preferably after ``-`` ``/``
  ``.`` and never between two digits when any other place fits.

Widths come from ``measure(text) -> float`` and are summed piece by piece, so
the measure should be additive (true of display columns and, up to kerning,
of a font's advance widths).  Pure standard library: guides/, hardware/ and
the screens share it.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

# Must not start a line (GB/T 15834 and clreq 行首禁则).
CLOSING = frozenset("，。、：；！？）］｝】》〉」』〕〗〙〛”’…‥—―～·・％‰℃°′″"
                    "﹐﹑﹒﹔﹕﹖﹗｡､,.:;!?)]}%")
# Must not end a line (行尾禁则); currency signs stay with their amount.
OPENING = frozenset("（［｛【《〈「『〔〖〘〚“‘([{￥¥$＄£€")
# Join their neighbours: no-break spaces, word joiner, zero-width no-break space.
GLUE = frozenset("\u00a0\u202f\u2007\u2060\ufeff")
SPACE = " "

_DIGIT = "[0-9０-９]"
# a clock time (8:30, ８：３０, 8:30:00) or a number (12.50, 1,000)
_NUM = (rf"(?<![0-9０-９])(?:{_DIGIT}{{1,2}}[:：]{_DIGIT}{{2}}(?:[:：]{_DIGIT}{{2}})?(?![0-9０-９])"
        rf"|{_DIGIT}+(?:[.．,]{_DIGIT}+)*)")
_UNITS = ("个工作日", "工作日", "自然日", "个月", "小时", "分钟", "秒钟", "万元", "亿元", "千元", "元整", "平方米",
          "公里", "公斤", "千克", "周岁", "周年", "元", "角", "分", "秒", "天", "日", "号", "月", "年", "周", "岁",
          "份", "张", "本", "件", "页", "项", "人", "次", "层", "楼", "米", "克", "吨", "个", "户", "套", "倍", "时",
          "点", "名", "座", "台", "所", "级", "类", "条", "款", "章", "节", "%", "％", "‰", "℃")
_UNIT = "(?:" + "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True)) + ")"
_HAN = "[\u3400-\u9fff]"
_CNUM = "[〇零一二两三四五六七八九十百千万]"
_QUANTITY = (rf"(?:[￥¥$＄][ \u00a0]?)?{_NUM}(?:[ \u00a0]?[-–—~～－至到][ \u00a0]?{_NUM})?"
             rf"(?:[ \u00a0]?{_UNIT}(?:[ \u00a0]?[/／][ \u00a0]?{_HAN}{{1,2}})?)?(?:{_NUM}{_UNIT})*")
_DOCUMENT_NO = rf"[〔［\[【(（] ?{_DIGIT}{{4}} ?[〕］\]】)）] ?第? ?{_DIGIT}+ ?号"
_CHINESE_QUANTITY = rf"第?{_CNUM}{{1,8}}{_UNIT}"
# Runs no break may fall inside (besides runs of word characters).
UNBREAKABLE = re.compile(f"{_DOCUMENT_NO}|{_QUANTITY}|{_CHINESE_QUANTITY}")

# Where a run too wide for a line is best cut (after one of these).
_SOFT_AFTER = frozenset("-/_.?&=:;,，、|\\")


def display_width(text: str) -> int:
    """Display columns in Chinese text: wide, full-width and ambiguous characters (East Asian
    Width W/F/A: hanzi, “”……—·①×) 2, combining and format characters 0, anything else 1."""
    return sum(_char_columns(ch) for ch in text)


@lru_cache(maxsize=65536)
def _char_columns(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WFA" else 1


def summed(char_width: Callable[[str], float]) -> Callable[[str], float]:
    """A string measure from a one-character measure (cached per character), e.g. a screen's
    ``lambda ch: label_font.advance(ch)`` in pixels."""
    cache: dict[str, float] = {}

    def measure(text: str) -> float:
        total = 0.0
        for ch in text:
            w = cache.get(ch)
            if w is None:
                w = cache[ch] = float(char_width(ch))
            total += w
        return total

    return measure


def _is_word_char(ch: str) -> bool:
    """Latin letters, digits and ASCII signs (codes, URLs, numbers), full-width letters and
    digits, and letters of other alphabets: runs of these are never cut."""
    o = ord(ch)
    if 0x21 <= o <= 0x7E:
        return True
    if 0xFF10 <= o <= 0xFF5A:
        return ch.isalnum()
    return ch.isalnum() and unicodedata.east_asian_width(ch) not in "WF"


def _tokens(paragraph: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) with kind "space", "word" (a run of word characters) or "char"."""
    out: list[tuple[int, int, str]] = []
    i, n = 0, len(paragraph)
    while i < n:
        ch = paragraph[i]
        j = i + 1
        if ch == SPACE:
            while j < n and paragraph[j] == SPACE:
                j += 1
            kind = "space"
        elif _is_word_char(ch):
            while j < n and _is_word_char(paragraph[j]):
                j += 1
            kind = "word"
        else:
            kind = "char"
        out.append((i, j, kind))
        i = j
    return out


def atoms(paragraph: str) -> list[tuple[str, bool]]:
    """The paragraph as unbreakable pieces ``(text, is_space)``; a line may break only between
    two of them, and a space piece disappears when a line breaks at it."""
    tokens = _tokens(paragraph)
    if not tokens:
        return []
    joined = bytearray(len(paragraph) + 1)  # joined[i]: no break between paragraph[i-1] and [i]
    for m in UNBREAKABLE.finditer(paragraph):
        joined[m.start() + 1:m.end()] = b"\x01" * (m.end() - m.start() - 1)
    for k, (s, e, kind) in enumerate(tokens):
        if kind == "space":
            continue
        first, last = paragraph[s], paragraph[e - 1]
        if first in CLOSING or first in GLUE:
            joined[s] = 1
            if k and tokens[k - 1][2] == "space":
                joined[tokens[k - 1][0]] = 1  # "abc ，" stays together too
        if last in OPENING or last in GLUE:
            joined[e] = 1
            if k + 1 < len(tokens) and tokens[k + 1][2] == "space":
                joined[tokens[k + 1][1]] = 1
    out: list[tuple[str, bool]] = []
    start = tokens[0][0]
    for k in range(1, len(tokens) + 1):
        at = tokens[k][0] if k < len(tokens) else len(paragraph)
        if k < len(tokens) and joined[at]:
            continue
        piece = paragraph[start:at]
        out.append((piece, piece.strip(SPACE) == ""))
        start = at
    return out


def _penalty(text: str, i: int) -> int:
    """How bad a cut between text[i-1] and text[i] is inside an unbreakable run (0 best)."""
    a, b = text[i - 1], text[i]
    if b in CLOSING or a in OPENING or a in GLUE or b in GLUE or (a.isdigit() and b.isdigit()):
        return 9
    if a in _SOFT_AFTER and b not in _SOFT_AFTER:
        return 0
    if a.isascii() != b.isascii():
        return 1
    return 2


def _cut(text: str, first: float, rest: float, measure: Callable[[str], float]) -> list[str]:
    """Cut a run too wide for a line into pieces: the first at most ``first`` wide, the others at
    most ``rest``; each piece holds at least one character."""
    widths = [measure(ch) for ch in text]
    pieces: list[str] = []
    start, limit = 0, first
    while start < len(text):
        used, j = widths[start], start + 1
        while j < len(text) and used + widths[j] <= limit + 1e-9:
            used += widths[j]
            j += 1
        if j >= len(text):
            pieces.append(text[start:])
            break
        lo = max(start + 1, start + (j - start + 1) // 2)
        best = min(range(lo, j + 1), key=lambda i: (_penalty(text, i), -i))
        pieces.append(text[start:best])
        start, limit = best, rest
    return pieces


def wrap(text: str, width: float, measure: Callable[[str], float] = display_width, *,
         rest_width: float | None = None) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (continuation lines of a paragraph: no
    wider than ``rest_width``, default ``width``), in the units of ``measure``.

    Newlines start new paragraphs (an empty paragraph gives an empty line). Spaces at a break
    disappear; spaces at the start of a paragraph stay (indentation). Lines carry no indent:
    the caller adds its own. Only a run wider than a whole line is cut (see module doc).
    Raises ValueError for a width that is not positive.
    """
    rest = width if rest_width is None else rest_width
    if width <= 0 or rest <= 0:
        raise ValueError("line widths must be positive")
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(paragraph, width, rest, measure))
    return lines


def _wrap_paragraph(paragraph: str, first: float, rest: float, measure) -> list[str]:
    pieces = atoms(paragraph)
    if not pieces:
        return [""]
    lines: list[str] = []
    cur: list[tuple[str, float, bool]] = []
    used, limit = 0.0, first

    def flush() -> None:
        nonlocal cur, used, limit
        while cur and cur[-1][2]:
            cur.pop()
        lines.append("".join(t for t, _, _ in cur))
        cur, used, limit = [], 0.0, rest

    for piece, is_space in pieces:
        w = measure(piece)
        if is_space:
            if cur or not lines:  # no leading space on a continuation line
                cur.append((piece, w, True))
                used += w
            continue
        if used + w <= limit + 1e-9:
            cur.append((piece, w, False))
            used += w
            continue
        if any(not s for _, _, s in cur):
            flush()
        else:  # only the paragraph's indentation so far: it gives way to the piece
            cur, used = [], 0.0
        if used + w <= limit + 1e-9:
            cur.append((piece, w, False))
            used += w
            continue
        # wider than a whole line: cut it, the last part starts the next line's content
        parts = _cut(piece, limit - used, rest, measure)
        for part in parts[:-1]:
            cur.append((part, measure(part), False))
            flush()
        cur.append((parts[-1], measure(parts[-1]), False))
        used += measure(parts[-1])
    if cur or not lines:
        flush()
    return lines
