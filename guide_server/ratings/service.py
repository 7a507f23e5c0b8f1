"""好差评 ratings (GB/T 39734 five levels): validation, rate limit, storage, aggregates.

Domain service only: no Flask import. Views translate HTTP to and from it.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import func, select

from guide_server.db import Database, Rating
from guides.personal_data import find_personal_data, refusal_message

# level value -> label, best first (GB/T 39734: 非常满意、满意、基本满意、不满意、非常不满意)
LEVELS: dict[int, str] = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
REASONS: dict[str, str] = {
    "clear": "指南清楚准确",
    "once": "一次办成",
    "fast": "办理快捷",
    "polite": "服务热情周到",
    "mismatch": "指南与实际要求不一致",
    "extra": "被要求提交指南以外的材料",
    "repeat": "需要多次跑腿",
    "slow": "等候或办理时间长",
    "attitude": "服务态度不好",
}
COMMENT_MAX = 200

# Personal data that must not end up in a comment: ID numbers, mobile numbers.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class RatingError(ValueError):
    """Input that cannot be stored; `errors` maps a field to a message in Chinese."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(errors.values()))


class RateLimited(Exception):
    pass


class AlreadyRated(Exception):
    """The form (its one-time token, or the same words from the same client) was already
    stored: nothing new is stored, and the post is answered as the first one was."""


@dataclass(frozen=True)
class RatingInput:
    level: int
    reasons: tuple[str, ...]
    comment: str | None


def parse(level: str | None, reasons: list[str], comment: str | None,
          public_numbers: tuple[str, ...] = ()) -> RatingInput:
    errors: dict[str, str] = {}
    value = None
    if not level:
        errors["level"] = "请选择一个满意程度。"
    else:
        value = int(level) if level.isascii() and level.isdigit() and len(level) <= 2 else None
        if value not in LEVELS:
            errors["level"] = "满意程度的选项无效，请重新选择。"
    unknown = [r for r in reasons if r not in REASONS]
    if unknown or len(reasons) > len(REASONS):
        errors["reasons"] = "原因选项无效，请重新选择。"
    text = _CONTROL.sub("", (comment or "").replace("\r\n", "\n")).strip()
    if len(text) > COMMENT_MAX:
        errors["comment"] = f"意见建议最多 {COMMENT_MAX} 字，现在是 {len(text)} 字，请精简后再提交。"
    elif found := find_personal_data(text, public_numbers=public_numbers):
        # phone and ID numbers however written: +86, spaces, dashes, full-width, grouped
        errors["comment"] = "为保护您的隐私，请不要在意见建议中填写身份证号码或手机号码。" + refusal_message(found)
    if errors:
        raise RatingError(errors)
    ordered = tuple(r for r in REASONS if r in set(reasons))
    return RatingInput(value, ordered, text or None)


@dataclass
class Summary:
    code: str
    total: int = 0
    counts: dict[int, int] = field(default_factory=lambda: {k: 0 for k in LEVELS})
    reasons: dict[str, int] = field(default_factory=lambda: {k: 0 for k in REASONS})

    @property
    def satisfied(self) -> int:
        """非常满意 + 满意 + 基本满意."""
        return sum(self.counts[k] for k in (5, 4, 3))

    @property
    def rate_label(self) -> str:
        if not self.total:
            return "暂无评价"
        return f"{self.satisfied * 100 / self.total:.1f}%"

    @property
    def average(self) -> float | None:
        if not self.total:
            return None
        return sum(k * n for k, n in self.counts.items()) / self.total

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "total": self.total,
            "levels": {LEVELS[k]: n for k, n in self.counts.items()},
            "satisfied": self.satisfied,
            "satisfaction_rate": round(self.satisfied / self.total, 4) if self.total else None,
            "reasons": {REASONS[k]: n for k, n in self.reasons.items() if n},
        }


class RatingService:
    def __init__(self, db: Database, limit: int = 5, window_seconds: int = 600):
        self.db = db
        self.limit = limit
        self.window = dt.timedelta(seconds=window_seconds)

    def add(self, code: str, release_number: int | None, data: RatingInput, client: str,
            channel: str = "web", now: dt.datetime | None = None, once: str | None = None) -> Rating:
        """Store a rating; RateLimited when `client` rated `limit` times within the window.

        `once`: the post's one-time key (guide_server.ratings.form); AlreadyRated when a
        rating with it was already stored. The key is claimed in the same transaction as the
        rating, so of any number of concurrent retries exactly one is stored."""
        self.db.ready()
        now = now or dt.datetime.now(dt.timezone.utc)
        with self.db.session.begin() as s:
            if once is not None:
                from guide_server.ratings.form import claim

                if not claim(s, once, code, now, self.window):
                    raise AlreadyRated()
            recent = s.scalar(select(func.count()).select_from(Rating)
                              .where(Rating.client == client, Rating.created > now - self.window))
            if recent >= self.limit:
                raise RateLimited()
            row = Rating(guide_code=code, release_number=release_number, level=data.level,
                         reasons=",".join(data.reasons), comment=data.comment, channel=channel,
                         client=client, created=now.replace(microsecond=0))
            s.add(row)
        return row

    def summary(self, code: str) -> Summary:
        self.db.ready()
        out = Summary(code)
        with self.db.session() as s:
            for level, n in s.execute(select(Rating.level, func.count()).where(Rating.guide_code == code)
                                      .group_by(Rating.level)):
                if level in out.counts:
                    out.counts[level] = n
                    out.total += n
            for (reasons,) in s.execute(select(Rating.reasons).where(Rating.guide_code == code,
                                                                     Rating.reasons != "")):
                for r in reasons.split(","):
                    if r in out.reasons:
                        out.reasons[r] += 1
        return out

    def summaries(self) -> dict[str, Summary]:
        self.db.ready()
        out: dict[str, Summary] = {}
        with self.db.session() as s:
            for code, level, n in s.execute(select(Rating.guide_code, Rating.level, func.count())
                                            .group_by(Rating.guide_code, Rating.level)):
                summ = out.setdefault(code, Summary(code))
                if level in summ.counts:
                    summ.counts[level] = n
                    summ.total += n
        return out

    def recent_comments(self, code: str, limit: int = 20) -> list[tuple[dt.datetime, int, str]]:
        self.db.ready()
        with self.db.session() as s:
            rows = s.execute(select(Rating.created, Rating.level, Rating.comment)
                             .where(Rating.guide_code == code, Rating.comment.is_not(None))
                             .order_by(Rating.id.desc()).limit(limit))
            # aware UTC on every database (SQLite hands back naive UTC, PostgreSQL its session zone)
            return [(c.replace(tzinfo=dt.timezone.utc) if c.tzinfo is None else c.astimezone(dt.timezone.utc),
                     lvl, text) for c, lvl, text in rows]
