"""From sheets to v2 guide dicts: join the item, material, fee and FAQ rows by code, read
every cell, and record what went where.

``import_sheets(workbooks, profile, maps)`` returns an ``ImportResult``: one
``ImportedGuide`` per code (the v2 dict, the trace of which cell fed which element, the
elements the file speaks for) and every problem with its ``file:sheet!cell``.

Rules (CONTENT-STANDARD.md v2; "nothing is invented"): an empty cell is an absent element;
a value that cannot be read is a warning and the element stays absent; a structural fault
(duplicate code, orphan material row, unknown code in the profile, …) is an error.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from guides.implementation_list import cells as C
from guides.implementation_list.build import SHEET_MANAGED, ImportedGuide, Skipped, build_guide
from guides.implementation_list.codelists import Profile
from guides.implementation_list.fields import CODE_FIELDS, FIELDS, SHEET_KIND_NAMES
from guides.implementation_list.headers import HeaderMap, Layout, detect, is_skippable
from guides.implementation_list.problems import ListReadError, Place, Problem
from guides.implementation_list.reader import Workbook
from guides.implementation_list.rows import Row

MAX_ITEMS = 50_000  # item rows in one import; a city's list is tens of thousands
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{5,63}$")  # CONTENT-STANDARD.md: code


@dataclass
class ImportResult:
    """Everything one import found: guides by code (sorted), problems in the order found,
    the sheets as laid out, the items skipped, the code-list profile used."""
    guides: dict[str, ImportedGuide]
    problems: list[Problem]
    layouts: list[Layout]
    skipped: list[Skipped]
    profile: Profile

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


# -- the whole import -----------------------------------------------------------------------------
def _row_code(row: Row, problems: list[Problem]) -> tuple[str | None, str | None, Place]:
    """(code of the guide, 实施编码, place) for a row: the 业务办理项编码 when present."""
    codes: dict[str, str] = {}
    place = row.place()
    for field_id in ("handle_item_code", "task_code"):
        for value, col in row.raw(field_id)[:1]:
            try:
                codes[field_id] = C.code(value)
            except C.CellError as exc:
                problems.append(Problem(row.place(col), "LE125", str(exc)))
                return None, None, row.place(col)
            if field_id == "handle_item_code" or "handle_item_code" not in codes:
                place = row.place(col)
    code = codes.get("handle_item_code") or codes.get("task_code")
    return code, codes.get("task_code"), place


def _empty_row(row: list) -> bool:
    return all(C.is_empty(v) for v in row)


def _lay_out(workbooks: list[Workbook], maps: list[HeaderMap], problems: list[Problem]) -> list[Layout]:
    """Find each sheet's header row and kind; report unknown columns, columns with no v2
    element, sheets with no recognisable header and joined sheets without a code column."""
    layouts: list[Layout] = []
    for wb in workbooks:
        for sheet in wb.sheets:
            if not sheet.rows:
                continue
            layout = detect(sheet, maps)
            if layout is None:
                if sheet.hidden or is_skippable(sheet.name):
                    continue
                problems.append(Problem(sheet.place(), "LE111",
                                        f"工作表“{sheet.name}”的前 10 行中没有可识别的表头：应有“事项名称”“实施编码”"
                                        "或“材料名称”等国家要素名称（或 task_name、task_code 等交换表字段名）"))
                continue
            for ref in sheet.formula_blanks:
                problems.append(Problem(Place(sheet.file, sheet.name, ref), "LW310",
                                        "公式单元格没有保存计算结果，按空单元格处理：请在 Excel 或 WPS 中打开并保存后重新导出"))
            layout.data_rows = sum(1 for row in sheet.rows[layout.header_row + 1:] if not _empty_row(row))
            layouts.append(layout)
            for c in layout.unknown:
                problems.append(Problem(sheet.place(layout.header_row, c), "LW301",
                                        f"未识别的列“{layout.headers[c]}”，未导入"))
            for c, fid in layout.fields.items():
                if FIELDS[fid].element is None and FIELDS[fid].codes is None and fid not in ("row_number", "item_name"):
                    problems.append(Problem(sheet.place(layout.header_row, c), "LW308",
                                            f"“{layout.headers[c]}”在 v2 内容标准中没有对应要素，未导入"))
            if layout.kind != "items" and not (set(layout.fields.values()) & set(CODE_FIELDS)):
                problems.append(Problem(sheet.place(layout.header_row), "LE111",
                                        f"{SHEET_KIND_NAMES[layout.kind]}“{sheet.name}”没有“实施编码”或“业务办理项编码”列，"
                                        "无法对应到事项"))
    return layouts


def _group_items(item_layouts: list[Layout], problems: list[Problem]) -> dict[str, list[Row]]:
    """Item rows by guide code. A code twice in sheets with names is LE121; a row of a sheet
    without names (an exchange ``_extend`` table) adds to the item of its code."""
    items: dict[str, list[Row]] = {}
    first_place: dict[str, Place] = {}
    named: dict[str, bool] = {}
    count = 0
    for layout in item_layouts:
        has_name = "name" in layout.fields.values()
        for r in range(layout.header_row + 1, len(layout.sheet.rows)):
            if _empty_row(layout.sheet.rows[r]):
                continue
            count += 1
            if count > MAX_ITEMS:
                problems.append(Problem(layout.sheet.place(r, 0), "LE113",
                                        f"事项超过单次导入上限 {MAX_ITEMS:,} 个；请按部门或区划分批导出后分别导入"))
                raise ListReadError([p for p in problems if p.is_error])
            row = Row(layout, r)
            code, _, place = _row_code(row, problems)
            if code is None:
                if not row.raw("handle_item_code") and not row.raw("task_code"):
                    problems.append(Problem(row.place(), "LE123", "事项行没有“实施编码”或“业务办理项编码”"))
                continue
            if not CODE_RE.match(code):
                problems.append(Problem(place, "LE124", f"编码“{code}”格式错误：应为 6–64 位字母、数字或“-”，"
                                                        "以字母或数字开头（事项编码印在二维码网址中）"))
                continue
            if code in items:
                if has_name and named[code]:
                    problems.append(Problem(place, "LE121", f"编码重复：{code} 已在 {first_place[code]} 出现"))
                    continue
                items[code].append(row)
                named[code] = named[code] or has_name
                continue
            items[code] = [row]
            first_place[code] = place
            named[code] = has_name
    for code in items:
        if not named[code]:
            problems.append(Problem(first_place[code], "LE122", f"编码 {code} 只出现在扩展表中，事项表没有这个事项"))
    return items


def _join(layouts: list[Layout], items: dict[str, list[Row]], problems: list[Problem]) -> dict[str, dict[str, list[Row]]]:
    """Material, fee and FAQ rows by the guide they belong to: by 业务办理项编码, or by 实施编码
    when that names exactly one guide (LE126 when it has several 办理项, LE122 when none)."""
    by_task: dict[str, list[str]] = {}
    for code, rows in items.items():
        for row in rows:
            for value, _ in row.raw("task_code")[:1]:
                try:
                    codes = by_task.setdefault(C.code(value), [])
                except C.CellError:
                    continue
                if code not in codes:
                    codes.append(code)
    joined: dict[str, dict[str, list[Row]]] = {}
    for layout in layouts:
        if layout.kind == "items":
            continue
        for r in range(layout.header_row + 1, len(layout.sheet.rows)):
            if _empty_row(layout.sheet.rows[r]):
                continue
            row = Row(layout, r)
            code, _, place = _row_code(row, problems)
            if code is None:
                if not row.raw("handle_item_code") and not row.raw("task_code"):
                    problems.append(Problem(row.place(), "LE123",
                                            f"{SHEET_KIND_NAMES[layout.kind]}的这一行没有“实施编码”或“业务办理项编码”"))
                continue
            target = code if code in items else None
            if target is None and not row.raw("handle_item_code") and code in by_task:
                if len(by_task[code]) > 1:
                    problems.append(Problem(place, "LE126",
                                            f"只给了实施编码 {code}，它有 {len(by_task[code])} 个业务办理项"
                                            f"（{'、'.join(by_task[code][:5])}），请填写“业务办理项编码”"))
                    continue
                target = by_task[code][0]
            if target is None:
                problems.append(Problem(place, "LE122", f"{SHEET_KIND_NAMES[layout.kind]}的编码 {code} 在事项表中不存在"))
                continue
            joined.setdefault(target, {}).setdefault(layout.kind, []).append(row)
    for kinds in joined.values():
        for kind, rows in kinds.items():
            kinds[kind] = _in_stated_order(rows, {"materials": "m_order", "fees": "f_order", "faq": "q_order"}[kind])
    return joined


def _in_stated_order(rows: list[Row], order_field: str) -> list[Row]:
    """Rows sorted by their 排序 column when every row has one; file order otherwise."""
    keys = []
    for row in rows:
        raw = row.raw(order_field)
        try:
            keys.append(C.integer(raw[0][0]) if raw else None)
        except C.CellError:
            keys.append(None)
    if rows and all(k is not None for k in keys):
        return [row for _, row in sorted(zip(keys, rows), key=lambda kr: kr[0])]
    return rows


def import_sheets(workbooks: list[Workbook], profile: Profile, maps: list[HeaderMap], *,
                  trace: bool = True) -> ImportResult:
    """Map every sheet of ``workbooks`` to v2 guides (see the module docstring). ``trace``:
    keep, per guide, which cell fed which element (for the dry-run report and the editor).
    Raises ListReadError only for more than MAX_ITEMS items; every other fault is a problem."""
    problems: list[Problem] = []
    layouts = _lay_out(workbooks, maps, problems)
    item_layouts = [lay for lay in layouts if lay.kind == "items"]
    if not item_layouts and not any(p.code == "LE111" for p in problems):
        where = Place(workbooks[0].display) if workbooks else Place("（无文件）")
        problems.append(Problem(where, "LE112", "没有事项表：找不到含“事项名称”和“实施编码”的工作表"))
    items = _group_items(item_layouts, problems)
    joined = _join(layouts, items, problems)
    sheet_kinds = {lay.kind for lay in layouts}
    guides: dict[str, ImportedGuide] = {}
    skipped: list[Skipped] = []
    for code in sorted(items):
        guide, skip = build_guide(code, items[code], joined.get(code, {}), profile, problems, trace=trace)
        if skip:
            skipped.append(skip)
            problems.append(Problem(skip.place, "LW306", f"{code}（{skip.name or '无名称'}）{skip.reason}，"
                                                         "不是依申请事项，不生成办事指南"))
            continue
        for kind in ("materials", "fees", "faq"):
            if kind in sheet_kinds:
                guide.managed.update(SHEET_MANAGED[kind])
        guides[code] = guide
    return ImportResult(guides, problems, layouts, skipped, profile)
