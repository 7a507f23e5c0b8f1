"""The words every surface uses for a guide's facts -- and only for facts the guide states.

Phone page, poster, kiosk and receipt all phrase time limits, fees, visits and materials
through these functions, so they say the same thing, and none of them shows a fact the
content does not state: an absent element gives None (the surface omits it) or, where a
citizen needs an answer, `not_stated` -- 未载明（请咨询 <consult phone>）.
"""
from __future__ import annotations

from collections.abc import Iterable

from guides.model import (FeeItem, Guide, Limit, LimitWord, Material, MaterialForm, MaterialGroup, Necessity,
                          Site, Speed, SpeedVariant, TimeLimit)
from guides.phones import phone_display

NOT_STATED = "未载明"

NECESSITY_TEXT = {
    Necessity.required: "必须提供",
    Necessity.optional: "非必要",
    Necessity.later: "可容缺后补",
    Necessity.pledge: "可告知承诺代替",
    Necessity.exempt: "免提交（部门共享核验）",
}


def consult_phone(guide: Guide, site: Site | None = None) -> str:
    """The guide's consult phone as shown (a local number with the site's area code)."""
    return phone_display(guide.contacts.consult, site.area_code if site else None)


def not_stated(guide: Guide, site: Site | None = None) -> str:
    """未载明（请咨询 0577-61881101）: what a surface says where a citizen needs a fact the
    guide does not state."""
    return f"{NOT_STATED}（请咨询 {consult_phone(guide, site)}）"


def limit_text(limit: Limit | LimitWord) -> str:
    """``{15, 工作日}`` -> "15 个工作日"; 即时 -> "即时办结"; 无 -> "无（法律未规定时限）"."""
    if isinstance(limit, Limit):
        if limit.unit.value == "小时":
            return f"{limit.value} 小时"
        return f"{limit.value} 个{limit.unit.value}"
    if limit is LimitWord.immediate:
        return "即时办结"
    return "无（法律未规定时限）"


def time_limit_text(variant: TimeLimit) -> str | None:
    """"承诺 20 个工作日；法定 60 个自然日" with only the stated parts, the variant's label
    first ("绿色通道：承诺 7 个工作日"); None when the variant states neither limit."""
    parts = []
    if variant.promised is not None:
        parts.append(f"承诺 {limit_text(variant.promised)}")
    if variant.statutory is not None:
        parts.append(f"法定 {limit_text(variant.statutory)}")
    if not parts:
        return None
    text = "；".join(parts)
    return f"{variant.label}：{text}" if variant.label else text


def speed_text(speeds: Iterable[SpeedVariant]) -> str | None:
    """"即办件", "承诺件", or both with their labels ("即办件（材料齐全的）、承诺件（需要核实的）")."""
    items = [f"{s.speed.value}（{s.label}）" if s.label else s.speed.value for s in speeds]
    return "、".join(dict.fromkeys(items)) or None


def is_immediate(speeds: Iterable[SpeedVariant]) -> bool:
    """True when every applying 办件类型 is 即办件."""
    speeds = list(speeds)
    return bool(speeds) and all(s.speed is Speed.immediate for s in speeds)


def visits_text(guide: Guide) -> str | None:
    """零上门 / 最多跑一次 / 到现场 N 次（理由）; None when the guide does not state ``visits``."""
    if guide.visits is None:
        return None
    if guide.visits == 0:
        return "零上门"
    if guide.visits == 1:
        return "最多跑一次"
    reason = f"（{guide.visits_reason}）" if guide.visits_reason else ""
    return f"到现场 {guide.visits} 次{reason}"


def amount_text(amount: float) -> str:
    """20.0 -> "20"; 0.5 -> "0.5"."""
    return str(int(amount)) if float(amount).is_integer() else f"{amount:g}"


def fee_item_text(item: FeeItem) -> str:
    """"工本费 20 元/证", "登记费 80 元/件（含一本证书）" or "工本费：按页收取每页 1 元"."""
    if item.amount is not None:
        unit = item.unit or "元"
        if not unit.startswith("元"):
            unit = f"元/{unit}" if not unit.startswith("/") else f"元{unit}"
        text = f"{item.name} {amount_text(item.amount)} {unit}"
        return f"{text}（{item.text}）" if item.text else text
    return f"{item.name}：{item.text}"


def fee_lines(guide: Guide, items: Iterable[FeeItem], site: Site | None = None, *, waiver: bool = True) -> list[str]:
    """The fee as lines: 不收费; each applying item; 收费标准未载明（请咨询 …） when the guide
    charges but states no amount for this path; the waiver last (减免：…) unless `waiver` is False."""
    if not guide.fee.charged:
        return ["不收费"]
    lines = [fee_item_text(i) for i in items]
    if not lines:
        lines = [f"收费标准{not_stated(guide, site)}"]
    if waiver and guide.fee.waiver:
        lines.append(f"减免：{guide.fee.waiver}")
    return lines


def material_how(material: Material) -> str:
    """How to bring one material, from what is stated: "原件 1 份 · 必须提供",
    "原件和复印件 · 必须提供", "出示电子证照 · 非必要", "免提交（部门共享核验）"."""
    necessity = material.necessity_or_default
    if necessity is Necessity.exempt:
        return NECESSITY_TEXT[necessity]
    parts = []
    if material.form is MaterialForm.electronic:
        parts.append("出示电子证照")
    elif material.form is not None:
        parts.append(material.form.value + (f" {material.copies} 份" if material.copies else ""))
    elif material.copies:
        parts.append(f"{material.copies} 份")
    parts.append(NECESSITY_TEXT[necessity])
    return " · ".join(parts)


def group_heading(group: MaterialGroup) -> str:
    """以下材料任选一种 / 以下材料任选 2 种."""
    return "以下材料任选一种" if group.choose == 1 else f"以下材料任选 {group.choose} 种"
