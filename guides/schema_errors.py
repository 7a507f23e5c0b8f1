"""Turn pydantic validation errors into findings with codes, lines and Chinese text."""
from __future__ import annotations

from pydantic import ValidationError

from guides.findings import Finding
from guides.yamlsource import SourceDoc

# The elements of 六统一 (name, code, basis, conditions, materials, time limit).
SIX_UNIFIED = {"code": "事项编码", "name": "事项名称", "basis": "设立依据",
               "conditions": "申报条件", "materials": "申报材料", "time_limit": "办理时限"}

FIELD_NAMES = {
    **SIX_UNIFIED,
    "item_type": "事项类型", "audience": "服务对象", "category": "主题分类", "department": "实施主体",
    "speed": "办件类型", "fee": "收费", "channels": "办理方式", "visits": "到现场次数",
    "visits_reason": "多次到现场的理由", "flow": "办理流程", "locations": "办理地点",
    "contacts": "咨询/投诉电话", "mistakes": "易错范例", "faq": "常见问题", "online_url": "网上办理入口",
    "forms": "表格下载", "updated": "更新日期", "aliases": "搜索别名",
    "law": "法律法规名称", "article": "条款", "form": "材料形式", "copies": "份数", "source": "来源渠道",
    "required": "是否必需", "note": "备注", "shared": "数据共享免提交", "statutory_days": "法定时限",
    "promised_days": "承诺时限", "charged": "是否收费", "standard": "收费标准", "step": "环节",
    "who": "办理人", "what": "办理内容", "address": "地址", "window": "窗口", "hours": "办理时间",
    "consult": "咨询电话", "complaint": "监督投诉电话", "mistake": "易错情形", "correct": "正确做法",
    "q": "问题", "a": "解答", "url": "网址", "sample_url": "填写样本网址",
    "hall_name": "大厅名称", "hotline": "服务热线", "public_base_url": "公开访问地址",
    "region_code": "行政区划代码", "featured": "常用事项", "slug": "分类标识", "description": "说明",
}


def _where(loc: tuple) -> str:
    parts = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"第 {item + 1} 项")
        else:
            parts.append(f"{FIELD_NAMES.get(item, item)}({item})")
    return " ".join(parts) or "文件"


def _translate(err: dict) -> tuple[str, str]:
    """(code, Chinese message) for one pydantic error."""
    typ = err["type"]
    loc = tuple(err["loc"])
    field = loc[-1] if loc else ""
    where = _where(loc)
    if loc == ("fee",) and typ in ("missing", "model_type", "model_attributes_type", "dict_type"):
        return "E204", "收费信息缺失：不能留空或写“无”，不收费请写 charged: false，收费请写明标准和依据"
    if typ == "extra_forbidden":
        if err.get("input") is None and len(loc) > 1:
            return "E101", (f"未知字段：{field}（若这是上一项文字的一部分，请把英文逗号改为中文逗号“,”，"
                            "或给整段文字加引号）")
        return "E101", f"未知字段：{field}（请检查拼写，可用字段见 CONTENT-STANDARD)"
    if typ == "missing":
        if len(loc) == 1 and field in SIX_UNIFIED:
            return "E104", f"缺少六统一要素：{SIX_UNIFIED[field]}({field})"
        if loc == ("mistakes",):
            return "E105", "缺少易错范例：每个事项至少写一条易错范例（mistakes)"
        return "E102", f"缺少必填项：{where}"
    if typ in ("too_short", "string_too_short"):
        if loc == ("mistakes",):
            return "E105", "缺少易错范例：每个事项至少写一条易错范例（mistakes)"
        if len(loc) == 1 and field in SIX_UNIFIED:
            return "E104", f"缺少六统一要素：{SIX_UNIFIED[field]}({field}）不能为空"
        return "E102", f"缺少必填项：{where} 不能为空"
    if typ == "enum":
        expected = err.get("ctx", {}).get("expected", "")
        return "E103", f"取值错误：{where} 只能是 {expected}"
    if typ in ("int_parsing", "int_type", "int_from_float"):
        return "E103", f"类型错误：{where} 应为整数"
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
        return "E103", f"格式错误：{where}"
    return "E103", f"取值错误：{where}:{err.get('msg', '')}"


def schema_findings(exc: ValidationError, doc: SourceDoc) -> list[Finding]:
    out = []
    for err in exc.errors():
        code, message = _translate(err)
        loc = tuple(err["loc"])
        line = doc.line(loc if err["type"] != "missing" else loc[:-1])
        out.append(Finding(doc.path, line, code, message))
    return out
