"""Several halls in one content folder: regions, hall.yaml, shared guides with local overrides."""
import re
import shutil
from pathlib import Path

import pytest

from guides.halls import DEFAULT_HALL, hall_guides, region_level
from guides.loader import check_content, load_content
from guides.release import build_release, ReleaseStore
from tests.support.halls import HALL, OVERRIDE, REGIONS, add_second_hall

@pytest.fixture
def two_halls(valid_content: Path) -> Path:
    return add_second_hall(valid_content)


def _errors(root):
    return [(Path(f.path).name, f.line, f.code) for f in check_content(root).errors]


def test_folder_without_halls_is_one_hall(valid_content):
    content = load_content(valid_content)
    assert content.halls == {} and content.regions == {}
    assert sorted(content.hall_codes(DEFAULT_HALL)) == ["330382-GA-0001", "330382-SC-0001"]


def test_shared_guide_offered_with_local_override(two_halls):
    content = load_content(two_halls)
    hall = content.halls["liushi"]
    assert hall.site.name == "柳市镇便民服务中心"
    guides = hall_guides(hall, content.guides)
    local, shared = guides["330382-GA-0001"], content.guides["330382-GA-0001"]
    assert local.locations[0].window == "3 号窗口" and local.contacts.consult == "0577-61111112"
    # 六统一 elements come from the shared text unchanged
    assert (local.name, local.basis, local.materials, local.conditions) == \
           (shared.name, shared.basis, shared.materials, shared.conditions)
    assert shared.locations[0].window != "3 号窗口"
    assert content.halls_offering("330382-GA-0001") == [DEFAULT_HALL, "liushi"]
    assert content.halls_offering("330382-SC-0001") == [DEFAULT_HALL]
    assert content.regions["330382102201"].level == "村级"


@pytest.mark.parametrize("key,chinese", [("name", "事项名称"), ("basis", "设定依据"),
                                         ("conditions", "受理条件"), ("materials", "申请材料"),
                                         ("time_limit", "办理时限"), ("questions", "情形引导"),
                                         ("item_type", "事项类型"), ("basic_code", "基本编码")])
def test_override_of_a_unified_element_is_reported_with_line(two_halls, key, chinese):
    path = two_halls / "halls" / "liushi" / "overrides" / "330382-GA-0001.yaml"
    path.write_text(OVERRIDE + f"{key}: 随便写的\n", encoding="utf-8")
    result = check_content(two_halls)
    found = [f for f in result.errors if f.code == "E506"]
    assert [(f.path, f.line) for f in found] == [(str(path), 8)]
    assert chinese in found[0].message and "六统一" in found[0].message
    assert result.content is None


def test_unknown_override_key_and_orphan_override(two_halls):
    over = two_halls / "halls" / "liushi" / "overrides"
    (over / "330382-GA-0001.yaml").write_text(OVERRIDE + "colour: red\n", encoding="utf-8")
    (over / "330382-XX-0009.yaml").write_text("contacts: {consult: 0577-61111112}\n", encoding="utf-8")
    assert _errors(two_halls) == [("330382-GA-0001.yaml", 8, "E101"), ("330382-XX-0009.yaml", 1, "E507")]


def test_bad_override_value_points_at_override_file(two_halls):
    over = two_halls / "halls" / "liushi" / "overrides" / "330382-GA-0001.yaml"
    over.write_text("locations: 一楼\n", encoding="utf-8")
    errors = _errors(two_halls)
    assert errors and all(e[0] == "330382-GA-0001.yaml" and e[1] == 1 for e in errors)


def test_region_tree_errors(two_halls):
    (two_halls / "regions.yaml").write_text(REGIONS.replace('"330382102201"', '"330383102201"')
                                            + '- code: "3300"\n  name: 错\n', encoding="utf-8")
    assert _errors(two_halls) == [("regions.yaml", 13, "E503"), ("regions.yaml", 15, "E501")]


def test_hall_errors_have_path_and_line(two_halls):
    hall = two_halls / "halls" / "liushi" / "hall.yaml"
    hall.write_text(HALL.replace('"330382102"', '"330382999"').replace(
        '  - code: "330382-GA-0001"', '  - code: "330382-GA-0001"\n  - code: "330382-ZZ-0404"'), encoding="utf-8")
    assert _errors(two_halls) == [("hall.yaml", 7, "E504"), ("hall.yaml", 11, "E505")]


def test_featured_must_be_offered_by_the_hall(two_halls):
    hall = two_halls / "halls" / "liushi" / "hall.yaml"
    hall.write_text(HALL.replace('featured: ["330382-GA-0001"]', 'featured: ["330382-SC-0001"]'), encoding="utf-8")
    assert _errors(two_halls) == [("hall.yaml", 8, "E215")]


def test_own_guide_of_a_hall_and_code_clash(two_halls, valid_content):
    own = two_halls / "halls" / "liushi" / "guides"
    own.mkdir()
    src = (valid_content / "guides" / "330382-SC-0001.yaml").read_text(encoding="utf-8")
    (own / "330382-SC-0099.yaml").write_text(src.replace("330382-SC-0001", "330382-SC-0099"), encoding="utf-8")
    content = load_content(two_halls)
    assert content.halls["liushi"].codes() == ["330382-GA-0001", "330382-SC-0099"]
    assert content.halls_offering("330382-SC-0099") == ["liushi"]
    (own / "330382-SC-0001.yaml").write_text(src, encoding="utf-8")
    assert ("330382-SC-0001.yaml", 1, "E207") in _errors(two_halls)


def test_local_code_renames_the_shared_item(two_halls):
    over = two_halls / "halls" / "liushi" / "overrides" / "330382-GA-0001.yaml"
    over.write_text('code: "330382-GA-0902"\n' + OVERRIDE, encoding="utf-8")
    hall = two_halls / "halls" / "liushi" / "hall.yaml"
    hall.write_text(HALL.replace('featured: ["330382-GA-0001"]', 'featured: ["330382-GA-0902"]'), encoding="utf-8")
    content = load_content(two_halls)
    assert content.halls["liushi"].codes() == ["330382-GA-0902"]
    assert content.halls_offering("330382-GA-0001") == [DEFAULT_HALL]
    assert hall_guides(content.halls["liushi"], content.guides)["330382-GA-0902"].code == "330382-GA-0902"


def test_release_carries_halls_and_round_trips(two_halls, tmp_path):
    content = load_content(two_halls)
    store = ReleaseStore(tmp_path / "inst")
    release, _ = store.publish(content)
    again = store.load(release.number)
    assert again.content.halls == content.halls and again.content.regions == content.regions
    assert set(again.manifest()["halls"]) == {"liushi"}  # each hall's part, by SHA-256
    assert set(again.hall_hashes) == {DEFAULT_HALL, "liushi"}
    local = again.hall_hashes["liushi"]["330382-GA-0001"]
    assert local != again.guide_hashes["330382-GA-0001"]  # the override changes the resolved guide


def test_single_hall_release_hash_unchanged_by_halls_feature(valid_content):
    release = build_release(load_content(valid_content))
    assert "halls" not in release.manifest()


def test_region_levels():
    assert [region_level(c) for c in ("330000", "330300", "330382", "330382102", "330382102201")] == \
           ["省级", "市级", "县级", "乡镇级", "村级"]


def test_own_guide_category_must_exist(two_halls, valid_content):
    own = two_halls / "halls" / "liushi" / "guides"
    own.mkdir()
    src = (valid_content / "guides" / "330382-SC-0001.yaml").read_text(encoding="utf-8")
    text = src.replace("330382-SC-0001", "330382-SC-0901")
    text = re.sub(r"^category: .*$", "category: 不存在的分类", text, flags=re.M)
    (own / "330382-SC-0901.yaml").write_text(text, encoding="utf-8")
    line = text.splitlines().index("category: 不存在的分类") + 1
    assert _errors(two_halls) == [("330382-SC-0901.yaml", line, "E213")]


def test_check_command_counts_the_halls(two_halls):
    from click.testing import CliRunner

    from guide_server.cli import main

    r = CliRunner().invoke(main, ["check", "--content", str(two_halls)])
    assert r.exit_code == 0 and "检查通过：2 个事项（另有 1 个大厅，共办理 1 个事项）" in r.output, r.output
    (two_halls / "halls" / "liushi" / "overrides" / "330382-GA-0001.yaml").write_text("name: 改名\n", encoding="utf-8")
    bad = CliRunner().invoke(main, ["check", "--content", str(two_halls)])
    assert bad.exit_code == 1 and "330382-GA-0001.yaml:1: E506 本地覆盖修改了六统一要素" in bad.output


def _offer_by_basic_code(content: Path, basic_code: str) -> Path:
    """liushi offers the shared item by its 基本编码 (三级四同) instead of its 事项编码; the
    override file is named by the key the offer uses."""
    hall = content / "halls" / "liushi"
    text = (hall / "hall.yaml").read_text(encoding="utf-8")
    (hall / "hall.yaml").write_text(text.replace('  - code: "330382-GA-0001"', f'  - basic_code: "{basic_code}"'),
                                    encoding="utf-8")
    (hall / "overrides" / "330382-GA-0001.yaml").rename(hall / "overrides" / f"{basic_code}.yaml")
    return hall / "hall.yaml"


def test_a_hall_offers_a_shared_item_by_its_basic_code(two_halls):
    _offer_by_basic_code(two_halls, "000102001000")
    assert _errors(two_halls) == []
    content = load_content(two_halls)
    local = hall_guides(content.halls["liushi"], content.guides)["330382-GA-0001"]
    assert local.locations[0].window == "3 号窗口" and local.name == content.guides["330382-GA-0001"].name
    assert content.halls_offering("330382-GA-0001") == [DEFAULT_HALL, "liushi"]


def test_a_basic_code_no_item_or_two_items_use_is_refused_with_its_line(two_halls):
    hall_yaml = _offer_by_basic_code(two_halls, "000199999000")
    line = hall_yaml.read_text(encoding="utf-8").splitlines().index('  - basic_code: "000199999000"') + 1
    findings = [f for f in check_content(two_halls).errors if f.code == "E505"]
    assert [(Path(f.path).name, f.line) for f in findings] == [("hall.yaml", line)]
    assert "没有事项使用该基本编码" in findings[0].message
    # two shared items with the same 基本编码: the offer must name the 事项编码
    text = hall_yaml.read_text(encoding="utf-8").replace("000199999000", "000102001000")
    hall_yaml.write_text(text, encoding="utf-8")
    (hall_yaml.parent / "overrides" / "000199999000.yaml").rename(hall_yaml.parent / "overrides" / "000102001000.yaml")
    sc = two_halls / "guides" / "330382-SC-0001.yaml"
    sc.write_text(sc.read_text(encoding="utf-8").replace('basic_code: "000116002000"', 'basic_code: "000102001000"'),
                  encoding="utf-8")
    findings = [f for f in check_content(two_halls).errors if f.code == "E505"]
    assert len(findings) == 1 and "有 2 个事项使用该基本编码" in findings[0].message
    assert "330382-GA-0001" in findings[0].message and "330382-SC-0001" in findings[0].message
