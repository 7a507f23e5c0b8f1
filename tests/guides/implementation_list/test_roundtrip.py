"""import -> export-list -> import changes nothing."""
from __future__ import annotations

from openpyxl import load_workbook

from guides.implementation_list.export import export_workbook
from guides.implementation_list.service import guides_from_content, read_lists
from tests.guides.implementation_list.builders import CODE_A, CODE_B, MATERIAL_HEADERS, item, material, sample_book, write_xlsx
from tests.guides.implementation_list.conftest import tree


def rich_book():
    """The sample plus the harder shapes: several bases, kept-whole blobs, paired locations,
    phones with notes, a fee given as text, words for limits, speeds listed together."""
    book = sample_book()
    book["事项"][2] = item(
        CODE_B, "居民身份证补领",
        设定依据="1.《中华人民共和国居民身份证法》第十一条第一款\n2.《国务院办公厅关于加快推进“一网通办”的通知》（国办发〔2018〕45号）"
                 "\n3.公安部有关规定说明",
        受理条件="符合下列条件之一：1.户籍在本市 2.在本市居住", 办理流程="申请人到窗口提交材料，当场受理",
        办件类型="即办件、承诺件", 法定办结时限="无", 法定办结时限单位=None,
        办理地点="1.市民中心一楼\n2.柳市镇便民服务中心", 办理时间="1.周一至周日 8:30-17:00\n2.周一至周五 8:30-17:00",
        咨询方式="0577-61881125（户政大队）；0577-61881126", 监督投诉方式="到窗口投诉", 服务对象="自然人、企业法人")
    book["材料"] = [MATERIAL_HEADERS,
                   material(CODE_A, "原居民身份证"),
                   material(CODE_A, "户口簿", 材料类型=None, 材料形式="纸质或电子", 纸质材料份数=None,
                            材料必要性="容缺后补", 来源渠道="政府部门核发", 来源渠道说明="公安机关户政窗口",
                            填报须知="复印件须签字"),
                   material(CODE_B, "居民户口簿", 材料类型="原件和复印件")]
    book["收费项目"].append([CODE_B, "工本费", "按《居民身份证工本费标准》收取", None, None, None])
    return book


def test_import_export_import_changes_nothing(tmp_path, imp, exp):
    first = tmp_path / "first"
    status, out = imp(write_xlsx(tmp_path / "清单.xlsx", rich_book()), "--out", first)
    assert status == 0, out
    exported = tmp_path / "导出.xlsx"
    status, out = exp("--out", exported, "--content", first)
    assert status == 0, out
    assert "已导出 2 个事项" in out

    second = tmp_path / "second"
    status, out = imp(exported, "--out", second)
    assert status == 0, out
    files = lambda folder: {k: v for k, v in tree(folder).items() if k.startswith("guides/")}  # noqa: E731
    assert files(second) == files(first)

    # and importing the export over the first folder finds nothing to change
    status, out = imp(exported, "--out", first)
    assert status == 0
    assert "新增 0、更新 0、覆盖 0、无变化 2、未覆盖 0" in out


def test_the_rich_shapes_survive_the_round_trip(tmp_path):
    first = read_lists([write_xlsx(tmp_path / "清单.xlsx", rich_book())])
    export_workbook([g.data for g in first.guides.values()], tmp_path / "导出.xlsx")
    again = read_lists([tmp_path / "导出.xlsx"])
    assert again.ok, again.problems
    for code in (CODE_A, CODE_B):
        assert again.guides[code].data == first.guides[code].data
    b = again.guides[CODE_B].data
    assert b["basis"][1] == {"law": "国务院办公厅关于加快推进“一网通办”的通知", "doc_no": "国办发〔2018〕45号"}
    assert b["conditions"] == ["符合下列条件之一：1.户籍在本市 2.在本市居住"]
    assert b["speed"] == [{"speed": "即办件"}, {"speed": "承诺件"}]
    assert b["time_limit"]["statutory"] == "无"
    assert len(b["locations"]) == 2
    assert b["contacts"]["consult"] == "0577-61881125"


def test_the_export_uses_the_national_layout_with_labels(tmp_path):
    result = read_lists([write_xlsx(tmp_path / "清单.xlsx", rich_book())])
    out = tmp_path / "导出.xlsx"
    export_workbook([g.data for g in result.guides.values()], out)
    wb = load_workbook(out, read_only=True)
    assert wb.sheetnames == ["事项", "材料", "收费项目", "常见问题"]
    items = list(wb["事项"].iter_rows(values_only=True))
    header = items[0]
    row = dict(zip(header, items[1]))
    assert row["实施编码"] == CODE_A and row["事项类型"] == "行政确认" and row["服务对象"] == "个人"
    assert row["受理条件"] == "1.户籍在本市\n2.持有原居民身份证"
    mats = list(wb["材料"].iter_rows(values_only=True))
    assert dict(zip(mats[0], mats[2]))["材料形式"] == "纸质或电子"


def test_what_the_layout_cannot_hold_is_named(tmp_path, exp):
    content = tmp_path / "content"
    (content / "guides").mkdir(parents=True)
    (content / "guides" / "330382-GA-0001.yaml").write_text(
        "code: 330382-GA-0001\nname: 居民身份证换领、补领\n"
        "questions:\n- {id: why, ask: 您要办理哪一种？, options: [{id: renew, label: 换领}, {id: lost, label: 补领}]}\n"
        "materials:\n- {name: 原居民身份证, when: [why=renew]}\n"
        "mistakes:\n- {mistake: 只带复印件, correct: 带原件}\n", encoding="utf-8")
    status, out = exp("--out", tmp_path / "x.xlsx", "--content", content)
    assert status == 0
    assert "330382-GA-0001: 未导出 情形引导、易错范例、适用情形（when）" in out
    assert len(guides_from_content(content)) == 1


def test_export_from_the_current_release_imports_back_to_the_same_guides(tmp_path, imp, exp):
    import shutil

    import yaml

    from guides.loader import load_content
    from guides.release import ReleaseStore

    content = tmp_path / "content"
    shutil.copytree("tests/fixtures/valid", content)
    status, out = imp(write_xlsx(tmp_path / "清单.xlsx", rich_book()), "--out", content)
    assert status == 0, out
    first = read_lists([tmp_path / "清单.xlsx"])
    for code in (CODE_A, CODE_B):  # editors complete the drafts before a release
        path = content / "guides" / f"{code}.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["mistakes"] = [{"mistake": "只带了复印件", "correct": "带原件"}]
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    ReleaseStore(tmp_path / "instance").publish(load_content(content))

    exported = tmp_path / "导出.xlsx"
    status, out = exp("--out", exported, "--instance", tmp_path / "instance")
    assert status == 0, out
    assert "已导出 4 个事项" in out
    again = read_lists([exported])
    assert again.ok, again.problems
    for code in (CODE_A, CODE_B):
        assert again.guides[code].data == first.guides[code].data


def test_export_without_a_release_says_so(tmp_path, exp):
    status, out = exp("--out", tmp_path / "x.xlsx", "--instance", tmp_path / "instance")
    assert status == 1
    assert "还没有发布任何版本" in out
