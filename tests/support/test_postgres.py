"""The throwaway PostgreSQL server of the tests and the instance cluster of `scripts/run --postgres`
(scripts/pgcluster.py): real initdb/pg_ctl, an unprivileged server, a unix socket only."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import psycopg
import pytest

from tests.support.postgres import ROOT, Cluster, ClusterError, database_name, pgcluster

SCRIPT = ROOT / "scripts" / "pgcluster.py"


def test_the_session_server_is_unprivileged_and_listens_on_its_own_socket_only(postgres):
    listen, sockets, fsync = postgres.execute(
        "SELECT current_setting('listen_addresses'), current_setting('unix_socket_directories'), "
        "current_setting('fsync')")[0]
    assert listen == "" and fsync == "off"
    assert Path(sockets).is_relative_to(postgres.root) and Path(sockets, ".s.PGSQL.5432").is_socket()
    pid = int((postgres.root / "data" / "postmaster.pid").read_text().split()[0])
    owner = os.stat(f"/proc/{pid}").st_uid
    assert owner != 0, "PostgreSQL must never run as root"
    assert owner == os.geteuid() or os.geteuid() == 0
    assert postgres.execute("SELECT current_user")[0][0] == "postgres"


def test_each_database_is_a_fresh_copy_of_its_template(postgres):
    built = []

    def setup(url):
        built.append(url)
        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("CREATE TABLE notes (id serial PRIMARY KEY, text varchar(40) NOT NULL)")
            conn.execute("INSERT INTO notes (text) VALUES ('模板里的一行')")

    tpl = postgres.template("notes_test", setup)
    assert postgres.template("notes_test", setup) == tpl and len(built) == 1  # built once per session
    a, b = postgres.create_database(template=tpl), postgres.create_database(template=tpl)
    assert a != b
    name_a, name_b = database_name(a), database_name(b)
    postgres.execute("INSERT INTO notes (text) VALUES ('只写进 a')", database=name_a)
    assert [r[0] for r in postgres.execute("SELECT text FROM notes ORDER BY id", database=name_a)] == ["模板里的一行", "只写进 a"]
    assert [r[0] for r in postgres.execute("SELECT text FROM notes ORDER BY id", database=name_b)] == ["模板里的一行"]
    # a connection left open does not stop the drop
    leftover = psycopg.connect(postgres.cluster.dsn(name_a))
    postgres.drop_database(a)
    postgres.drop_database(b)
    leftover.close()
    names = {r[0] for r in postgres.execute("SELECT datname FROM pg_database")}
    assert name_a not in names and name_b not in names and tpl in names


def test_a_killed_test_process_leaves_no_cluster_behind(tmp_path):
    """The reaper deletes the cluster even when the process that started it dies by SIGKILL."""
    code = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from tests.support.postgres import postgres_server
        server = postgres_server()
        print(server.root, flush=True)
        time.sleep(600)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    root = Path(proc.stdout.readline().strip())
    try:
        assert (root / "data" / "postmaster.pid").exists()
        pid = int((root / "data" / "postmaster.pid").read_text().split()[0])
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 60
    while (root.exists() or _alive(pid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not root.exists(), f"{root} is still there after its test process was killed"
    assert not _alive(pid), "the postmaster still runs after its test process was killed"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "postgres" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")


def test_instance_cluster_command_keeps_its_data_across_restarts():
    """`scripts/pgcluster.py start DIR` (as scripts/run --postgres uses it): creates the cluster and
    the database once, prints the URL, and a stop and start keeps the rows."""
    # the server's account must be able to enter every folder above the cluster (pytest's is 0700)
    folder = Path(tempfile.mkdtemp(prefix="pginst-")) / "pg"
    folder.parent.chmod(0o755)
    run = lambda *a: subprocess.run([sys.executable, str(SCRIPT), *a], capture_output=True, text=True, timeout=120)
    try:
        first = run("start", str(folder), "--database", "guides")
        assert first.returncode == 0, first.stderr
        url = first.stdout.strip()
        assert url == f"postgresql+psycopg://postgres@/guides?host={folder / 'run'}"
        cluster = Cluster(folder)
        with psycopg.connect(cluster.dsn("guides"), autocommit=True) as conn:
            assert conn.execute("SHOW fsync").fetchone()[0] == "on"  # an instance cluster is durable
            conn.execute("CREATE TABLE kept (v text)")
            conn.execute("INSERT INTO kept VALUES ('重启后还在')")
        assert run("stop", str(folder)).returncode == 0
        assert not cluster.running()
        again = run("start", str(folder), "--database", "guides")
        assert again.returncode == 0 and again.stdout.strip() == url
        with psycopg.connect(cluster.dsn("guides")) as conn:
            assert conn.execute("SELECT v FROM kept").fetchone()[0] == "重启后还在"
    finally:
        Cluster(folder).destroy()
        folder.parent.rmdir()


def test_missing_binaries_and_bad_names_are_explained(tmp_path, monkeypatch):
    monkeypatch.setenv("PG_BINDIR", str(tmp_path / "no-such-bin"))
    result = subprocess.run([sys.executable, str(SCRIPT), "start", str(tmp_path / "pg")],
                            capture_output=True, text=True, env=os.environ, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"PG_BINDIR={tmp_path / 'no-such-bin'} 中没有 initdb" in result.stderr
    monkeypatch.delenv("PG_BINDIR")
    with pytest.raises(ClusterError, match="数据库名 'Guides; DROP' 不合规"):
        Cluster(tmp_path / "pg").create_database("Guides; DROP")


def test_a_long_folder_gets_a_short_socket_path(tmp_path):
    deep = tmp_path.joinpath(*["a-rather-long-folder-name"] * 5)
    sock = Cluster(deep).socket_dir
    assert len(str(sock / ".s.PGSQL.5432")) <= pgcluster.SOCKET_MAX
    assert sock == Cluster(deep).socket_dir  # every caller finds the same socket
    assert Cluster(tmp_path / "pg").socket_dir == tmp_path / "pg" / "run"
