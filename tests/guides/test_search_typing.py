"""Search as people type: polyphones in every reading, full-width forms, case, spaces,
punctuation, Chinese mixed with pinyin."""
import re
import shutil

import pytest
from hypothesis import given, settings, strategies as st

from guides.loader import load_content
from guides.search import MAX_READINGS, SearchIndex, normalize_query, pinyin_readings
from tests.conftest import SAMPLE_CONTENT
from tests.guides.test_search import make


@pytest.fixture(scope="module")
def field_case_index(tmp_path_factory):
    """Field case 02-search-polyphone-huankuan.yaml: the sample content plus 330382-GJJ-0004, a
    copy of 330382-GJJ-0001 named 住房公积金贷款提前还款 with the alias 提前还贷."""
    root = tmp_path_factory.mktemp("content")
    shutil.copytree(SAMPLE_CONTENT, root, dirs_exist_ok=True)
    src = (root / "guides" / "330382-GJJ-0001.yaml").read_text(encoding="utf-8")
    src = re.sub(r'(?m)^code: .*$', 'code: "330382-GJJ-0004"', src)
    src = re.sub(r"(?m)^name: .*$", "name: 住房公积金贷款提前还款", src)
    src = re.sub(r"(?m)^aliases: .*$", "aliases: [提前还贷]", src)
    (root / "guides" / "330382-GJJ-0004.yaml").write_text(src, encoding="utf-8")
    content = load_content(root)
    assert content.guides["330382-GJJ-0004"].name == "住房公积金贷款提前还款"
    return SearchIndex(content.guides.values())


@pytest.mark.parametrize("q", ["huankuan", "tiqianhuankuan", "haikuan", "TiQian HuanKuan", "tqhk", "提前还款",
                               "daikuantiqian"])
def test_field_case_every_reading_of_huan_finds_the_guide(field_case_index, q):
    assert field_case_index.search(q)[0].code == "330382-GJJ-0004"


POLYPHONES = [
    make("110105-GA-0001", "朝阳区居住证签注"),
    make("330382-MZ-0002", "长辈代办养老金资格认证", category="社会保障"),
    make("500000-GA-0001", "重庆户口迁入乐清", category="户籍办理"),
    make("330382-RS-0003", "银行卡社保待遇发放", category="社会保障"),
    make("330382-RS-0004", "单位参保登记", category="社会保障"),
    make("330382-GJJ-0002", "住房公积金贷款提前还款", category="公积金"),
    make("330382-YB-0002", "绿色通道医保备案", category="医疗保障"),
]
POLY = SearchIndex(POLYPHONES)


@pytest.mark.parametrize("q,code", [
    ("chaoyang", "110105-GA-0001"), ("zhaoyang", "110105-GA-0001"), ("cyq", "110105-GA-0001"),
    ("zhangbei", "330382-MZ-0002"), ("changbei", "330382-MZ-0002"), ("zbdb", "330382-MZ-0002"),
    ("chongqing", "500000-GA-0001"), ("cqhk", "500000-GA-0001"), ("yueqing", "500000-GA-0001"),
    ("yinhang", "330382-RS-0003"), ("yhk", "330382-RS-0003"),
    ("danwei", "330382-RS-0004"), ("dwcb", "330382-RS-0004"),
    ("huankuan", "330382-GJJ-0002"), ("haikuan", "330382-GJJ-0002"),
    ("lvse", "330382-YB-0002"), ("lüse", "330382-YB-0002"), ("LÜSE", "330382-YB-0002"),
])
def test_place_names_and_common_polyphones_in_any_reading(q, code):
    assert POLY.search(q)[0].code == code


def test_the_phrase_reading_comes_first_and_ranks_above_other_readings():
    full, initials = pinyin_readings("住房公积金贷款提前还款")
    assert full[0].endswith("tiqianhaikuan") and any(f.endswith("tiqianhuankuan") for f in full)
    assert pinyin_readings("重庆")[0][0] == "chongqing" and pinyin_readings("银行")[0][0] == "yinhang"
    # "changbei" is the phrase reading of 常备 and another reading of 长辈 (zhangbei): 常备 first
    index = SearchIndex([make("330382-MZ-0002", "长辈代办"), make("330382-MZ-0003", "常备药品登记")])
    hits = index.search("changbei")
    assert [h.code for h in hits] == ["330382-MZ-0003", "330382-MZ-0002"]
    assert hits[0].score > hits[1].score


def test_archaic_readings_do_not_match_short_initials():
    # pypinyin's heteronym list has 份 bin and 款 xin; no word reads them so, and "sb" must not
    # find 身份证 (it finds 社保 first)
    assert pinyin_readings("身份证") == (("shenfenzheng",), ("sfz",))
    index = SearchIndex([make("330382-GA-0001", "居民身份证换领"), make("330382-RS-0001", "社保卡申领")])
    assert [h.code for h in index.search("sb")] == ["330382-RS-0001"]


def test_spellings_per_name_are_capped_but_every_single_change_is_kept():
    name = "朝阳区长乐重行单还参藏和乐行长朝"  # 15 polyphones
    full, initials = pinyin_readings(name)
    assert len(full) == len(set(full))
    singles = [f for f in full[1:] if sum(a != b for a, b in zip(f, full[0])) and len(f) == len(full[0])]
    assert MAX_READINGS <= len(full) <= 1 + 15 * 3
    assert len(initials) <= len(full)
    assert pinyin_readings(name, 1) == ((full[0],), (initials[0],))
    assert singles  # one-character changes are there
    # every polyphone's other common reading appears in some spelling
    assert any("chaoyang" in f for f in full) and any("huan" in f for f in full)


@pytest.mark.parametrize("q", [
    "ＳＦＺ", "ｓｆｚ", "S F Z", "s-f-z", "“身份证”", "身 份 证", "身份证！", "shen fen zheng", "ShenFenZheng",
    "JMSF", "ｊｍｓｆ",
])
def test_what_people_type_on_phones_and_imes(q):
    from tests.guides.test_search import INDEX

    assert {h.code for h in INDEX.search(q)[:2]} == {"330382-GA-0001", "330382-GA-0002"}


@pytest.mark.parametrize("q", ["居民身份证/换领", "ＪＭＳＦＺＨＬ", "jmsfz hl", "330382－GA－0001", "330382 ga 0001",
                               "Hsfz", "换 身份证"])
def test_what_people_type_finds_the_one_guide(q):
    from tests.guides.test_search import INDEX

    assert INDEX.search(q)[0].code == "330382-GA-0001"


@pytest.mark.parametrize("q,code", [
    ("社保ka", "330382-RS-0001"), ("社保 Ka", "330382-RS-0001"), ("sb卡", "330382-RS-0001"),
    ("hukou 迁移", "330382-GA-0003"), ("户口qianyi", "330382-GA-0003"), ("户口qy", "330382-GA-0003"),
    ("医保yidi", "330382-YB-0001"),
])
def test_chinese_mixed_with_pinyin(q, code):
    from tests.guides.test_search import INDEX

    assert INDEX.search(q)[0].code == code


def test_normalisation_is_one_function():
    assert normalize_query("ＳＦＺ　身份证/换领、\"shen fen\" xi'an 330382-GA-0001 ü") == \
        "sfz身份证换领shenfenxian330382ga0001v"
    assert normalize_query("，。！  ") == ""


FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_noise_people_add_does_not_change_the_results(data):
    from tests.guides.test_search import GUIDES, INDEX

    guide = data.draw(st.sampled_from(GUIDES))
    full, initials = pinyin_readings(guide.name)
    source = data.draw(st.sampled_from([guide.name, full[0], initials[0], guide.code]))
    start = data.draw(st.integers(0, max(0, len(source) - 2)))
    q = source[start:start + data.draw(st.integers(2, 8))]
    noisy = "".join(
        data.draw(st.sampled_from([ch, ch.upper(), FULL_WIDTH.get(ch.upper(), ch), FULL_WIDTH.get(ch, ch)]))
        + data.draw(st.sampled_from(["", "", " ", "　", "-", "，"]))
        for ch in q)
    assert normalize_query(noisy) == normalize_query(q)
    assert INDEX.search(noisy) == INDEX.search(q)
    assert guide.code in {h.code for h in INDEX.search(q, limit=50)}
