"""Phone and ID numbers in free text (好差评 comments, any text a citizen types), however written.

    findings = find_personal_data("电话 +86 138-1234-5678，身份证 330382 19900102 4210")
    [f.kind for f in findings]            # ["mobile", "id_number"]
    mask_personal_data(text)              # "电话 138****5678，身份证 330382********4210"

Detected, with their span in the original text:

- mainland mobile numbers (11 digits, 1[3-9]…), with or without +86 / 0086 / 86 / (+86);
- landlines with an area code (010, 02x, 0xxx; or +86 and the code without its 0), an
  optional extension after 转 / - / 分机 / ext;
- 18-character resident ID numbers (GB 11643-1999: province code, a real birth date, and
  the ISO 7064 MOD 11-2 check digit; a number with a real province and date but a wrong
  check digit is reported too, as a mistyped ID number is still someone's);

written with spaces, dashes, dots or middle dots between any digits, grouped (3-4-4,
6-8-4, 4-4-4-4-2), in full-width digits (NFKC), and optionally in Chinese numerals
(一三八…, 〇/零/幺). Not reported: amounts (138 元), dates, 事项编码, 5-digit hotlines
(12345), 400/800 numbers, local numbers without an area code, and the numbers the product
itself publishes (pass them as ``public_numbers``: a guide's consult and complaint phones).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

KINDS = {"mobile": "手机号码", "landline": "固定电话号码", "id_number": "身份证号码"}

CHINESE_DIGITS = {"〇": "0", "零": "0", "○": "0", "一": "1", "幺": "1", "壹": "1", "二": "2", "两": "2", "贰": "2",
                  "三": "3", "叁": "3", "四": "4", "肆": "4", "五": "5", "伍": "5", "六": "6", "陆": "6",
                  "七": "7", "柒": "7", "八": "8", "捌": "8", "九": "9", "玖": "9"}
# GB/T 2260 province-level codes, the first two digits of an ID number
PROVINCES = frozenset({11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
                       50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83})
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643-1999, MOD 11-2
CHECK_CHARS = "10X98765432"

_SEP = r"(?:[ \t]*[-‐‑‒–—.·_][ \t]*|[ \t]+)?"  # what people put between digits


def _digits(n: int) -> str:
    return _SEP.join([r"\d"] * n)


_CC = r"(?:\([ \t]*(?:\+|00)?[ \t]*86[ \t]*\)|(?:\+|00)[ \t]*86|86(?=" + _SEP + r"1[3-9]))"
_MOBILE = re.compile(rf"(?<![\d+])(?:{_CC}{_SEP})?(?P<n>1{_SEP}[3-9]{_SEP}{_digits(9)})(?!\d)(?![ \t]*[元块万亿%‰])")
_AREA = r"(?:10|2\d|[3-9]\d\d)"
_LOCAL = rf"[2-9](?:{_SEP}\d){{6,7}}"
_EXT = r"(?:[ \t]*(?:转|分机|ext\.?|-)[ \t]*\d{1,6})?"
_LANDLINE = re.compile(
    rf"(?<![\d+])(?:(?:{_CC}{_SEP}(?:\([ \t]*0?[ \t]*\))?(?P<a1>{_AREA}))|(?:\([ \t]*(?P<a2>0{_AREA})[ \t]*\)|(?P<a3>0{_AREA})))"
    rf"{_SEP}(?P<local>{_LOCAL})(?!\d){_EXT}(?!\d)")
_ID = re.compile(rf"(?<!\d)(?P<n>[1-8]{_SEP}{_digits(16)}{_SEP}[\dXx])(?![\dA-Za-z])")


@dataclass(frozen=True)
class Finding:
    kind: str             # "mobile", "landline" or "id_number"
    start: int            # span in the original text
    end: int
    value: str            # digits only (ID: its X upper case); landlines with the leading 0
    check_digit_ok: bool = True  # id_number only

    @property
    def label(self) -> str:
        """手机号码 / 固定电话号码 / 身份证号码"""
        return KINDS[self.kind]

    @property
    def masked(self) -> str:
        """138****5678, 0577****1125, 330382********4210."""
        v = self.value
        if self.kind == "id_number":
            return v[:6] + "*" * 8 + v[-4:]
        if self.kind == "mobile":
            return v[:3] + "****" + v[-4:]
        area = 3 if v[1] in "12" else 4
        return v[:area] + "*" * (len(v) - area - 4) + v[-4:]


def _normalised(text: str, chinese_numerals: bool) -> tuple[str, list[int]]:
    """``text`` with full-width forms folded (NFKC) and, optionally, Chinese numerals as digits;
    and for each character of the result the index of the original character it came from."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if chinese_numerals and ch in CHINESE_DIGITS:
            folded = CHINESE_DIGITS[ch]
        else:
            folded = unicodedata.normalize("NFKC", ch)
            if folded == "\u00a0" or folded == "\u3000":
                folded = " "
        for f in folded:
            out.append(f)
            where.append(i)
    return "".join(out), where


def _only_digits(s: str) -> str:
    return "".join(ch for ch in s if ch.isdigit() or ch in "Xx").upper()


def id_number_valid(number: str) -> bool:
    """GB 11643-1999: 18 characters, a known province code, a real birth date not in the future,
    and the MOD 11-2 check digit."""
    return _id_parts_ok(number) and _check_char(number) == number[17].upper()


def _check_char(number: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(number[:17], WEIGHTS)) % 11]


def _id_parts_ok(number: str) -> bool:
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789Xx":
        return False
    if int(number[:2]) not in PROVINCES:
        return False
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return dt.date(1900, 1, 1) <= born <= dt.date.today()


def _landline_key(digits: str) -> str:
    return digits if digits.startswith("0") else "0" + digits


def find_personal_data(text: str, *, public_numbers: Iterable[str] = (),
                       chinese_numerals: bool = True) -> list[Finding]:
    """Phone and ID numbers in ``text`` (see the module doc), in order, not overlapping.

    ``public_numbers``: phone numbers the product publishes (a guide's consult/complaint
    phones, the hall hotline), in any writing; they are not personal data.
    ``chinese_numerals``: also read 一三八… as digits.
    """
    norm, where = _normalised(text, chinese_numerals)
    public = {_landline_key(_only_digits(p)) for p in public_numbers} | {_only_digits(p) for p in public_numbers}
    found: list[Finding] = []

    def add(kind: str, m: re.Match, value: str, ok: bool = True) -> None:
        found.append(Finding(kind, where[m.start()], where[m.end() - 1] + 1, value, ok))

    for m in _ID.finditer(norm):
        number = _only_digits(m.group("n"))
        if _id_parts_ok(number):
            add("id_number", m, number, _check_char(number) == number[17])
    for m in _MOBILE.finditer(norm):
        number = _only_digits(m.group("n"))
        if number not in public:
            add("mobile", m, number)
    for m in _LANDLINE.finditer(norm):
        area = m.group("a1") or m.group("a2") or m.group("a3")
        number = _landline_key(_only_digits(area) + _only_digits(m.group("local")))
        local_len = len(number) - len(_landline_key(area))
        if number in public or (len(_landline_key(area)) == 3 and local_len != 8):
            continue  # 010/02x codes come with 8-digit numbers
        add("landline", m, number)
    # longest first; drop whatever overlaps a finding already kept
    kept: list[Finding] = []
    for f in sorted(found, key=lambda f: (-(f.end - f.start), f.start)):
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)


def mask_personal_data(text: str, findings: list[Finding] | None = None, **options) -> str:
    """``text`` with every finding replaced by its masked form (138****5678,
    330382********4210); ``options`` as for find_personal_data."""
    if findings is None:
        findings = find_personal_data(text, **options)
    out, last = [], 0
    for f in sorted(findings, key=lambda f: f.start):
        out += [text[last:f.start], f.masked]
        last = f.end
    out.append(text[last:])
    return "".join(out)


def refusal_message(findings: list[Finding], field: str = "意见建议") -> str:
    """A polite Chinese message naming what was found and where (character positions, from 1),
    e.g. 为保护您的隐私，请删去意见建议中的手机号码（第 5–17 个字）后再提交。"""
    parts = [f"{f.label}（第 {f.start + 1}–{f.end} 个字）" for f in findings]
    return f"为保护您的隐私，请删去{field}中的{'、'.join(parts)}后再提交。"
