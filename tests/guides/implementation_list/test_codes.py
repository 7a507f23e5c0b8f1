"""Code-list profiles: a label is a label; a bare code means what the named profile says."""
from __future__ import annotations

import pytest

from guides.implementation_list.service import read_lists
from tests.guides.implementation_list.builders import CODE_A, ITEM_HEADERS, MATERIAL_HEADERS, item, material, sample_book, write_xlsx


def _book(material_format, satisfaction):
    book = sample_book()
    book["事项"] = [ITEM_HEADERS + ["满意度"], item(CODE_A, "居民身份证换领") + [satisfaction]]
    book["材料"] = [MATERIAL_HEADERS, material(CODE_A, "原居民身份证", 材料类型=None, 材料形式=material_format)]
    book["收费项目"] = book["收费项目"][:2]
    book["常见问题"] = book["常见问题"][:1]
    return book


@pytest.mark.parametrize("profile, code, form", [
    ("gbt39046", "4", "纸质或电子"),            # national: 4 = 纸质或电子
    ("province-reversed", "3", "纸质或电子"),   # that province: 3 = 纸质或电子
])
def test_a_bare_material_form_code_is_read_through_the_named_profile(tmp_path, imp, profile, code, form):
    path = write_xlsx(tmp_path / "清单.xlsx", _book(code, None))
    result = read_lists([path], codes=profile)
    assert result.ok, result.problems
    assert result.guides[CODE_A].data["materials"][0]["form"] == form
    status, out = imp(path, "--dry-run", "--codes", profile)
    assert status == 0
    assert f"代码 {code} → 纸质或电子（代码表 {profile}）" in out


@pytest.mark.parametrize("profile", ["gbt39046", "province-reversed"])
def test_the_other_code_is_paper_and_electronic_which_v2_cannot_hold(tmp_path, profile):
    code = {"gbt39046": "3", "province-reversed": "4"}[profile]
    result = read_lists([write_xlsx(tmp_path / "清单.xlsx", _book(code, None))], codes=profile)
    assert result.ok
    assert "form" not in result.guides[CODE_A].data["materials"][0]
    assert any(p.code == "LW305" and "纸质和电子" in p.message for p in result.problems)


@pytest.mark.parametrize("profile, meaning", [("gbt39046", "非常不满意"), ("province-reversed", "非常满意")])
def test_satisfaction_1_means_opposite_things_in_the_two_profiles(tmp_path, imp, profile, meaning):
    path = write_xlsx(tmp_path / "清单.xlsx", _book(None, 1))
    status, out = imp(path, "--dry-run", "--codes", profile)
    assert status == 0
    assert f"代码 1 → {meaning}（代码表 {profile}）" in out


@pytest.mark.parametrize("profile", ["gbt39046", "province-reversed"])
def test_a_label_is_the_label_whatever_the_profile(tmp_path, profile):
    result = read_lists([write_xlsx(tmp_path / "清单.xlsx", _book("纸质或电子", "满意"))], codes=profile)
    assert result.guides[CODE_A].data["materials"][0]["form"] == "纸质或电子"


def test_a_code_the_profile_lacks_is_an_error_with_the_cell_and_nothing_is_written(tmp_path, imp):
    path = write_xlsx(tmp_path / "清单.xlsx", _book("7", None))
    out_dir = tmp_path / "content"
    status, out = imp(path, "--out", out_dir)
    assert status == 1
    assert f"{path}:材料!D2: LE131 代码 7 不在代码表 gbt39046 的“材料形式”中" in out
    assert not out_dir.exists()


def test_a_code_in_a_column_the_profile_has_no_list_for_is_an_error(tmp_path):
    book = _book(None, None)
    book["材料"][1] = material(CODE_A, "原居民身份证", 来源渠道="2")
    result = read_lists([write_xlsx(tmp_path / "清单.xlsx", book)])
    assert [p.code for p in result.errors] == ["LE132"]
    assert str(result.errors[0]).startswith(f"{tmp_path / '清单.xlsx'}:材料!G2: LE132")


def test_an_unknown_profile_names_the_ones_there_are(tmp_path, imp):
    path = write_xlsx(tmp_path / "清单.xlsx", _book(None, None))
    status, out = imp(path, "--dry-run", "--codes", "zhejiang")
    assert status == 1
    assert "代码表“zhejiang”不存在" in out and "gbt39046" in out and "province-reversed" in out


def test_a_profile_file_of_ones_own(tmp_path):
    own = tmp_path / "my-province.yaml"
    own.write_text("name: my-province\nextends: gbt39046\nlists:\n  material_format:\n    '9': 纸质或电子\n",
                   encoding="utf-8")
    result = read_lists([write_xlsx(tmp_path / "清单.xlsx", _book("9", None))], codes=str(own))
    assert result.guides[CODE_A].data["materials"][0]["form"] == "纸质或电子"
