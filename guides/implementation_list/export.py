"""Write guides back out as a 实施清单 workbook in the layout the import reads.

Sheets 事项 / 材料 / 收费项目 / 常见问题, headers in the national Chinese element names, one
row per item (materials, fees and FAQ joined by 实施编码), labels rather than codes, list
elements as numbered text ("1.…\\n2.…"). Importing the file gives the same guides back.

v2 elements a 实施清单 has no column for (情形引导 and every ``when``, 易错范例, aliases,
forms, a location's window, a step's who/time, material groups, time-limit variants) are not
written; ``export_workbook`` returns one message per guide that lost something.
openpyxl writes the file (write-only mode: rows are streamed, memory stays flat).
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from guides.implementation_list.blobs import numbered
from guides.implementation_list.elements import basis_text, fee_standard_text, step_text

ITEM_COLUMNS = ["事项名称", "基本编码", "实施编码", "事项类型", "实施主体", "实施主体编码", "承办机构", "联办机构",
                "行使层级", "通办范围", "服务对象", "主题分类", "设定依据", "受理条件", "不予受理情形", "办理流程",
                "办件类型", "法定办结时限", "法定办结时限单位", "承诺办结时限", "承诺办结时限单位", "承诺办结时限说明",
                "到办事现场次数", "到现场次数原因说明", "办理地点", "办理时间", "咨询方式", "监督投诉方式", "是否收费",
                "收费依据", "办理形式", "结果名称", "结果类型", "网办地址", "救济途径", "更新日期"]
MATERIAL_COLUMNS = ["实施编码", "事项名称", "排序", "材料名称", "材料类型", "材料形式", "纸质材料份数", "材料必要性",
                    "来源渠道", "来源渠道说明", "空白表格", "示例样表", "填报须知"]
FEE_COLUMNS = ["实施编码", "事项名称", "排序", "收费项目名称", "收费标准", "是否允许减免", "允许减免依据"]
FAQ_COLUMNS = ["实施编码", "事项名称", "排序", "问题", "答案"]
_SOURCES = ("申请人自备", "政府部门核发", "其他机构出具", "窗口提供")
_NOT_IN_LIST = {"questions": "情形引导", "mistakes": "易错范例", "aliases": "搜索别名", "forms": "表格下载",
                "flow_image": "流程图"}


def _joined(values: list[str]) -> str:
    return "、".join(values)


def _limit(value: Any) -> tuple[Any, Any]:
    if isinstance(value, dict):
        return value.get("value"), value.get("unit")
    return value, None


class _Lost:
    def __init__(self) -> None:
        self.what: list[str] = []

    def add(self, label: str) -> None:
        if label not in self.what:
            self.what.append(label)


def _has_when(value: Any) -> bool:
    if isinstance(value, dict):
        return "when" in value or any(_has_when(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_when(v) for v in value)
    return False


def item_row(g: dict, lost: _Lost) -> list[Any]:
    """One guide as a row of ITEM_COLUMNS."""
    for key, label in _NOT_IN_LIST.items():
        if g.get(key):
            lost.add(label)
    if _has_when(g):
        lost.add("适用情形（when）")
    tl = g.get("time_limit") or {}
    if isinstance(tl, list):
        lost.add("办理时限的多种情形")
        tl = tl[0] if tl else {}
    s_value, s_unit = _limit(tl.get("statutory"))
    p_value, p_unit = _limit(tl.get("promised"))
    speed = g.get("speed")
    if isinstance(speed, list):
        if any(isinstance(s, dict) and s.get("label") for s in speed):
            lost.add("办件类型的标签")
        speed = _joined([s["speed"] if isinstance(s, dict) else s for s in speed])
    locations = g.get("locations") or []
    if any(loc.get("window") for loc in locations):
        lost.add("办理窗口")
    addresses = [loc.get("address") for loc in locations if loc.get("address")]
    hours = [loc.get("hours") for loc in locations if loc.get("hours")]
    if len(set(hours)) == 1 and len(locations) > 1:
        hours_text = hours[0]
    elif hours and len(hours) != len(locations):
        lost.add("部分办理地点的办理时间")
        hours_text = numbered(hours)
    else:
        hours_text = numbered(hours) if hours else None
    flow = g.get("flow") or []
    if any(step.get("who") or step.get("time") for step in flow):
        lost.add("办理流程的办理人与时限")
    contacts = g.get("contacts") or {}
    fee = g.get("fee") or {}
    result = g.get("result") or {}
    if result.get("sample"):
        lost.add("结果样本")
    conditions = [c["text"] if isinstance(c, dict) else c for c in g.get("conditions") or []]
    charged = fee.get("charged")
    return [
        g.get("name"), g.get("basic_code"), g.get("code"), g.get("item_type"), g.get("department"),
        g.get("department_code"), g.get("handling_unit"), _joined(g.get("co_departments") or []) or None,
        g.get("level"), g.get("service_scope"), _joined(g.get("audience") or []) or None, g.get("category"),
        numbered([basis_text(b) for b in g.get("basis") or []]) if g.get("basis") else None,
        numbered(conditions) if conditions else None,
        numbered(g["refusal_conditions"]) if g.get("refusal_conditions") else None,
        numbered([step_text(s) for s in flow]) if flow else None,
        speed, s_value, s_unit, p_value, p_unit, tl.get("note"),
        g.get("visits"), g.get("visits_reason"),
        numbered(addresses) if addresses else None, hours_text,
        contacts.get("consult_note") or contacts.get("consult"),
        contacts.get("complaint_note") or contacts.get("complaint"),
        None if charged is None else ("是" if charged else "否"), fee.get("basis"),
        _joined(g.get("channels") or []) or None, result.get("name"), result.get("type"), g.get("online_url"),
        g.get("remedies"), g.get("updated"),
    ]


def _flat_materials(materials: list[dict], lost: _Lost) -> list[dict]:
    out = []
    for m in materials:
        if "one_of" in m:
            lost.add("“任选其一”材料组（组内材料逐项导出）")
            out.extend(_flat_materials(m.get("items") or [], lost))
        else:
            out.append(m)
    return out


def material_rows(g: dict, lost: _Lost) -> list[list[Any]]:
    rows = []
    for i, m in enumerate(_flat_materials(g.get("materials") or [], lost), 1):
        form = m.get("form")
        mtype, mformat = (None, form) if form == "纸质或电子" else (form, None)
        source, source_note = m.get("source"), None
        if source:
            head, sep, tail = str(source).partition("：")
            if sep and head in _SOURCES:
                source, source_note = head, tail
        rows.append([g.get("code"), g.get("name"), i, m.get("name"), mtype, mformat, m.get("copies"),
                     m.get("necessity"), source, source_note, m.get("blank_form"), m.get("sample"), m.get("note")])
    return rows


def fee_rows(g: dict, lost: _Lost) -> list[list[Any]]:
    fee = g.get("fee") or {}
    items = fee.get("items") or []
    if fee.get("waiver") and not items:
        lost.add("减免说明（没有收费项目可挂靠）")
    rows = []
    for i, item in enumerate(items, 1):
        if item.get("amount") is not None and item.get("text"):
            lost.add("收费项目的文字说明")
        waiver = fee.get("waiver") if i == 1 else None
        rows.append([g.get("code"), g.get("name"), i, item.get("name"), fee_standard_text(item) or None,
                     "是" if waiver else None, waiver])
    return rows


def faq_rows(g: dict) -> list[list[Any]]:
    return [[g.get("code"), g.get("name"), i, qa.get("q"), qa.get("a")] for i, qa in enumerate(g.get("faq") or [], 1)]


def export_workbook(guides: list[dict], out: str | Path) -> list[str]:
    """Write ``guides`` (v2 dicts) to ``out`` (.xlsx), atomically (temporary file, then
    rename). Returns "<code>: 未导出 …" lines for what the layout cannot hold."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)  # before any sheet exists (OSError: nothing to clean up)
    wb = Workbook(write_only=True)
    sheets = {name: wb.create_sheet(name) for name in ("事项", "材料", "收费项目", "常见问题")}
    for name, cols in (("事项", ITEM_COLUMNS), ("材料", MATERIAL_COLUMNS), ("收费项目", FEE_COLUMNS),
                       ("常见问题", FAQ_COLUMNS)):
        sheets[name].append(cols)
    messages: list[str] = []

    def cells(ws, row: list[Any]) -> list[Any]:
        out_row = []
        for v in row:
            if isinstance(v, dt.date):
                c = WriteOnlyCell(ws, value=v)
                c.number_format = "yyyy-mm-dd"
                out_row.append(c)
            else:
                out_row.append(v)
        return out_row

    for g in guides:
        lost = _Lost()
        sheets["事项"].append(cells(sheets["事项"], item_row(g, lost)))
        for row in material_rows(g, lost):
            sheets["材料"].append(row)
        for row in fee_rows(g, lost):
            sheets["收费项目"].append(row)
        for row in faq_rows(g):
            sheets["常见问题"].append(row)
        if lost.what:
            messages.append(f"{g.get('code')}: 未导出 {'、'.join(lost.what)}（实施清单没有对应的列）")
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        wb.save(tmp)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return messages
