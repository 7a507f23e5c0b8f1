"""The kiosk's own small SQLite database (WAL) in its instance folder.

It holds queue-number sequences, ratings and how often each search term found what people
opened (``search_terms``: the term as typed and a count, nothing about who typed it). Nothing
personal is ever stored: no name, no ID number, no photo, not even masked ones.
"""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS ticket_numbers (
    day TEXT NOT NULL,
    queue TEXT NOT NULL,
    seq INTEGER NOT NULL,
    issued_at TEXT NOT NULL,
    PRIMARY KEY (day, queue, seq)
);
CREATE TABLE IF NOT EXISTS ratings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    subject TEXT NOT NULL,
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    reasons TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,
    release TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS search_terms (
    term TEXT PRIMARY KEY,
    shown TEXT NOT NULL,
    count INTEGER NOT NULL,
    last_at TEXT NOT NULL
);
"""


class KioskStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self.db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA busy_timeout=5000")
        self.db.executescript(SCHEMA)
        self._upgrade()

    def _upgrade(self) -> None:
        """Columns added since a kiosk's database was created (ratings.comment)."""
        cols = {row[1] for row in self.db.execute("PRAGMA table_info(ratings)")}
        if "comment" not in cols:
            self.db.execute("ALTER TABLE ratings ADD COLUMN comment TEXT NOT NULL DEFAULT ''")

    def execute(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            return self.db.execute(sql, params).fetchall()

    def transaction(self):
        return _Tx(self)

    def close(self) -> None:
        with self._lock:
            self.db.close()


class _Tx:
    def __init__(self, store: KioskStore) -> None:
        self.store = store

    def __enter__(self) -> sqlite3.Connection:
        self.store._lock.acquire()
        self.store.db.execute("BEGIN IMMEDIATE")
        return self.store.db

    def __exit__(self, exc_type, *rest) -> None:
        try:
            self.store.db.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self.store._lock.release()
