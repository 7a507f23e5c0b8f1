"""Phone and ID numbers in text a citizen or an officer types (好差评 comments, contacts, notes).

    [f.kind for f in find_personal_data("请打 138-1234-5678，身份证 330382199001024210")]
    # ["mobile", "id_number"]

Found, however written (spaces, dashes, dots between digits; full-width digits; +86/0086):
mainland mobile numbers (11 digits, 1[3-9]…), landlines with an area code (0xx/0xxx + 7–8
digits), resident ID numbers (18 characters, GB 11643-1999; or the old 15 digits). Numbers
passed as ``public_numbers`` (a guide's consult and complaint phones, the hall hotline) are not
personal and are not reported. No Flask import.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

KINDS = {"mobile": "手机号码", "landline": "固定电话号码", "id_number": "身份证号码"}
_SEP = r"[ \-.·_]?"
_D = lambda n: _SEP.join([r"\d"] * n)  # noqa: E731 - n digits, separators allowed between
_CC = r"(?:(?:\+|00)\s*86[ \-]?|\(\+?86\)\s*)?"
_MOBILE = re.compile(rf"(?<![\d])(?:{_CC})(1{_SEP}[3-9]{_SEP}{_D(9)})(?![\d])")
_LANDLINE = re.compile(rf"(?<![\d])(?:\(?(0{_SEP}(?:10|2\d|[3-9]\d{{2}}))\)?[ \-]?)([2-9]{_SEP}(?:\d{_SEP}){{5,6}}\d)(?![\d])")
_ID18 = re.compile(rf"(?<![\dA-Za-z])([1-8]{_SEP}{_D(16)}{_SEP}[\dXx])(?![\dA-Za-z])")
_ID15 = re.compile(r"(?<![\d])([1-8]\d{14})(?![\d])")


@dataclass(frozen=True)
class Finding:
    kind: str      # "mobile", "landline" or "id_number"
    value: str     # digits only (an ID's X upper case)

    @property
    def label(self) -> str:
        return KINDS[self.kind]

    @property
    def masked(self) -> str:
        """138****5678, 0577****1125, 330382********4210."""
        v = self.value
        if self.kind == "id_number":
            return v[:6] + "*" * (len(v) - 10) + v[-4:]
        keep = 3 if self.kind == "mobile" else (3 if v[1] in "12" else 4)
        return v[:keep] + "*" * (len(v) - keep - 4) + v[-4:]


def digits_of(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit() or ch in "Xx").upper()


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("\u3000", " ")


def find_personal_data(text: str, *, public_numbers: Iterable[str] = ()) -> list[Finding]:
    """Phone and ID numbers in `text`, in the order found; `public_numbers` are skipped."""
    norm = _fold(text or "")
    public = {digits_of(_fold(p)).lstrip("0") for p in public_numbers if p}
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, m: re.Match, value: str) -> None:
        if any(m.start() < e and s < m.end() for s, e in taken):
            return
        if value.lstrip("0") in public:
            return
        taken.append((m.start(), m.end()))
        found.append(Finding(kind, value))

    for rx in (_ID18, _ID15):
        for m in rx.finditer(norm):
            add("id_number", m, digits_of(m.group(1)))
    for m in _MOBILE.finditer(norm):
        add("mobile", m, digits_of(m.group(1)))
    for m in _LANDLINE.finditer(norm):
        add("landline", m, digits_of(m.group(1)) + digits_of(m.group(2)))
    return found


def phone_number(text: str) -> Finding | None:
    """The one phone number `text` consists of (a contact field), or None when it holds
    anything else: no number, two numbers, an ID number, or words around the number."""
    found = find_personal_data(text)
    if len(found) != 1 or found[0].kind == "id_number":
        return None
    rest = re.sub(r"[\d\s\-+().·_]", "", _fold(text))
    return found[0] if not rest else None
