"""Checking one guide from a form or text: the same codes as the content checker, pointed at fields."""
import pytest
import yaml

from guides.check_one import check_guide, check_guide_text
from guides.loader import check_content
from tests.conftest import FIXTURES
from tests.guides.test_checker import INVALID, _header

GUIDE = FIXTURES / "valid" / "guides" / "330382-GA-0001.yaml"
GUIDE_FIXTURES = [p for p in INVALID if _header(p)[0].startswith("guides/")]


def _data():
    return yaml.safe_load(GUIDE.read_text(encoding="utf-8"))


def test_valid_guide_passes():
    result = check_guide(_data(), categories={"户籍办理", "社会保障"})
    assert result.ok and result.findings == [] and result.guide.code == "330382-GA-0001"


@pytest.mark.parametrize("fixture", GUIDE_FIXTURES, ids=lambda p: p.stem)
def test_text_check_agrees_with_content_checker(fixture, valid_content):
    target, _expected = _header(fixture)
    (valid_content / target).write_bytes(fixture.read_bytes())
    full = check_content(valid_content)
    want = sorted((f.code, f.line) for f in full.errors if f.path == str(valid_content / target)
                  and f.code not in ("E207", "E213"))  # need the other files
    got = check_guide_text(fixture.read_text(encoding="utf-8"), target[len("guides/"):-len(".yaml")],
                           forms_dir=valid_content / "forms")
    assert sorted((f.code, f.line) for f in got.errors) == want
    assert got.ok == (not want)


def test_vague_material_points_at_its_name_field():
    data = _data()
    data["materials"].append({"name": "其他材料", "form": "原件", "copies": 1, "source": "申请人自备"})
    result = check_guide(data)
    assert [(f.field, f.code) for f in result.errors] == [(f"materials.{len(data['materials']) - 1}.name", "E201")]
    assert "模糊条款" in result.errors[0].message and result.guide is None


def test_missing_element_points_at_the_missing_field_and_type_errors_at_theirs():
    data = _data()
    del data["mistakes"]
    data["time_limit"]["promised"] = "二十"
    got = {(f.field, f.code) for f in check_guide(data).errors}
    assert got == {("mistakes", "E105"), ("time_limit.promised", "E103")}


def test_promised_over_statutory_and_unknown_category():
    data = _data()
    data["time_limit"] = {"statutory": {"value": 5, "unit": "工作日"}, "promised": {"value": 9, "unit": "工作日"}}
    data["category"] = "不存在的分类"
    got = {(f.field, f.code) for f in check_guide(data, categories={"户籍办理"}).errors}
    assert got == {("time_limit.promised", "E202"), ("category", "E213")}


def test_yaml_syntax_error_has_a_line():
    result = check_guide_text("code: [\n", "x")
    assert [(f.code, f.line) for f in result.findings] == [("E001", 2)]
