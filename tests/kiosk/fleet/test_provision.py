"""Provisioning end to end with the real commands, a running guide server and both hardware
simulators; enrollment codes; `guide-server kiosks list/revoke`; heartbeat and the fleet page."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import subprocess

import pytest
import requests

from guides.release import ReleaseStore
from kiosk.fleet.device_client import DeviceClient
from kiosk.fleet.heartbeat import collect
from tests.kiosk.fleet.conftest import GUIDE_SERVER, KIOSK, env


def run(*args, input: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), capture_output=True, text=True, input=input, timeout=timeout, env=env())


@pytest.fixture
def simulators(tmp_path):
    from kiosk.cli.simulate import start_simulators
    from hardware.reader.simulator import Step

    sims = start_simulators(tmp_path / "receipts", script=[Step(wait=600)], pace=False)
    yield sims
    sims.stop()


def test_provision_end_to_end_with_both_simulators_and_rerun_is_safe(fleet, simulators, tmp_path):
    inst = str(fleet.instance)
    out = run(GUIDE_SERVER, "kiosks", "enroll", "--hall", "乐清市民中心", "--name", "yq-smzx-01", "--instance", inst)
    assert out.returncode == 0, out.stderr
    code = out.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    key_line = run(GUIDE_SERVER, "signing-key", "--instance", inst).stdout.splitlines()[0]

    kiosk_dir = tmp_path / "kiosk"
    config = kiosk_dir / "kiosk.toml"
    args = [KIOSK, "provision", "--server", fleet.url, "--code", code, "--config", str(config),
            "--reader", simulators.reader_url, "--printer", simulators.printer_url]
    first = run(*args)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "[失败]" not in first.stdout and "登记完成" in first.stdout
    for step in ("终端登记", "版本签名公钥", "检测设备", "写入配置", "同步办事指南", "读卡器", "打印机", "测试页", "心跳"):
        assert f"[通过] {step}" in first.stdout
    assert key_line.split("：")[1] in first.stdout  # the same fingerprint as the server shows

    token_file = kiosk_dir / "device-token"
    assert token_file.stat().st_mode & 0o777 == 0o600
    token = token_file.read_text().strip()
    with fleet.db.engine.connect() as c:
        from sqlalchemy import text
        stored = c.execute(text("SELECT token_hash FROM kiosks WHERE name='yq-smzx-01'")).scalar_one()
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    db_bytes = b"".join(p.read_bytes() for p in fleet.instance.glob("*.sqlite3*"))
    assert token.encode() not in db_bytes and token.split(".")[1].encode() not in db_bytes
    toml = config.read_text()
    assert simulators.reader_url in toml and simulators.printer_url in toml
    assert ReleaseStore(kiosk_dir).current().number == fleet.store.current_number()
    assert len(simulators.printer.receipts) == 1  # the test page

    again = run(*args[:-4], "--reader", simulators.reader_url, "--printer", simulators.printer_url, "--no-test-page")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "沿用现有凭证" in again.stdout and "登记码未使用" in again.stdout
    assert token_file.read_text().strip() == token

    listed = json.loads(run(GUIDE_SERVER, "kiosks", "list", "--json", "--instance", inst).stdout)
    mine = next(k for k in listed["kiosks"] if k["name"] == "yq-smzx-01")
    assert mine["state"] == "online" and mine["release"] == listed["current_release"]
    assert mine["printer"]["state"] == "ok" and mine["reader"]["state"] == "ok"

    synced = run(KIOSK, "sync", "--config", str(config))
    assert synced.returncode == 0 and "没有变化" in synced.stdout

    revoked = run(GUIDE_SERVER, "kiosks", "revoke", "yq-smzx-01", "--instance", inst)
    assert revoked.returncode == 0 and "已停用" in revoked.stdout
    locked = run(KIOSK, "sync", "--config", str(config))
    assert locked.returncode == 1 and "被停用" in locked.stdout
    assert "已停用" in run(GUIDE_SERVER, "kiosks", "list", "--instance", inst).stdout


def test_reused_expired_and_wrong_codes_are_refused_clearly(fleet):
    url = fleet.url + "/api/v1/device/enroll"
    code, _ = fleet.service.enroll("测试大厅", "codes-1")
    assert requests.post(url, json={"code": code.lower().replace("-", " ")}, timeout=10).status_code == 200
    reused = requests.post(url, json={"code": code}, timeout=10)
    assert reused.status_code == 403 and "只能用一次" in reused.json()["error"]["message"]
    old, _ = fleet.service.enroll("测试大厅", "codes-2", now=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=25))
    expired = requests.post(url, json={"code": old}, timeout=10)
    assert expired.status_code == 403 and "过期" in expired.json()["error"]["message"]
    wrong = requests.post(url, json={"code": "AAAA-BBBB-CCCC"}, timeout=10)
    assert wrong.status_code == 403 and "不正确" in wrong.json()["error"]["message"]
    busy = run(GUIDE_SERVER, "kiosks", "enroll", "--hall", "测试大厅", "--name", "codes-1",
               "--instance", str(fleet.instance))
    assert busy.returncode != 0 and "已在使用中" in busy.stderr


def test_provision_with_a_bad_code_fails_on_the_checklist(fleet, tmp_path):
    out = run(KIOSK, "provision", "--server", fleet.url, "--code", "AAAA-BBBB-CCCC", "--instance", str(tmp_path / "k"))
    assert out.returncode == 1
    assert "[失败] 终端登记：登记码不正确" in out.stdout
    assert not (tmp_path / "k" / "device-token").exists()


def _login(fleet, name: str, role: str) -> requests.Session:
    password = "correct horse battery 9"
    out = run(GUIDE_SERVER, "users", "add", name, "--role", role, "--instance", str(fleet.instance),
              input=password + "\n")
    assert out.returncode == 0, out.stderr
    s = requests.Session()
    page = s.get(fleet.url + "/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = s.post(fleet.url + "/login", data={"name": name, "password": password, "csrf_token": token},
               headers={"Origin": fleet.url, "Referer": fleet.url + "/login"}, timeout=30)
    assert r.status_code == 200 and "退出" in r.text, r.text[:500]
    return s


def test_heartbeats_feed_the_fleet_page_and_its_alerts(fleet, tmp_path):
    name, token = fleet.kiosk("page-1", hall="告警大厅")
    fleet.publish(1000)  # the kiosk below still reports R1
    client = DeviceClient(fleet.url, token)
    base = collect(tmp_path, 0)
    assert {"release", "app_version", "uptime", "disk_free_mb", "outbox_backlog"} <= set(base)
    for backlog in (3, 8, 20, 41):
        client.heartbeat({**base, "release": 1, "outbox_backlog": backlog,
                          "printer": {"state": "near_end", "text": "纸将用完"},
                          "reader": {"state": "ok", "text": "正常"}})
    status = next(k for k in fleet.service.status(fleet.store.current_number()) if k["name"] == name)
    codes = {a["code"] for a in status["alerts"]}
    assert codes == {"paper_near_end", "release_behind", "backlog_growing"}
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=11)
    status = next(k for k in fleet.service.status(fleet.store.current_number(), now=later) if k["name"] == name)
    assert status["state"] == "offline" and "offline" in {a["code"] for a in status["alerts"]}
    client.heartbeat({**base, "release": fleet.store.current_number(), "outbox_backlog": 0,
                      "printer": {"state": "out", "text": "缺纸"}, "reader": {"state": "ok", "text": "正常"}})

    assert requests.get(fleet.url + "/admin/fleet.json", timeout=10, allow_redirects=False).status_code in (302, 303)
    admin = _login(fleet, "fleetadmin", "admin")
    page = admin.get(fleet.url + "/admin/fleet", timeout=10)
    assert page.status_code == 200
    assert name in page.text and "告警大厅" in page.text and "打印机缺纸" in page.text
    data = admin.get(fleet.url + "/admin/fleet.json", timeout=10).json()
    mine = next(k for k in data["kiosks"] if k["name"] == name)
    assert [a["code"] for a in mine["alerts"]] == ["paper_out"] and mine["state"] == "online"

    editor = _login(fleet, "fleeteditor", "editor")
    assert editor.get(fleet.url + "/admin/fleet", timeout=10).status_code == 403

    form = admin.get(fleet.url + "/admin/fleet", timeout=10).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    made = admin.post(fleet.url + "/admin/fleet/enroll", data={"hall": "告警大厅", "name": "page-2", "csrf_token": csrf},
                      headers={"Origin": fleet.url, "Referer": fleet.url + "/admin/fleet"}, timeout=10)
    assert made.status_code == 200 and "登记码已生成" in made.text
    code = re.search(r"<code>([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})</code>", made.text).group(1)
    assert requests.post(fleet.url + "/api/v1/device/enroll", json={"code": code}, timeout=10).status_code == 200
