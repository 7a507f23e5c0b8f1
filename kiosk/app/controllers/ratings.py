"""好差评 on the kiosk: the five levels of GB/T 39734, stored without personal data.

Levels and reasons are the ones the guide server counts (guides.rating_scale): a reason is
stored and sent by its id (e.g. "slow"), shown by its label (等候或办理时间长). A 差评
(不满意, 非常不满意) needs at least one 不满意的原因 (GB/T 39734: the reasons of a 差评 are what
the follow-up verifies). A short comment (at most COMMENT_MAX characters) is optional; like a
phone comment it may not hold a phone or ID number (guides.personal_data). Stricter than the
phone form, it may not quote even a published number: a kiosk event never carries a phone
number (kiosk.fleet.outbox). The kiosk is a public terminal: there is no contact field.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from guides import rating_scale
from guides.personal_data import find_personal_data, refusal_message
from kiosk.store import KioskStore

# (level, label), best first, as GB/T 39734 names them.
LEVELS = tuple(rating_scale.LEVELS.items())
LEVEL_LABEL = dict(LEVELS)
SOURCES = ("guide", "checklist", "ticket")
COMMENT_MAX = 60          # characters; a few words written on the pad, not a letter
NEED_REASON = "请至少选择一项不满意的原因，便于我们核实和整改。"


def comment_problem(comment: str) -> str | None:
    """Why `comment` cannot be kept (a polite Chinese sentence), or None when it can:
    too long, or holding a phone or ID number, written in any way guides.personal_data finds."""
    text = (comment or "").strip()
    if len(text) > COMMENT_MAX:
        return f"意见最多 {COMMENT_MAX} 个字，现在是 {len(text)} 个字，请删去一些。"
    found = find_personal_data(text)
    if found:
        return refusal_message(found, "意见") + "本机是公用设备，请不要留下电话或证件号码。"
    return None


def rating_problem(level: int, reasons, comment: str = "") -> str | None:
    """What the person must change before the rating can be stored (Chinese), or None:
    a 差评 without a 不满意的原因, or a comment that `comment_problem` refuses."""
    if rating_scale.is_bad(level) and not [r for r in reasons if r in reasons_for(level)]:
        return NEED_REASON
    return comment_problem(comment)


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
    comment: str = ""


class RatingStore:
    def __init__(self, store: KioskStore) -> None:
        self.store = store

    def add(self, subject: str, level: int, reasons=(), source: str = "guide", release: str = "",
            now: dt.datetime | None = None, comment: str = "") -> Rating:
        """Store one rating. Raises ValueError for a level outside 1..5, an unknown source,
        reasons not offered for the level, a 差评 without a reason, or a comment that
        `comment_problem` refuses (the screen says so before it gets here)."""
        if level not in LEVEL_LABEL:
            raise ValueError(f"level must be 1..5, not {level!r}")
        if source not in SOURCES:
            raise ValueError(f"unknown source {source!r}")
        allowed = set(reasons_for(level))  # ids
        bad = [r for r in reasons if r not in allowed]
        if bad:
            raise ValueError(f"reasons not offered for level {level}: {bad}")
        comment = (comment or "").strip()
        problem = rating_problem(level, reasons, comment)
        if problem:
            raise ValueError(problem)
        when = (now or dt.datetime.now().astimezone()).isoformat(timespec="seconds")
        reasons = tuple(reasons)
        self.store.execute(
            "INSERT INTO ratings (subject, level, reasons, source, release, created_at, comment) "
            "VALUES (?,?,?,?,?,?,?)",
            (subject, level, ",".join(reasons), source, release, when, comment))
        return Rating(subject, level, reasons, source, when, comment)

    def all(self) -> list[Rating]:
        rows = self.store.execute(
            "SELECT subject, level, reasons, source, created_at, comment FROM ratings ORDER BY id")
        return [Rating(s, lv, tuple(r.split(",")) if r else (), src, c, cm) for s, lv, r, src, c, cm in rows]
