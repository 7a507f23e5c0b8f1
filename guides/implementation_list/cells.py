"""Turning raw cell values into text, numbers, dates and codes.

Spreadsheet cells arrive as str, float, int, bool or date/time objects; exports add
trailing spaces, Windows line breaks, ideographic spaces and full-width digits ("５份").
Everything here is pure and raises ``CellError`` with a Chinese reason on a value it cannot
read; the caller adds the place.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 (with Excel's 1900 leap-year quirk)
_SPACES = " \t\u00a0\u3000\ufeff\u200b"
BLANKS = _SPACES + "\r\n"  # what an empty-looking cell may hold
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


class CellError(ValueError):
    """A value that cannot be read as what its column holds; ``str()`` is the Chinese reason."""


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip(BLANKS))


def _number_text(value: float) -> str:
    if value == int(value) and abs(value) < 2 ** 53:
        return str(int(value))
    return repr(value)


def text(value: Any) -> str | None:
    """A multi-line text cell: None when empty; line breaks kept as "\\n", each line stripped
    of trailing spaces, blank lines at both ends dropped. Numbers lose a spurious ".0"; dates
    become ISO dates."""
    if type(value) is str and "\n" not in value and "\r" not in value:  # the common case, fast
        return value.strip(_SPACES) or None
    if is_empty(value):
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    s = str(value).replace("\r\n", "\n").replace("\r", "\n")
    lines = [ln.rstrip(_SPACES) for ln in s.split("\n")]
    while lines and not lines[0].strip(_SPACES):
        lines.pop(0)
    while lines and not lines[-1].strip(_SPACES):
        lines.pop()
    if not lines:
        return None
    lines[0] = lines[0].lstrip(_SPACES)
    return "\n".join(lines)


def line(value: Any) -> str | None:
    """A one-line cell (a name, a label, an address): line breaks inside are joined — with
    nothing between two Chinese characters, with one space otherwise."""
    s = text(value)
    if s is None or "\n" not in s:
        return s
    parts = [p.strip(_SPACES) for p in s.split("\n") if p.strip(_SPACES)]
    out = parts[0]
    for p in parts[1:]:
        joiner = "" if _CJK.match(out[-1]) or _CJK.match(p[0]) else " "
        out += joiner + p
    return out


def nfkc(s: str) -> str:
    """Full-width digits, letters and punctuation to their ASCII forms (５ -> 5, （ -> ()."""
    return unicodedata.normalize("NFKC", s)


def integer(value: Any, *, unit_words: tuple[str, ...] = ()) -> int:
    """A count: 5, 5.0, "5", "５", "5份", "五份". ``unit_words`` are the words allowed after
    the number (e.g. ("份",)). Raises CellError otherwise."""
    if isinstance(value, bool):
        raise CellError("应为数字")
    if isinstance(value, (int, float)):
        if value != int(value):
            raise CellError(f"应为整数，实际为 {value}")
        return int(value)
    s = nfkc(line(value) or "").replace(" ", "")
    for word in sorted(unit_words, key=len, reverse=True):
        if s.endswith(word):
            s = s[: -len(word)]
            break
    if s.isascii() and s.isdigit():
        return int(s)
    if re.fullmatch(r"\d+\.0+", s):  # "1.0" from a CSV written by another program
        return int(s.split(".")[0])
    if s and all(ch in _CN_DIGITS for ch in s) and len(s) <= 3:
        return _cn_number(s)
    raise CellError(f"应为数字，实际为“{line(value)}”")


def _cn_number(s: str) -> int:
    if s == "十":
        return 10
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    if len(s) == 1:
        return _CN_DIGITS[s]
    raise CellError(f"应为数字，实际为“{s}”")


def decimal(value: Any) -> int | float:
    """An amount: 20, 20.5, "２０", "20.00" -> int when whole."""
    if isinstance(value, bool):
        raise CellError("应为数字")
    if isinstance(value, (int, float)):
        return int(value) if value == int(value) else value
    s = nfkc(line(value) or "").replace(" ", "").replace(",", "")
    if re.fullmatch(r"\d+(\.\d+)?", s):
        f = float(s)
        return int(f) if f == int(f) else f
    raise CellError(f"应为数字，实际为“{line(value)}”")


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")


def date(value: Any) -> dt.date:
    """A date cell: a date/datetime value, an Excel serial number (45292 -> 2024-01-01),
    or text 2024-01-01 / 2024/1/1 / 2024.1.1 / 2024年1月1日."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # up to 9999-12-31
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise CellError(f"不是有效的日期序号：{value}")
    s = nfkc(line(value) or "")
    if re.fullmatch(r"\d{5}(\.\d+)?", s):
        return date(float(s))
    m = _DATE_RE.match(s)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    raise CellError(f"不是有效的日期：“{line(value)}”")


def code(value: Any) -> str:
    """An 事项/实施/业务办理项 code cell. A code stored as a number keeps its digits only
    while it is below 2^53; a longer one has already lost digits in the file -> CellError."""
    if isinstance(value, bool):
        raise CellError("编码不能是是/否值")
    if isinstance(value, float):
        if value != int(value) or abs(value) >= 2 ** 53:
            raise CellError(f"编码被存成了数字（{value:.15g}），长编码的末位数字已经丢失；"
                            "请把该列设为“文本”格式后重新导出")
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    s = nfkc(line(value) or "")
    return re.sub(r"\s+", "", s)
