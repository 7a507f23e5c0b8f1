"""Turn pydantic validation errors into findings with codes, lines and Chinese text.

An absent required element of CONTENT-STANDARD.md (v2, "Required") is E104 and its
message names the rule 缺少必备要素 and the element (E105 for 易错范例, same wording);
other absent keys inside an element are E102; wrong types and values E103; unknown keys
E101. Union member tags (``~group``, ``~amount``, ...) are dropped from locations, so a
location is the path of keys and indexes in the YAML file.
"""
from __future__ import annotations

from pydantic import ValidationError

from guides.findings import Finding
from guides.model import UNION_TAGS
from guides.yamlsource import SourceDoc, excerpt

# Required elements of a guide (CONTENT-STANDARD.md), with their Chinese names.
REQUIRED = {
    "code": "事项编码", "name": "事项名称", "item_type": "事项类型", "audience": "服务对象",
    "category": "主题分类", "department": "实施主体", "basis": "设定依据", "conditions": "受理条件",
    "materials": "申请材料", "time_limit": "办理时限", "speed": "办件类型", "fee": "收费",
    "channels": "办理方式", "locations": "办理地点", "contacts": "咨询电话", "mistakes": "易错范例",
    "updated": "更新日期",
}
# Required keys inside an element: (parent key, key) -> name.
REQUIRED_INNER = {("fee", "charged"): "是否收费", ("locations", "address"): "办理地点地址",
                  ("contacts", "consult"): "咨询电话"}

FIELD_NAMES = {
    **REQUIRED,
    "basic_code": "基本编码", "department_code": "实施主体编码", "handling_unit": "承办机构", "level": "行使层级",
    "service_scope": "通办范围", "co_departments": "联办/协办部门", "questions": "情形引导", "id": "标识",
    "ask": "问题", "options": "选项", "label": "名称", "when": "适用情形", "text": "文字",
    "visits": "到现场次数", "visits_reason": "多次到现场的理由", "flow": "办理流程", "flow_image": "流程图",
    "result": "办理结果", "refusal_conditions": "不予受理的情形", "remedies": "救济途径", "faq": "常见问题",
    "online_url": "网上办理入口", "forms": "表格下载", "aliases": "搜索别名",
    "law": "法律法规名称", "article": "条款", "doc_no": "文号", "form": "材料形式", "copies": "份数",
    "source": "来源渠道", "necessity": "必要性", "note": "备注", "blank_form": "空白表格", "sample": "示例样表",
    "one_of": "材料组名称", "choose": "任选数", "items": "项目", "statutory": "法定时限", "promised": "承诺时限",
    "value": "数值", "unit": "单位", "charged": "是否收费", "amount": "金额", "waiver": "减免", "basis_fee": "收费依据",
    "step": "环节", "who": "办理人", "time": "时限", "what": "办理内容", "address": "地址", "window": "窗口",
    "hours": "办理时间", "consult": "咨询电话", "complaint": "监督投诉电话", "consult_note": "咨询电话说明",
    "complaint_note": "投诉电话说明", "mistake": "易错情形", "correct": "正确做法", "q": "问题", "a": "解答",
    "url": "网址", "file": "文件", "type": "类型",
    "hall_name": "大厅名称", "hotline": "服务热线", "public_base_url": "公开访问地址",
    "region_code": "行政区划代码", "area_code": "区号", "featured": "常用事项", "slug": "分类标识",
    "description": "说明", "successor": "接替事项", "retired_on": "停用日期", "reason": "原因",
}


def clean_loc(loc: tuple) -> tuple:
    """An error location without union member tags: the path of keys and indexes in the file."""
    return tuple(p for p in loc if p not in UNION_TAGS)


def _where(loc: tuple) -> str:
    parts = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"第 {item + 1} 项")
        elif item in FIELD_NAMES:
            parts.append(f"{FIELD_NAMES[item]}({item})")
        else:
            parts.append(excerpt(item))
    return " ".join(parts) or "文件"


def _required_name(loc: tuple) -> str | None:
    """The Chinese name when `loc` is a required element of the standard, else None."""
    if len(loc) == 1 and loc[0] in REQUIRED:
        return f"{REQUIRED[loc[0]]}({loc[0]})"
    keys = tuple(p for p in loc if isinstance(p, str))
    if len(keys) == 2 and keys in REQUIRED_INNER:
        return f"{REQUIRED_INNER[keys]}({'.'.join(keys)})"
    return None


def _translate(err: dict, top: bool) -> tuple[str, str]:
    """(code, Chinese message) for one pydantic error; `top` when validating a guide."""
    typ = err["type"]
    raw_loc = tuple(err["loc"])
    loc = clean_loc(raw_loc)
    field = excerpt(loc[-1]) if loc else ""
    where = _where(loc)
    if top and loc == ("fee",) and typ in ("model_type", "model_attributes_type", "dict_type"):
        return "E204", ("收费信息写成了文字：不收费请写 charged: false；收费的写 charged: true 和收费项目(items)，"
                        "不能只写“无”或“不收费”")
    if typ == "extra_forbidden":
        if err.get("input") is None and len(loc) > 1:
            return "E101", (f"未知字段：{field}（若这是上一项文字的一部分，请把英文逗号改为中文逗号“，”，"
                            "或给整段文字加引号）")
        return "E101", f"未知字段：{field}（请检查拼写，可用字段见 CONTENT-STANDARD）"
    required = _required_name(loc) if top else None
    if typ == "missing":
        if required and loc == ("mistakes",):
            return "E105", "缺少必备要素：易错范例(mistakes)，每个事项至少写一条易错范例"
        if required:
            return "E104", f"缺少必备要素：{required}"
        return "E102", f"缺少必填项：{where}"
    if typ in ("too_short", "string_too_short"):
        if required and loc == ("mistakes",):
            return "E105", "缺少必备要素：易错范例(mistakes)不能为空，每个事项至少写一条易错范例"
        if required:
            return "E104", f"缺少必备要素：{required} 不能为空"
        if field == "options":
            return "E103", f"取值错误：{where} 至少要有两个选项"
        if field == "items":
            return "E103", f"取值错误：{where} 材料组至少要列两种材料"
        return "E102", f"缺少必填项：{where} 不能为空"
    if "~word" in raw_loc or "~amount" in raw_loc:
        return "E103", f"时限格式错误：{where} 应写成 {{value: 数字, unit: 工作日/自然日/小时}}，或“即时”“无”"
    if typ == "enum":
        expected = err.get("ctx", {}).get("expected", "")
        return "E103", f"取值错误：{where} 只能是 {expected}"
    if typ in ("int_parsing", "int_type", "int_from_float"):
        return "E103", f"类型错误：{where} 应为整数"
    if typ in ("float_parsing", "float_type"):
        return "E103", f"类型错误：{where} 应为数字（单位：元）"
    if typ in ("bool_parsing", "bool_type"):
        return "E103", f"类型错误：{where} 应为 true 或 false"
    if typ in ("string_type",):
        return "E103", f"类型错误：{where} 应为文字"
    if typ in ("list_type",):
        return "E103", f"类型错误：{where} 应为列表（每项以 - 开头）"
    if typ in ("model_type", "dict_type", "model_attributes_type"):
        return "E103", f"类型错误：{where} 应为键值对"
    if typ.startswith("date"):
        return "E103", f"日期错误：{where} 应为 YYYY-MM-DD"
    if typ in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        ctx = err.get("ctx", {})
        bound = ctx.get("ge", ctx.get("le", ctx.get("gt", ctx.get("lt"))))
        word = "不能小于" if typ.startswith("greater") else "不能大于"
        return "E103", f"取值错误：{where} {word} {bound}"
    if typ == "string_pattern_mismatch":
        if field == "when" or (len(loc) >= 2 and loc[-2] == "when"):
            return "E103", f"格式错误：{where} 应写成 问题标识=选项标识（多个选项用 | 分隔），如 why=lost"
        if field == "id":
            return "E103", f"格式错误：{where} 应为小写英文字母开头的短标识（字母、数字、下划线，至多 24 位）"
        return "E103", f"格式错误：{where}"
    return "E103", f"取值错误：{where}：{err.get('msg', '')}"


def translate(exc: ValidationError, *, top: bool = True) -> list[tuple[tuple, tuple, str, str]]:
    """(field path, path whose line to show, code, message) per distinct pydantic error; the
    field path of a missing key is the key itself, its line that of the mapping it belongs in."""
    out = []
    seen = set()
    for err in exc.errors():
        code, message = _translate(err, top)
        loc = clean_loc(tuple(err["loc"]))
        line_loc = loc if err["type"] != "missing" else loc[:-1]
        if (loc, code, message) not in seen:
            seen.add((loc, code, message))
            out.append((loc, line_loc, code, message))
    return out


def schema_findings(exc: ValidationError, doc: SourceDoc, *, top: bool = True) -> list[Finding]:
    """Findings for a validation error of `doc`'s data; `top` when the model is a `Guide`
    (required elements are then named 缺少必备要素)."""
    out: list[Finding] = []
    for _loc, line_loc, code, message in translate(exc, top=top):
        finding = Finding(doc.path, doc.line(line_loc), code, message)
        if finding not in out:
            out.append(finding)
    return out
