"""Codes in a guide: 事项编码, 基本编码 and the 统一社会信用代码 (GB 32100-2015).

事项编码 (``code``): the code the hall's platform publishes, 实施编码 or 业务办理项编码;
letters, digits and '-', 6-64 characters, starting with a letter or digit (GB/T 39554.1-2020
codes are 31 characters; Sichuan's local form is 50+ with hyphens; the sample form
``330382-GA-0001`` stays valid). 基本编码 (``basic_code``): 6-32 letters, digits, '-'.
"""
from __future__ import annotations

import re

from guides.model import BASIC_CODE_PATTERN, CODE_PATTERN

CODE_RE = re.compile(CODE_PATTERN)
BASIC_CODE_RE = re.compile(BASIC_CODE_PATTERN)

# GB 32100-2015: 18 characters from this alphabet (no I, O, Z, S, V); the last is a check character.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_RE = re.compile(rf"^[{USCC_ALPHABET}]{{18}}$")


def valid_code(text: str) -> bool:
    """True for a well-formed 事项编码."""
    return isinstance(text, str) and bool(CODE_RE.match(text))


def valid_basic_code(text: str) -> bool:
    """True for a well-formed 基本编码."""
    return isinstance(text, str) and bool(BASIC_CODE_RE.match(text))


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a 统一社会信用代码."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_well_formed(text: str) -> bool:
    """18 characters of the GB 32100 alphabet (the check character is not verified)."""
    return isinstance(text, str) and bool(USCC_RE.match(text))


def uscc_check_ok(text: str) -> bool:
    """True when a well-formed code's last character is its GB 32100 check character."""
    return uscc_well_formed(text) and uscc_check_char(text[:17]) == text[17]
