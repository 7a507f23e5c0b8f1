"""The kiosk's event outbox: ratings, tickets, prints, device faults and searches that found
nothing (``search_nohit``: the normalised query only), written to SQLite
first (WAL, synchronous=FULL: an event is on disk before `add` returns) and uploaded in
batches later, each with its own idempotency key, so the server stores each exactly once
however often a batch is re-sent.

Its own file, ``<instance>/outbox.db``: the app's kiosk.db keeps its own settings. It also
holds the kiosk-prefixed local ticket sequence used while the server is unreachable.

Events never carry personal data: `add` refuses a name, an ID number or a photo.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guides.personal_data import find_personal_data

KINDS = ("rating", "ticket", "print", "fault", "search_nohit")
OUTBOX_FILE = "outbox.db"
_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)|(?<!\d)\d{15}(?!\d)")
_PERSONAL_KEYS = {"name", "id_number", "idnumber", "photo", "address", "birth_date", "holder"}

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    data TEXT NOT NULL,
    sent_at TEXT,
    rejected TEXT
);
CREATE INDEX IF NOT EXISTS ix_events_pending ON events (id) WHERE sent_at IS NULL AND rejected IS NULL;
CREATE TABLE IF NOT EXISTS local_tickets (
    day TEXT NOT NULL,
    queue TEXT NOT NULL,
    seq INTEGER NOT NULL,
    issued_at TEXT NOT NULL,
    PRIMARY KEY (day, queue, seq)
);
"""


class PersonalDataError(ValueError):
    """An event that would carry a name, an ID number or a photo."""


def _personal(value: Any) -> bool:
    if isinstance(value, dict):
        return any(str(k).lower() in _PERSONAL_KEYS or _personal(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_personal(v) for v in value)
    return isinstance(value, (bytes, bytearray)) or (isinstance(value, str) and (
        bool(_ID_NUMBER.search(value)) or bool(find_personal_data(value))))


class Outbox:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self.db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA busy_timeout=30000")
        with self._lock:
            self.db.executescript(SCHEMA)

    @classmethod
    def for_instance(cls, instance: str | Path) -> "Outbox":
        return cls(Path(instance) / OUTBOX_FILE)

    def close(self) -> None:
        with self._lock:
            self.db.close()

    def add(self, kind: str, data: dict[str, Any], at: dt.datetime | None = None) -> str:
        """Record an event durably; returns its idempotency key."""
        if kind not in KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        if _personal(data):
            raise PersonalDataError("events must not carry a name, an ID number or a photo")
        key = uuid.uuid4().hex
        when = (at or dt.datetime.now().astimezone()).isoformat(timespec="seconds")
        body = json.dumps(data, ensure_ascii=False, sort_keys=True)
        with self._lock:
            self.db.execute("INSERT INTO events (key, kind, at, data) VALUES (?,?,?,?)", (key, kind, when, body))
        return key

    def pending(self, limit: int = 100) -> list[dict[str, Any]]:
        with self._lock:
            rows = self.db.execute("SELECT key, kind, at, data FROM events WHERE sent_at IS NULL AND rejected IS NULL "
                                   "ORDER BY id LIMIT ?", (limit,)).fetchall()
        return [{"key": k, "kind": kind, "at": at, "data": json.loads(data)} for k, kind, at, data in rows]

    def mark_sent(self, keys: list[str], now: dt.datetime | None = None) -> None:
        when = (now or dt.datetime.now().astimezone()).isoformat(timespec="seconds")
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                self.db.executemany("UPDATE events SET sent_at=? WHERE key=? AND sent_at IS NULL",
                                    [(when, k) for k in keys])
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def mark_rejected(self, key: str, reason: str) -> None:
        with self._lock:
            self.db.execute("UPDATE events SET rejected=? WHERE key=?", (reason[:300], key))

    def backlog(self) -> int:
        with self._lock:
            (n,) = self.db.execute("SELECT COUNT(*) FROM events WHERE sent_at IS NULL AND rejected IS NULL").fetchone()
        return n

    def counts(self) -> dict[str, int]:
        with self._lock:
            sent, rejected, waiting = self.db.execute(
                "SELECT COUNT(sent_at), COUNT(rejected), SUM(sent_at IS NULL AND rejected IS NULL) FROM events"
            ).fetchone()
        return {"sent": sent, "rejected": rejected, "pending": waiting or 0}

    def keys(self) -> list[str]:
        with self._lock:
            return [k for (k,) in self.db.execute("SELECT key FROM events ORDER BY id")]

    # -- the local ticket sequence (server unreachable) ------------------------------------------
    def next_local_ticket(self, day: str, queue: str, now: dt.datetime, window: dt.timedelta) -> tuple[int, int]:
        """(seq, waiting) of the next local number of `queue` on `day`, atomically."""
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                (last,) = self.db.execute("SELECT COALESCE(MAX(seq), 0) FROM local_tickets WHERE day=? AND queue=?",
                                          (day, queue)).fetchone()
                (waiting,) = self.db.execute(
                    "SELECT COUNT(*) FROM local_tickets WHERE day=? AND queue=? AND issued_at>=?",
                    (day, queue, (now - window).isoformat(timespec="seconds"))).fetchone()
                self.db.execute("INSERT INTO local_tickets (day, queue, seq, issued_at) VALUES (?,?,?,?)",
                                (day, queue, last + 1, now.isoformat(timespec="seconds")))
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
        return last + 1, waiting


@dataclass
class UploadResult:
    sent: int = 0
    duplicates: int = 0
    rejected: list[dict[str, str]] = field(default_factory=list)
    remaining: int = 0
    batches: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def upload(outbox: Outbox, client, batch: int = 100, max_batches: int = 1000) -> UploadResult:
    """Send pending events in batches until none is left (or the server is away).

    An event is marked sent only after the server has answered for it, so a crash at any
    point re-sends it at most, and the server's idempotency keys make that harmless."""
    from kiosk.fleet.device_client import DeviceApiError, Offline

    result = UploadResult()
    for _ in range(max_batches):
        events = outbox.pending(batch)
        if not events:
            break
        try:
            answer = client.events(events)
        except (Offline, DeviceApiError) as exc:
            result.error = getattr(exc, "message", None) or str(exc)
            break
        result.batches += 1
        rejected = {r.get("key"): r.get("reason", "") for r in answer.get("rejected", [])}
        for key, reason in rejected.items():
            outbox.mark_rejected(str(key), str(reason))
        outbox.mark_sent([e["key"] for e in events if e["key"] not in rejected])
        result.sent += int(answer.get("stored", 0))
        result.duplicates += int(answer.get("duplicates", 0))
        result.rejected += [{"key": str(k), "reason": str(v)} for k, v in rejected.items()]
    result.remaining = outbox.backlog()
    return result
