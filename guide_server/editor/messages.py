"""Checker findings worded for people filling in the web form.

The checker (guides.check_one) speaks to editors of YAML files: it names keys
("来源渠道(source)", "须填写 visits_reason", "charged: false") and starts every line with a
code (E102). In the form those keys are labelled fields, so here every model key becomes
its Chinese element name from the content standard (guides.schema_errors.FIELD_NAMES) and
the code is left out of the text (views keep it in a data attribute for support). Text the
editor wrote, quoted in “…”, is never changed. No Flask.
"""
from __future__ import annotations

import re

from guides.schema_errors import FIELD_NAMES

# keys that name an element of a guide, and how a YAML instruction reads in the form
_VALUES = {"true": "是", "false": "否"}
_SPECIAL = {("charged", "false"): "在“是否收费”中选“不收费”", ("charged", "true"): "在“是否收费”中选“收费”"}
_PAREN_KEY = re.compile(r"[（(]\s*([A-Za-z_][A-Za-z0-9_.]*)\s*[)）]")
_A, _Z = r"(?<![A-Za-z0-9_])", r"(?![A-Za-z0-9_])"  # ASCII word edges (\b sees hanzi as letters)
_KEY_VALUE = re.compile(_A + r"([a-z][a-z_]*)\s*:\s*(true|false)" + _Z)
_SNAKE = re.compile(_A + r"(?:[a-z]+(?:_[a-z]+)+|charged|materials|mistakes|conditions|locations|contacts|channels"
                    r"|audience|basis|flow|fee|faq|forms|aliases|visits|speed|category|department)" + _Z)
_QUOTED = re.compile(r"(“[^”]*”)")
_STANDARD = re.compile(r"可用字段见\s*CONTENT-STANDARD")


def field_name(key: str) -> str | None:
    """The Chinese name of a model key or dotted path ("fee.charged" -> 是否收费), or None."""
    last = key.split(".")[-1]
    return FIELD_NAMES.get(last)


def _outside_quotes(text: str) -> str:
    text = _STANDARD.sub("可填写的项目见内容标准", text)

    def paren(m: re.Match) -> str:
        return "" if field_name(m.group(1)) else m.group(0)

    text = _PAREN_KEY.sub(paren, text)

    def key_value(m: re.Match) -> str:
        special = _SPECIAL.get((m.group(1), m.group(2)))
        if special:
            return special
        name = field_name(m.group(1))
        return f"在“{name}”中选“{_VALUES[m.group(2)]}”" if name else m.group(0)

    text = re.sub(r"请写\s*(?=[a-z_]+\s*:\s*(?:true|false))", "请", text)
    text = _KEY_VALUE.sub(key_value, text)
    text = _SNAKE.sub(lambda m: f"“{field_name(m.group(0))}”" if field_name(m.group(0)) else m.group(0), text)
    return re.sub(r"\s+(?=“)|(?<=”)\s+(?=[\u4e00-\u9fff])", "", text)


def plain_message(message: str) -> str:
    """`message` without model keys: each key replaced by (or, after its Chinese name, reduced
    to) the element's Chinese name; quoted text left as written."""
    parts = _QUOTED.split(message)
    return "".join(p if _QUOTED.fullmatch(p) else _outside_quotes(p) for p in parts)

