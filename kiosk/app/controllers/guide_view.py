"""A guide as the kiosk shows it: titled sections of plain lines.

Used by the guide screen and by the font-coverage test (every character the
app can show from content passes through here).
"""
from __future__ import annotations

from dataclasses import dataclass

from guides.model import Guide, Material

# In the order shown: the materials first (what people come to the kiosk to find out), right
# after the one-line summary of time limit, fee and visits; then those three in full, the
# mistakes people make, and the rest (as on the phone page).
SECTION_TITLES = ("申报材料", "办理时限", "收费", "到现场次数", "易错范例", "申报条件", "办理流程",
                  "地点和时间", "电话", "常见问题", "办理依据")
# Jump buttons above the guide: (section title, short label fitting a button in 长辈模式)
JUMPS = (("申报材料", "材料"), ("易错范例", "易错"), ("申报条件", "条件"), ("办理流程", "流程"),
         ("地点和时间", "地点"), ("电话", "电话"), ("常见问题", "问答"), ("办理依据", "依据"))
MISTAKE, CORRECT = "×", "√"   # marks of 易错范例: what goes wrong, what to do instead


@dataclass(frozen=True)
class Section:
    title: str
    lines: tuple[str, ...]


def material_line(i: int, m: Material) -> str:
    need = "必需" if m.required else "视情况提供"
    if m.shared:
        head = f"{i}. {m.name}（免提交，窗口通过数据共享获取）"
    else:
        head = f"{i}. {m.name}：{m.form.value} {m.copies} 份，{need}"
    parts = [head, f"   来源：{m.source}"]
    if m.note:
        parts.append(f"   说明：{m.note}")
    return "\n".join(parts)


def guide_summary(guide: Guide) -> list[tuple[str, str]]:
    """The three facts people ask first, shown as badges at the top."""
    return [("办理时限", guide.time_limit_label), ("收费", "不收费" if not guide.fee.charged else "需缴费，见下方"),
            ("到现场", guide.visits_label)]


def guide_sections(guide: Guide) -> list[Section]:
    """The guide as titled sections, in SECTION_TITLES order (申报材料 first)."""
    s: list[Section] = []
    s.append(Section("申报材料", tuple(material_line(i, m) for i, m in enumerate(guide.materials, 1))))
    limit = [guide.time_limit_label]
    if guide.time_limit.note:
        limit.append(guide.time_limit.note)
    s.append(Section("办理时限", tuple(limit)))
    s.append(Section("收费", (guide.fee_label,)))
    visits = [guide.visits_label]
    if guide.visits_reason:
        visits.append(guide.visits_reason)
    s.append(Section("到现场次数", tuple(visits)))
    s.append(Section("易错范例", tuple(
        f"{MISTAKE} 易错：{m.mistake}\n{CORRECT} 正确做法：{m.correct}" for m in guide.mistakes)))
    s.append(Section("申报条件", tuple(f"{i}. {c}" for i, c in enumerate(guide.conditions, 1))))
    s.append(Section("办理流程", tuple(
        f"第 {i} 步  {f.step}（{f.who}，{f.time_limit}）\n   {f.what}" for i, f in enumerate(guide.flow, 1))))
    s.append(Section("地点和时间", tuple(
        f"{loc.address} {loc.window}\n   {loc.hours}" for loc in guide.locations)))
    s.append(Section("电话", (f"咨询电话：{guide.contacts.consult}", f"投诉电话：{guide.contacts.complaint}")))
    if guide.faq:
        s.append(Section("常见问题", tuple(f"问：{f.q}\n答：{f.a}" for f in guide.faq)))
    s.append(Section("办理依据", tuple(f"{b.law} {b.article}" for b in guide.basis)))
    return s


def guide_header(guide: Guide) -> str:
    """The line under the name: 事项编码 (as on the poster, page and receipt), office, type, speed."""
    return f"事项编码 {guide.code} · {guide.department} · {guide.item_type.value} · {guide.speed.value}"


def escape_markup(text: str) -> str:
    """Kivy markup escaping, without importing Kivy."""
    return text.replace("&", "&amp;").replace("[", "&bl;").replace("]", "&br;")
