"""Phone and ID numbers in free text, however people write them; nothing else."""
import pytest
from hypothesis import given, settings, strategies as st

from guides.personal_data import (find_personal_data, id_number_valid, mask_personal_data,
                                  refusal_message)

ID = "330382199001024214"      # made up, with a valid GB 11643 check digit
ID_X = "33038219900102103X"
MOBILE = "13812345678"


def kinds(text, **kw):
    return [(f.kind, f.value) for f in find_personal_data(text, **kw)]


@pytest.mark.parametrize("written", [
    "13812345678", "+86 138 1234 5678", "+86-138-1234-5678", "+8613812345678", "0086 13812345678",
    "0086-138-1234-5678", "86 138 1234 5678", "8613812345678", "(+86) 138 1234 5678", "（＋８６）１３８１２３４５６７８",
    "１３８１２３４５６７８", "138 1234 5678", "138-1234-5678", "138—1234—5678", "138.1234.5678", "138·1234·5678",
    "1 3 8 1 2 3 4 5 6 7 8", "138 - 1234 - 5678", "138\u00a01234\u00a05678", "138\u30001234\u30005678",
    "１３８－１２３４－５６７８", "一三八一二三四五六七八", "幺三八 幺二三四 五六七八", "138一二三四5678",
])
def test_a_mobile_number_however_written(written):
    text = f"窗口态度很好，有问题打我电话{written}，谢谢"
    found = find_personal_data(text)
    assert [(f.kind, f.value) for f in found] == [("mobile", MOBILE)]
    assert text[found[0].start:found[0].end] == written  # the span is in the original text
    assert mask_personal_data(text) == "窗口态度很好，有问题打我电话138****5678，谢谢"


@pytest.mark.parametrize("written,value", [
    ("0577-61881125", "057761881125"), ("0577 6188 1125", "057761881125"), ("(0577)61881125", "057761881125"),
    ("（０５７７）６１８８１１２５", "057761881125"), ("+86 577 6188 1125", "057761881125"),
    ("+86-577-61881125", "057761881125"), ("0086 577 61881125", "057761881125"), ("010-62345678", "01062345678"),
    ("021 6234 5678 转 801", "02162345678"), ("0577-6188112", "05776188112"), ("+86 10 6234 5678", "01062345678"),
])
def test_a_landline_however_written(written, value):
    assert kinds(f"家里座机{written}。") == [("landline", value)]


@pytest.mark.parametrize("written", [
    ID, "330382 19900102 4214", "330382-19900102-4214", "3303 8219 9001 0242 14", "330382 1990 0102 4214",
    "３３０３８２１９９００１０２４２１４", "330382.19900102.4214", "三三〇三八二一九九〇〇一〇二四二一四",
])
def test_an_id_number_however_written(written):
    text = f"我的身份证号是{written}请核实"
    found = find_personal_data(text)
    assert [(f.kind, f.value, f.check_digit_ok) for f in found] == [("id_number", ID, True)]
    assert mask_personal_data(text) == "我的身份证号是330382********4214请核实"


def test_an_id_number_ending_in_x_and_one_with_a_wrong_check_digit():
    assert kinds(f"证件{ID_X.lower()}") == [("id_number", ID_X)]
    assert id_number_valid(ID_X) and id_number_valid(ID) and not id_number_valid(ID[:-1] + "5")
    typo = find_personal_data(f"证件 {ID[:-1]}5")
    assert [(f.kind, f.check_digit_ok) for f in typo] == [("id_number", False)]  # still someone's number


def test_several_in_one_text_and_the_message_says_what_and_where():
    text = f"手机+86 138 1234 5678，身份证{ID[:6]} {ID[6:14]} {ID[14:]}"
    found = find_personal_data(text)
    assert [f.kind for f in found] == ["mobile", "id_number"]
    assert refusal_message(found) == ("为保护您的隐私，请删去意见建议中的手机号码（第 3–19 个字）、"
                                      "身份证号码（第 24–43 个字）后再提交。")


@pytest.mark.parametrize("text", [
    "工本费 138 元", "补缴 13800000000 元", "¥1,380.00", "2026-11-22 08:30", "2026年11月22日", "办理时间 8:30-12:00、13:30-17:00",
    "事项编码 330382-GA-0001", "11330382002609422Q3000102001000", "511A0138000000-511602000000-000-115113010833722043-1-00",
    "投诉请打 12345", "12333 社保热线", "0577-12345", "400-123-4567", "800 820 8820", "统一社会信用代码 91330382MA2J4KQX8C",
    "受理编号 20261122000123", "邮编 325600", "等了一个小时三十八分钟", "一二三四五六七八九十", "第 138 号 12 号窗口",
    "19900102", "330382199013324214",  # no 13th month
    "990382199001024214",  # no province 99
])
def test_no_false_positives_on_amounts_dates_codes_and_hotlines(text):
    assert find_personal_data(text) == []


def test_numbers_the_product_publishes_are_not_personal():
    text = "打了咨询电话 0577-61881125 没人接，手机 13812345678"
    assert kinds(text, public_numbers=["0577-61881125", "12345"]) == [("mobile", MOBILE)]
    assert kinds("热线 +86 577 6188 1125", public_numbers=["0577-61881125"]) == []


def test_chinese_numerals_are_optional():
    assert kinds("一三八一二三四五六七八", chinese_numerals=False) == []


@settings(max_examples=200, deadline=None)
@given(seps=st.lists(st.sampled_from(["", " ", "-", " - ", ".", "\u3000", "—"]), min_size=10, max_size=10),
       prefix=st.sampled_from(["", "+86 ", "0086", "86-", "(+86)"]),
       full_width=st.booleans(),
       before=st.sampled_from(["", "电话", "联系我：", "请打"]), after=st.sampled_from(["", "，谢谢", "。", " 张先生"]))
def test_property_any_separators_and_prefix(seps, prefix, full_width, before, after):
    number = MOBILE[0] + "".join(sep + d for sep, d in zip(seps, MOBILE[1:]))
    written = prefix + number
    if full_width:
        written = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in written)
    found = find_personal_data(before + written + after)
    assert [(f.kind, f.value) for f in found] == [("mobile", MOBILE)]
    assert "5678" not in mask_personal_data(before + written + after).replace("****5678", "")
