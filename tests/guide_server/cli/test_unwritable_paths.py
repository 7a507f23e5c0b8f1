"""A path that cannot be written (a file where a folder should be) or a database that cannot be
opened ends every command with one Chinese line naming the place, exit 1 — never a traceback."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def workdir(tmp_path_factory, sample_instance):
    d = tmp_path_factory.mktemp("unwritable")
    (d / "ok.xlsx").write_bytes(b"not a folder")
    return d


COMMANDS = [
    (["guide-server", "release", "--content", "{content}", "--instance", "ok.xlsx/inst"], "无法读写"),
    (["guide-server", "export", "--out", "ok.xlsx/site", "--instance", "{instance}"], "无法读写"),
    (["guide-server", "posters", "--out", "ok.xlsx/p", "--instance", "{instance}"], "无法读写"),
    (["guide-server", "content", "export", "--published", "--out", "ok.xlsx/c", "--instance", "{instance}"],
     "无法读写"),
    (["guide-server", "export-list", "--out", "ok.xlsx/x.xlsx", "--content", "{content}"], "无法读写"),
    (["guide-server", "ratings", "digest", "--instance", "ok.xlsx/i"], "无法打开或写入"),
    (["guide-server", "db-upgrade", "--instance", "ok.xlsx/i"], "无法打开或写入"),
    (["kiosk", "sync", "--instance", "ok.xlsx/k"], "无法读写"),
]


@pytest.mark.parametrize("argv, says", COMMANDS, ids=[" ".join(c[0][:3]) for c in COMMANDS])
def test_an_unwritable_place_is_one_chinese_line(workdir, sample_instance, argv, says):
    module = {"guide-server": "guide_server.cli", "kiosk": "kiosk.cli"}[argv[0]]
    args = [a.format(content=ROOT / "content", instance=sample_instance) for a in argv[1:]]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("DATABASE_URL", None)
    r = subprocess.run([sys.executable, "-m", module, *args], cwd=workdir, env=env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 1, r.stdout + r.stderr
    assert says in r.stderr and "Traceback" not in r.stderr + r.stdout, r.stderr
    assert "ok.xlsx" in r.stderr
    assert (workdir / "ok.xlsx").read_bytes() == b"not a folder"
