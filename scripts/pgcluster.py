#!/usr/bin/env python3
"""A private PostgreSQL cluster in one folder, run with Debian's binaries (`postgresql` package).

Used by `scripts/run --postgres` (a durable cluster under instance/pg) and by the tests
(tests/support/postgres.py: a throwaway cluster per test session). Standard library only, so it
runs before the virtualenv exists. It never touches a system cluster: its own data folder, its
own unix socket folder, no TCP listener.

    cluster = Cluster(Path("instance/pg"))
    cluster.start()                      # initdb on first use, then pg_ctl start (waits until ready)
    cluster.create_database("guides")    # no-op when it exists
    cluster.url("guides")                # postgresql+psycopg://postgres@/guides?host=<socket folder>
    cluster.stop()

Folder layout: <dir>/data (PGDATA, 0700), <dir>/postgresql.log, and the socket in <dir>/run
(or, when that path is too long for a unix socket, a folder under /tmp named after <dir>).

PostgreSQL refuses to run as root. As root the server runs as the `postgres` account that the
Debian package creates (`nobody` when there is none); the folder is handed to that account, so
every folder above it must be enterable by it (mode o+x). As any other user it runs as that user.
Authentication is `trust` on the unix socket only; the socket folder is 0700, so only the server's
account and root can connect.

Command line (prints the database URL on start):

    python3 scripts/pgcluster.py start DIR [--database NAME]
    python3 scripts/pgcluster.py stop DIR
    python3 scripts/pgcluster.py url DIR [--database NAME]
    python3 scripts/pgcluster.py reap DIR     # waits for end of input, then stops and deletes DIR
"""
from __future__ import annotations

import argparse
import glob
import hashlib
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

SUPERUSER = "postgres"  # the cluster's superuser role (initdb -U), whatever account runs it
PORT = 5432             # names the socket file only (.s.PGSQL.5432); there is no TCP listener
SOCKET_MAX = 100        # a unix socket path must fit in sockaddr_un.sun_path (108 bytes on Linux)
NAME_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

# Settings for a cluster whose data may be lost: no fsync, no full-page writes. A test session's
# cluster is created and deleted within minutes; only speed matters.
THROWAWAY = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
             "shared_buffers": "32MB", "max_wal_size": "256MB"}


class ClusterError(RuntimeError):
    """The cluster could not be created, started, stopped or queried; the message says why in
    Chinese and names the folder or the log file to look at."""


def bin_dir() -> Path:
    """The newest PostgreSQL server binaries: $PG_BINDIR, else /usr/lib/postgresql/<major>/bin
    (Debian's layout). Raises ClusterError when none is installed."""
    if os.environ.get("PG_BINDIR"):
        found = Path(os.environ["PG_BINDIR"])
        if (found / "initdb").exists():
            return found
        raise ClusterError(f"PG_BINDIR={found} 中没有 initdb。")
    candidates = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
    if not candidates:
        raise ClusterError("未找到 PostgreSQL（/usr/lib/postgresql/*/bin/initdb）：请运行 scripts/setup，"
                           "它会安装 Debian 软件包 postgresql。")

    def major(path: Path) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", path.parent.name)) or (0,)

    return max(candidates, key=major)


def server_account() -> pwd.struct_passwd:
    """The account the server runs as: the caller, or as root the `postgres` account (`nobody`
    when the package did not create one)."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid())
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise ClusterError("以 root 运行时需要一个非特权账户来运行 PostgreSQL（postgres 或 nobody），但两者都不存在。")


class Cluster:
    """One PostgreSQL cluster living in the folder `root`.

    `durable=False` makes a throwaway cluster (fsync off, small shared buffers) for tests.
    Methods raise ClusterError with the log's last lines when PostgreSQL fails.
    """

    def __init__(self, root: Path, *, durable: bool = True):
        self.root = Path(root).absolute()
        self.data = self.root / "data"
        self.log = self.root / "postgresql.log"
        self.durable = durable
        self.account = server_account()
        self.bin = bin_dir()

    # where things are -------------------------------------------------------------------
    @property
    def socket_dir(self) -> Path:
        """The folder holding the unix socket: <root>/run, or a short folder under /tmp when that
        path would be too long for a socket (derived from <root>, so every caller finds it)."""
        near = self.root / "run"
        if len(str(near / f".s.PGSQL.{PORT}").encode()) <= SOCKET_MAX:
            return near
        digest = hashlib.sha256(str(self.root).encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"pgsock-{digest}"

    def url(self, database: str = SUPERUSER, driver: str = "postgresql+psycopg") -> str:
        """SQLAlchemy URL of `database` over the unix socket, e.g.
        postgresql+psycopg://postgres@/guides?host=/path/run"""
        return f"{driver}://{SUPERUSER}@/{database}?host={self.socket_dir}"

    def dsn(self, database: str = SUPERUSER) -> str:
        """libpq connection string of `database` (for psql or psycopg.connect)."""
        return f"host={self.socket_dir} port={PORT} user={SUPERUSER} dbname={database}"

    # running commands -------------------------------------------------------------------
    def _as_server(self) -> dict:
        """subprocess arguments that run a command as the server's account."""
        env = {"PATH": f"{self.bin}:/usr/bin:/bin", "LC_ALL": "C", "LANG": "C",
               "HOME": str(self.root)}
        kw: dict = {"env": env, "cwd": str(self.root)}
        if os.geteuid() == 0 and self.account.pw_uid != 0:
            kw.update(user=self.account.pw_uid, group=self.account.pw_gid, extra_groups=[])
        return kw

    def _run(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        proc = subprocess.run([str(self.bin / args[0]), *args[1:]], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=timeout, **self._as_server())
        if check and proc.returncode != 0:
            raise ClusterError(f"{args[0]} 失败（退出码 {proc.returncode}）：{self.root}\n"
                               f"{proc.stdout.strip()}\n{self._log_tail()}".rstrip())
        return proc

    def _log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return ""
        return f"{self.log} 的最后几行：\n" + "\n".join(text[-lines:]) if text else ""

    def _own(self, path: Path) -> None:
        if os.geteuid() == 0:
            os.chown(path, self.account.pw_uid, self.account.pw_gid)

    # life cycle -------------------------------------------------------------------------
    def initialized(self) -> bool:
        return (self.data / "PG_VERSION").exists()

    def running(self) -> bool:
        """True when this folder's server is up (pg_ctl status)."""
        if not self.initialized():
            return False
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def init(self) -> None:
        """initdb into <root>/data (UTF8, C collation like SQLite's, trust on the socket only).
        Does nothing when the cluster exists."""
        if self.initialized():
            return
        self.root.mkdir(parents=True, exist_ok=True)
        self._own(self.root)
        os.chmod(self.root, 0o700)
        probe = subprocess.run(["test", "-w", str(self.root), "-a", "-x", str(self.root)], **self._as_server())
        if probe.returncode != 0:
            raise ClusterError(f"账户 {self.account.pw_name} 无法进入 {self.root}：PostgreSQL 以该账户运行，"
                               "上级目录都需要允许其进入（o+x），请换一个目录。")
        if self.data.exists():  # a half-made data folder from an interrupted initdb
            shutil.rmtree(self.data)
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8",
                  "--no-locale", "--no-instructions", *(() if self.durable else ("--no-sync",)))
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n# written by scripts/pgcluster.py on every start\ninclude 'cluster.conf'\n")

    def _write_settings(self) -> None:
        # timezone: what a server in China is usually set to; the code must not depend on it
        # (timestamps are timestamptz and read back as aware datetimes whatever the zone).
        settings = {"listen_addresses": "''", "port": str(PORT),
                    "unix_socket_directories": f"'{self.socket_dir}'", "unix_socket_permissions": "0700",
                    "timezone": "'Asia/Shanghai'", "log_timezone": "'Asia/Shanghai'", "max_connections": "200"}
        if not self.durable:
            settings.update(THROWAWAY)
        text = "".join(f"{k} = {v}\n" for k, v in settings.items())
        conf = self.data / "cluster.conf"
        conf.write_text(text, encoding="utf-8")
        self._own(conf)

    def start(self) -> None:
        """Create the cluster if needed and start it; returns when it accepts connections.
        Does nothing when it is already running."""
        self.init()
        if self.running():
            return
        self.socket_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._own(self.socket_dir)
        self._write_settings()
        if not self.log.exists():
            self.log.touch()
        self._own(self.log)
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`fast`: roll back open transactions; `immediate`: no shutdown checkpoint)."""
        if self.running():
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def destroy(self) -> None:
        """Stop the server at once and delete the whole folder (throwaway clusters)."""
        if self.initialized():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)
        if self.socket_dir.parent != self.root:
            shutil.rmtree(self.socket_dir, ignore_errors=True)

    # databases (through psql, so this module needs no driver) ----------------------------
    def psql(self, sql: str, database: str = SUPERUSER) -> str:
        """Run one SQL command with psql over the socket; returns its unaligned output."""
        proc = subprocess.run([str(self.bin / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                               "-d", self.dsn(database), "-c", sql], stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=60,
                              env={**os.environ, "LC_ALL": "C", "PGCONNECT_TIMEOUT": "10"})
        if proc.returncode != 0:
            raise ClusterError(f"psql 失败（{self.root}）：{proc.stderr.strip()}")
        return proc.stdout.strip()

    def create_database(self, name: str, template: str | None = None) -> None:
        """CREATE DATABASE `name` (optionally a copy of `template`) unless it exists.
        Names are restricted to lower-case letters, digits and _ (ClusterError otherwise)."""
        for n in (name, template):
            if n is not None and not NAME_RE.match(n):
                raise ClusterError(f"数据库名 {n!r} 不合规：只能用小写字母、数字和下划线。")
        if self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1":
            return
        self.psql(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))


def reap(cluster: Cluster) -> int:
    """Block until standard input reaches its end (the process holding the other end of the
    pipe has exited, however it ended), then destroy the throwaway cluster."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    while sys.stdin.buffer.read(4096):
        pass
    cluster.destroy()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/pgcluster.py", description="本地 PostgreSQL 集群（一个目录）。")
    parser.add_argument("action", choices=["start", "stop", "url", "reap"])
    parser.add_argument("dir", type=Path, help="集群目录，例如 instance/pg")
    parser.add_argument("--database", default="guides", help="数据库名（默认 guides）")
    args = parser.parse_args(argv)
    try:
        cluster = Cluster(args.dir, durable=args.action != "reap")
        if args.action == "reap":
            return reap(cluster)
        if args.action == "start":
            cluster.start()
            cluster.create_database(args.database)
        elif args.action == "stop":
            cluster.stop()
            return 0
        print(cluster.url(args.database))
    except ClusterError as err:
        print(f"错误：{err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
