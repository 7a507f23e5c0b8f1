"""scripts/run's kiosk joins its own server (scripts/join-demo-kiosk): enrolled, provisioned with
simulated devices, synced, so it shows no 离线 badge beside its running server."""
import os
import subprocess
import sys

from guides.release import ReleaseStore
from kiosk.content import load_kiosk_content
from tests.conftest import ROOT
from tests.kiosk.fleet.conftest import env

SCRIPT = ROOT / "scripts" / "join-demo-kiosk"


def join(fleet, kiosk_dir):
    e = env()
    e["PYTHON"] = sys.executable
    return subprocess.run([str(SCRIPT), fleet.url, str(fleet.instance), str(kiosk_dir)], capture_output=True,
                          text=True, env=e, timeout=180, cwd=ROOT)


def test_the_demo_kiosk_joins_the_running_server_and_is_not_offline(fleet, tmp_path):
    kiosk_dir = tmp_path / "kiosk"
    before = load_kiosk_content(None, kiosk_dir)
    assert not before.ok
    first = join(fleet, kiosk_dir)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "[失败]" not in first.stdout and "登记完成" in first.stdout
    content = load_kiosk_content(None, kiosk_dir)
    assert content.ok and content.fresh                     # no 离线 badge
    assert content.release.number == ReleaseStore(fleet.instance).current().number
    assert (kiosk_dir / "device-token").stat().st_mode & 0o777 == 0o600
    token = (kiosk_dir / "device-token").read_text()

    again = join(fleet, kiosk_dir)                           # the next scripts/run: nothing to do
    assert again.returncode == 0 and "演示终端已登记" in again.stdout
    assert (kiosk_dir / "device-token").read_text() == token
    assert os.path.isfile(kiosk_dir / "kiosk.toml")
