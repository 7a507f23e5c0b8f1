"""The key facts of a guide, worded once for every surface (同源).

The poster's fact boxes, the phone page's heading counts, the kiosk's summary and the
一次告知单 say these in the same words, so a citizen never reads "申请材料 3 项" on the
poster and "共 4 项" on the page. Only stated facts: a fact the guide does not state reads
未载明 with the note 请咨询下方电话 (a poster prints the consult phone below its boxes);
a count that depends on the 情形 is a range, "2-4 项". No Flask, no Kivy.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from guides.cases import all_paths, resolve
from guides.model import Guide, MaterialGroup, Necessity
from guides.wording import is_immediate, limit_text, visits_text

FEE_FREE = "不收费"
FEE_CHARGED = "需缴费"
NOT_STATED = "未载明"
ASK = "请咨询下方电话"


@dataclass(frozen=True)
class MaterialCount:
    """How many materials a citizen meets (`total`; a "任选一种" group counts once) and how many
    of them the office fetches itself by data sharing (`shared`, 免提交). When the number
    depends on the 情形 and no answers are given, `total` is the smallest and `most` the
    largest over the answer paths."""
    total: int
    shared: int
    most: int | None = None

    @property
    def varies(self) -> bool:
        return self.most is not None and self.most != self.total

    @property
    def label(self) -> str:
        """"4 项", or "2-4 项" when it depends on the case."""
        return f"{self.total}-{self.most} 项" if self.varies else f"{self.total} 项"

    @property
    def note(self) -> str:
        """"视情形" / "其中 1 项免提交" / ""."""
        if self.varies:
            return "视情形"
        return f"其中 {self.shared} 项免提交" if self.shared else ""

    @property
    def heading(self) -> str:
        """"共 4 项，其中 1 项免提交" (or "共 4 项", "按情形共 2-4 项"), for a section heading."""
        if self.varies:
            return f"按情形共 {self.label}"
        return f"共 {self.total} 项" + (f"，{self.note}" if self.shared else "")


def _count(entries) -> tuple[int, int]:
    total = len(entries)
    shared = sum(1 for e in entries if not isinstance(e, MaterialGroup) and e.necessity is Necessity.exempt)
    return total, shared


def material_count(guide: Guide, answers: Mapping[str, str] | None = None) -> MaterialCount:
    """The materials of `guide` for `answers`, counted as every surface lists them; without
    answers, over every answer path (a range when paths differ)."""
    if answers or not guide.questions:
        r = resolve(guide, answers or {})
        return MaterialCount(*_count(list(r.materials)))
    counts = [_count(list(resolve(guide, a).materials.certain)) for a in all_paths(guide, limit=256)]
    low = min(counts)
    high = max(c[0] for c in counts)
    return MaterialCount(low[0], low[1], high)


def fee_short(guide: Guide) -> str:
    """收费 in two words for badges and poster boxes: 不收费 / 需缴费 (the standard is on the page)."""
    return FEE_CHARGED if guide.fee.charged else FEE_FREE


def time_limit_short(guide: Guide) -> tuple[str, str]:
    """(value, note) of 办理时限 for a poster box, from what is stated: ("10个工作日", "承诺时限"),
    ("当场办结", "即办件"), ("1个工作日", "即办件") for an 即办件 promised within a day,
    ("视情形而定", "扫码查看") when variants differ, ("未载明", "请咨询下方电话") when none is stated."""
    variants = guide.time_limit_variants
    immediate = is_immediate(guide.speed_variants)
    note = "即办件" if immediate else "承诺时限"
    promised = list(dict.fromkeys(_short(v.promised) for v in variants if v.promised is not None))
    statutory = list(dict.fromkeys(_short(v.statutory) for v in variants if v.statutory is not None))
    if len(promised) > 1 or (promised and not all(v.promised is not None for v in variants)):
        return "视情形而定", "扫码查看"
    if promised:
        return promised[0], note
    if immediate:
        return "当场办结", "即办件"
    if len(statutory) > 1:
        return "视情形而定", "扫码查看"
    if statutory and all(v.statutory is not None for v in variants):
        return statutory[0], "法定时限"
    return NOT_STATED, ASK


def _short(limit) -> str:
    """A limit in a poster box: "10个工作日", "当场办结" (即时), "无法定时限" (无)."""
    text = limit_text(limit)
    if text == "即时办结":
        return "当场办结"
    if text.startswith("无"):
        return "无法定时限"
    return text.replace(" 个", "个")


def visits_short(guide: Guide) -> tuple[str, str]:
    """(value, note) of 到现场次数: ("最多跑一次", ""), ("3 次", "需多次到现场"), ("未载明", "请咨询下方电话")."""
    if guide.visits is None:
        return NOT_STATED, ASK
    if guide.visits <= 1:
        return visits_text(guide), ""
    return f"{guide.visits} 次", "需多次到现场"
