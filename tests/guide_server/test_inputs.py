"""guide_server.inputs: the nesting scan, ASCII numbers and the Chinese messages for refused input."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict

from guide_server.inputs import BadInput, ascii_int, json_depth, parse_json


@pytest.mark.parametrize("doc, depth", [
    ("1", 0), ("[]", 1), ('{"a":[1,{"b":"[[["}]}', 3), ('"\\"[{"', 0), ('[["]\\\\",[]]]', 3),
    ('{"k\\"}": [[]]}', 3), ("[" * 40 + "]" * 40, 40),
])
def test_json_depth_counts_brackets_outside_strings(doc, depth):
    assert json_depth(doc.encode()) == depth


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab,:\n'),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner,
                                                                                        max_size=3), max_leaves=20)


def _depth(value) -> int:
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    return 0


@given(json_values)
@settings(max_examples=200, deadline=None)
def test_json_depth_agrees_with_the_parsed_value(value):
    assert json_depth(json.dumps(value).encode()) == _depth(value)


def test_bodies_that_would_make_a_backtracking_scan_quadratic_are_read_in_one_pass():
    # a stray quote followed by 20,000 escaped quotes: no string ever closes
    assert json_depth(b'"' + b'\\"' * 20000) == 0
    assert json_depth(b'"' * 59999 + b"[[") == 0  # an odd number of quotes: the brackets are inside a string
    assert json_depth(b'"' * 60000 + b"[[") == 2


class Model(BaseModel):
    model_config = ConfigDict(strict=True)
    n: int


def test_parse_json_refuses_in_order_size_depth_syntax_model():
    with pytest.raises(BadInput) as e:
        parse_json(b"x" * 101, Model, max_bytes=100)
    assert e.value.status == 413 and "请求体过大" in e.value.message
    with pytest.raises(BadInput) as e:
        parse_json(b"[" * 33 + b"]" * 33, Model, max_bytes=1000)
    assert e.value.status == 400 and "嵌套过深" in e.value.message
    with pytest.raises(BadInput) as e:
        parse_json(b'{"n": }', Model, max_bytes=1000)
    assert e.value.status == 400 and "第 1 行第 7 列" in e.value.message
    with pytest.raises(BadInput) as e:
        parse_json(b'{"n": "7"}', Model, max_bytes=1000)
    assert e.value.status == 422 and "字段 n 应为整数" in e.value.message
    assert parse_json(b'{"n": 7}', Model, max_bytes=1000).n == 7


@pytest.mark.parametrize("text", ["", "²", "٣", "３", "-1", "+1", " 1", "1 ", "1_000", "1e3", "0x1", "1" * 10])
def test_ascii_int_refuses_anything_but_ascii_digits(text):
    with pytest.raises(BadInput) as e:
        ascii_int(text, "limit")
    assert e.value.status == 400 and "参数 limit" in e.value.message


def test_ascii_int_reads_digits_and_keeps_the_range():
    assert ascii_int("007", "n") == 7 and ascii_int(None, "n", default=3) == 3 and ascii_int(None, "n") is None
    with pytest.raises(BadInput, match="1 到 50 之间"):
        ascii_int("51", "limit", minimum=1, maximum=50)
