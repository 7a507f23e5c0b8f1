"""Guide pages nginx answers from the static export are counted like the app's own views: the
views log (time, status, path — nothing about the visitor) is read from where the last run
stopped, each line exactly once, on SQLite and PostgreSQL; through real nginx end to end."""
from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from guide_server.db import Database
from guide_server.usage import UsageCount
from guide_server.views_log import UsageLogOffset, ingest, parse_line
from tests.conftest import ROOT

HALLS = {None: "测试市民中心", "liushi": "柳市便民服务中心"}
OFFERS = {None: {"330382-GA-0001", "330382-GA-0002"}, "liushi": {"330382-GA-0001"}}


def hall_name(hall_id):
    return HALLS.get(hall_id)


def known(hall_id, code):
    return code in OFFERS.get(hall_id, ())


def views(db: Database) -> dict[tuple[str, str, str], int]:
    with db.session() as s:
        return {(r.month, r.hall, r.subject): r.n for r in s.scalars(select(UsageCount).where(UsageCount.kind == "view"))}


@pytest.mark.parametrize("line, expected", [
    ("2026-11-30T09:15:02+08:00 200 /g/330382-GA-0001", ("测试市民中心", "330382-GA-0001")),
    ("2026-11-30T09:15:02+08:00 304 /g/330382-GA-0001?why=lost", ("测试市民中心", "330382-GA-0001")),
    ("2026-11-30T09:15:02+08:00 200 /h/liushi/g/330382-GA-0001?why=renew", ("柳市便民服务中心", "330382-GA-0001")),
    ("2026-11-30T09:15:02+08:00 404 /g/330382-GA-0001", None),           # not a successful answer
    ("2026-11-30T09:15:02+08:00 200 /g/330382-GA-0001/print", None),     # the print page is not a view
    ("2026-11-30T09:15:02+08:00 200 /c/huji", None),                     # a category page
    ("2026-11-30T09:15:02+08:00 200 /g/330382-XX-9999", None),           # no such guide
    ("2026-11-30T09:15:02+08:00 200 /h/liushi/g/330382-GA-0002", None),  # the hall does not offer it
    ("2026-11-30T09:15:02+08:00 200 /h/nowhere/g/330382-GA-0001", None),  # no such hall
    ("10.0.0.7 - - [30/Nov/2026:09:15:02 +0800] \"GET /g/330382-GA-0001 HTTP/1.1\" 200", None),  # another format
    ("yesterday 200 /g/330382-GA-0001", None),
])
def test_which_lines_are_views(line, expected):
    got = parse_line(line, hall_name, known)
    assert (got[1:] if got else None) == expected


def test_each_line_is_counted_once_across_runs_rotation_and_a_half_written_line(tmp_path, db_url):
    db = Database(db_url)
    log = tmp_path / "guide-views.log"
    log.write_text("2026-11-30T09:00:00+08:00 200 /g/330382-GA-0001\n"
                   "2026-11-30T23:59:59+08:00 200 /h/liushi/g/330382-GA-0001\n"
                   "2026-12-01T00:00:01+08:00 200 /g/330382-GA-0001?why=lost\n"
                   "2026-12-01T00:00:02+08:00 200 /g/330382-GA-00", encoding="utf-8")  # still being written
    first = ingest(db, log, hall_name, known)
    assert (first.lines, first.counted, first.skipped) == (3, 3, 0)
    assert views(db) == {("2026-11", "测试市民中心", "330382-GA-0001"): 1,
                         ("2026-11", "柳市便民服务中心", "330382-GA-0001"): 1,
                         ("2026-12", "测试市民中心", "330382-GA-0001"): 1}
    again = ingest(db, log, hall_name, known)  # nothing new: nothing counted twice
    assert (again.lines, again.counted) == (0, 0) and views(db)[("2026-12", "测试市民中心", "330382-GA-0001")] == 1
    with log.open("a", encoding="utf-8") as fh:  # the half line is finished, one 404 follows
        fh.write("02\n2026-12-01T00:00:03+08:00 404 /g/330382-GA-0002\n")
    third = ingest(db, log, hall_name, known)
    assert (third.lines, third.counted, third.skipped) == (2, 1, 1)
    assert views(db)[("2026-12", "测试市民中心", "330382-GA-0002")] == 1
    log.rename(tmp_path / "guide-views.log.1")  # logrotate: a new file under the same name
    log.write_text("2026-12-01T08:00:00+08:00 200 /g/330382-GA-0002\n", encoding="utf-8")
    rotated = ingest(db, log, hall_name, known)
    assert (rotated.lines, rotated.counted) == (1, 1)
    assert views(db)[("2026-12", "测试市民中心", "330382-GA-0002")] == 2
    with db.session() as s:
        offset = s.get(UsageLogOffset, str(log.resolve()))
        assert offset.position == log.stat().st_size and offset.inode == log.stat().st_ino


def test_a_log_truncated_in_place_and_written_again_is_read_from_its_start(tmp_path, db_url):
    """logrotate's copytruncate keeps the file (same inode) but empties it; new lines can make
    it longer than the old position again before the next run. None of them may be skipped."""
    db = Database(db_url)
    log = tmp_path / "guide-views.log"
    log.write_text("2026-11-30T09:00:00+08:00 200 /g/330382-GA-0001\n", encoding="utf-8")
    assert ingest(db, log, hall_name, known).counted == 1
    inode = log.stat().st_ino
    with log.open("r+", encoding="utf-8") as fh:  # copytruncate: the same file, emptied, then appended
        fh.truncate(0)
    with log.open("a", encoding="utf-8") as fh:
        fh.write("".join(f"2026-12-01T0{n}:00:00+08:00 200 /g/330382-GA-0002\n" for n in range(3)))
    assert log.stat().st_ino == inode
    again = ingest(db, log, hall_name, known)
    assert (again.lines, again.counted) == (3, 3)
    assert views(db)[("2026-12", "测试市民中心", "330382-GA-0002")] == 3


def test_a_failed_write_leaves_counts_and_position_unchanged(tmp_path, db_url, monkeypatch):
    """The counts and the position are one transaction: a run that dies while writing counts
    nothing, and the next run counts every line once."""
    import guide_server.views_log as views_log

    db = Database(db_url)
    log = tmp_path / "guide-views.log"
    log.write_text("2026-11-30T09:00:00+08:00 200 /g/330382-GA-0001\n" * 3, encoding="utf-8")

    def dying_upsert(s, counts):
        real(s, counts)
        raise RuntimeError("killed while writing")

    real = views_log.upsert
    monkeypatch.setattr(views_log, "upsert", dying_upsert)
    with pytest.raises(RuntimeError):
        ingest(db, log, hall_name, known)
    assert views(db) == {}
    monkeypatch.setattr(views_log, "upsert", real)
    assert ingest(db, log, hall_name, known).counted == 3
    assert views(db) == {("2026-11", "测试市民中心", "330382-GA-0001"): 3}


def test_the_cli_says_what_is_wrong_with_a_missing_log(tmp_path, instance):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("DATABASE_URL", None)
    r = subprocess.run([sys.executable, "-m", "guide_server.cli", "ratings", "views-log", str(tmp_path / "none.log"),
                        "--instance", str(instance)], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert r.returncode == 1 and "none.log：无法读取" in r.stderr and "Traceback" not in r.stderr
