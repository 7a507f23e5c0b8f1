"""The 一次告知单 (one-time notice) of a guide, as device-neutral receipt blocks.

A block is ``(kind, args, options)`` in the vocabulary every receipt renderer
understands: title, text, bold, separator, qr, feed, cut. The kiosk prints these
blocks through hardware.printer, and the editor's preview draws the very same
blocks, so the paper, the preview and the phone page say the same words.

With answers (a complete 情形 path) the notice prints that path: the answers named,
its materials (groups as "以下材料任选一种"), fee, time limit and place, and the QR code
of the path URL. Without answers it is the whole guide, grouped by case ("情形：…").
Facts the guide does not state are left out, or say 未载明（请咨询 …） where a citizen
needs them (the fee of a charged item); nothing is made up (guides.wording).
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from typing import Any

from guides.cases import Applicable, ResolvedGuide, resolve
from guides.keyfacts import material_count
from guides.model import Guide, Material, MaterialGroup, Site
from guides.phones import phone_display
from guides.release import CHINA_TZ
from guides.urls import guide_url
from guides.wording import fee_lines, group_heading, material_how, time_limit_text, visits_text

Block = tuple[str, tuple[Any, ...], dict[str, Any]]


def material_line(material: Material) -> str:
    """How to bring one material: 原件 1 份 · 必须提供 / 免提交（部门共享核验）."""
    return material_how(material)


def display_width(text: str) -> int:
    """Columns on a receipt: CJK and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def now_in_china() -> dt.datetime:
    """Now in Beijing time, to the minute (what a receipt prints)."""
    return dt.datetime.now(CHINA_TZ).replace(second=0, microsecond=0)


class _Out:
    def __init__(self) -> None:
        self.blocks: list[Block] = []

    def add(self, kind: str, *args: Any, **options: Any) -> None:
        self.blocks.append((kind, args, options))

    def labelled(self, kind: str, label: str, value: str) -> None:
        """`label：value`, wrapped lines hanging under the value."""
        self.add(kind, f"{label}：{value}", indent=display_width(label + "："))


def _materials(out: _Out, entries, start: int = 1) -> int:
    n = start
    for entry in entries:
        prefix = f"{n}. "
        pad = " " * len(prefix)
        if isinstance(entry, MaterialGroup):
            out.add("text", f"{prefix}{entry.one_of}", indent=len(prefix))
            out.add("text", f"{pad}{group_heading(entry)}：", indent=len(prefix))
            for j, item in enumerate(entry.items, 1):
                sub = f"({j}) "
                out.add("text", f"{pad}{sub}{item.name} · {material_line(item)}", indent=len(prefix) + len(sub))
            if entry.note:
                out.add("text", pad + entry.note, indent=len(prefix))
        else:
            out.add("text", f"{prefix}{entry.name}", indent=len(prefix))
            out.add("text", pad + material_line(entry), indent=len(prefix))
            if entry.note:
                out.add("text", pad + entry.note, indent=len(prefix))
        n += 1
    return n


def _sections(applicable: Applicable):
    """(case label or None, items) for the certain items, then each case."""
    if applicable.certain:
        yield None, applicable.certain
    for section in applicable.cases:
        yield section.label, section.items


def checklist_blocks(guide: Guide, site: Site, stamp: str, *, answers: Mapping[str, str] | None = None,
                     printed_at: dt.datetime | None = None, resolved: ResolvedGuide | None = None) -> list[Block]:
    """Everything to bring and where to go for `answers` (or the whole guide grouped by case
    without them), the QR code of the path URL and the release stamp.
    Raises guides.cases.UnknownAnswer for answers the guide does not have."""
    r = resolved or resolve(guide, answers or {})
    url = guide_url(site, guide.code, r.query)
    area = site.area_code
    out = _Out()
    out.add("title", "一次告知单")
    out.add("text", site.hall_name, align="center")
    out.add("separator", "=")
    out.labelled("bold", "事项", guide.name)
    out.add("text", f"事项编码：{guide.code}")
    if r.answers:
        out.labelled("text", "您的情形", "；".join(a.option.label for a in r.answers))
    if not r.complete:
        out.add("text", "未选择情形：以下按情形分列，请对照自己的情况准备")
    out.add("separator")
    out.add("bold", "【需要准备的材料】")
    out.add("text", material_count(guide, r.answer_map).heading)
    n = 1
    for label, items in _sections(r.materials):
        if label:
            out.add("text", f"〔情形：{label}〕")
        n = _materials(out, items, n)
    out.add("separator")
    for label, items in _sections(r.time_limits):
        for variant in items:
            text = time_limit_text(variant)
            if text:
                out.labelled("text", "办理时限" + (f"（{label}）" if label else ""), text)
            if variant.note:
                out.add("text", variant.note, indent=2)
    if not guide.fee.charged or not r.fees.cases:
        out.labelled("text", "收费", "；".join(fee_lines(guide, r.fees.certain, site)))
    else:  # the whole guide, or a path not finished: the fee by case
        out.labelled("text", "收费", "；".join(fee_lines(guide, r.fees.certain, site, waiver=False))
                     if r.fees.certain else "按情形不同：")
        for section in r.fees.cases:  # under the 收费 line, indented like its wrapped lines
            out.add("text", f"  〔情形：{section.label}〕" + "；".join(fee_lines(guide, section.items, site, waiver=False)),
                    indent=4)
        if guide.fee.waiver:
            out.add("text", f"  减免：{guide.fee.waiver}", indent=4)
    visits = visits_text(guide)
    if visits:
        out.labelled("text", "到现场次数", visits)
    out.add("separator")
    out.add("bold", "【办理地点】")
    for label, items in _sections(r.locations):
        if label:
            out.add("text", f"〔情形：{label}〕")
        for loc in items:
            out.labelled("text", "地址", loc.address)
            if loc.window:
                out.labelled("text", "窗口", loc.window)
            if loc.hours:
                out.labelled("text", "时间", loc.hours)
    mistakes = list(_sections(r.mistakes))
    if mistakes:
        out.add("separator")
        out.add("bold", "【易错提醒】")
        for label, items in mistakes:
            if label:
                out.add("text", f"〔情形：{label}〕")
            for item in items:
                out.add("text", f"× {item.mistake}", indent=2)
                out.add("text", f"√ {item.correct}", indent=2)
    out.add("separator")
    out.labelled("text", "咨询电话", phone_display(guide.contacts.consult, area))
    if guide.contacts.complaint:
        out.labelled("text", "投诉电话", phone_display(guide.contacts.complaint, area))
    out.add("feed", 1)
    out.add("qr", url)
    out.add("text", "扫码查看本情形的办事指南" if r.answers else "扫码查看完整办事指南", align="center")
    out.add("text", url, align="center")
    out.add("separator")
    out.add("text", stamp)
    when = (printed_at or now_in_china()).strftime("%Y-%m-%d %H:%M")
    out.add("text", f"打印时间：{when}")
    out.add("text", "以窗口审核意见为准", align="center")
    out.add("cut")
    return out.blocks
