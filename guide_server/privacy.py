"""Personal data in what people type into the server (好差评 comments and contacts, case notes,
searches): one place that asks guides.personal_data, the project's detector of phone and ID
numbers however written (full-width, separators, +86, Chinese numerals).

    find_personal_data(text, public_numbers=...)  -> [Finding(kind, start, end, value, ...)]
    phone_number("0577-6123 4999")                -> the Finding when the text is one phone number
    digits_of("138-1234-5678")                    -> "13812345678"

No Flask import.
"""
from __future__ import annotations

import re
import unicodedata

from guides.personal_data import Finding, find_personal_data, refusal_message

__all__ = ["Finding", "find_personal_data", "refusal_message", "phone_number", "digits_of"]

_PHONE_CHARS = re.compile(r"[\d\s\-+().·_（）]")


def digits_of(text: str) -> str:
    """The digits of `text` (full-width folded; an ID's X kept upper case)."""
    folded = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in folded if ch.isdigit() or ch in "Xx").upper()


def phone_number(text: str) -> Finding | None:
    """The one phone number `text` consists of (a contact field), or None when it holds anything
    else: no number, two numbers, an ID number, or words around the number."""
    found = find_personal_data(text, chinese_numerals=False)
    if len(found) != 1 or found[0].kind == "id_number":
        return None
    rest = _PHONE_CHARS.sub("", unicodedata.normalize("NFKC", text))
    return found[0] if not rest else None
