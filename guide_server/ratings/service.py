"""好差评 ratings (GB/T 39734 five levels): validation, rate limit, storage, aggregates.

A rating records level, reasons, comment and where it was given — channel (kiosk, phone,
poster QR, window QR), guide (or a ticket's queue), hall, department, time — nothing else. A
差评 (不满意, 非常不满意) opens a follow-up case (guide_server.ratings.cases) in the same
transaction; a phone 差评 may leave a contact phone for the call back (实名差评), which is
stored encrypted beside the case only (guide_server.ratings.contacts). Each rating is also
counted into `rating_rollup`, which the dashboard and /pingjia read.

Domain service only: no Flask import. Views translate HTTP to and from it.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select

from guides.rating_scale import (BAD_LEVELS, BAD_REASONS, CHANNELS, GOOD_REASONS, LEVELS, REASONS, SATISFIED_LEVELS,
                                 is_bad)
from guide_server.db import Database, Rating
from guide_server.ratings.models import DIMS, RatingRollup
from guide_server.privacy import Finding, find_personal_data, phone_number, refusal_message
from guide_server.usage import month_of

__all__ = ["LEVELS", "REASONS", "BAD_REASONS", "GOOD_REASONS", "CHANNELS", "COMMENT_MAX", "RatingError",
           "RateLimited", "AlreadyRated", "RatingInput", "parse", "personal_data_in", "Summary", "RatingService", "month_of"]

COMMENT_MAX = 200
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def personal_data_in(text: str, *, public_numbers: Iterable[str] = ()) -> list[Finding]:
    """Phone and ID numbers in text a citizen typed (the one check every rating input goes through).

    `public_numbers`: the numbers the product publishes (a guide's consult and complaint
    phones, the hotline), which a comment may quote."""
    return find_personal_data(text, public_numbers=public_numbers)


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
    contact: str | None = None          # digits of a 实名差评's phone (never stored in clear)
    contact_masked: str | None = None   # 138****5678


def parse(level: str | None, reasons: list[str], comment: str | None, contact: str | None = None,
          public_numbers: Iterable[str] = ()) -> RatingInput:
    """Check a rating form. A 差评 needs at least one reason; reasons must fit the level; the
    comment may not hold an ID number or a phone number (the contact field is for the caller's
    own phone, and only with a 差评); the contact must be exactly one phone number.
    Raises RatingError with a Chinese message per field."""
    errors: dict[str, str] = {}
    value = None
    if not level:
        errors["level"] = "请选择一个满意程度。"
    else:
        value = int(level) if level.isascii() and level.isdigit() and len(level) <= 2 else None
        if value not in LEVELS:
            errors["level"] = "满意程度的选项无效，请重新选择。"
            value = None
    unknown = [r for r in reasons if r not in REASONS]
    chosen = set(reasons)
    if unknown or len(reasons) > len(REASONS):
        errors["reasons"] = "原因选项无效，请重新选择。"
    elif value is not None:
        if value in BAD_LEVELS:
            if not chosen & set(BAD_REASONS):
                errors["reasons"] = "请至少选择一项不满意的原因，便于我们核实和整改。"
            elif chosen - set(BAD_REASONS):
                errors["reasons"] = "您选择了不满意，但也勾选了满意的原因，请核对后再提交。"
        elif chosen & set(BAD_REASONS):
            errors["reasons"] = f"您选择了“{LEVELS[value]}”，但勾选了不满意的原因，请核对后再提交。"
    text = _CONTROL.sub("", (comment or "").replace("\r\n", "\n")).strip()
    public = list(public_numbers)
    if len(text) > COMMENT_MAX:
        errors["comment"] = f"意见建议最多 {COMMENT_MAX} 字，现在是 {len(text)} 字，请精简后再提交。"
    else:
        found = personal_data_in(text, public_numbers=public)
        if found:
            errors["comment"] = refusal_message(found, "意见建议")
            if any(f.kind != "id_number" for f in found):
                errors["comment"] += "如希望我们回访，请把您本人的电话填在“联系电话”一栏。"
    digits = masked = None
    raw_contact = _CONTROL.sub("", contact or "").strip()
    if raw_contact:
        if value is not None and value not in BAD_LEVELS:
            errors["contact"] = "联系电话只用于差评的整改回访；满意的评价无需留电话，请清空该栏。"
        elif len(raw_contact) > 30:
            errors["contact"] = "联系电话太长，请只填一个手机号码或带区号的固定电话。"
        else:
            phone = phone_number(raw_contact)
            if any(f.kind == "id_number" for f in personal_data_in(raw_contact)):
                errors["contact"] = "联系电话一栏请不要填写身份证号码。"
            elif phone is None:
                errors["contact"] = "请只填一个电话号码：11 位手机号码，或带区号的固定电话（如 0577-61234567）。"
            else:
                digits, masked = phone.value, phone.masked
    if errors:
        raise RatingError(errors)
    ordered = tuple(r for r in REASONS if r in chosen)
    return RatingInput(value, ordered, text or None, digits, masked)


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


def rollup_rows(r: Rating, delta: int = 1) -> list[dict]:
    """The rating_rollup rows rating `r` adds `delta` to (one per dimension)."""
    keys = {"guide": r.guide_code or "", "department": r.department, "channel": r.channel}
    level = {f"l{lv}": (delta if lv == r.level else 0) for lv in LEVELS}
    return [{"dim": d, "month": month_of(r.created), "hall": r.hall, "key": keys[d], "total": delta,
             "satisfied": delta if r.level in SATISFIED_LEVELS else 0,
             "bad": delta if r.level in BAD_LEVELS else 0, **level} for d in DIMS]


def count_rollup(s, r: Rating, delta: int = 1) -> None:
    """Add `delta` (1, or -1 for a revoked 差评) to the rollup rows of rating `r` (caller's transaction)."""
    if s.bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(RatingRollup).values(rollup_rows(r, delta))
    cols = ("total", "satisfied", "bad", "l1", "l2", "l3", "l4", "l5")
    s.execute(stmt.on_conflict_do_update(index_elements=["dim", "month", "hall", "key"],
                                         set_={c: getattr(RatingRollup, c) + getattr(stmt.excluded, c) for c in cols}))


class RatingService:
    def __init__(self, db: Database, limit: int = 5, window_seconds: int = 600, cases=None):
        self.db = db
        self.limit = limit
        self.window = dt.timedelta(seconds=window_seconds)
        self.cases = cases  # a CaseService: 差评 open a case (None: ratings only, as in old tools)

    def add(self, code: str, release_number: int | None, data: RatingInput, client: str,
            channel: str = "phone", now: dt.datetime | None = None, once: str | None = None, *,
            hall: str = "", department: str = "", queue: str | None = None, s=None) -> Rating:
        """Store a rating (and its case, when it is a 差评).

        RateLimited when `client` rated `limit` times within the window (an empty client — a
        kiosk event, already authenticated and idempotent — is not limited). `once`: the post's
        one-time key (guide_server.ratings.form); AlreadyRated when a rating with it was already
        stored. The key is claimed in the same transaction as the rating, so of any number of
        concurrent retries exactly one is stored. With `s`, runs in the caller's transaction."""
        if channel not in CHANNELS:
            raise ValueError(f"unknown channel {channel!r}")
        now = now or dt.datetime.now(dt.timezone.utc)
        if s is None:
            self.db.ready()
            with self.db.session.begin() as sess:
                return self.add(code, release_number, data, client, channel, now, once, hall=hall,
                                department=department, queue=queue, s=sess)
        if once is not None:
            from guide_server.ratings.form import claim

            if not claim(s, once, code, now, self.window):
                raise AlreadyRated()
        if client:
            recent = s.scalar(select(func.count()).select_from(Rating)
                              .where(Rating.client == client, Rating.created > now - self.window))
            if recent >= self.limit:
                raise RateLimited()
        row = Rating(guide_code=code, release_number=release_number, level=data.level,
                     reasons=",".join(data.reasons), comment=data.comment, channel=channel,
                     client=client, created=now.replace(microsecond=0), hall=hall[:100],
                     department=department[:200], queue=queue, revoked=False)
        s.add(row)
        s.flush()
        count_rollup(s, row)
        if is_bad(data.level) and self.cases is not None:
            self.cases.open_in(s, row, data.contact, data.contact_masked)
        return row

    def summary(self, code: str) -> Summary:
        self.db.ready()
        out = Summary(code)
        with self.db.session() as s:
            for level, n in s.execute(select(Rating.level, func.count())
                                      .where(Rating.guide_code == code, Rating.revoked.is_(False))
                                      .group_by(Rating.level)):
                if level in out.counts:
                    out.counts[level] = n
                    out.total += n
            for (reasons,) in s.execute(select(Rating.reasons).where(Rating.guide_code == code,
                                                                     Rating.revoked.is_(False),
                                                                     Rating.reasons != "")):
                for r in reasons.split(","):
                    if r in out.reasons:
                        out.reasons[r] += 1
        return out

    def summaries(self) -> dict[str, Summary]:
        """Per guide, every month (levels from the monthly counts; reasons from the ratings)."""
        self.db.ready()
        out: dict[str, Summary] = {}
        with self.db.session() as s:
            R = RatingRollup
            for code, *levels in s.execute(select(R.key, func.sum(R.l5), func.sum(R.l4), func.sum(R.l3),
                                                  func.sum(R.l2), func.sum(R.l1))
                                           .where(R.dim == "guide", R.key != "").group_by(R.key)):
                summ = out.setdefault(code, Summary(code))
                for lv, n in zip((5, 4, 3, 2, 1), levels):
                    summ.counts[lv] = int(n or 0)
                summ.total = sum(summ.counts.values())
            # the reasons given (a rating may name several): counted over the ratings that name any
            for code, reasons, n in s.execute(select(Rating.guide_code, Rating.reasons, func.count())
                                              .where(Rating.revoked.is_(False), Rating.reasons != "")
                                              .group_by(Rating.guide_code, Rating.reasons)):
                summ = out.get(code)
                if summ is None:
                    continue
                for r in reasons.split(","):
                    if r in summ.reasons:
                        summ.reasons[r] += n
        return out

    def recent_comments(self, code: str, limit: int = 20) -> list[tuple[dt.datetime, int, str]]:
        self.db.ready()
        with self.db.session() as s:
            rows = s.execute(select(Rating.created, Rating.level, Rating.comment)
                             .where(Rating.guide_code == code, Rating.comment.is_not(None),
                                    Rating.revoked.is_(False))
                             .order_by(Rating.id.desc()).limit(limit))
            # aware UTC on every database (SQLite hands back naive UTC, PostgreSQL its session zone)
            return [(c.replace(tzinfo=dt.timezone.utc) if c.tzinfo is None else c.astimezone(dt.timezone.utc),
                     lvl, text) for c, lvl, text in rows]
