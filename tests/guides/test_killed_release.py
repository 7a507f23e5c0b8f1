"""`guide-server release` killed with SIGKILL while it checks files in its process pool (an
operator's kill -9, the OOM killer): the store stays as it was, and no worker of the killed
release is left running (found: the spawned pool workers and their resource tracker outlive it
for good, one set per killed release; a worker now exits when its parent is gone)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench.generate_guides import generate
from guides.loader import PARALLEL_FROM

ROOT = Path(__file__).resolve().parents[2]


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-eo", "pid,ppid"], capture_output=True, text=True).stdout.split("\n")[1:]
    return [int(a) for a, b in (line.split() for line in out if line.strip()) if int(b) == pid]


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_a_killed_release_leaves_no_pool_worker_running(tmp_path):
    content = generate(tmp_path / "content", PARALLEL_FROM * 4)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "guide_server.cli", "release", "--content", str(content),
                             "--instance", str(tmp_path / "instance")], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    for _ in range(600):  # wait until the pool is up (each step 0.05 s; not a timing assert)
        workers = _children(proc.pid)
        if len(workers) >= 2 or proc.poll() is not None:
            break
        time.sleep(0.05)
    assert proc.poll() is None and workers, "the release finished before its pool was seen"
    workers += [c for w in workers for c in _children(w)]
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    for _ in range(200):  # give orphans time to notice (10 s in all)
        if not any(_alive(w) for w in workers):
            break
        time.sleep(0.05)
    left = [w for w in workers if _alive(w)]
    for w in left:  # clean up what this test started
        os.kill(w, signal.SIGKILL)
    assert not left, f"{len(left)} processes of the killed release still running"
    assert not (tmp_path / "instance" / "releases" / "CURRENT").exists()
