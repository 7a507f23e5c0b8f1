"""The shared search index: Chinese substrings, pinyin, initials, ranking."""
import datetime as dt

from guides.model import Guide
from guides.search import SearchIndex, pinyin_forms


def make(code, name, aliases=(), materials=("居民身份证",), category="户籍办理"):
    return Guide.model_validate({
        "code": code, "name": name, "item_type": "行政确认", "audience": ["个人"], "category": category,
        "department": "某局", "basis": [{"law": "某法", "article": "第一条"}], "conditions": ["条件"],
        "materials": [{"name": m, "form": "原件", "copies": 1, "source": "申请人自备"}
                      for m in materials],
        "time_limit": {"statutory": {"value": 1, "unit": "工作日"}, "promised": "即时"}, "speed": "即办件", "fee": {"charged": False},
        "channels": ["窗口办理"], "visits": 1,
        "flow": [{"step": "受理", "who": "窗口", "time": "即时", "what": "受理"}],
        "locations": [{"address": "一楼", "window": "1 号", "hours": "9:00-17:00"}],
        "contacts": {"consult": "0577-61234567", "complaint": "12345"},
        "mistakes": [{"mistake": "a", "correct": "b"}], "updated": dt.date(2026, 1, 1), "aliases": list(aliases),
    })


GUIDES = [
    make("330382-GA-0001", "居民身份证换领", aliases=["换身份证"]),
    make("330382-GA-0002", "居民身份证补领"),
    make("330382-GA-0003", "户口迁移", materials=["居民户口簿", "准予迁入证明"]),
    make("330382-RS-0001", "社保卡申领", aliases=["社会保障卡"], category="社会保障"),
    make("330382-RS-0002", "城乡居民养老保险参保登记", category="社会保障"),
    make("330382-YB-0001", "医保异地就医备案", category="医疗保障"),
    make("330382-MZ-0001", "结婚登记", materials=["结婚登记声明书"], category="婚姻登记"),
    make("330382-BDC-0001", "身份", category="不动产登记"),
]
INDEX = SearchIndex(GUIDES)


def codes(q):
    return [h.code for h in INDEX.search(q)]


def test_pinyin_forms_of_the_issue_examples():
    assert pinyin_forms("居民身份证换领")[1] == "jmsfzhl"
    assert pinyin_forms("社保")[1] == "sb"
    assert pinyin_forms("社保卡申领")[0] == "shebaokashenling"


def test_chinese_substring_two_characters():
    assert codes("社保") == ["330382-RS-0001"]
    hits = INDEX.search("身份证")
    assert {h.code for h in hits[:2]} == {"330382-GA-0001", "330382-GA-0002"}
    # guides listing 居民身份证 as a material are found too, ranked below the name hits
    assert {h.code for h in hits} == {g.code for g in GUIDES} - {"330382-GA-0003", "330382-MZ-0001"}
    assert {h.field for h in hits[2:]} == {"material"}
    assert codes("结婚") == ["330382-MZ-0001"]


def test_exact_name_hit_ranks_first():
    # "身份" is a whole name and a substring of two others
    assert codes("身份")[0] == "330382-BDC-0001"
    assert codes("户口迁移")[0] == "330382-GA-0003"


def test_initials_and_full_pinyin():
    assert codes("jmsfzhl") == ["330382-GA-0001"]
    # 社保 first; 参保 (参 read shen, as in 人参) is another reading and ranks below it
    assert codes("sb") == ["330382-RS-0001", "330382-RS-0002"]
    assert codes("shebaoka") == ["330382-RS-0001"]
    assert set(codes("JMSF")) == {"330382-GA-0001", "330382-GA-0002"}
    assert "330382-YB-0001" in codes("yd")


def test_aliases_and_materials():
    assert codes("换身份证") == ["330382-GA-0001"]
    assert codes("社会保障卡") == ["330382-RS-0001"]
    assert codes("hsfz") == ["330382-GA-0001"]
    # a material name finds its guide, ranked below name hits
    assert codes("准予迁入") == ["330382-GA-0003"]
    hits = INDEX.search("户口")
    assert hits[0].code == "330382-GA-0003" and hits[0].field == "name"


def test_single_key_and_nothing_found():
    assert "330382-GA-0003" in codes("h")
    assert codes("不存在的事项") == []
    assert codes("") == [] and codes("   ") == []
    assert codes("xq") == []


def test_code_search():
    assert codes("330382-mz-0001") == ["330382-MZ-0001"]
