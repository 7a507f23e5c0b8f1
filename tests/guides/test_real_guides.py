"""Two real published guides (济南市槐荫区张庄路街道, 2018), written into content faithfully.

What the source does not state stays absent: the checker reports each absent required
element as 缺少必备要素 (the office must add it) and each absent recommended element as a
warning, and finds nothing else wrong -- the 8-digit local phone, the 即时 limit, the law
title with a nested <…> title and 等部门, the 《》 material names are all legitimate.
"""
from pathlib import Path

import yaml

from guides.loader import check_content
from guides.vague import find_vague
from tests.conftest import FIXTURES

REAL = FIXTURES / "valid" / "real"


def _errors(result, name):
    return sorted((f.code, f.line, f.message) for f in result.errors if Path(f.path).name == name)


def test_real_guides_only_lack_what_the_source_does_not_state():
    result = check_content(REAL)
    assert _errors(result, "zhangzhuang-365.yaml") == [
        ("E104", 8, "缺少必备要素：事项类型(item_type)"),
        ("E104", 8, "缺少必备要素：事项编码(code)"),
        ("E104", 8, "缺少必备要素：更新日期(updated)"),
        ("E105", 8, "缺少必备要素：易错范例(mistakes)，每个事项至少写一条易错范例"),
    ]
    assert _errors(result, "zhangzhuang-1544.yaml") == [
        ("E104", 6, "缺少必备要素：事项类型(item_type)"),
        ("E104", 6, "缺少必备要素：事项编码(code)"),
        ("E104", 6, "缺少必备要素：办理地点(locations)"),
        ("E104", 6, "缺少必备要素：更新日期(updated)"),
        ("E105", 6, "缺少必备要素：易错范例(mistakes)，每个事项至少写一条易错范例"),
    ]
    # nothing but the absent required elements is an error, in any file
    assert {f.code for f in result.errors} == {"E104", "E105"}


def test_absent_recommended_elements_are_warnings_with_a_completeness_figure():
    result = check_content(REAL)
    figures = {Path(p).name: str(c) for p, c in result.completeness.items()}
    assert figures == {"zhangzhuang-365.yaml": "29%（8/28）", "zhangzhuang-1544.yaml": "29%（5/17）"}
    warned = [f.message for f in result.warnings if f.path.endswith("zhangzhuang-1544.yaml")]
    assert "缺少推荐要素：申请材料“企业退休证明”的材料形式(form) 未载明，各终端将不显示此项" in warned
    assert "缺少推荐要素：监督投诉电话(complaint) 未载明，各终端将不显示此项" in warned
    assert len(warned) == 12 and all(f.code == "W401" for f in result.warnings)


def test_no_vague_wording_in_the_real_guides_legitimate_text():
    for path in (REAL / "guides").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts = []

        def walk(v):
            if isinstance(v, str):
                texts.append(v)
            elif isinstance(v, dict):
                for x in v.values():
                    walk(x)
            elif isinstance(v, list):
                for x in v:
                    walk(x)
        walk(data)
        assert texts and [t for t in texts if find_vague(t)] == []


def test_a_completed_real_guide_passes(tmp_path):
    """Once the office adds what is missing, the real guide checks clean of errors."""
    import shutil
    dest = tmp_path / "c"
    shutil.copytree(REAL, dest)
    g = dest / "guides" / "zhangzhuang-365.yaml"
    g.rename(dest / "guides" / "11370104MB0000000X3000000000001.yaml")
    g = dest / "guides" / "11370104MB0000000X3000000000001.yaml"
    g.write_text(g.read_text(encoding="utf-8") + "code: \"11370104MB0000000X3000000000001\"\nitem_type: 公共服务\n"
                 "mistakes:\n  - {mistake: 只带了复印件, correct: 带原件和复印件，窗口核对原件}\nupdated: 2026-11-01\n",
                 encoding="utf-8")
    (dest / "guides" / "zhangzhuang-1544.yaml").unlink()
    result = check_content(dest)
    assert result.errors == [] and result.content is not None
