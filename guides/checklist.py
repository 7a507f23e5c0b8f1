"""The 一次告知单 (one-time notice) of a guide, as device-neutral receipt blocks.

A block is ``(kind, args, options)`` in the vocabulary every receipt renderer
understands: title, text, bold, separator, qr, feed, cut. The kiosk prints these
blocks through hardware.printer, and the editor's preview draws the very same
blocks, so the paper, the preview and the phone page say the same words.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from guides.keyfacts import material_count
from guides.model import Guide, MaterialForm, Site
from guides.release import CHINA_TZ
from guides.urls import guide_url

Block = tuple[str, tuple[Any, ...], dict[str, Any]]


def material_line(form: MaterialForm, copies: int, shared: bool, required: bool) -> str:
    """How to bring one material: 原件 1 份 · 必须提供 / 免提交(部门间共享核验)."""
    if shared:
        return "免提交（窗口通过部门共享核验）"
    if form is MaterialForm.electronic:
        how = "出示电子证照"
    else:
        how = f"{form.value} {copies} 份"
    return f"{how} · {'必须提供' if required else '符合情形时提供'}"


def display_width(text: str) -> int:
    """Columns on a receipt: CJK and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def now_in_china() -> dt.datetime:
    return dt.datetime.now(CHINA_TZ).replace(second=0, microsecond=0)


def checklist_blocks(guide: Guide, site: Site, stamp: str, *, printed_at: dt.datetime | None = None) -> list[Block]:
    """Everything to bring and where to go, the guide's QR code and the release stamp."""
    url = guide_url(site, guide.code)
    out: list[Block] = []

    def add(kind: str, *args: Any, **options: Any) -> None:
        out.append((kind, args, options))

    def labelled(kind: str, label: str, value: str) -> None:
        """`label：value`, wrapped lines hanging under the value."""
        add(kind, f"{label}：{value}", indent=display_width(label + "："))

    add("title", "一次告知单")
    add("text", site.hall_name, align="center")
    add("separator", "=")
    labelled("bold", "事项", guide.name)
    add("text", f"事项编码：{guide.code}")
    add("separator")
    add("bold", "【需要准备的材料】")
    add("text", material_count(guide).heading)
    for i, m in enumerate(guide.materials, 1):
        prefix = f"{i}. "
        add("text", f"{prefix}{m.name}", indent=len(prefix))
        add("text", " " * len(prefix) + material_line(m.form, m.copies, m.shared, m.required), indent=len(prefix))
        if m.note:
            add("text", " " * len(prefix) + m.note, indent=len(prefix))
    add("separator")
    labelled("text", "办理时限", guide.time_limit_label)
    labelled("text", "收费", guide.fee_label)
    labelled("text", "到现场次数", guide.visits_label)
    add("separator")
    add("bold", "【办理地点】")
    for loc in guide.locations:
        labelled("text", "地址", loc.address)
        labelled("text", "窗口", loc.window)
        labelled("text", "时间", loc.hours)
    add("separator")
    add("bold", "【易错提醒】")
    for item in guide.mistakes:
        add("text", f"× {item.mistake}", indent=2)
        add("text", f"√ {item.correct}", indent=2)
    add("separator")
    labelled("text", "咨询电话", guide.contacts.consult)
    labelled("text", "投诉电话", guide.contacts.complaint)
    add("feed", 1)
    add("qr", url)
    add("text", "扫码查看完整办事指南", align="center")
    add("text", url, align="center")
    add("separator")
    add("text", stamp)
    when = (printed_at or now_in_china()).strftime("%Y-%m-%d %H:%M")
    add("text", f"打印时间：{when}")
    add("text", "以窗口审核意见为准", align="center")
    add("cut")
    return out
