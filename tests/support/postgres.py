"""A throwaway PostgreSQL server for the tests: one cluster per test session, started on first use.

The cluster is made by scripts/pgcluster.py (Debian's initdb and pg_ctl; as root the server runs
as the unprivileged `postgres` account) in a fresh folder under /tmp, listens on a unix socket in
that folder only, and runs without fsync. It is deleted when the session ends — and, should the
test process be killed, by a small reaper process that waits for the test process's end of a pipe
to close. A system cluster is never touched.

    server = postgres_server()                                  # or the `postgres` session fixture
    tpl = server.template("migrated", lambda url: migrate(url))  # built once per session
    url = server.create_database(template=tpl)                  # a fresh copy, ~50 ms
    ...                                                         # postgresql+psycopg://…
    server.drop_database(url)

A test gets a database of its own, copied from a template that already holds the schema, so tests
never see each other's rows and the migrations run once per session.
"""
from __future__ import annotations

import atexit
import importlib.util
import itertools
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Callable

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_pgcluster():
    """scripts/pgcluster.py (not a package: scripts/run runs it before the virtualenv exists)."""
    if "pgcluster" not in sys.modules:
        spec = importlib.util.spec_from_file_location("pgcluster", ROOT / "scripts" / "pgcluster.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules["pgcluster"] = module
    return sys.modules["pgcluster"]


pgcluster = _load_pgcluster()

Cluster = pgcluster.Cluster
ClusterError = pgcluster.ClusterError


def database_name(url: str) -> str:
    """The database named in a URL such as postgresql+psycopg://postgres@/t1?host=/tmp/…/run."""
    return url.split("?", 1)[0].rsplit("/", 1)[1]


class PostgresServer:
    """A running throwaway cluster and the databases made in it.

    Raises ClusterError when PostgreSQL is not installed or does not start (the message names
    the log file).
    """

    def __init__(self):
        self.cluster = Cluster(Path(tempfile.mkdtemp(prefix="pgtest-")), durable=False)
        # The reaper deletes the cluster when this process ends in any way, even by SIGKILL:
        # its standard input is a pipe whose only writer is this process.
        self._reaper = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "pgcluster.py"), "reap",
                                         str(self.cluster.root)], stdin=subprocess.PIPE,
                                        stdout=subprocess.DEVNULL, start_new_session=True)
        try:
            self.cluster.start()
        except BaseException:
            self.close()
            raise
        self._names = itertools.count(1)
        self._templates: dict[str, str] = {}
        self._lock = threading.Lock()
        self._admin = None

    @property
    def root(self) -> Path:
        return self.cluster.root

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL (psycopg 3 driver) of `database` over the unix socket."""
        return self.cluster.url(database)

    def execute(self, sql: str, database: str = "postgres") -> list[tuple]:
        """Run one statement in autocommit mode; returns the rows (empty for commands)."""
        import psycopg

        with psycopg.connect(self.cluster.dsn(database), autocommit=True) as conn:
            cur = conn.execute(sql)
            return cur.fetchall() if cur.description else []

    def _admin_execute(self, sql: str) -> None:
        import psycopg

        with self._lock:
            if self._admin is None or self._admin.closed:
                self._admin = psycopg.connect(self.cluster.dsn(), autocommit=True)
            self._admin.execute(sql)

    def create_database(self, template: str | None = None) -> str:
        """A new empty database, or a copy of the template database `template`; returns its URL."""
        name = f"t{next(self._names)}"
        self._admin_execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop the database of `url`, closing any connection still open to it."""
        name = database_name(url)
        self._admin_execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def template(self, key: str, setup: Callable[[str], None]) -> str:
        """The name of a template database made once per session: an empty database handed to
        `setup(url)` (e.g. run the migrations; it must close its connections). Later calls with
        the same `key` return the same template."""
        if key not in self._templates:
            name = f"tpl_{key}"
            self._admin_execute(f"CREATE DATABASE {name}")
            setup(self.url(name))
            # CREATE DATABASE … TEMPLATE needs the template to have no other connection
            self._admin_execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                f"WHERE datname = '{name}' AND pid <> pg_backend_pid()")
            self._templates[key] = name
        return self._templates[key]

    def close(self) -> None:
        """Stop the server and delete its folder."""
        if self._admin is not None and not getattr(self._admin, "closed", True):
            self._admin.close()
        self.cluster.destroy()
        if self._reaper.stdin:
            self._reaper.stdin.close()
        self._reaper.wait(timeout=30)


_server: PostgresServer | None = None
_server_lock = threading.Lock()


def postgres_server() -> PostgresServer:
    """This session's server, started on the first call and stopped when the process exits."""
    global _server
    with _server_lock:
        if _server is None:
            _server = PostgresServer()
            atexit.register(_close)
        return _server


def _close() -> None:
    global _server
    if _server is not None:
        _server.close()
        _server = None


@pytest.fixture(scope="session")
def postgres() -> PostgresServer:
    """The session's throwaway PostgreSQL server (started lazily, deleted at the session's end)."""
    server = postgres_server()
    yield server
    _close()


# -- the guide server's database on both backends -----------------------------------------------------
DATABASES = ("sqlite", "postgresql")


def migrated_template(server: PostgresServer) -> str:
    """The session's template database holding the guide server's schema (alembic head)."""

    def migrate(url: str) -> None:
        from guide_server.db import make_engine, upgrade

        engine = make_engine(url)
        try:
            upgrade(engine)
        finally:
            engine.dispose()

    return server.template("guide_server", migrate)


def database_url(request, kind: str, folder: Path):
    """Yield the URL of a fresh guide-server database of `kind` ("sqlite": a file in `folder`, a
    copy of the session's migrated SQLite template (tests.support.sqlite_template); "postgresql":
    a migrated copy in the session's server, dropped afterwards)."""
    if kind == "sqlite":
        from tests.support.sqlite_template import copy_migrated_sqlite

        yield copy_migrated_sqlite(folder / "guide-server.sqlite3")
        return
    server = request.getfixturevalue("postgres")
    url = server.create_database(template=migrated_template(server))
    try:
        yield url
    finally:
        server.drop_database(url)


def both_databases(scope: str = "function", name: str = "db_url"):
    """A fixture `name` parametrized over SQLite and PostgreSQL, yielding a database URL.
    Put it in a conftest.py or test module:  db_url = both_databases()"""

    @pytest.fixture(scope=scope, params=DATABASES, name=name)
    def _db_url(request, tmp_path_factory):
        yield from database_url(request, request.param, tmp_path_factory.mktemp("db"))

    return _db_url


def database_dump(url: str) -> bytes:
    """Everything a database holds, as bytes to search for data that must not be there:
    the SQLite file with its WAL, or a pg_dump of the PostgreSQL database."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())
    server = postgres_server()
    proc = subprocess.run([str(server.cluster.bin / "pg_dump"), "--no-owner", "-d",
                           server.cluster.dsn(database_name(url))], capture_output=True, timeout=60)
    if proc.returncode != 0:
        raise ClusterError(proc.stderr.decode(errors="replace"))
    return proc.stdout
