"""scripts/run (server + demo kiosk) ends on Ctrl-C the way an operator expects: both programs
close (a page being read at that moment is still answered), one Chinese line says so, exit status 0, no traceback, no process of its left running,
the server's port free again.

The script runs from a copy of scripts/ in a temporary folder whose .venv is this test's
virtualenv and whose scripts/setup does nothing (the real one installs packages, which is not
under test here); everything after setup (check, release, serve, join-demo-kiosk, kiosk run)
is the real thing. Ctrl-C is sent as a terminal sends it: SIGINT to the whole process group."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from tests.conftest import FIXTURES, ROOT

KIVY_LOOP = "Start application main loop"  # Kivy's log line once the kiosk's window is up


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.add(child)
            todo.append(child)
    return out


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def serves(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as page:
            return page.status == 200 and b"</html>" in page.read()
    except OSError:
        return False


def phone(port: int, until: threading.Event) -> None:
    """Pages read one after another, as phones do while the operator presses Ctrl-C."""
    while not until.is_set():
        serves(port)


def demo_tree(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "scripts").mkdir(parents=True)
    for name in ("run", "join-demo-kiosk"):
        shutil.copy2(ROOT / "scripts" / name, root / "scripts" / name)
    setup = root / "scripts" / "setup"
    setup.write_text("#!/bin/sh\nexit 0\n")
    setup.chmod(0o755)
    (root / ".venv").symlink_to(Path(sys.executable).parent.parent)
    return root


def test_ctrl_c_stops_server_and_kiosk_says_so_and_exits_0(tmp_path):
    root = demo_tree(tmp_path)
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "DATABASE_URL", "GUIDE_DATABASE")}
    env.update(PYTHONPATH=str(ROOT), GUIDE_CONTENT=str(FIXTURES / "valid"), GUIDE_INSTANCE=str(tmp_path / "instance"),
               PORT=str(port), KIVY_HOME=str(tmp_path / "kivy"), KIVY_LOG_MODE="KIVY")
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with open(out, "wb") as o, open(err, "wb") as e:
        proc = subprocess.Popen([str(root / "scripts" / "run")], cwd=root, env=env, stdout=o, stderr=e,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while KIVY_LOOP not in err.read_text(errors="replace"):
            assert proc.poll() is None, out.read_text() + err.read_text()
            assert time.monotonic() < deadline, "the kiosk did not start: " + out.read_text()
            time.sleep(0.5)
        assert serves(port)
        started = descendants(proc.pid)
        assert len(started) >= 3  # at least the server (master and workers) and the kiosk
        done = threading.Event()
        reader = threading.Thread(target=phone, args=(port, done), daemon=True)
        reader.start()
        time.sleep(0.5)
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in the terminal, while a phone reads pages
        code = proc.wait(timeout=120)
        done.set()
        reader.join(10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    stdout, stderr = out.read_text(), err.read_text(errors="replace")
    assert code == 0, stdout + stderr
    assert "Traceback" not in stderr and "已中止" not in stdout + stderr
    assert [line for line in stdout.splitlines() if "已停止" in line] == [
        "已停止：本脚本启动的手机页面服务器和自助终端程序都已关闭。"]
    assert stdout.rstrip().endswith("都已关闭。")
    left = [pid for pid in started if running(pid)]
    assert left == [], [Path(f"/proc/{p}/cmdline").read_bytes() for p in left]
    assert not serves(port)
