"""The guide server's schema on a real PostgreSQL server: migrations from an empty database and
back, the append-only audit trigger, and several instances migrating one database at once."""
from __future__ import annotations

import multiprocessing
import subprocess
import sys

from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

import pytest

from guide_server.db import Database, current_revision, make_engine, upgrade
from tests.conftest import ROOT
from tests.support.postgres import database_name

TABLES = {"ratings", "users", "kiosks", "kiosk_enrollments", "kiosk_events", "ticket_counters",
          "issued_tickets", "editor_guides", "editor_revisions", "audit_log", "alembic_version", "login_throttle",
          "admin_sessions", "publish_intents", "rating_form_tokens",
          "rating_cases", "rating_contacts", "case_settings", "rating_rollup", "usage_counts", "usage_log_offsets"}


@pytest.fixture
def empty_db(postgres):
    url = postgres.create_database()
    yield url
    postgres.drop_database(url)


def _head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from guide_server.db import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(cfg).get_current_head()


def _downgrade_to_base(engine) -> None:
    from alembic import command
    from alembic.config import Config

    from guide_server.db import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")


def test_migrations_run_up_from_empty_down_to_nothing_and_up_again(empty_db, postgres):
    engine = make_engine(empty_db)
    try:
        upgrade(engine)
        assert current_revision(engine) == _head()
        assert TABLES <= set(inspect(engine).get_table_names())
        with pytest.raises(DBAPIError, match="audit_log is append-only"), engine.begin() as conn:
            conn.execute(text("INSERT INTO audit_log (at, user_name, action, detail, diff) "
                              "VALUES (now(), 'ops', 'note', '', '')"))
            conn.execute(text("UPDATE audit_log SET detail = 'changed'"))
        _downgrade_to_base(engine)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        functions = postgres.execute("SELECT proname FROM pg_proc WHERE proname = 'audit_log_append_only'",
                                     database=database_name(empty_db))
        assert functions == []  # the downgrade removed the trigger's function too
        upgrade(engine)
        assert current_revision(engine) == _head()
    finally:
        engine.dispose()


def _migrate_after(barrier, url: str) -> None:
    engine = make_engine(url)
    barrier.wait(30)
    upgrade(engine)
    engine.dispose()


def test_instances_starting_together_migrate_one_empty_database_once(empty_db, instance):
    """Three processes (as three app instances starting together) migrate one empty database at
    the same moment: all succeed, and `guide-server db-upgrade` then finds nothing to do."""
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(3)
    procs = [ctx.Process(target=_migrate_after, args=(barrier, empty_db)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    env = {"DATABASE_URL": empty_db, "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "guide_server", "db-upgrade", "--instance", str(instance)],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and f"数据库已是最新结构（版本 {_head()}）" in out.stdout, out.stdout + out.stderr
