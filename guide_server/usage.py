"""Usage figures: guide page views, QR scans by poster tag, prints, tickets, searches that found
nothing — counted per month, never per person. Shared by the public pages (which count), the
fleet's event intake and the 好差评 dashboard (which reads). No Flask import.

One table, `usage_counts` (alembic revision 0005): a row per (month, kind, channel, hall,
subject, src, hour) with a count `n`. kind is one of KINDS; subject is the guide code (view,
scan, print), the queue prefix (ticket) or the search words (nohit); hour (0–23, Beijing time)
is kept for tickets only (hall load by hour of day), -1 otherwise. A phone page view adds 1 to
a row; nothing about the visitor is stored, not even a hash.

`UsageRecorder` counts in memory and writes the sums every `flush_seconds` (or `flush_at`
pending rows) with one upsert, so a QR scan costs a dictionary update, not a database write.
Counts of the last few seconds of a worker that is killed are lost; a normal exit flushes.
"""
from __future__ import annotations

import atexit
import datetime as dt
import logging
import threading
import time
import weakref
from collections import Counter
from contextlib import contextmanager

from sqlalchemy import Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from guides.release import CHINA_TZ
from guide_server.db import Base, Database

log = logging.getLogger("guide_server.usage")
KINDS = {"view": "指南浏览", "scan": "扫码", "print": "打印告知单", "ticket": "取号", "nohit": "无结果搜索"}
QUERY_MAX = 40


class UsageCount(Base):
    __tablename__ = "usage_counts"

    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    hall: Mapped[str] = mapped_column(String(100), primary_key=True)
    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    src: Mapped[str] = mapped_column(String(32), primary_key=True)
    hour: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    __table_args__ = {"sqlite_with_rowid": False}


Key = tuple[str, str, str, str, str, str, int]
COLUMNS = ("month", "kind", "channel", "hall", "subject", "src", "hour")


def month_of(at: dt.datetime) -> str:
    """2026-10: the month of `at` in Beijing time (naive datetimes are taken as UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.timezone.utc)
    return at.astimezone(CHINA_TZ).strftime("%Y-%m")


def key_for(kind: str, channel: str, hall: str, subject: str, src: str = "",
            at: dt.datetime | None = None) -> Key:
    """The counter row of one event (`at` defaults to now)."""
    if kind not in KINDS:
        raise ValueError(f"unknown usage kind {kind!r}")
    at = at or dt.datetime.now(dt.timezone.utc)
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.timezone.utc)
    hour = at.astimezone(CHINA_TZ).hour if kind == "ticket" else -1
    return (month_of(at), kind, channel[:16], hall[:100], subject[:64], src[:32], hour)


def upsert(s, counts: dict[Key, int]) -> None:
    """Add `counts` to usage_counts in the caller's transaction (one statement, many rows)."""
    if not counts:
        return
    rows = [dict(zip(COLUMNS, k), n=n) for k, n in counts.items()]
    dialect = s.bind.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(UsageCount)
    stmt = stmt.on_conflict_do_update(index_elements=list(COLUMNS), set_={"n": UsageCount.n + stmt.excluded.n})
    s.execute(stmt, rows)


def _flush_live_recorders() -> None:
    for recorder in list(_LIVE):
        recorder._flush_at_exit()


_LIVE: "weakref.WeakSet[UsageRecorder]" = weakref.WeakSet()
atexit.register(_flush_live_recorders)


class UsageRecorder:
    """In-memory counters of one worker, written to the database in batches."""

    def __init__(self, db: Database, flush_seconds: float = 5.0, flush_at: int = 500):
        self.db = db
        self.flush_seconds = flush_seconds
        self.flush_at = flush_at
        self._pending: Counter = Counter()
        self._lock = threading.Lock()
        self._last = time.monotonic()
        self._paused = 0
        _LIVE.add(self)  # flushed at exit while alive; never kept alive by that (no atexit reference)

    def add(self, kind: str, channel: str, hall: str, subject: str, src: str = "",
            at: dt.datetime | None = None) -> None:
        """Count one event; written with the next flush (nothing while `not_counting`)."""
        if self._paused:
            return
        k = key_for(kind, channel, hall, subject, src, at)
        with self._lock:
            self._pending[k] += 1
            due = len(self._pending) >= self.flush_at or time.monotonic() - self._last >= self.flush_seconds
        if due:
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - counting never breaks a page; kept for the next flush
                log.exception("usage counts not written yet")

    @contextmanager
    def not_counting(self):
        """Within the block nothing is counted: the server fetching its own pages (the static
        export renders every page through the app) is not a citizen's view."""
        with self._lock:
            self._paused += 1
        try:
            yield
        finally:
            with self._lock:
                self._paused -= 1

    def _flush_at_exit(self) -> None:
        try:
            self.flush()
        except Exception as exc:  # noqa: BLE001 - at exit there is nobody left to tell but the log
            log.warning("usage counts of the last seconds not written at exit: %s", type(exc).__name__)

    def flush(self) -> None:
        """Write what is pending (a failure keeps it for the next try)."""
        with self._lock:
            pending, self._pending = self._pending, Counter()
            self._last = time.monotonic()
        if not pending:
            return
        try:
            self.db.ready()
            with self.db.session.begin() as s:
                upsert(s, pending)
        except Exception:
            with self._lock:
                self._pending.update(pending)
            raise


SRC_MAX = 32


def source_tag(value: str | None) -> str | None:
    """A poster's source tag (`?src=` on its QR URL: letters, digits, - and _, at most 32), or None."""
    if not value or len(value) > SRC_MAX:
        return None
    if not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in value):
        return None
    return value


def channel_of_tag(tag: str) -> str:
    """"window" for a QR placed at a service window (tags starting with "window", e.g. window-05),
    "poster" for every other tagged QR."""
    return "window" if tag.lower().startswith("window") else "poster"


def search_words(query: str, personal) -> str | None:
    """The words of a search that found nothing, as counted: spaces collapsed, at most
    QUERY_MAX characters; None when they hold personal data (`personal(text)` is truthy) —
    such a search is not recorded at all."""
    words = " ".join((query or "").split())[:QUERY_MAX]
    if not words or personal(words):
        return None
    return words
