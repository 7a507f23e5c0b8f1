"""Key facts worded once (guides.keyfacts), and the 一次告知单 carrying each of them."""
from __future__ import annotations

import pytest

from guides.cases import all_paths, resolve
from guides.checklist import checklist_blocks
from guides.keyfacts import fee_short, material_count, time_limit_short, visits_short
from guides.loader import load_content
from guides.wording import fee_lines, time_limit_text, visits_text
from tests.conftest import SAMPLE_CONTENT

CONTENT = load_content(SAMPLE_CONTENT)


def receipt_text(guide, answers=None) -> str:
    return "\n".join(str(a) for kind, args, _ in checklist_blocks(guide, CONTENT.site, "版本 R1", answers=answers)
                     for a in args)


def test_material_count_counts_the_list_every_surface_shows():
    g = CONTENT.guides["330382-GA-0002"]  # 3 materials, the 户口簿 fetched by data sharing
    c = material_count(g)
    assert (c.total, c.shared, c.label, c.note, c.heading) == (3, 1, "3 项", "其中 1 项免提交", "共 3 项，其中 1 项免提交")
    plain = CONTENT.guides["330382-MZ-0001"]
    assert material_count(plain).note == "" and material_count(plain).heading.startswith("共 ")


def test_material_count_of_a_guide_with_cases_is_per_path_or_a_range():
    g = CONTENT.guides["330382-CRJ-0001"]  # 原护照 only when renewing
    first, renew = material_count(g, {"kind": "first"}), material_count(g, {"kind": "renew"})
    assert renew.total == first.total + 1
    whole = material_count(g)
    assert whole.varies and whole.label == f"{first.total}-{renew.total} 项" and whole.note == "视情形"
    assert whole.heading == f"按情形共 {first.total}-{renew.total} 项"


@pytest.mark.parametrize("code", sorted(CONTENT.guides))
def test_the_receipt_carries_fee_time_visits_and_the_material_count(code):
    g = CONTENT.guides[code]
    for answers in all_paths(g):
        text = receipt_text(g, answers)
        r = resolve(g, answers)
        assert f"收费：{'；'.join(fee_lines(g, r.fees.certain, CONTENT.site))}" in text
        for variant in r.time_limits.certain:
            if time_limit_text(variant):
                assert time_limit_text(variant) in text
        assert visits_text(g) is None or f"到现场次数：{visits_text(g)}" in text
        assert material_count(g, answers).heading in text
    assert fee_short(g) == ("需缴费" if g.fee.charged else "不收费")


def test_short_facts_say_only_what_is_stated():
    immediate = CONTENT.guides["330382-MZ-0001"]
    assert time_limit_short(immediate) == ("当场办结", "即办件")
    promised = CONTENT.guides["330382-CRJ-0001"]
    assert time_limit_short(promised) == ("7个工作日", "承诺时限")
    assert visits_short(promised) == ("最多跑一次", "")
    unstated = promised.model_copy(update={"visits": None})
    assert visits_short(unstated) == ("未载明", "请咨询下方电话")


def test_the_sample_has_free_and_charged_immediate_and_promised_guides():
    guides = CONTENT.guides.values()
    assert {g.fee.charged for g in guides} == {True, False}
    assert {v.speed.value for g in guides for v in g.speed_variants} == {"即办件", "承诺件"}
    assert {g.visits for g in guides} >= {0, 1}
