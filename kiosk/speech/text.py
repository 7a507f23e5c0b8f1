"""Text for the ear: numbers, amounts, dates, times and phone numbers as people say them, and no
personal data.

``speech_text(text)`` is applied to everything the kiosk reads aloud. Numerals are written out
with cn2an (``an2cn``); the shapes around them are recognised here, because a sentence-level
converter reads "8:30-12:00" as 八:三十负十二:零 and a phone number as one huge quantity:

========================  ================================  =====================================
written                   read                              rule
========================  ================================  =====================================
20 元, ￥20, 20.5 元      二十元, 二十元, 二十元五角          amounts: 元, 角, 分; 1,000 元 is 一千元
2026-11-01, 2026年11月1日 二〇二六年十一月一日               years digit by digit, with 〇
8:30-12:00               八点三十分至十二点                  times; "-" "~" "到" between -> 至
0577-61881125            零五七七，六一八八一一二五          phone numbers digit by digit, a pause
                                                            between area code and number
400-123-4567, 12345      四零零…, 一二三四五                400/800 numbers; short hotlines after
                                                            电话/热线/拨打/致电/号码/联系 or
                                                            before …热线
A012, 007                A零一二, 零零七                    a leading zero: digit by digit
2 个工作日, 2 份          两个工作日, 两份                    2 before a measure word is 两
第 2 步, 2 号窗口         第二步, 二号窗口                    ordinals and 号 keep 二
1-2 个工作日, 50%         一至两个工作日, 百分之五十
========================  ================================  =====================================

Personal data is stripped before anything else, so it can never reach an engine (GB 11643
citizen ID numbers: 18 digits or 17 + X, and 15-digit old ones; masked ID numbers with *;
mobile numbers 1[3-9]xxxxxxxxx; any other run of 11 or more digits, e.g. bank cards — a landline
starting with 0 excepted). Names cannot be recognised in free text: the kiosk never passes one —
``Narrator`` takes guide content and fixed prompts only, never card-holder data.
"""
from __future__ import annotations

import re
from functools import lru_cache

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_DIGIT_WORDS = dict(zip("0123456789", "零一二三四五六七八九"))
_YEAR_DIGITS = dict(zip("0123456789", "〇一二三四五六七八九"))

# --- personal data -----------------------------------------------------------------------------
_ID_NUMBER = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])|(?<!\d)\d{15}(?!\d)")
_MASKED_ID = re.compile(r"(?<![\d*])[\dXx]{0,6}\*{3,}[\dXx*]*")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)")
_LONG_DIGITS = re.compile(r"(?<!\d)\d{11,}(?!\d)")


def contains_personal_data(text: str) -> bool:
    """True when ``text`` holds something that looks like an ID number, a masked ID number, a
    mobile number or another long digit run (see the module docstring)."""
    t = text.translate(_FULLWIDTH_DIGITS)
    return bool(_ID_NUMBER.search(t) or _MASKED_ID.search(t) or _MOBILE.search(t)
                or any(not _is_landline(m.group()) for m in _LONG_DIGITS.finditer(t)))


def strip_personal_data(text: str) -> str:
    """``text`` with every personal-data look-alike removed (see ``contains_personal_data``)."""
    t = text.translate(_FULLWIDTH_DIGITS)
    t = _ID_NUMBER.sub("", t)
    t = _MASKED_ID.sub("", t)
    t = _MOBILE.sub("", t)
    return _LONG_DIGITS.sub(lambda m: m.group() if _is_landline(m.group()) else "", t)


def _is_landline(digits: str) -> bool:
    return digits.startswith("0") and len(digits) <= 12


# --- numbers -----------------------------------------------------------------------------------

def digits(s: str) -> str:
    """Digit by digit: "0577" -> 零五七七."""
    return "".join(_DIGIT_WORDS.get(ch, ch) for ch in s)


def number(s: str) -> str:
    """A quantity: "20" -> 二十, "12345" -> 一万二千三百四十五, "1.5" -> 一点五, "10" -> 十."""
    return _cn2an().an2cn(s, "low")


@lru_cache(maxsize=1)
def _cn2an():
    # importing cn2an takes ~0.3 s (its tables): not at the kiosk's start, see warm_up
    import cn2an
    return cn2an


def warm_up() -> None:
    """Load the number converter now (~0.3 s) instead of on the first words spoken; the kiosk
    calls it once its home screen is up."""
    _cn2an()


def year(s: str) -> str:
    """A year, digit by digit with 〇: "2026" -> 二〇二六."""
    return "".join(_YEAR_DIGITS.get(ch, ch) for ch in s)


def amount(s: str) -> str:
    """Yuan as said: "20" -> 二十元, "20.5" -> 二十元五角, "20.05" -> 二十元零五分, "0.5" -> 五角,
    "2" -> 两元."""
    whole, _, frac = s.partition(".")
    frac = (frac + "00")[:2]
    jiao, fen = int(frac[0]), int(frac[1])
    yuan = int(whole or "0")
    out = _count(yuan) + "元" if yuan or not (jiao or fen) else ""
    if jiao:
        out += _count(jiao) + "角"
    if fen:
        out += ("零" if out and not jiao else "") + _count(fen) + "分"
    return out


def _count(n: int) -> str:
    return "两" if n == 2 else number(str(n))


def clock(hour: str, minute: str) -> str:
    """"8", "30" -> 八点三十分; "12", "00" -> 十二点; "8", "05" -> 八点零五分."""
    out = number(str(int(hour))) + "点"
    m = int(minute)
    if m:
        out += ("零" if m < 10 else "") + number(str(m)) + "分"
    return out


def date(y: str, m: str, d: str | None) -> str:
    """"2026", "11", "01" -> 二〇二六年十一月一日."""
    out = year(y) + "年" + number(str(int(m))) + "月"
    if d:
        out += number(str(int(d))) + "日"
    return out


# --- shapes in running text --------------------------------------------------------------------
_RANGE = r"\s*(?:-|–|—|~|～|至|到)\s*"
_DATE = r"(?<!\d)(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:(?:[-/.]|月)\s*(\d{1,2})(?!\d)\s*日?|月)"
_DATE_RE = re.compile(_DATE + rf"(?:{_RANGE}{_DATE})?")
_YEAR_RE = re.compile(r"(?<!\d)(\d{4})(?=\s*年)")
_TIME = r"(?<![\d.])([01]?\d|2[0-4])\s*[:：]\s*([0-5]\d)(?!\d)"
_TIME_RE = re.compile(_TIME + rf"(?:{_RANGE}{_TIME})?")
_LANDLINE_RE = re.compile(r"(?<!\d)(0\d{2,3})(?:\s*[-－—]\s*|\s+)?(\d{7,8})(?:\s*(?:-|转)\s*(\d{1,5}))?(?!\d)")
_SERVICE_RE = re.compile(r"(?<!\d)([48]00)\s*-?\s*(\d{3})\s*-?\s*(\d{4})(?!\d)")
_HOTLINE_RE = re.compile(r"(电话|热线|拨打|致电|号码|联系)([^\d。；;\n]{0,4}?)(\d{3,8})(?![\d.])"
                         r"|(?<![\d.])(\d{3,8})(?=\s*[\u4e00-\u9fff]{0,4}热线)")
_AMOUNT_RE = re.compile(r"[¥￥]\s*(\d+(?:\.\d{1,2})?)(?!\d)\s*(?:元)?|(?<![\d.])(\d+(?:\.\d{1,2})?)\s*元(?:/|每)?")
_PERCENT_RE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*[%％]")
_NUMBER = r"\d+(?:\.\d+)?"
_NUMBER_RANGE_RE = re.compile(rf"(?<![\d.])({_NUMBER})\s*(?:-|–|—|~|～)\s*({_NUMBER})(?![\d.])")
_LEADING_ZERO_RE = re.compile(r"(?<![\d.])0\d+(?![\d.])")
_MEASURE = ("个|份|张|本|件|页|次|天|位|名|种|项|寸|小时|周|年|岁|元|人|户|套|间|台|条|把|分钟|块|"
            "批|类|步|道|层|句|科")
_TWO_RE = re.compile(rf"(?<![\d.第])(?<!第\s)2(?![\d.])\s*(?=(?:{_MEASURE}))")
_THOUSANDS_RE = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_PLAIN_RE = re.compile(rf"(?<![\d.]){_NUMBER}(?![\d.])")
_CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
_SPACE_RE = re.compile(rf"(?<={_CJK})[ \t]+|[ \t]+(?={_CJK})")


def _dates(m: re.Match) -> str:
    first = date(m.group(1), m.group(2), m.group(3))
    if m.group(4):
        return first + "至" + date(m.group(4), m.group(5), m.group(6))
    return first


def _times(m: re.Match) -> str:
    first = clock(m.group(1), m.group(2))
    if m.group(3):
        return first + "至" + clock(m.group(3), m.group(4))
    return first


def _landline(m: re.Match) -> str:
    out = digits(m.group(1)) + "，" + digits(m.group(2))
    if m.group(3):
        out += "转" + digits(m.group(3))
    return out


def _hotline(m: re.Match) -> str:
    if m.group(3) is not None:
        return m.group(1) + m.group(2) + digits(m.group(3))
    return digits(m.group(4))


def _amount(m: re.Match) -> str:
    value = m.group(1) or m.group(2)
    tail = m.group(0)
    said = amount(value)
    if tail.endswith("/") or tail.endswith("每"):
        said += "每"
    return said


def speech_text(text: str) -> str:
    """What the engine is given for ``text``: personal data stripped, figures written out.

    Never raises for a str; returns "" when nothing speakable is left. See the module docstring
    for every rule and example.
    """
    if not text:
        return ""
    t = strip_personal_data(text)
    t = _THOUSANDS_RE.sub("", t)
    t = _DATE_RE.sub(_dates, t)
    t = _YEAR_RE.sub(lambda m: year(m.group(1)), t)
    t = _TIME_RE.sub(_times, t)
    t = _SERVICE_RE.sub(lambda m: digits(m.group(1)) + "，" + digits(m.group(2)) + "，" + digits(m.group(3)), t)
    t = _LANDLINE_RE.sub(_landline, t)
    t = _HOTLINE_RE.sub(_hotline, t)
    t = _AMOUNT_RE.sub(_amount, t)
    t = _PERCENT_RE.sub(lambda m: "百分之" + number(m.group(1)), t)
    t = _NUMBER_RANGE_RE.sub(lambda m: m.group(1) + "至" + m.group(2), t)
    t = _LEADING_ZERO_RE.sub(lambda m: digits(m.group()), t)
    t = _TWO_RE.sub("两", t)
    t = _PLAIN_RE.sub(lambda m: number(m.group()), t)
    t = _SPACE_RE.sub("", t)
    return re.sub(r"\s{2,}", " ", t).strip()
