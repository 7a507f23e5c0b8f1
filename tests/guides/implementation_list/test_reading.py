"""Each header form and file format reads into the same v2 guide; messy cells are handled."""
from __future__ import annotations

import datetime as dt

import pytest

from guides.implementation_list.service import read_lists
from tests.guides.implementation_list.builders import (CODE_A, CODE_B, FAQ_HEADERS, FEE_HEADERS, ITEM_HEADERS,
                                                MATERIAL_HEADERS, item, material, sample_book, set_cached_formula,
                                                write_csv, write_ods, write_xls, write_xlsx)

EXPECTED_A = {
    "code": CODE_A,
    "basic_code": "000102001000",
    "name": "居民身份证换领",
    "item_type": "行政确认",
    "audience": ["个人"],
    "category": "户籍办理",
    "department": "乐清市公安局",
    "basis": [{"law": "中华人民共和国居民身份证法", "article": "第十一条"}],
    "conditions": ["户籍在本市", "持有原居民身份证"],
    "flow": [{"step": "申请", "what": "提交材料"}, {"step": "受理", "what": "当场受理"},
             {"step": "发证", "what": "邮寄或自取"}],
    "speed": "承诺件",
    "time_limit": {"statutory": {"value": 60, "unit": "自然日"}, "promised": {"value": 15, "unit": "工作日"}},
    "visits": 1,
    "locations": [{"address": "乐清市市民中心一楼", "hours": "周一至周五 8:30-12:00、13:30-17:00"}],
    "contacts": {"consult": "0577-61881125", "complaint": "12345"},
    "fee": {"charged": True, "items": [{"name": "工本费", "amount": 20, "unit": "元/证"}],
            "waiver": "城乡低保对象免收", "basis": "《居民身份证工本费标准》"},
    "channels": ["窗口办理", "网上办理"],
    "result": {"name": "居民身份证"},
    "online_url": "https://www.zjzwfw.gov.cn/",
    "updated": dt.date(2026, 11, 1),
    "materials": [
        {"name": "原居民身份证", "form": "原件", "copies": 1, "necessity": "必要", "source": "申请人自备"},
        {"name": "户口簿", "form": "复印件", "copies": 2, "necessity": "必要", "source": "申请人自备"},
    ],
}


def test_national_headers_in_xlsx_map_to_v2_elements(tmp_path):
    result = read_lists([write_xlsx(tmp_path / "清单.xlsx", sample_book())])
    assert result.ok, result.problems
    assert result.guides[CODE_A].data == EXPECTED_A
    assert result.guides[CODE_B].data["faq"] == [{"q": "补领要多久？", "a": "15 个工作日"}]
    assert result.guides[CODE_B].data["time_limit"]["promised"] == {"value": 7, "unit": "工作日"}


@pytest.mark.parametrize("writer, suffix", [(write_ods, ".ods"), (write_xls, ".xls")])
def test_ods_and_xls_read_like_xlsx(tmp_path, writer, suffix):
    result = read_lists([writer(tmp_path / f"清单{suffix}", sample_book())])
    assert result.ok, result.problems
    assert result.guides[CODE_A].data == EXPECTED_A


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_files_in_utf8_with_and_without_bom_and_gb18030(tmp_path, encoding):
    book = sample_book()
    files = [write_csv(tmp_path / f"{name}.csv", [[v.isoformat() if isinstance(v, dt.date) else v for v in row]
                                                  for row in rows], encoding=encoding)
             for name, rows in book.items()]
    result = read_lists(files)
    assert result.ok, result.problems
    assert result.guides[CODE_A].data == EXPECTED_A


def test_exchange_table_columns_with_national_codes(tmp_path):
    """The national exchange tables as CSV: task_name, task_code, … with bare codes."""
    basic = [["task_name", "catalog_code", "task_code", "task_type", "dept_name", "server_type", "by_law",
              "accept_condition", "project_type", "anticipate_day", "anticipate_type", "promise_day",
              "promise_type", "limit_scene_num", "transact_addr", "transact_time", "link_way", "supervise_way",
              "is_fee", "row_guid", "cd_batch"],
             ["居民身份证换领", "000102001000", CODE_A, "07", "乐清市公安局", "1,2",
              "《中华人民共和国居民身份证法》第十一条", "户籍在本市", "2", "60", "自然日", "15", "工作日", "1",
              "乐清市市民中心一楼", "周一至周五", "0577-61881125", "12345", "1", "9f3a", "B1"]]
    mats = [["task_code", "material_name", "material_type", "material_format", "page_num", "is_need",
             "source_type", "order_num"],
            [CODE_A, "户口簿", "复印件", "1", "1", "1", "申请人自备", "2"],
            [CODE_A, "原居民身份证", "原件", "1", "1", "1", "申请人自备", "1"]]
    fees = [["task_code", "fee_name", "fee_stand", "by_law", "is_desc", "order_num"],
            [CODE_A, "工本费", "20元/证", "《居民身份证工本费标准》", "0", "1"]]
    result = read_lists([write_csv(tmp_path / "task_general_basic.csv", basic),
                         write_csv(tmp_path / "task_general_material.csv", mats),
                         write_csv(tmp_path / "task_general_fee_project.csv", fees)])
    assert result.ok, result.problems
    g = result.guides[CODE_A].data
    assert g["item_type"] == "行政确认"          # 07
    assert g["audience"] == ["个人", "法人"]     # 1 自然人, 2 企业法人
    assert g["speed"] == "承诺件"                # 2
    assert g["fee"]["charged"] is True           # 1 是
    assert "waiver" not in g["fee"]              # is_desc 0
    assert [m["name"] for m in g["materials"]] == ["原居民身份证", "户口簿"]  # order_num
    assert g["materials"][0]["necessity"] == "必要"
    # technical columns are known and silent; nothing is reported as unknown
    assert not [p for p in result.problems if p.code == "LW301"]


def test_title_rows_required_marks_notes_and_unknown_columns(tmp_path):
    headers = ["*事项名称", "*实施编码", "事项类型", "到办事现场次数（次）", "内部备忘"]
    rows = [["乐清市政务服务事项实施清单（2026 年版）"], [], headers,
            ["居民身份证换领", CODE_A, "行政确认", 1, "不公开"]]
    result = read_lists([write_xlsx(tmp_path / "清单.xlsx", {"Sheet1": rows})])
    assert result.ok, result.problems
    assert result.guides[CODE_A].data["name"] == "居民身份证换领"
    assert result.guides[CODE_A].data["visits"] == 1
    assert result.layouts[0].header_row == 2
    unknown = [str(p) for p in result.problems if p.code == "LW301"]
    assert unknown == [f"{tmp_path / '清单.xlsx'}:Sheet1!E3: LW301 未识别的列“内部备忘”，未导入"]


def test_messy_cells_formulas_merges_serial_dates_full_width_digits_spaces(tmp_path):
    path = tmp_path / "清单.xlsx"
    book = sample_book()
    book["事项"][1] = item(CODE_A, "  居民身份证\n换领  ", 到办事现场次数="１", 更新日期=46327,
                           承诺办结时限=0, 受理条件="1.户籍在本市  \r\n2.持有原居民身份证\n")
    # the 实施编码 of both of A's material rows is one merged cell (A2:A3)
    book["材料"][2][0] = None
    write_xlsx(path, book, merges={"材料": ["A2:A3"]})
    # 承诺办结时限 as a formula with the value Excel cached (O2 = 3*5)
    set_cached_formula(path, 0, "O2", "3*5", 15)
    result = read_lists([path])
    assert result.ok, result.problems
    g = result.guides[CODE_A].data
    assert g["name"] == "居民身份证换领"
    assert g["visits"] == 1
    assert g["updated"] == dt.date(2026, 11, 1)
    assert g["time_limit"]["promised"] == {"value": 15, "unit": "工作日"}
    assert g["conditions"] == ["户籍在本市", "持有原居民身份证"]
    assert [m["name"] for m in g["materials"]] == ["原居民身份证", "户口簿"]


def test_empty_cells_are_absent_elements_never_defaults(tmp_path):
    book = sample_book()
    book["事项"][1] = item(CODE_A, "居民身份证换领", 到办事现场次数=None, 法定办结时限=None, 法定办结时限单位=None,
                           监督投诉方式=None, 更新日期=None, 是否收费=None)
    book["收费项目"] = [FEE_HEADERS]
    book["材料"] = [MATERIAL_HEADERS, material(CODE_A, "原居民身份证", 材料类型=None, 材料形式=None, 纸质材料份数=None,
                                            材料必要性=None, 来源渠道=None), material(CODE_B, "居民户口簿")]
    result = read_lists([write_xlsx(tmp_path / "清单.xlsx", book)])
    g = result.guides[CODE_A].data
    for key in ("visits", "updated", "fee"):
        assert key not in g
    assert g["time_limit"] == {"promised": {"value": 15, "unit": "工作日"}}
    assert g["contacts"] == {"consult": "0577-61881125"}
    assert g["materials"] == [{"name": "原居民身份证"}]


def test_ambiguous_units_and_unreadable_values_are_warnings_not_guesses(tmp_path):
    book = sample_book()
    book["事项"][1] = item(CODE_A, "居民身份证换领", 法定办结时限单位="天", 到办事现场次数="视情况")
    result = read_lists([write_xlsx(tmp_path / "清单.xlsx", book)])
    assert result.ok
    g = result.guides[CODE_A].data
    assert "statutory" not in g["time_limit"] and "visits" not in g
    lines = [str(p) for p in result.problems]
    assert any(line.endswith("清单.xlsx:事项!N2: LW305 “法定办结时限单位”为“天”，未说明是工作日还是自然日，法定办结时限未导入")
               for line in lines), lines
    assert any(":事项!Q2: LW303" in line for line in lines), lines


def test_phones_with_text_keep_the_text_as_the_note(tmp_path):
    book = sample_book()
    book["事项"][1] = item(CODE_A, "居民身份证换领", 咨询方式="咨询电话：0577-61881125（户政大队）",
                           监督投诉方式="到窗口投诉")
    g = read_lists([write_xlsx(tmp_path / "清单.xlsx", book)]).guides[CODE_A].data
    assert g["contacts"] == {"consult": "0577-61881125", "consult_note": "咨询电话：0577-61881125（户政大队）",
                             "complaint_note": "到窗口投诉"}


def test_several_addresses_pair_with_their_hours(tmp_path):
    book = sample_book()
    book["事项"][1] = item(CODE_A, "居民身份证换领", 办理地点="1.市民中心一楼\n2.柳市镇便民服务中心",
                           办理时间="1.周一至周日 8:30-17:00\n2.周一至周五 8:30-17:00")
    g = read_lists([write_xlsx(tmp_path / "清单.xlsx", book)]).guides[CODE_A].data
    assert g["locations"] == [{"address": "市民中心一楼", "hours": "周一至周日 8:30-17:00"},
                              {"address": "柳市镇便民服务中心", "hours": "周一至周五 8:30-17:00"}]


def test_handle_items_get_their_own_guide_and_materials_join_by_handle_item_code(tmp_path):
    items = [ITEM_HEADERS + ["业务办理项编码"],
             item(CODE_A, "居民身份证换领（到期换领）") + [CODE_A + "01"],
             item(CODE_A, "居民身份证换领（损坏换领）") + [CODE_A + "02"]]
    mats = [["实施编码", "业务办理项编码", "材料名称"], [CODE_A, CODE_A + "02", "损坏的居民身份证"]]
    result = read_lists([write_xlsx(tmp_path / "清单.xlsx", {"事项": items, "材料": mats})])
    assert result.ok, result.problems
    assert set(result.guides) == {CODE_A + "01", CODE_A + "02"}
    assert result.guides[CODE_A + "02"].data["materials"] == [{"name": "损坏的居民身份证"}]
    assert "materials" not in result.guides[CODE_A + "01"].data


def test_items_that_are_not_applied_for_are_skipped_and_reported(tmp_path):
    book = sample_book()
    book["事项"][2] = item(CODE_B, "对违反居民身份证管理规定的处罚", 事项类型="行政处罚")
    book["材料"] = book["材料"][:3]
    book["常见问题"] = [FAQ_HEADERS]
    result = read_lists([write_xlsx(tmp_path / "清单.xlsx", book)])
    assert result.ok
    assert set(result.guides) == {CODE_A}
    assert any(p.code == "LW306" and CODE_B in p.message for p in result.problems)


def test_a_formula_saved_without_its_value_is_a_warning_not_silence(tmp_path):
    """A file written by a program that never computed its formulas: the cell reads empty."""
    from openpyxl import load_workbook

    path = write_xlsx(tmp_path / "清单.xlsx", sample_book())
    wb = load_workbook(path)
    wb["事项"]["Q2"] = "=1+0"  # openpyxl writes the formula and no cached value
    wb.save(path)
    result = read_lists([path])
    assert result.ok
    assert "visits" not in result.guides[CODE_A].data
    lines = [str(p) for p in result.problems if p.code == "LW310"]
    assert lines == [f"{path}:事项!Q2: LW310 公式单元格没有保存计算结果，按空单元格处理：请在 Excel 或 WPS 中打开并保存后重新导出"]


def test_headers_with_line_breaks_colons_and_counts_written_as_decimals(tmp_path):
    rows = [["事项\n名称", "实施编码：", "到办事现场\n次数（次）"], ["居民身份证换领", CODE_A, "1.0"]]
    result = read_lists([write_csv(tmp_path / "事项.csv", rows)])
    assert result.ok, result.problems
    assert result.guides[CODE_A].data == {"code": CODE_A, "name": "居民身份证换领", "visits": 1}
