"""`guide-server release` with its check cache under strain: two runs on one instance folder at
once (two operators, or a release started while the last one is still publishing) take turns,
so neither links a hall part the other's cache save has just removed; a hall part the disk
refuses ends the command with a message, not a traceback."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import guide_server.cli.releases as releases_cli
from guide_server.cli import main
from guides.release import ReleaseStore
from tests.guides.test_incremental_release import GA, _age, _edit, _release_files
from tests.support.halls import add_second_hall

ROOT = Path(__file__).resolve().parents[2]


def _release(content: Path, instance: Path):
    return CliRunner().invoke(main, ["release", "--content", str(content), "--instance", str(instance)])


def _waiting_for_a_lock(pid: int) -> bool:
    """True when process `pid` is blocked waiting for an flock (Linux: /proc/locks)."""
    return any(line.split()[1:3] == ["->", "FLOCK"] and line.split()[5] == str(pid)
               for line in Path("/proc/locks").read_text().splitlines() if len(line.split()) > 5)


@pytest.fixture
def content(valid_content: Path) -> Path:
    root = add_second_hall(valid_content, own_guide=True)
    _age(root)
    return root


def test_a_release_started_while_another_is_under_way_waits_for_it(content, tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    assert _release(content, instance).exit_code == 0
    changed = tmp_path / "changed"
    shutil.copytree(content, changed)
    _edit(changed / "guides" / f"{GA}.yaml", "居民身份证申领登记表", "居民身份证申领登记表（新版）")
    _age(changed)
    other: list[subprocess.Popen] = []
    real_check = releases_cli.check_content

    def check_then_another_release(root, cache=None):
        result = real_check(root, cache)  # this release's hall parts are in the cache, not yet linked
        proc = subprocess.Popen([sys.executable, "-m", "guide_server.cli", "release", "--content", str(content),
                                 "--instance", str(instance)], env=dict(os.environ, PYTHONPATH=str(ROOT)),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        other.append(proc)
        for _ in range(1200):  # until it has finished or waits for this one (each step 0.05 s)
            if proc.poll() is not None or _waiting_for_a_lock(proc.pid):
                break
            time.sleep(0.05)
        return result

    monkeypatch.setattr(releases_cli, "check_content", check_then_another_release)
    first = _release(changed, instance)
    out, err = other[0].communicate(timeout=120)
    assert first.exit_code == 0, first.output
    assert "已发布" in first.output
    assert other[0].returncode == 0, err
    assert "Traceback" not in err
    assert "该实例正有另一次发布在进行，等待其完成" in err
    store = ReleaseStore(instance)
    assert store.numbers() == [1, 2, 3]  # the changed content, then the first content again
    reference = ReleaseStore(tmp_path / "scratch")
    monkeypatch.setattr(releases_cli, "check_content", real_check)
    assert _release(changed, tmp_path / "scratch").exit_code == 0
    assert _release(content, tmp_path / "scratch").exit_code == 0
    for number in (2, 3):  # the scratch instance has them as R1 and R2
        ours = store.folder(number)
        theirs = reference.folder(number - 1)
        assert (ours / "content.json").read_bytes() == (theirs / "content.json").read_bytes()
        assert {p.name: p.read_bytes() for p in (ours / "halls").iterdir()} == \
            {p.name: p.read_bytes() for p in (theirs / "halls").iterdir()}
    assert _release_files(store) == _release_files(reference)


def test_a_release_whose_hall_parts_the_disk_refuses_ends_with_a_message(content, tmp_path, monkeypatch):
    """The disk refuses to sync the hall parts the check wrote (an I/O error): `guide-server
    release` says so, names the file and exits 1 without a traceback; no release is made."""
    import guides.halls as halls_module

    def refuse(paths):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(halls_module, "sync_parts", refuse)
    result = _release(content, tmp_path / "instance")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception
    assert "release-cache/parts/" in result.output and "未发布" in result.output
    assert ReleaseStore(tmp_path / "instance").current_number() is None
