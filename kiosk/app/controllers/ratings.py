"""好差评 on the kiosk: the five levels of GB/T 39734, stored without personal data."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.store import KioskStore

# (level, label), best first, as GB/T 39734 names them.
LEVELS = ((5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意"))
LEVEL_LABEL = dict(LEVELS)
GOOD_REASONS = ("材料清单清楚", "流程简单明了", "一次就办成", "打印方便")
BAD_REASONS = ("材料说明看不懂", "流程太复杂", "等候时间长", "设备不好用", "信息与窗口不一致")
SOURCES = ("guide", "checklist", "ticket")


def reasons_for(level: int) -> tuple[str, ...]:
    return GOOD_REASONS if level >= 4 else BAD_REASONS


@dataclass(frozen=True)
class Rating:
    subject: str          # guide code, or "queue:A" for a ticket
    level: int
    reasons: tuple[str, ...]
    source: str
    created_at: str


class RatingStore:
    def __init__(self, store: KioskStore) -> None:
        self.store = store

    def add(self, subject: str, level: int, reasons=(), source: str = "guide", release: str = "",
            now: dt.datetime | None = None) -> Rating:
        if level not in LEVEL_LABEL:
            raise ValueError(f"level must be 1..5, not {level!r}")
        if source not in SOURCES:
            raise ValueError(f"unknown source {source!r}")
        allowed = set(reasons_for(level))
        bad = [r for r in reasons if r not in allowed]
        if bad:
            raise ValueError(f"reasons not offered for level {level}: {bad}")
        when = (now or dt.datetime.now().astimezone()).isoformat(timespec="seconds")
        reasons = tuple(reasons)
        self.store.execute(
            "INSERT INTO ratings (subject, level, reasons, source, release, created_at) VALUES (?,?,?,?,?,?)",
            (subject, level, "、".join(reasons), source, release, when))
        return Rating(subject, level, reasons, source, when)

    def all(self) -> list[Rating]:
        rows = self.store.execute("SELECT subject, level, reasons, source, created_at FROM ratings ORDER BY id")
        return [Rating(s, lv, tuple(r.split("、")) if r else (), src, c) for s, lv, r, src, c in rows]
