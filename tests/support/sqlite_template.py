"""The guide server's SQLite database at alembic head, migrated once per test session and copied
for each test that asks for a database: the SQLite counterpart of the PostgreSQL template
(tests.support.postgres.migrated_template).

Running the migrations on an empty SQLite file takes about 70 ms; copying the migrated file takes
well under 1 ms. The copy holds only the schema and alembic's version row, so a test still starts
from an empty database of its own, and the app's start-up migration still runs on it (and finds
nothing to do). Migrating an empty database is tested where that is the point
(ratings/test_ratings.py::test_alembic_creates_the_schema_and_is_idempotent,
test_default_database_lives_in_the_instance_folder).
"""
from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from pathlib import Path

_template: Path | None = None
_lock = threading.Lock()


def _build() -> Path:
    from sqlalchemy import text

    from guide_server.db import make_engine, upgrade

    folder = Path(tempfile.mkdtemp(prefix="sqlite-template-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "guide-server.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
        with engine.connect() as conn:  # everything into the main file: it is copied alone
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    finally:
        engine.dispose()
    for extra in ("-wal", "-shm"):
        leftover = path.with_name(path.name + extra)
        if leftover.exists() and leftover.stat().st_size:
            raise AssertionError(f"{leftover} still holds data after the checkpoint")
        leftover.unlink(missing_ok=True)
    return path


def copy_migrated_sqlite(dest: Path) -> str:
    """Write a migrated, empty guide-server database to `dest` (which must not exist yet) and
    return its SQLAlchemy URL."""
    global _template
    with _lock:
        if _template is None:
            _template = _build()
    dest = Path(dest)
    if dest.exists():
        raise AssertionError(f"{dest} exists already: a test database is always new")
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_template, dest)
    return f"sqlite:///{dest}"
