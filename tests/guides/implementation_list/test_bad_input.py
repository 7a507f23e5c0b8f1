"""Bad input: a clear Chinese message with the place, exit 1, nothing written."""
from __future__ import annotations

import csv
import io

import pytest

from tests.guides.implementation_list.builders import (CODE_A, CODE_B, ITEM_HEADERS, MATERIAL_HEADERS, item, material,
                                                sample_book, write_xlsx)
from tests.guides.implementation_list.conftest import tree


@pytest.fixture
def content(tmp_path):
    """A content folder with one guide already in it: a failed import must leave it as it is."""
    folder = tmp_path / "content"
    (folder / "guides").mkdir(parents=True)
    (folder / "guides" / "330382-GA-0001.yaml").write_text("code: 330382-GA-0001\nname: 既有事项\n", encoding="utf-8")
    return folder


def _fails(imp, content, *files, expect: str):
    before = tree(content)
    status, out = imp(*files, "--out", content)
    assert status == 1, out
    assert expect in out, out
    assert "内容未作任何修改" in out or "LE1" in out
    assert tree(content) == before


def test_not_a_spreadsheet(tmp_path, imp, content):
    fake = tmp_path / "清单.xlsx"
    fake.write_text("这不是电子表格", encoding="utf-8")
    _fails(imp, content, fake, expect=f"{fake}: LE101 文件扩展名是 .xlsx，但内容不是 Excel 或 ODS 电子表格")


def test_a_picture_renamed_to_csv(tmp_path, imp, content):
    fake = tmp_path / "清单.csv"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    _fails(imp, content, fake, expect=f"{fake}: LE101 不是电子表格：文件含有二进制内容")


def test_password_protected_workbook(tmp_path, imp, content):
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = write_xlsx(tmp_path / "plain.xlsx", sample_book())
    locked = tmp_path / "加密.xlsx"
    with plain.open("rb") as src, locked.open("wb") as dst:
        OOXMLFile(src).encrypt("secret", dst)
    _fails(imp, content, locked, expect=f"{locked}: LE102 文件设有打开密码")


def test_corrupt_workbook(tmp_path, imp, content):
    good = write_xlsx(tmp_path / "good.xlsx", sample_book()).read_bytes()
    broken = tmp_path / "损坏.xlsx"
    broken.write_bytes(good[: len(good) // 2])
    _fails(imp, content, broken, expect=f"{broken}: LE103 文件已损坏")


def test_a_sheet_with_no_recognisable_header(tmp_path, imp, content):
    book = sample_book()
    book["统计"] = [["部门", "数量"], ["公安局", 2]]
    path = write_xlsx(tmp_path / "清单.xlsx", book)
    _fails(imp, content, path, expect=f"{path}:统计: LE111 工作表“统计”的前 10 行中没有可识别的表头")


def test_instruction_and_code_sheets_without_headers_are_not_errors(tmp_path, imp):
    book = sample_book()
    book["填表说明"] = [["请按国家要素填写。"]]
    status, out = imp(write_xlsx(tmp_path / "清单.xlsx", book), "--dry-run")
    assert status == 0, out


def test_duplicate_codes(tmp_path, imp, content):
    book = sample_book()
    book["事项"].append(item(CODE_A, "居民身份证换领（重复）"))
    path = write_xlsx(tmp_path / "清单.xlsx", book)
    _fails(imp, content, path, expect=f"{path}:事项!D4: LE121 编码重复：{CODE_A} 已在 {path}:事项!D2 出现")


def test_duplicate_codes_across_files(tmp_path, imp, content):
    first = write_xlsx(tmp_path / "一.xlsx", {"事项": [ITEM_HEADERS, item(CODE_A, "甲")]})
    second = write_xlsx(tmp_path / "二.xlsx", {"事项": [ITEM_HEADERS, item(CODE_A, "乙")]})
    _fails(imp, content, first, second, expect=f"{second}:事项!D2: LE121 编码重复")


def test_a_material_row_whose_code_matches_no_item(tmp_path, imp, content):
    book = sample_book()
    book["材料"].append(material("11330382002609422Q3000199999000", "不存在事项的材料"))
    path = write_xlsx(tmp_path / "清单.xlsx", book)
    _fails(imp, content, path,
           expect=f"{path}:材料!A5: LE122 材料表的编码 11330382002609422Q3000199999000 在事项表中不存在")


def test_a_long_code_stored_as_a_number_has_lost_digits(tmp_path, imp, content):
    book = sample_book()
    book["事项"][2] = item(1.1330382002609422e16, "居民身份证补领")
    book["材料"] = book["材料"][:3]
    book["常见问题"] = book["常见问题"][:1]
    path = write_xlsx(tmp_path / "清单.xlsx", book)
    _fails(imp, content, path, expect=f"{path}:事项!D3: LE125 编码被存成了数字")


def test_a_malformed_code(tmp_path, imp, content):
    book = {"事项": [ITEM_HEADERS, item("GA 0001/换领", "居民身份证换领")]}
    path = write_xlsx(tmp_path / "清单.xlsx", book)
    _fails(imp, content, path, expect=f"{path}:事项!D2: LE124 编码“GA0001/换领”格式错误")


def test_an_item_row_without_a_code(tmp_path, imp, content):
    path = write_xlsx(tmp_path / "清单.xlsx", {"事项": [ITEM_HEADERS, item(None, "无编码事项")]})
    _fails(imp, content, path, expect=f"{path}:事项!A2: LE123 事项行没有“实施编码”或“业务办理项编码”")


def test_a_material_row_naming_only_a_task_code_with_several_handle_items(tmp_path, imp, content):
    items = [ITEM_HEADERS + ["业务办理项编码"], item(CODE_A, "甲") + [CODE_A + "01"], item(CODE_A, "乙") + [CODE_A + "02"]]
    path = write_xlsx(tmp_path / "清单.xlsx", {"事项": items, "材料": [MATERIAL_HEADERS, material(CODE_A, "身份证")]})
    _fails(imp, content, path, expect=f"{path}:材料!A2: LE126 只给了实施编码 {CODE_A}，它有 2 个业务办理项")


def test_100000_item_rows(tmp_path, imp, content):
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["事项名称", "实施编码"])
    for i in range(100_000):
        w.writerow([f"事项{i}", f"330382-T-{i:06d}"])
    path = tmp_path / "事项.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    _fails(imp, content, path, expect=f"{path}:事项!A50002: LE113 事项超过单次导入上限 50,000 个")


def test_a_file_that_does_not_exist(tmp_path, imp, content):
    missing = tmp_path / "没有这个文件.xlsx"
    _fails(imp, content, missing, expect=f"{missing}: LE105 文件不存在")


def test_a_csv_in_an_unknown_encoding(tmp_path, imp, content):
    path = tmp_path / "事项.csv"
    path.write_bytes("事项名称,实施编码\n".encode("utf-8") + b"\x81\x30\xff\xfe,330382-GA-0001\n")
    _fails(imp, content, path, expect=f"{path}: LE104 第 2 行的字节既不是 UTF-8 也不是 GB18030 编码")


def test_no_item_sheet(tmp_path, imp, content):
    path = write_xlsx(tmp_path / "材料.xlsx", {"材料": [MATERIAL_HEADERS, material(CODE_B, "户口簿")]})
    _fails(imp, content, path, expect=f"{path}: LE112 没有事项表")
