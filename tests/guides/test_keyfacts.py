"""Key facts worded once (guides.keyfacts), and the 一次告知单 carrying each of them."""
from __future__ import annotations

import pytest

from guides.checklist import checklist_blocks
from guides.keyfacts import fee_short, material_count, time_limit_short
from guides.loader import load_content
from tests.conftest import SAMPLE_CONTENT

CONTENT = load_content(SAMPLE_CONTENT)


def receipt_text(guide) -> str:
    return "\n".join(str(a) for kind, args, _ in checklist_blocks(guide, CONTENT.site, "版本 R1") for a in args)


def test_material_count_counts_the_list_every_surface_shows():
    g = CONTENT.guides["330382-GA-0001"]  # 4 materials, the 户口簿 fetched by data sharing
    c = material_count(g)
    assert (c.total, c.shared, c.label, c.note, c.heading) == (4, 1, "4 项", "其中 1 项免提交", "共 4 项，其中 1 项免提交")
    plain = next(g for g in CONTENT.guides.values() if not any(m.shared for m in g.materials))
    assert material_count(plain).heading == f"共 {len(plain.materials)} 项" and material_count(plain).note == ""


@pytest.mark.parametrize("code", sorted(CONTENT.guides))
def test_the_receipt_carries_fee_time_visits_and_the_material_count(code):
    g = CONTENT.guides[code]
    text = receipt_text(g)
    assert f"收费：{g.fee_label}" in text
    assert f"办理时限：{g.time_limit_label}" in text and f"到现场次数：{g.visits_label}" in text
    assert material_count(g).heading in text
    assert fee_short(g) == ("需缴费" if g.fee.charged else "不收费")
    value, note = time_limit_short(g)
    assert (value, note) == (("当场办结", "即办件") if g.speed.value == "即办件"
                             else (f"{g.time_limit.promised_days} 个工作日", "承诺时限"))


def test_the_sample_has_free_and_charged_immediate_and_promised_guides():
    guides = CONTENT.guides.values()
    assert {g.fee.charged for g in guides} == {True, False}
    assert {g.speed.value for g in guides} == {"即办件", "承诺件"}
    assert {g.visits for g in guides} >= {0, 1}
