"""A guide as surfaces show it: plain rows and sections, without Flask or Kivy.

The phone page, the print page, the poster and the kiosk's guide screen render a
`GuideView` (built on guides.cases.resolve and guides.wording), so they show the same
facts in the same words, grouped by case when the path is not (fully) answered, and
never a fact the guide does not state: absent elements are left out, or say
未载明（请咨询 …） where a citizen needs them.

    view = guide_view(guide, site)                       # whole guide, grouped by case
    view = guide_view(guide, site, {"why": "lost"})      # one answer path
    view.facts      -> [Fact("办理时限", ["承诺 10 个工作日；法定 60 个自然日"], [note])...]
    view.materials  -> [Section(label or None, [MaterialRow ...])]
    view.brief      -> "最多跑一次 · 承诺 10 个工作日" (only the stated parts)
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from guides.cases import Applicable, ResolvedGuide, resolve
from guides.model import Guide, Material, MaterialGroup, Site
from guides.phones import phone_display, tel_uri
from guides.wording import (fee_lines, group_heading, is_immediate, limit_text, material_how, not_stated,
                            speed_text, time_limit_text, visits_text)


@dataclass(frozen=True)
class Fact:
    """A key fact: its label, the lines of its value and smaller note lines."""
    label: str
    lines: tuple[str, ...]
    notes: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The value lines joined with "；"."""
        return "；".join(self.lines)


@dataclass(frozen=True)
class MaterialRow:
    """One material as shown; for a group, ``heading`` is 以下材料任选一种 and ``items`` its members."""
    name: str
    how: str = ""
    source: str | None = None
    note: str | None = None
    heading: str | None = None
    items: tuple["MaterialRow", ...] = ()
    blank_form: str | None = None  # file name under content/forms/ (空白表格), served at /forms/<name>
    sample: str | None = None      # likewise, a filled-in example (示例样表)

    @property
    def is_group(self) -> bool:
        return self.heading is not None


@dataclass(frozen=True)
class Section:
    """Items of one element: ``label`` is None for what applies on this path (or on every
    path), else the case (情形) they apply to."""
    label: str | None
    items: tuple[Any, ...]


@dataclass(frozen=True)
class Phone:
    """A phone as shown (with the site's area code for a local number), its tel: link and note."""
    label: str
    shown: str
    tel: str
    note: str | None = None


@dataclass(frozen=True)
class GuideView:
    """Everything a surface shows of one guide for one set of answers (see the module docstring)."""
    guide: Guide
    resolved: ResolvedGuide
    tags: tuple[str, ...]
    brief: str
    facts: tuple[Fact, ...]
    conditions: tuple[Section, ...]
    materials: tuple[Section, ...]
    flow: tuple[Section, ...]
    locations: tuple[Section, ...]
    mistakes: tuple[Section, ...]
    phones: tuple[Phone, ...]
    basis: tuple[str, ...]
    extra: tuple[Fact, ...] = field(default=())

    @property
    def material_count(self) -> int:
        """Materials (a group counts once) on this path, or in the whole guide."""
        return sum(len(s.items) for s in self.materials)


def material_row(entry: Material | MaterialGroup) -> MaterialRow:
    """A material or a group as shown."""
    if isinstance(entry, MaterialGroup):
        return MaterialRow(entry.one_of, note=entry.note, heading=group_heading(entry),
                           items=tuple(material_row(m) for m in entry.items))
    return MaterialRow(entry.name, material_how(entry), entry.source, entry.note,
                       blank_form=entry.blank_form, sample=entry.sample)


def _sections(applicable: Applicable, row=lambda x: x) -> tuple[Section, ...]:
    out = []
    if applicable.certain:
        out.append(Section(None, tuple(row(i) for i in applicable.certain)))
    for case in applicable.cases:
        out.append(Section(case.label, tuple(row(i) for i in case.items)))
    return tuple(out)


def _by_case(applicable: Applicable, text) -> list[str]:
    """Lines for an element whose value may differ by case: "〔情形〕value"."""
    lines = [t for t in (text(i) for i in applicable.certain) if t]
    for case in applicable.cases:
        lines += [f"〔情形：{case.label}〕{t}" for t in (text(i) for i in case.items) if t]
    return lines


def brief(guide: Guide) -> str:
    """The one-line subtitle of a guide in lists, from stated facts only:
    "最多跑一次 · 承诺 10 个工作日", "即办件", "" when nothing is stated."""
    parts = []
    visits = visits_text(guide)
    if visits and guide.visits is not None and guide.visits <= 1:
        parts.append(visits)
    if is_immediate(guide.speed_variants):
        parts.append("即办件")
    else:
        promised = [v.promised for v in guide.time_limit_variants if v.promised is not None]
        if len(promised) == 1:
            parts.append(f"承诺 {limit_text(promised[0])}")
    return " · ".join(parts)


def guide_view(guide: Guide, site: Site | None = None, answers: Mapping[str, str] | None = None,
               resolved: ResolvedGuide | None = None) -> GuideView:
    """The view of `guide` for `answers` (None: the whole guide, grouped by case).
    Raises guides.cases.UnknownAnswer for answers the guide does not have."""
    r = resolved or resolve(guide, answers or {})
    area = site.area_code if site else None

    limit_lines = _by_case(r.time_limits, time_limit_text)
    notes = tuple(v.note for v in r.time_limits if v.note)
    if not limit_lines:
        limit_lines = ["即办件，当场办结"] if is_immediate(r.speeds) else [not_stated(guide, site)]
    facts = [Fact("办理时限", tuple(limit_lines), notes)]
    speed_lines = _by_case(r.speeds, lambda s: speed_text([s]))
    facts.append(Fact("办件类型", tuple(dict.fromkeys(speed_lines))))
    if guide.fee.charged and r.fees.cases:
        fee = [*fee_lines(guide, r.fees.certain, site, waiver=False)] if r.fees.certain else []
        for case in r.fees.cases:
            fee += [f"〔情形：{case.label}〕{t}" for t in fee_lines(guide, case.items, site, waiver=False)]
        fee_notes = (f"减免：{guide.fee.waiver}",) if guide.fee.waiver else ()
    else:
        fee_all = fee_lines(guide, r.fees.certain, site, waiver=False)
        fee, fee_notes = fee_all, ((f"减免：{guide.fee.waiver}",) if guide.fee.charged and guide.fee.waiver else ())
    if guide.fee.charged and guide.fee.basis:
        fee_notes += (f"依据：{guide.fee.basis}",)
    facts.append(Fact("收费", tuple(fee), fee_notes))
    visits = visits_text(guide)
    if visits:
        facts.append(Fact("到现场次数", (visits,)))
    facts.append(Fact("办理方式", ("、".join(c.value for c in guide.channels),)))
    facts.append(Fact("服务对象", ("、".join(a.value for a in guide.audience),)))
    dept = [guide.department] + ([f"承办机构：{guide.handling_unit}"] if guide.handling_unit else [])
    facts.append(Fact("实施主体", tuple(dept),
                      (f"联办/协办：{'、'.join(guide.co_departments)}",) if guide.co_departments else ()))
    facts.append(Fact("事项类型", (guide.item_type.value,)))
    facts.append(Fact("事项编码", (guide.code,)))

    extra = []
    if guide.result:
        extra.append(Fact("办理结果", (guide.result.name + (f"（{guide.result.type.value}）" if guide.result.type else ""),)))
    if guide.refusal_conditions:
        extra.append(Fact("不予受理的情形", tuple(guide.refusal_conditions)))
    if guide.remedies:
        extra.append(Fact("救济途径", (guide.remedies,)))

    phones = [Phone("咨询电话", phone_display(guide.contacts.consult, area), tel_uri(guide.contacts.consult, area),
                    guide.contacts.consult_note)]
    if guide.contacts.complaint:
        phones.append(Phone("投诉电话", phone_display(guide.contacts.complaint, area),
                            tel_uri(guide.contacts.complaint, area), guide.contacts.complaint_note))
    tags = [t for t in (visits if guide.visits is not None and guide.visits <= 1 else None,
                        speed_text(guide.speed_variants), "不收费" if not guide.fee.charged else "收费") if t]
    return GuideView(
        guide=guide, resolved=r, tags=tuple(tags), brief=brief(guide), facts=tuple(facts),
        conditions=_sections(r.conditions, lambda c: c.text),
        materials=_sections(r.materials, material_row),
        flow=_sections(r.flow), locations=_sections(r.locations), mistakes=_sections(r.mistakes),
        phones=tuple(phones),
        basis=tuple(f"《{b.law}》" + (f"（{b.doc_no}）" if b.doc_no else "") + (b.article or "")
                    for b in guide.basis),
        extra=tuple(extra),
    )


def poster_facts(guide: Guide) -> tuple[tuple[str, str, str], ...]:
    """The key facts of a poster as (label, value, note), from guides.keyfacts (stated facts
    only; 未载明 with 请咨询下方电话 where the guide states nothing)."""
    from guides.keyfacts import fee_short, material_count, time_limit_short, visits_short

    count = material_count(guide)
    return (("办理时限", *time_limit_short(guide)), ("收费", fee_short(guide), ""),
            ("到现场次数", *visits_short(guide)), ("申请材料", count.label, count.note or "需本人准备"))
