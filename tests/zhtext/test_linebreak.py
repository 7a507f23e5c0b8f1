"""Chinese line breaking shared by receipts and screens: 禁则 and runs that are never cut."""
import pytest
from hypothesis import given, settings, strategies as st
from PIL import ImageFont

from guides.fonts import FONT_PATH
from zhtext.linebreak import CLOSING, OPENING, display_width, summed, wrap

# Field case 05-kiosk-wrap-splits-amount.py: the 易错范例 body of 330382-GA-0001 on the portrait
# guide screen (normal mode): 986 px wide, Noto Sans SC at 29 px. Kivy cut it "工本费 1" / "0 元/证".
FIELD_CASE_05 = ("易错：身份证还有半年才到期就来换证，被告知暂不能受理\n"
                 "正确做法：到期换领在有效期满前三个月内申请；证件损坏、登记项目有误的不受这个时间限制\n"
                 "易错：穿白色或浅色无领上衣、戴美瞳拍照，人像采集不合格需要重拍\n"
                 "正确做法：穿深色有领上衣，不戴帽子、头饰和美瞳，露出眉毛和双耳；确需戴眼镜的镜片不能反光\n"
                 "易错：旧证过期后才发现急需用证，以为只能等新证\n"
                 "正确做法：受理换领时可同时申请临时居民身份证，有效期三个月，工本费\u00a010\u00a0元/证，当场或三日内发放")


@pytest.fixture(scope="module")
def px29():
    """Advance widths in pixels of the bundled font at the guide body's 29 px."""
    return summed(ImageFont.truetype(str(FONT_PATH), 29).getlength)


def spans(text: str, lines: list[str]) -> list[tuple[int, int]]:
    """Where each line lies in `text` (the spaces a break swallowed lie between lines)."""
    out, p = [], 0
    for i, line in enumerate(lines):
        # spaces a break swallowed, or an indentation that gave way to a piece that did not fit
        while p < len(text) and text[p] in " \n" and not text[p:].startswith(line):
            p += 1
        assert text[p:p + len(line)] == line, (text[p:], line)
        out.append((p, p + len(line)))
        p += len(line)
    return out


def breaks(text: str, lines: list[str]) -> set[int]:
    """Text positions where one line ends and the next begins."""
    s = spans(text, lines)
    return {end for (_, end), _ in zip(s, s[1:])} | {start for _, (start, _) in zip(s, s[1:])}


def assert_kinsoku(lines: list[str]) -> None:
    for a, b in zip(lines, lines[1:]):
        assert not b or b[0] not in CLOSING, f"line starts with closing punctuation: {b!r}"
        assert not a or a[-1] not in OPENING, f"line ends with opening punctuation: {a!r}"


@pytest.mark.parametrize("text", [FIELD_CASE_05, FIELD_CASE_05.replace("\u00a0", " ")])
def test_field_case_amount_is_not_cut_and_no_line_starts_with_punctuation(text, px29):
    lines = wrap(text, 986, px29)
    assert all(px29(line) <= 986 for line in lines)
    assert_kinsoku(lines)
    split_digits = [(a, b) for a, b in zip(lines, lines[1:]) if a[-1:].isdigit() and b[:1].isdigit()]
    assert not split_digits
    assert [line for line in lines if "10" in line][0].replace("\u00a0", " ").count("10 元/证") == 1
    assert "".join(lines).replace(" ", "").replace("\u00a0", "") == text.replace("\n", "").replace(" ", "").replace(
        "\u00a0", "")


def test_field_case_with_plain_spaces_breaks_before_the_amount(px29):
    lines = wrap(FIELD_CASE_05.replace("\u00a0", " "), 986, px29)
    assert lines[-2:] == ["正确做法：受理换领时可同时申请临时居民身份证，有效期三个月，工本费",
                          "10 元/证，当场或三日内发放"]


@pytest.mark.parametrize("text,width,expected", [
    ("收费标准：工本费 10 元/证", 22, ["收费标准：工本费", "10 元/证"]),
    ("办理时间：周一至周五 8:30-12:00、13:30-17:00", 24,
     ["办理时间：周一至周五", "8:30-12:00、13:30-17:00"]),
    ("依据浙政办发〔2019〕51号文件执行", 20, ["依据浙政办发", "〔2019〕51号文件执行"]),
    ("可在本窗口申请异地换领（全国通办）", 24, ["可在本窗口申请异地换领", "（全国通办）"]),
    ("法定时限为自受理之日起六十日……", 30, ["法定时限为自受理之日起", "六十日……"]),
    ("事项编码：11330382002609422Q3000102001000", 40,
     ["事项编码：", "11330382002609422Q3000102001000"]),
    ("承诺时限 15 个工作日", 16, ["承诺时限", "15 个工作日"]),
    ("依据《居民身份证法》第十一条", 26, ["依据《居民身份证法》", "第十一条"]),
    ("于2026年11月1日起施行", 14, ["于", "2026年11月1日", "起施行"]),
    ("收费￥12.50", 8, ["收费", "￥12.50"]),
])
def test_numbers_amounts_times_codes_and_document_numbers_stay_whole(text, width, expected):
    assert wrap(text, width) == expected


def test_closing_punctuation_takes_the_character_before_it_down():
    assert wrap("一二三四五六七八九十一二三四五，六", 30) == ["一二三四五六七八九十一二三四", "五，六"]
    assert wrap("请带原件“身份证”。", 16) == ["请带原件“身份", "证”。"]


def test_a_run_wider_than_a_line_is_cut_at_a_separator_never_between_punctuation_and_text():
    url = "https://bs.example.gov.cn/g/511A0138000000-511602000000-000-115113010833722043-1-00"
    lines = wrap("扫码查看：" + url, 32)
    assert lines == ["扫码查看：", "https://bs.example.gov.cn/g/", "511A0138000000-511602000000-000-",
                     "115113010833722043-1-00"]
    assert wrap("12345678901234567890", 8) == ["12345678", "90123456", "7890"]  # no choice left


def test_spaces_vanish_at_a_break_but_indentation_stays():
    assert wrap("   材料 原件 一份", 8) == ["   材料", "原件", "一份"]
    assert wrap("第一段\n\n第二段", 10) == ["第一段", "", "第二段"]
    assert wrap("甲乙丙丁戊", 4, rest_width=6) == ["甲乙", "丙丁戊"]


def test_a_no_break_space_joins_its_neighbours():
    assert wrap("工本费\u00a010元", 8) == ["工本", "费\u00a010元"]


def test_widths_must_be_positive():
    with pytest.raises(ValueError):
        wrap("文字", 0)
    with pytest.raises(ValueError):
        wrap("文字", 10, rest_width=-1)


def test_display_width_counts_wide_characters_as_two_columns():
    assert display_width("工本费 10 元/证") == 6 + 1 + 2 + 1 + 2 + 1 + 2
    assert display_width("（１）") == 6 and display_width("e\u0301") == 1
    assert display_width("“……”") == 8  # ambiguous-width punctuation is full width in Chinese text


# Property: realistic text made of words, amounts, times, codes and punctuation.
HANZI = "办理申请材料身份证居民户口簿原件复印件窗口市民中心受理时限工作日收费标准咨询电话地址核验照片"
PROTECTED = st.one_of(
    st.builds(lambda n, u: f"{n}{u}", st.integers(1, 9999), st.sampled_from([" 元/证", "元", " 元/件", " 个工作日", "份", " 人"])),
    st.builds(lambda h, m, h2, m2: f"{h}:{m:02d}-{h2}:{m2:02d}", st.integers(7, 12), st.integers(0, 59),
              st.integers(12, 18), st.integers(0, 59)),
    st.builds(lambda y, n: f"〔{y}〕{n}号", st.integers(1990, 2030), st.integers(1, 3000)),
    st.sampled_from(["330382-GA-0001", "0577-61881125", "12345", "2026-11-01"]),
)
WORDS = st.text(st.sampled_from(HANZI), min_size=1, max_size=12)
CLAUSE = st.tuples(st.sampled_from(["", "（", "《", "“"]), st.one_of(WORDS, PROTECTED), st.sampled_from(["", "）", "》", "”"]),
                   st.sampled_from(["", "，", "。", "；", "、", "：", " ", "！"]))


@st.composite
def paragraphs(draw):
    text, protected = draw(st.sampled_from(["", "", "   ", "      "])), []  # with an indentation, or not
    for opening, core, closing, after in draw(st.lists(CLAUSE, min_size=1, max_size=25)):
        if not opening and text[-1:].isalnum() and text[-1:].isascii() and core[0].isascii():
            text += "、"  # two codes written together would be one code
        text += opening
        if not any(ch in HANZI for ch in core):
            protected.append((len(text), len(text) + len(core)))
        text += core + closing + after
    return text, protected


@settings(max_examples=300, deadline=None)
@given(sample=paragraphs(), width=st.integers(24, 60))
def test_property_rules_hold_for_any_text_in_columns(sample, width):
    text, protected = sample
    lines = wrap(text, width)
    assert all(display_width(line) <= width for line in lines)
    assert_kinsoku(lines)
    cut = breaks(text, lines)
    for start, end in protected:  # amounts, times, codes, document numbers: never cut
        assert not [p for p in cut if start < p < end], (text[start:end], lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert lines[0].startswith(text[:len(text) - len(text.lstrip(" "))]) or display_width(text) > width


@settings(max_examples=40, deadline=None)
@given(sample=paragraphs(), width=st.integers(500, 1000))
def test_property_rules_hold_in_pixels_on_a_screen(sample, width):
    measure = summed(ImageFont.truetype(str(FONT_PATH), 29).getlength)
    text, protected = sample
    lines = wrap(text, width, measure)
    assert all(measure(line) <= width + 1e-6 for line in lines)
    assert_kinsoku(lines)
    cut = breaks(text, lines)
    for start, end in protected:
        assert not [p for p in cut if start < p < end], (text[start:end], lines)
