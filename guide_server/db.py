"""The ratings database: SQLAlchemy models, engine per app, alembic migrations.

SQLite (WAL) in the instance folder by default; PostgreSQL (or any SQLAlchemy
URL) through DATABASE_URL. The schema is owned by the alembic scripts in
guide_server/migrations; `upgrade()` brings a database to the newest revision.
No Flask import here.
"""
from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from sqlalchemy import DateTime, Index, Integer, SmallInteger, String, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")


class Base(DeclarativeBase):
    pass


class Rating(Base):
    """One 好差评 rating. Holds no personal data: the client column is a day-scoped
    keyed hash used only for rate limiting."""

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guide_code: Mapped[str] = mapped_column(String(40), nullable=False)
    release_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    level: Mapped[int] = mapped_column(SmallInteger, nullable=False)  # 5 非常满意 … 1 非常不满意
    reasons: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    comment: Mapped[str | None] = mapped_column(String(200), nullable=True)
    channel: Mapped[str] = mapped_column(String(16), nullable=False, default="web")
    client: Mapped[str] = mapped_column(String(20), nullable=False)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    __table_args__ = (
        Index("ix_ratings_guide_code", "guide_code"),
        Index("ix_ratings_client_created", "client", "created"),
    )


def default_url(instance: Path) -> str:
    return f"sqlite:///{instance / 'ratings.sqlite3'}"


def engine_url(url: str) -> str:
    """`url` with the driver the project installs: postgresql:// and postgres:// mean psycopg 3
    (SQLAlchemy would otherwise look for psycopg2, which is not installed)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str) -> Engine:
    """An engine for `url`: SQLite in WAL mode with a 15 s busy timeout, or PostgreSQL (psycopg 3)
    with connections checked before use, so a restarted database server costs no failed request."""
    url = engine_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


_upgrade_lock = threading.Lock()
# PostgreSQL advisory lock key held while migrating ("guidesrv" in ASCII), so that several app
# instances starting together on one empty database migrate it once, one after the other.
MIGRATION_LOCK = 0x6775696465737276


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the alembic migrations up to `revision` on `engine`. On PostgreSQL several processes
    may call it at once (app instances starting together): an advisory lock held for the
    migration's transaction lets one migrate while the others wait, then find the schema at
    `revision` and do nothing."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with _upgrade_lock, engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


class Database:
    """Engine and session factory of one app; migrates on first use if asked to."""

    def __init__(self, url: str, auto_migrate: bool = True):
        self.url = url
        self.engine = make_engine(url)
        self.session = sessionmaker(self.engine, expire_on_commit=False)
        self._auto = auto_migrate
        self._ready = False
        self._lock = threading.Lock()

    def ready(self) -> None:
        if self._ready:
            return
        with self._lock:
            if not self._ready:
                if self._auto:
                    upgrade(self.engine)
                self._ready = True
