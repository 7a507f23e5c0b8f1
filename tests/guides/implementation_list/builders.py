"""Fixture workbooks for the 实施清单 tests, generated on the fly (no binaries committed).

``sample_items()`` etc. return rows in the national layout; ``write_xlsx`` / ``write_csv`` /
``write_ods`` / ``write_xls`` turn {sheet: rows} into a real file of that format.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

ITEM_HEADERS = ["序号", "事项名称", "基本编码", "实施编码", "事项类型", "实施主体", "服务对象", "主题分类", "设定依据",
                "受理条件", "办理流程", "办件类型", "法定办结时限", "法定办结时限单位", "承诺办结时限", "承诺办结时限单位",
                "到办事现场次数", "办理地点", "办理时间", "咨询方式", "监督投诉方式", "是否收费", "办理形式", "结果名称",
                "网办地址", "更新日期"]
MATERIAL_HEADERS = ["实施编码", "材料名称", "材料类型", "材料形式", "纸质材料份数", "材料必要性", "来源渠道", "来源渠道说明",
                    "填报须知"]
FEE_HEADERS = ["实施编码", "收费项目名称", "收费标准", "收费依据", "是否允许减免", "允许减免依据"]
FAQ_HEADERS = ["实施编码", "问题", "答案"]

CODE_A = "11330382002609422Q3000102001000"
CODE_B = "11330382002609422Q3000102002000"


def item(code: str, name: str, **over) -> list:
    values = {
        "序号": 1, "事项名称": name, "基本编码": "000102001000", "实施编码": code, "事项类型": "行政确认",
        "实施主体": "乐清市公安局", "服务对象": "自然人", "主题分类": "户籍办理",
        "设定依据": "《中华人民共和国居民身份证法》第十一条",
        "受理条件": "1.户籍在本市；2.持有原居民身份证", "办理流程": "①申请：提交材料②受理：当场受理③发证：邮寄或自取",
        "办件类型": "承诺件", "法定办结时限": 60, "法定办结时限单位": "自然日", "承诺办结时限": 15,
        "承诺办结时限单位": "工作日", "到办事现场次数": 1, "办理地点": "乐清市市民中心一楼",
        "办理时间": "周一至周五 8:30-12:00、13:30-17:00", "咨询方式": "0577-61881125", "监督投诉方式": "12345",
        "是否收费": "是", "办理形式": "窗口办理、网上办理", "结果名称": "居民身份证",
        "网办地址": "https://www.zjzwfw.gov.cn/", "更新日期": dt.date(2026, 11, 1),
    }
    values.update(over)
    return [values.get(h) for h in ITEM_HEADERS]


def material(code: str, name: str, **over) -> list:
    values = {"实施编码": code, "材料名称": name, "材料类型": "原件", "材料形式": "纸质", "纸质材料份数": 1,
              "材料必要性": "必要", "来源渠道": "申请人自备", "来源渠道说明": None, "填报须知": None}
    values.update(over)
    return [values.get(h) for h in MATERIAL_HEADERS]


def sample_book() -> dict[str, list[list]]:
    """Two items, three materials, one fee, one FAQ, in the national layout."""
    return {
        "事项": [ITEM_HEADERS, item(CODE_A, "居民身份证换领"), item(CODE_B, "居民身份证补领", 承诺办结时限=7)],
        "材料": [MATERIAL_HEADERS, material(CODE_A, "原居民身份证"),
                 material(CODE_A, "户口簿", 材料类型="复印件", 纸质材料份数="２份"),
                 material(CODE_B, "居民户口簿")],
        "收费项目": [FEE_HEADERS, [CODE_A, "工本费", "20元/证", "《居民身份证工本费标准》", "是", "城乡低保对象免收"]],
        "常见问题": [FAQ_HEADERS, [CODE_B, "补领要多久？", "15 个工作日"]],
    }


def write_xlsx(path: Path, sheets: dict[str, list[list]], *, merges: dict[str, list[str]] | None = None) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    wb.save(path)
    return path


def set_cached_formula(path: Path, sheet_index: int, cell: str, formula: str, cached: str | int) -> None:
    """Turn ``cell`` of an openpyxl-written xlsx into a formula cell with a cached value, as
    Excel and WPS save them (openpyxl itself never computes formulas)."""
    src = path.read_bytes()
    out = io.BytesIO()
    name = f"xl/worksheets/sheet{sheet_index + 1}.xml"
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == name:
                xml = data.decode("utf-8")
                pattern = re.compile(r'<c r="' + cell + r'"[^>]*?(?:/>|>.*?</c>)', re.S)
                if isinstance(cached, str):
                    new = f'<c r="{cell}" t="str"><f>{formula}</f><v>{cached}</v></c>'
                else:
                    new = f'<c r="{cell}"><f>{formula}</f><v>{cached}</v></c>'
                xml, n = pattern.subn(new, xml)
                assert n == 1, f"{cell} not found in {name}"
                data = xml.encode("utf-8")
            zout.writestr(info, data)
    path.write_bytes(out.getvalue())


def write_csv(path: Path, rows: list[list], *, encoding: str = "utf-8") -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([["" if v is None else v for v in r] for r in rows])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_ods(path: Path, sheets: dict[str, list[list]]) -> Path:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    for name, rows in sheets.items():
        table = Table(name=name)
        for row in rows:
            tr = TableRow()
            for v in row:
                if v is None:
                    tr.addElement(TableCell())
                elif isinstance(v, (int, float)) and not isinstance(v, bool):
                    cell = TableCell(valuetype="float", value=v)
                    cell.addElement(P(text=str(v)))
                    tr.addElement(cell)
                elif isinstance(v, dt.date):
                    cell = TableCell(valuetype="date", datevalue=v.isoformat())
                    cell.addElement(P(text=v.isoformat()))
                    tr.addElement(cell)
                else:
                    cell = TableCell(valuetype="string")
                    for i, part in enumerate(str(v).split("\n")):
                        cell.addElement(P(text=part))
                    tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


def write_xls(path: Path, sheets: dict[str, list[list]]) -> Path:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, dt.date):
                    ws.write(r, c, v, date_style)
                else:
                    ws.write(r, c, v)
    wb.save(str(path))
    return path
