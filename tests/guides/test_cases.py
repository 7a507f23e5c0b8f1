"""情形引导: one function resolves a guide for a citizen's answers; every surface uses it."""
import pytest

from guides.cases import UnknownAnswer, all_paths, answers_from_query, path_query, resolve, with_answer
from guides.loader import load_content
from guides.model import Guide, MaterialGroup
from tests.conftest import FIXTURES, SAMPLE_CONTENT


@pytest.fixture(scope="module")
def fixture_guides():
    return load_content(FIXTURES / "valid").guides


@pytest.fixture(scope="module")
def sample():
    return load_content(SAMPLE_CONTENT)


def names(applicable):
    return [getattr(e, "name", None) or e.one_of for e in applicable.certain]


def test_an_answer_path_shows_only_its_materials_fees_and_mistakes(fixture_guides):
    g = fixture_guides["330382-GA-0001"]
    lost = resolve(g, {"why": "lost"})
    assert lost.complete and lost.query == "why=lost"
    assert lost.answers_text == "您要办理哪一种？证件遗失（补领）"
    assert names(lost.materials) == ["身份证明（任选一种）", "居民身份证申领登记表"]
    group = lost.materials.certain[0]
    assert isinstance(group, MaterialGroup) and group.choose == 1
    assert [m.name for m in group.items] == ["居民户口簿", "居住证"]  # the group stays a group
    assert [(f.name, f.amount) for f in lost.fees.certain] == [("工本费", 40)]
    assert [m.mistake for m in lost.mistakes.certain] == ["戴帽子或深色眼镜拍照"]
    renew = resolve(g, {"why": "renew"})
    assert names(renew.materials) == ["原居民身份证", "居民身份证申领登记表"]
    assert [f.amount for f in renew.fees.certain] == [20]
    assert not lost.materials.cases and not renew.fees.cases


def test_without_answers_the_whole_guide_is_grouped_by_case(fixture_guides):
    r = resolve(fixture_guides["330382-GA-0001"], {})
    assert not r.complete and [q.id for q in r.open_questions] == ["why"] and r.next_question.id == "why"
    assert names(r.materials) == ["居民身份证申领登记表"]  # what every path needs
    assert [(s.label, [getattr(i, "name", None) or i.one_of for i in s.items]) for s in r.materials.cases] == [
        ("有效期满、证件损坏或登记项目变更（换领）", ["原居民身份证"]),
        ("证件遗失（补领）", ["身份证明（任选一种）"]),
    ]
    assert [(s.label, [f.amount for f in s.items]) for s in r.fees.cases] == [
        ("有效期满、证件损坏或登记项目变更（换领）", [20]), ("证件遗失（补领）", [40])]
    assert len(r.materials) == 3 and r.query == ""


def test_a_guide_without_questions_is_one_complete_path(fixture_guides):
    r = resolve(fixture_guides["330382-SC-0001"])
    assert r.complete and r.answers == () and len(r.materials.certain) == 3 and not r.materials.cases
    assert all_paths(fixture_guides["330382-SC-0001"]) == [{}]


def test_unknown_question_or_option_raises_a_specific_error(fixture_guides):
    g = fixture_guides["330382-GA-0001"]
    with pytest.raises(UnknownAnswer) as info:
        resolve(g, {"who": "me"})
    assert info.value.question == "who" and "没有“who”这个问题" in info.value.message
    with pytest.raises(UnknownAnswer) as info:
        resolve(g, {"why": "stolen"})
    assert info.value.option == "stolen" and "没有“stolen”这个选项" in info.value.message
    with pytest.raises(UnknownAnswer):
        answers_from_query(g, [("why", "lost"), ("why", "renew")])
    assert answers_from_query(g, [("why", "lost"), ("mode", "elder")], ignore=("mode",)) == {"why": "lost"}
    with pytest.raises(UnknownAnswer):
        resolve(fixture_guides["330382-SC-0001"], {"why": "lost"})


TREE = {
    "code": "330382-GA-0009", "name": "户口迁出", "item_type": "行政确认", "audience": ["个人"], "category": "户籍办理",
    "department": "测试市公安局", "basis": [{"law": "中华人民共和国户口登记条例", "article": "第十条"}],
    "questions": [
        {"id": "where", "ask": "迁往哪里？", "options": [{"id": "province", "label": "省内"}, {"id": "other", "label": "省外"}]},
        {"id": "reason", "ask": "迁移原因？", "when": ["where=other"],
         "options": [{"id": "work", "label": "工作调动"}, {"id": "marriage", "label": "投靠配偶"}]},
        {"id": "agent", "ask": "由谁办理？", "options": [{"id": "self", "label": "本人"}, {"id": "proxy", "label": "代办"}]},
    ],
    "conditions": ["户籍在本市"],
    "materials": [
        {"name": "居民户口簿", "form": "原件"},
        {"name": "准予迁入证明", "form": "原件", "when": ["where=other"]},
        {"name": "结婚证", "form": "原件", "when": ["reason=marriage"]},
        {"name": "委托书", "form": "原件", "when": ["agent=proxy"]},
    ],
    "time_limit": {"promised": "即时"}, "speed": "即办件", "fee": {"charged": False}, "channels": ["窗口办理"],
    "locations": [{"address": "一楼"}], "contacts": {"consult": "87524298"},
    "mistakes": [{"mistake": "a", "correct": "b"}], "updated": "2026-11-01",
}


def test_questions_form_a_tree_and_stale_answers_are_dropped():
    g = Guide.model_validate(TREE)
    assert all_paths(g) == [
        {"where": "province", "agent": "self"}, {"where": "province", "agent": "proxy"},
        {"where": "other", "reason": "work", "agent": "self"}, {"where": "other", "reason": "work", "agent": "proxy"},
        {"where": "other", "reason": "marriage", "agent": "self"},
        {"where": "other", "reason": "marriage", "agent": "proxy"},
    ]
    start = resolve(g, {})
    assert [q.id for q in start.open_questions] == ["where", "agent"]
    assert [q.id for q in start.later_questions] == ["reason"]
    other = resolve(g, {"where": "other"})
    assert [q.id for q in other.open_questions] == ["reason", "agent"] and not other.later_questions
    # reason is not asked on the 省内 path: an answer to it is refused, not silently kept
    with pytest.raises(UnknownAnswer, match="不需要回答"):
        resolve(g, {"where": "province", "reason": "work"})
    answers = {"where": "other", "reason": "marriage", "agent": "self"}
    assert names(resolve(g, answers).materials) == ["居民户口簿", "准予迁入证明", "结婚证"]
    assert with_answer(g, answers, "where", "province") == {"where": "province", "agent": "self"}
    # the stable URL lists answers in question order, whatever order they came in
    assert path_query(g, {"agent": "proxy", "reason": "work", "where": "other"}) == "where=other&reason=work&agent=proxy"


def test_partial_answers_keep_what_depends_on_open_questions_by_case():
    g = Guide.model_validate(TREE)
    r = resolve(g, {"agent": "proxy"})
    assert names(r.materials) == ["居民户口簿", "委托书"]
    assert [s.label for s in r.materials.cases] == ["省外", "投靠配偶"]


def test_sample_guides_resolve_every_path_with_materials(sample):
    for code, g in sample.guides.items():
        for answers in all_paths(g):
            r = resolve(g, answers)
            assert r.complete and r.materials.certain, (code, answers)
    crj = sample.guides["330382-CRJ-0001"]
    assert "原护照" in names(resolve(crj, {"kind": "renew"}).materials)
    assert "原护照" not in names(resolve(crj, {"kind": "first"}).materials)
    bdc = sample.guides["330382-BDC-0001"]
    assert [f.amount for f in resolve(bdc, {"use": "other"}).fees.certain] == [550, 10]


def test_resolving_is_cached_per_guide_and_does_not_change_the_guide(fixture_guides):
    g = fixture_guides["330382-GA-0001"]
    before = g.dump()
    for answers in ({}, {"why": "lost"}, {"why": "renew"}):
        resolve(g, answers)
    assert g.dump() == before
