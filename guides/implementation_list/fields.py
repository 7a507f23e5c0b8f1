"""The fields a 实施清单 column can fill, and what each becomes in a v2 guide.

A header map (headers/*.yaml) names, per sheet kind, which header fills which field; this
table says how a field's cells are read (``kind``), which vocabulary and code list apply,
and which v2 element it feeds (``element``; None: the column is understood but the v2
standard has no element for it, so it is reported and not imported).

kinds: code (事项/实施/业务办理项 code), line (one-line text), text (multi-line text, may be
split), int (a count), limit (a time-limit figure, or 即时 / 无), date, label (one label of
a vocabulary), labels (several labels, separated by 、，,;；/), amount.
"""
from __future__ import annotations

from dataclasses import dataclass

SHEET_KINDS = ("items", "materials", "fees", "faq")
SHEET_KIND_NAMES = {"items": "事项表", "materials": "材料表", "fees": "收费项目表", "faq": "常见问题表"}


@dataclass(frozen=True)
class Field:
    id: str
    label: str           # the national element name, for the report
    kind: str
    element: str | None  # the v2 element it feeds, for the report
    vocab: str | None = None  # section of vocabulary.yaml
    codes: str | None = None  # code list of a profile (codelists/*.yaml)


def _f(id, label, kind, element, vocab=None, codes=None) -> Field:
    return Field(id, label, kind, element, vocab, codes)


_ALL = [
    # items
    _f("name", "事项名称", "line", "name"),
    _f("basic_code", "基本编码", "code", "basic_code"),
    _f("task_code", "实施编码", "code", "code"),
    _f("handle_item_code", "业务办理项编码", "code", "code"),
    _f("item_type", "事项类型", "label", "item_type", "item_type", "item_type"),
    _f("department", "实施主体", "line", "department"),
    _f("department_code", "实施主体编码", "code", "department_code"),
    _f("handling_unit", "承办机构", "line", "handling_unit"),
    _f("co_departments", "联办机构", "text", "co_departments"),
    _f("level", "行使层级", "label", "level", "level", "level"),
    _f("service_scope", "通办范围", "label", "service_scope", "service_scope", "service_scope"),
    _f("audience", "服务对象", "labels", "audience", "audience", "audience"),
    _f("basis", "设定依据", "text", "basis"),
    _f("conditions", "受理条件", "text", "conditions"),
    _f("flow", "办理流程", "text", "flow"),
    _f("speed", "办件类型", "labels", "speed", "speed", "speed"),
    _f("statutory_value", "法定办结时限", "limit", "time_limit.statutory"),
    _f("statutory_unit", "法定办结时限单位", "label", "time_limit.statutory", "time_unit", "time_unit"),
    _f("statutory_note", "法定办结时限说明", "text", "time_limit.note"),
    _f("promised_value", "承诺办结时限", "limit", "time_limit.promised"),
    _f("promised_unit", "承诺办结时限单位", "label", "time_limit.promised", "time_unit", "time_unit"),
    _f("promised_note", "承诺办结时限说明", "text", "time_limit.note"),
    _f("visits", "到办事现场次数", "int", "visits"),
    _f("visits_reason", "到现场次数原因说明", "text", "visits_reason"),
    _f("address", "办理地点", "text", "locations"),
    _f("hours", "办理时间", "text", "locations"),
    _f("consult", "咨询方式", "text", "contacts.consult"),
    _f("complaint", "监督投诉方式", "text", "contacts.complaint"),
    _f("charged", "是否收费", "label", "fee.charged", "yesno", "yesno"),
    _f("fee_basis", "收费依据", "text", "fee.basis"),
    _f("channels", "办理形式", "labels", "channels", "channels", "channels"),
    _f("is_online", "是否网办", "label", "channels", "yesno", "yesno"),
    _f("is_express", "是否支持物流快递", "label", "channels", "yesno", "yesno"),
    _f("is_schedule", "是否支持预约办理", "label", "channels", "yesno", "yesno"),
    _f("is_terminal", "是否支持自助终端办理", "label", "channels", "yesno", "yesno"),
    _f("result_name", "结果名称", "line", "result.name"),
    _f("result_type", "结果类型", "label", "result.type", "result_type", "result_type"),
    _f("online_url", "网办地址", "line", "online_url"),
    _f("category", "主题分类", "line", "category"),
    _f("refusal_conditions", "不予受理情形", "text", "refusal_conditions"),
    _f("remedies", "救济途径", "text", "remedies"),
    _f("updated", "更新日期", "date", "updated"),
    _f("satisfaction", "满意度", "label", None, "satisfaction", "satisfaction"),
    _f("power_source", "权力来源", "line", None),
    _f("department_kind", "实施主体性质", "line", None),
    _f("item_state", "事项状态", "line", None),
    _f("special_procedure", "特别程序", "text", None),
    _f("intermediary", "中介服务", "text", None),
    _f("quantity_limit", "数量限制", "text", None),
    _f("row_number", "序号", "line", None),
    _f("item_name", "事项名称", "line", None),
    # materials
    _f("m_name", "材料名称", "line", "materials.name"),
    _f("m_type", "材料类型", "label", "materials.form", "material_type", "material_type"),
    _f("m_format", "材料形式", "label", "materials.form", "material_format", "material_format"),
    _f("m_copies", "纸质材料份数", "int", "materials.copies"),
    _f("m_copies_original", "原件份数", "int", "materials.copies"),
    _f("m_copies_copy", "复印件份数", "int", "materials.copies"),
    _f("m_spec", "纸质材料规格", "line", None),
    _f("m_necessity", "材料必要性", "label", "materials.necessity", "necessity", "necessity"),
    _f("m_source", "来源渠道", "label", "materials.source", "source", "source"),
    _f("m_source_note", "来源渠道说明", "text", "materials.source"),
    _f("m_blank_form", "空白表格", "line", "materials.blank_form"),
    _f("m_sample", "示例样表", "line", "materials.sample"),
    _f("m_fill_note", "填报须知", "text", "materials.note"),
    _f("m_remark", "备注", "text", "materials.note"),
    _f("m_accept_standard", "受理标准", "text", None),
    _f("m_basis", "要求提供材料的依据", "text", None),
    _f("m_order", "排序", "int", "materials（顺序）"),
    # fees
    _f("f_name", "收费项目名称", "line", "fee.items.name"),
    _f("f_standard", "收费标准", "text", "fee.items.amount/text"),
    _f("f_basis", "收费依据", "text", "fee.basis"),
    _f("f_waivable", "是否允许减免", "label", "fee.waiver", "yesno", "yesno"),
    _f("f_waiver_basis", "允许减免依据", "text", "fee.waiver"),
    _f("f_remark", "备注", "text", None),
    _f("f_order", "排序", "int", "fee.items（顺序）"),
    # faq
    _f("q_question", "问题", "text", "faq.q"),
    _f("q_answer", "答案", "text", "faq.a"),
    _f("q_order", "排序", "int", "faq（顺序）"),
]

FIELDS: dict[str, Field] = {f.id: f for f in _ALL}

# The field a sheet kind cannot do without (besides a code column on the joined sheets).
KEY_FIELD = {"items": "name", "materials": "m_name", "fees": "f_name", "faq": "q_question"}
CODE_FIELDS = ("task_code", "handle_item_code")
