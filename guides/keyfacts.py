"""The key facts of a guide, worded once for every surface (同源).

The poster's fact boxes, the phone page's heading counts, the kiosk's summary and the
一次告知单 say these in the same words, so a citizen never reads "申报材料 3 项" on the
poster and "共 4 项" on the page. No Flask, no Kivy.
"""
from __future__ import annotations

from dataclasses import dataclass

from guides.model import Guide, Speed

FEE_FREE = "不收费"
FEE_CHARGED = "需缴费"


@dataclass(frozen=True)
class MaterialCount:
    """How many materials a guide lists (`total`) and how many of them the office fetches
    itself by data sharing (`shared`, 免提交): every surface counts the same list."""
    total: int
    shared: int

    @property
    def label(self) -> str:
        """"4 项"."""
        return f"{self.total} 项"

    @property
    def note(self) -> str:
        """"其中 1 项免提交" when some are fetched by data sharing, else ""."""
        return f"其中 {self.shared} 项免提交" if self.shared else ""

    @property
    def heading(self) -> str:
        """"共 4 项，其中 1 项免提交" (or "共 4 项"), for a section heading."""
        return f"共 {self.total} 项" + (f"，{self.note}" if self.shared else "")


def material_count(guide: Guide) -> MaterialCount:
    """The materials of `guide`, counted as every surface lists them."""
    return MaterialCount(len(guide.materials), sum(1 for m in guide.materials if m.shared))


def fee_short(guide: Guide) -> str:
    """收费 in two words for badges and poster boxes: 不收费 / 需缴费 (the standard is on the page)."""
    return FEE_CHARGED if guide.fee.charged else FEE_FREE


def time_limit_short(guide: Guide) -> tuple[str, str]:
    """(value, note) of 办理时限 for a poster box: ("10 个工作日", "承诺时限") or ("当场办结", "即办件")."""
    if guide.speed is Speed.immediate:
        return "当场办结", "即办件"
    return f"{guide.time_limit.promised_days} 个工作日", "承诺时限"
