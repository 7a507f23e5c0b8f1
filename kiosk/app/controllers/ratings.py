"""好差评 on the kiosk: the five levels of GB/T 39734, stored without personal data.

Levels and reasons are the ones the guide server counts (guides.rating_scale): a reason is
stored and sent by its id (e.g. "slow"), shown by its label (等候或办理时间长).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from guides import rating_scale
from kiosk.store import KioskStore

# (level, label), best first, as GB/T 39734 names them.
LEVELS = tuple(rating_scale.LEVELS.items())
LEVEL_LABEL = dict(LEVELS)
SOURCES = ("guide", "checklist", "ticket")


def reasons_for(level: int) -> dict[str, str]:
    """Reason id -> label offered for `level` (差评 reasons for 不满意/非常不满意)."""
    return rating_scale.reasons_for(level)


@dataclass(frozen=True)
class Rating:
    subject: str          # guide code, or "queue:A" for a ticket
    level: int
    reasons: tuple[str, ...]   # reason ids
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
        allowed = set(reasons_for(level))  # ids
        bad = [r for r in reasons if r not in allowed]
        if bad:
            raise ValueError(f"reasons not offered for level {level}: {bad}")
        when = (now or dt.datetime.now().astimezone()).isoformat(timespec="seconds")
        reasons = tuple(reasons)
        self.store.execute(
            "INSERT INTO ratings (subject, level, reasons, source, release, created_at) VALUES (?,?,?,?,?,?)",
            (subject, level, ",".join(reasons), source, release, when))
        return Rating(subject, level, reasons, source, when)

    def all(self) -> list[Rating]:
        rows = self.store.execute("SELECT subject, level, reasons, source, created_at FROM ratings ORDER BY id")
        return [Rating(s, lv, tuple(r.split(",")) if r else (), src, c) for s, lv, r, src, c in rows]
