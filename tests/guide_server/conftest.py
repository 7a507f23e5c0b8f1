"""Fixtures of the guide server tests: releases of the sample content and of the
small valid fixture, the Flask `app`, `client` and `runner` (as in Flask's tutorial)."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from guides.loader import ContentError, check_content, load_content
from guides.release import ReleaseStore
from tests.conftest import FIXTURES, SAMPLE_CONTENT


def _sample_copy(dest: Path) -> Path:
    """A private copy of the sample content (which must pass the checker as it is)."""
    shutil.copytree(SAMPLE_CONTENT, dest)
    assert check_content(dest).ok
    return dest


@pytest.fixture(scope="session")
def sample_instance(tmp_path_factory) -> Path:
    """An instance folder holding one release of the sample content (read-only use)."""
    root = tmp_path_factory.mktemp("sample")
    content = _sample_copy(root / "content")
    ReleaseStore(root / "instance").publish(load_content(content))
    return root / "instance"


@pytest.fixture(scope="session")
def sample_release(sample_instance):
    return ReleaseStore(sample_instance).current()


@pytest.fixture
def instance(tmp_path, valid_content) -> Path:
    """A private instance with a release of tests/fixtures/valid (two guides)."""
    inst = tmp_path / "instance"
    ReleaseStore(inst).publish(load_content(valid_content))
    return inst


@pytest.fixture
def db_url(instance) -> str:
    """The app's database: SQLite in the instance folder (where the app puts it by default), a
    copy of the session's migrated template (tests.support.sqlite_template). The packages whose
    tests are about the database (ratings, accounts, editor) replace it with both SQLite and
    PostgreSQL."""
    from guide_server.db import default_url
    from tests.support.sqlite_template import copy_migrated_sqlite

    return copy_migrated_sqlite(Path(default_url(instance.resolve()).removeprefix("sqlite:///")))


@pytest.fixture
def app(instance, db_url):
    from guide_server import create_app

    return create_app({"TESTING": True, "INSTANCE_DIR": str(instance), "DATABASE_URL": db_url})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def sample_app(sample_instance, tmp_path_factory):
    from guide_server import create_app

    db = tmp_path_factory.mktemp("sample-db") / "ratings.sqlite3"
    return create_app({"TESTING": True, "INSTANCE_DIR": str(sample_instance), "DATABASE_URL": f"sqlite:///{db}"})


@pytest.fixture
def sample_client(sample_app):
    return sample_app.test_client()


VALID_GUIDES = ("330382-GA-0001", "330382-SC-0001")
SAMPLE_FIXTURE = FIXTURES / "valid"

ROOT = Path(__file__).resolve().parents[2]
GUIDE_SERVER = [sys.executable, "-m", "guide_server"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url, cookie=None, headers=None):
    """(status, headers, body) of a GET, without raising on 4xx/5xx."""
    req = urllib.request.Request(url, headers={**({"Cookie": cookie} if cookie else {}), **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def wait_for(url, proc, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not come up")


@contextmanager
def serving(instance: Path, log_dir: Path, *, workers: int, ready_path: str = "/",
            extra: tuple[str, ...] = (), stop_timeout: float = 20):
    """`guide-server serve` (gunicorn) on ``instance``, as an operator starts it; yields its base
    URL once ``ready_path`` answers, then terminates it. Its output goes to log_dir/serve.log."""
    port = free_port()
    log = open(log_dir / "serve.log", "wb")
    proc = subprocess.Popen([*GUIDE_SERVER, "serve", "--instance", str(instance), "--port", str(port),
                             "--workers", str(workers), *extra], stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        wait_for(f"http://127.0.0.1:{port}{ready_path}", proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=stop_timeout)
        log.close()


@pytest.fixture(scope="session")
def live_server(sample_instance, tmp_path_factory):
    """`guide-server serve` (gunicorn) on the sample release, as an operator starts it."""
    with serving(sample_instance, tmp_path_factory.mktemp("serve"), workers=2) as url:
        yield url
