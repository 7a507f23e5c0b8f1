"""A guide as the kiosk shows it: titled sections of plain lines.

Used by the guide screen and by the font-coverage test (every character the
app can show from content passes through here).
"""
from __future__ import annotations

from dataclasses import dataclass

from collections.abc import Mapping

from guides.model import Guide, Site
from guides.present import GuideView, MaterialRow, brief, guide_view

# In the order shown: the materials first (what people come to the kiosk to find out), right
# after the one-line summary of time limit, fee and visits; then those three in full, the
# mistakes people make, and the rest (as on the phone page).
SECTION_TITLES = ("申请材料", "办理时限", "收费", "到现场次数", "易错范例", "受理条件", "办理流程",
                  "地点和时间", "电话", "办理结果", "常见问题", "设定依据")
# Jump buttons above the guide: (section title, short label fitting a button in 长辈模式)
JUMPS = (("申请材料", "材料"), ("易错范例", "易错"), ("受理条件", "条件"), ("办理流程", "流程"),
         ("地点和时间", "地点"), ("电话", "电话"), ("常见问题", "问答"), ("设定依据", "依据"))
MISTAKE, CORRECT = "×", "√"   # marks of 易错范例: what goes wrong, what to do instead


@dataclass(frozen=True)
class Section:
    title: str
    lines: tuple[str, ...]


def material_line(i: int, m: MaterialRow) -> str:
    """One material (or a 任选一种 group with its members) as numbered lines."""
    if m.is_group:
        parts = [f"{i}. {m.name}", f"   {m.heading}："]
        parts += [f"   ({j}) {item.name}：{item.how}" for j, item in enumerate(m.items, 1)]
    else:
        parts = [f"{i}. {m.name}：{m.how}"]
        if m.source:
            parts.append(f"   来源：{m.source}")
    if m.note:
        parts.append(f"   说明：{m.note}")
    return "\n".join(parts)


def guide_summary(guide: Guide, site: Site | None = None, view: GuideView | None = None) -> list[tuple[str, str]]:
    """The facts people ask first, shown as badges at the top; only stated facts (到现场 is
    left out when the guide does not state it)."""
    view = view or guide_view(guide, site)
    facts = {f.label: f for f in view.facts}
    out = [("办理时限", facts["办理时限"].lines[0] if len(facts["办理时限"].lines) == 1 else "视情形而定"),
           ("收费", "不收费" if not guide.fee.charged else "需缴费，见下方")]
    if "到现场次数" in facts:
        out.append(("到现场", facts["到现场次数"].text))
    return out


def _case(label: str | None, above: list[str] | None = None) -> list[str]:
    """The heading of a case's items; after other lines (`above`) an empty line first, so that
    the heading reads as the start of its case, not as the end of the item above it."""
    if not label:
        return []
    return ([""] if above else []) + [f"〔情形：{label}〕"]


def guide_sections(guide: Guide, site: Site | None = None, answers: Mapping[str, str] | None = None,
                   view: GuideView | None = None) -> list[Section]:
    """The guide as titled sections of lines, for `answers` (None: the whole guide, by case)."""
    view = view or guide_view(guide, site, answers)
    facts = {f.label: f for f in view.facts}
    s: list[Section] = [Section("办理时限", facts["办理时限"].lines + facts["办理时限"].notes),
                        Section("收费", facts["收费"].lines + facts["收费"].notes)]
    if "到现场次数" in facts:
        s.append(Section("到现场次数", facts["到现场次数"].lines))
    lines: list[str] = []
    for sec in view.conditions:
        lines += _case(sec.label, lines) + [f"{i}. {c}" for i, c in enumerate(sec.items, 1)]
    s.append(Section("受理条件", tuple(lines)))
    lines, n = [], 1
    for sec in view.materials:
        lines += _case(sec.label, lines)
        for m in sec.items:
            lines.append(material_line(n, m))
            n += 1
    s.append(Section("申请材料", tuple(lines)))
    if view.flow:
        lines, n = [], 1
        for sec in view.flow:
            lines += _case(sec.label, lines)
            for f in sec.items:
                how = "，".join(x for x in (f.who, f.time) if x)
                lines.append(f"第 {n} 步  {f.step}" + (f"（{how}）" if how else "") + (f"\n   {f.what}" if f.what else ""))
                n += 1
        s.append(Section("办理流程", tuple(lines)))
    lines = []
    for sec in view.mistakes:
        lines += _case(sec.label, lines) + [f"{MISTAKE} 易错：{m.mistake}\n{CORRECT} 正确做法：{m.correct}" for m in sec.items]
    if lines:   # a 情形 path may have none of the guide's mistakes
        s.append(Section("易错范例", tuple(lines)))
    lines = []
    for sec in view.locations:
        lines += _case(sec.label, lines)
        for loc in sec.items:
            head = " ".join(x for x in (loc.address, loc.window) if x)
            lines.append(head + (f"\n   {loc.hours}" if loc.hours else ""))
    s.append(Section("地点和时间", tuple(lines)))
    s.append(Section("电话", tuple(f"{p.label}：{p.shown}" + (f"（{p.note}）" if p.note else "") for p in view.phones)))
    if guide.result:
        s.append(Section("办理结果", tuple(line for f in view.extra if f.label == "办理结果" for line in f.lines)))
    if guide.faq:
        s.append(Section("常见问题", tuple(f"问：{f.q}\n答：{f.a}" for f in guide.faq)))
    s.append(Section("设定依据", view.basis))
    order = {t: i for i, t in enumerate(SECTION_TITLES)}
    return sorted(s, key=lambda sec: order.get(sec.title, len(order)))


def case_line(resolved) -> str:
    """The line naming the citizen's case above a guide with 情形 questions: the chosen options
    ("您的情形：证件严重损坏不能辨认"), or, for the whole guide, that it is grouped by case.
    `resolved` is a guides.cases.ResolvedGuide."""
    if resolved.answers:
        return "您的情形：" + "；".join(a.option.label for a in resolved.answers)
    return "未选择情形：下面按情形分列。"


def guide_header(guide: Guide) -> str:
    """The line under the name: 事项编码 (as on the poster, page and receipt), office, type, 办件类型."""
    speeds = "、".join(dict.fromkeys(v.speed.value for v in guide.speed_variants))
    return f"事项编码 {guide.code} · {guide.department} · {guide.item_type.value} · {speeds}"


def guide_brief(guide: Guide) -> str:
    """The subtitle of a guide's tile: stated facts only (guides.present.brief)."""
    return brief(guide)


def escape_markup(text: str) -> str:
    """Kivy markup escaping, without importing Kivy."""
    return text.replace("&", "&amp;").replace("[", "&bl;").replace("]", "&br;")
