"""The shared-guide editor's “其他要素（YAML）” box refuses anchors, aliases and deep nesting
with the line beside the box, before any object is built."""
import pytest
from werkzeug.datastructures import MultiDict

from guide_server.editor.form import FormError, from_form


@pytest.mark.parametrize("text,expect", [
    ("result: &a [*a]\n", "第 1 行不允许使用锚点（&a）"),
    ("result: 证件\nnote: *x\n", "第 2 行不允许使用别名（*x）"),
    ("result: " + "[" * 80 + "]" * 80 + "\n", "第 1 行嵌套层次过深"),
])
def test_extra_yaml_box_refuses_aliases_and_deep_nesting_beside_the_box(text, expect):
    with pytest.raises(FormError) as info:
        from_form(MultiDict({"name": "测试", "_extra": text}), "330382-GA-0009")
    assert info.value.fields["_extra"][0].startswith(expect)
    assert expect in str(info.value)
    assert info.value.data["_extra_text"] == text.strip()  # shown again as typed (trimmed)


def test_extra_yaml_box_still_takes_plain_yaml():
    d = from_form(MultiDict({"name": "测试", "_extra": "result: 居民身份证\n"}), "330382-GA-0009")
    assert d["result"] == "居民身份证"
