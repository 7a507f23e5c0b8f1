"""实施清单 import benchmark: a generated 20,000-item export with 5 materials each.

Measured side by side in one run, each phase a separate process run as a user would (output
to /dev/null); time, and peak resident memory of the process with its checker workers:
- bare read: python-calamine reading every sheet of the file into Python lists (the floor);
- dry run: `import-list --dry-run` (read, map, content checker, report);
- write: `import-list --out` into an empty content folder (the same plus YAML files);
- drafts: `guide-server import-list --as-drafts` into a fresh instance's web editor (the same
  plus one editor draft per item in the instance database, SQLite).
Targets: dry run and write each <= 60 s and <= 1 GB on this machine; printed as a ratio to
the bare read. CPU seconds (the phase with its checker workers) are printed too: on a shared
machine they drift less than wall time.

    .venv/bin/python bench/bench_import.py [--items 20000] [--materials 5]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEPTS = ["公安局", "人力资源和社会保障局", "医疗保障局", "民政局", "市场监督管理局", "自然资源和规划局", "住房公积金中心"]
SUBJECTS = ["居民身份证", "户口", "社保卡", "养老保险", "医保", "结婚登记", "营业执照", "不动产权证", "公积金", "居住证"]
ACTIONS = ["申领", "换领", "补领", "变更登记", "注销", "迁移", "备案", "提取", "转移登记", "延期"]
MATERIALS = ["居民身份证", "居民户口簿", "营业执照", "申请表", "结婚证", "不动产权证书", "劳动合同", "委托书",
             "出生医学证明", "近期免冠照片", "社会保障卡", "房屋买卖合同"]


def guide(i: int, materials: int, rng: random.Random) -> dict:
    code = f"11330382{i:06d}2609422Q3000102001000"[:31]
    return {
        "code": code, "basic_code": f"{i:012d}", "name": f"{rng.choice(SUBJECTS)}{rng.choice(ACTIONS)}（{i}）",
        "item_type": rng.choice(["行政许可", "行政确认", "公共服务"]), "audience": ["个人"], "category": "户籍办理",
        "department": f"乐清市{rng.choice(DEPTS)}",
        "basis": [{"law": "中华人民共和国居民身份证法", "article": "第十一条"},
                  {"law": "浙江省公共数据条例", "article": "第二十条"}],
        "conditions": ["户籍在本市", "持有原证件", "年满十六周岁"],
        "materials": [{"name": f"{m}（{j + 1}）", "form": rng.choice(["原件", "复印件"]), "copies": 1,
                       "source": "申请人自备", "necessity": "必要"}
                      for j, m in enumerate(rng.sample(MATERIALS, materials))],
        "time_limit": {"statutory": {"value": 20, "unit": "工作日"}, "promised": {"value": rng.randint(1, 15), "unit": "工作日"}},
        "speed": "承诺件", "fee": {"charged": False}, "channels": ["窗口办理", "网上办理"], "visits": 1,
        "flow": [{"step": "申请", "what": "提交材料"}, {"step": "受理", "what": "窗口审核"}, {"step": "办结", "what": "领取结果"}],
        "locations": [{"address": "乐清市市民中心一楼", "hours": "周一至周五 8:30-12:00、13:30-17:00"}],
        "contacts": {"consult": "0577-61881125", "complaint": "12345"},
        "result": {"name": "准予办理决定书"}, "updated": dt.date(2026, 11, 1),
    }


def make_file(path: Path, items: int, materials: int) -> None:
    from guides.implementation_list.export import export_workbook

    rng = random.Random(7)
    export_workbook([guide(i, materials, rng) for i in range(items)], path)


_READ = """
import resource, sys, python_calamine as pc
book = pc.CalamineWorkbook.from_path(sys.argv[1])
cells = sum(len(r) for n in book.sheet_names for r in book.get_sheet_by_name(n).to_python())
print(cells, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
_IMPORT = "import sys; from guides.implementation_list.cli import import_list; import_list(sys.argv[1:])"
_SERVER = "import sys; from guide_server.cli import main; main(sys.argv[1:])"


def _tree_rss_kb(root: int) -> int:
    """Resident memory of ``root`` and all its descendants (checker workers included), read
    from /proc/<pid>/task/<tid>/children and statm (cheap enough to sample 5 times a second)."""
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/statm") as fh:
                total += int(fh.read().split()[1]) * page_kb
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return total


def run_phase(name: str, file: Path, out: Path | None) -> dict:
    """Run one phase as the user would (a separate process, output to /dev/null); wall time
    and the peak resident memory of the process and its checker workers together."""
    if name == "read":
        cmd = [sys.executable, "-c", _READ, str(file)]
    elif name == "drafts":
        cmd = [sys.executable, "-c", _SERVER, "import-list", str(file), "--as-drafts", "--brief",
               "--instance", str(out)]
    else:
        args = [str(file), "--dry-run"] if name == "dry" else [str(file), "--out", str(out)]
        cmd = [sys.executable, "-c", _IMPORT, *args]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE if name == "read" else subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env, text=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kb(proc.pid))
        time.sleep(0.2)
    seconds = time.perf_counter() - t0
    stdout, stderr = proc.communicate()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the phase and its workers, once reaped
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"{name} failed ({proc.returncode}): {stderr[-2000:]}")
    if name == "read":
        cells, own_kb = (int(x) for x in stdout.split())
        return {"seconds": seconds, "cpu": cpu, "peak_mb": max(peak, own_kb) / 1024, "cells": cells}
    return {"seconds": seconds, "cpu": cpu, "peak_mb": peak / 1024, "summary": stderr.strip().splitlines()[0]}


def _count_drafts(instance: Path) -> int:
    """Editor guides in the draft state in the instance database (SQLite by default)."""
    from guide_server.cli.base import _database_url
    from guide_server.db import Database
    from guide_server.editor.service import EditorService

    return len(EditorService(Database(_database_url(str(instance))), instance.resolve()).list(status="draft"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--materials", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "清单.xlsx"
        t0 = time.perf_counter()
        make_file(file, args.items, args.materials)
        print(f"generated {args.items:,} items × {args.materials} materials: {file.stat().st_size / 1e6:.1f} MB "
              f"xlsx in {time.perf_counter() - t0:.1f} s (not measured)")
        read = run_phase("read", file, None)
        dry = run_phase("dry", file, None)
        write = run_phase("write", file, Path(tmp) / "content")
        files = len(list((Path(tmp) / "content" / "guides").glob("*.yaml")))
        instance = Path(tmp) / "instance"
        subprocess.run([sys.executable, "-c", _SERVER, "release", "--content", str(ROOT / "content"),
                        "--instance", str(instance)], check=True, capture_output=True,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)))
        drafts = run_phase("drafts", file, instance)
        drafts_made = _count_drafts(instance)
    print(f"bare calamine read : {read['seconds']:6.2f} s (CPU {read['cpu']:5.1f} s)  peak {read['peak_mb']:5.0f} MB"
          f"  ({read['cells']:,} cells)")
    for label, r in (("dry run", dry), ("write (--out)", write), ("drafts (--as-drafts)", drafts)):
        print(f"{label:<19}: {r['seconds']:6.2f} s (CPU {r['cpu']:5.1f} s)  peak {r['peak_mb']:5.0f} MB  = "
              f"{r['seconds'] / read['seconds']:4.1f}× the bare read's time ({r['cpu'] / read['cpu']:4.1f}× its CPU), "
              f"{r['peak_mb'] / read['peak_mb']:3.1f}× its memory")
    print(f"  {dry['summary']}")
    print(f"wrote {files:,} guide files and {drafts_made:,} editor drafts. targets: ≤ 60 s and ≤ 1,024 MB per phase "
          f"(peak = the import process and its checker workers together); load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
