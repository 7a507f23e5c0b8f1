"""Untrusted request input, checked before any code touches it: JSON bodies (size, nesting
depth, then a pydantic model) and numbers in query strings and forms (ASCII digits only).

No Flask here; guide_server.web turns a `BadInput` into a 400/413/422 answer (JSON under
/api/, a page elsewhere).

Why a depth scan before parsing: Python's json module recurses once per nesting level, so a
body of 2,000 nested brackets ends in RecursionError deep inside the parser. The scan below
counts brackets outside strings in one pass over the raw bytes and refuses anything nested
deeper than `MAX_DEPTH` before the parser runs.

Why ASCII digits: `str.isdigit()` is true for "²" and "٣", and `int()` accepts "٣" (and
" 3 ", "+3", "3_000"), so a number that looks checked may still crash or be read as something
the client did not mean. A number here is 1 to `MAX_DIGITS` characters of 0-9, nothing else.
"""
from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import TypeVar

from pydantic import BaseModel, ValidationError

MAX_DEPTH = 32          # deepest nesting of objects/arrays a JSON body may have
MAX_DIGITS = 9          # longest number accepted in a query or form field (fits in 32 bits)

_DIGITS = re.compile(r"[0-9]{1,%d}" % MAX_DIGITS, re.ASCII)
# A JSON string: quote, then anything but quote/backslash or an escape pair, then the closing
# quote if there is one. The alternatives cannot overlap and an unterminated string matches to
# the end, so one pass over the body finds every string without backtracking (a pattern that
# insists on the closing quote rescans the rest of the body from every stray quote: quadratic).
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"?', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}

M = TypeVar("M", bound=BaseModel)


class BadInput(ValueError):
    """Input refused before use. `status` is the HTTP status to answer (400 malformed,
    413 too large, 422 well-formed but not what the operation takes); `message` is Chinese
    and says what and where."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def ascii_int(text: str | None, name: str, *, minimum: int | None = None, maximum: int | None = None,
              default: int | None = None) -> int | None:
    """The integer written in `text` with ASCII digits 0-9 only (at most MAX_DIGITS of them).

    None (the parameter is absent) gives `default`. Raises BadInput (400) naming parameter
    `name` for anything else: "", signs, spaces, "²", "٣", "1e3", or a value outside
    [minimum, maximum].
    """
    if text is None:
        return default
    if not isinstance(text, str) or not _DIGITS.fullmatch(text):
        raise BadInput(f"参数 {name} 应为整数（只用 0-9 这十个数字），收到的是 {_show(text)}。")
    value = int(text)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        lo = "" if minimum is None else str(minimum)
        hi = "" if maximum is None else str(maximum)
        rng = f"{lo} 到 {hi} 之间的整数" if lo and hi else (f"不小于 {lo} 的整数" if lo else f"不大于 {hi} 的整数")
        raise BadInput(f"参数 {name} 应为{rng}，收到的是 {value}。")
    return value


def _show(text: object) -> str:
    s = str(text)
    return repr(s[:20] + ("…" if len(s) > 20 else ""))


def json_depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in `raw` (brackets inside strings not counted).

    Linear and without recursion: strings are cut out in one regex pass, the brackets left
    are turned into +1/-1 steps and the deepest running sum is taken. On malformed input the
    figure is still at least as deep as a parser would descend before failing.
    """
    brackets = _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def parse_json(raw: bytes, model: type[M], *, max_bytes: int, max_depth: int = MAX_DEPTH) -> M:
    """`raw` as an instance of `model`, checked in this order: size, nesting depth, JSON
    syntax, UTF-8, then the model. Raises BadInput: 413 too large, 400 too deep or not JSON,
    422 when the model refuses it (the message names the field path)."""
    if len(raw) > max_bytes:
        raise BadInput(f"请求体过大：最多 {max_bytes} 字节，收到 {len(raw)} 字节。", 413)
    if json_depth(raw) > max_depth:
        raise BadInput(f"请求体嵌套过深：JSON 对象和数组最多嵌套 {max_depth} 层。")
    try:
        data = json.loads(raw)
    except UnicodeDecodeError:
        raise BadInput("请求体不是 UTF-8 编码的文本。") from None
    except (ValueError, RecursionError) as exc:
        raise BadInput(f"请求体不是有效的 JSON：{_json_error(exc)}。") from None
    return validate(data, model)


def validate(data: object, model: type[M]) -> M:
    """`data` (already parsed) as `model`, or BadInput 422 naming the first wrong field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise BadInput(describe(exc), 422) from None


def _json_error(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"第 {exc.lineno} 行第 {exc.colno} 列附近格式错误"
    return "格式错误"


_KINDS = {
    "missing": "缺少此项",
    "extra_forbidden": "不认识的字段",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "dict_type": "应为 JSON 对象",
    "model_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "list_type": "应为数组",
    "float_type": "应为数字",
    "string_too_long": "文本过长",
    "string_too_short": "不能为空",
    "too_long": "项数过多",
    "too_short": "项数不足",
    "string_pattern_mismatch": "格式不对",
    "literal_error": "不是允许的取值",
    "enum": "不是允许的取值",
    "greater_than_equal": "数值过小",
    "greater_than": "数值过小",
    "less_than_equal": "数值过大",
    "less_than": "数值过大",
    "datetime_from_date_parsing": "应为 ISO 8601 时间",
    "datetime_parsing": "应为 ISO 8601 时间",
    "datetime_type": "应为 ISO 8601 时间",
}


def describe(exc: ValidationError, subject: str = "请求体") -> str:
    """A Chinese sentence for the first error of a pydantic ValidationError, with its field
    path (e.g. "请求体字段 printer.state 应为文本（收到的是 JSON 对象）。")."""
    errors = exc.errors(include_url=False)
    if not errors:
        return f"{subject}不符合要求。"
    first = errors[0]
    path = ".".join(str(p) for p in first.get("loc", ()) if p != "__root__")
    what = _KINDS.get(first.get("type", ""), "不符合要求")
    ctx = first.get("ctx") or {}
    if first.get("type") in ("string_too_long", "too_long") and "max_length" in ctx:
        what += f"（最多 {ctx['max_length']}）"
    if first.get("type") in ("less_than_equal",) and "le" in ctx:
        what += f"（最大 {ctx['le']}）"
    if first.get("type") in ("greater_than_equal",) and "ge" in ctx:
        what += f"（最小 {ctx['ge']}）"
    got = _type_name(first.get("input")) if first.get("type") != "missing" else ""
    where = f"{subject}字段 {path} " if path else subject
    more = f"；另有 {len(errors) - 1} 处问题" if len(errors) > 1 else ""
    return f"{where}{what}" + (f"（收到的是{got}）" if got else "") + more + "。"


def _type_name(value: object) -> str:
    if isinstance(value, dict):
        return " JSON 对象"
    if isinstance(value, list):
        return "数组"
    if isinstance(value, bool):
        return " true/false"
    if isinstance(value, (int, float)):
        return "数字"
    if value is None:
        return " null"
    if isinstance(value, str):
        return "文本"
    return ""
