"""Provisioning picks the card reader by the udev link or a known USB-serial bridge, proves it
with a GA/T 467 exchange before saying 通过, never takes the board's COM port, and otherwise says
which ports it tried and why each failed.

Field case 09-provision-picks-ttyS0.py is the first test: onboard /dev/ttyS0 and a CH340 at
/dev/ttyUSB0; the product wrote ga467:///dev/ttyS0 and said [通过]."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hardware.discovery import SerialPort
from hardware.reader import frames
from hardware.reader.simulator import ReaderSimulator, Step
from kiosk.config import load_config
from kiosk.fleet.device_search import READER_LINK, find_reader, reader_candidates
from tests.kiosk.fleet.conftest import env

SCRIPT = Path(__file__).with_name("provision_with_ports.py")
CH340 = {"vid": 0x1A86, "pid": 0x7523, "description": "USB Serial"}
FTDI = {"vid": 0x0403, "pid": 0x6001, "description": "FT232R USB UART"}
COM1 = {"device": "/dev/ttyS0", "description": "ttyS0"}


def provision(fleet, tmp_path, ports: list[dict], name: str) -> tuple[subprocess.CompletedProcess, Path]:
    code, _ = fleet.service.enroll("测试大厅", name)
    instance = tmp_path / name
    e = env()
    e["KIOSK_TEST_PORTS"] = json.dumps(ports)
    out = subprocess.run([sys.executable, str(SCRIPT), "provision", "--server", fleet.url, "--code", code,
                          "--instance", str(instance), "--no-test-page"],
                         capture_output=True, text=True, env=e, timeout=120)
    return out, instance


def test_provision_does_not_take_the_onboard_port_for_the_reader(fleet, tmp_path):
    # field case 09: the CH340 (not there to answer here) and COM1
    assert not os.path.exists(READER_LINK)
    out, instance = provision(fleet, tmp_path, [dict(CH340, device="/dev/ttyUSB0"), COM1], "fc09")
    reader = load_config(instance / "kiosk.toml").reader
    assert reader in ("ga467:///dev/ttyUSB0?baud=115200", f"ga467://{READER_LINK}?baud=115200"), reader
    assert "ttyS0" not in reader
    lines = out.stdout.splitlines()
    reader_line = next(line for line in lines if "读卡器" in line and line.startswith("["))
    assert reader_line.startswith("[失败] 读卡器"), out.stdout
    assert "/dev/ttyUSB0（CH340 USB 串口）：无法打开" in reader_line
    assert "/dev/ttyS0（主板自带串口，不会是读卡器）：未尝试" in reader_line
    assert not any(line.startswith("[通过] 读卡器") for line in lines)
    assert out.returncode == 1 and "登记未完成" in out.stdout


@pytest.fixture
def reader_on_a_pty():
    sim = ReaderSimulator([Step(wait=600)], pace=False)
    url = sim.open_pty()
    sim.start()
    yield sim, url.split("://", 1)[1].split("?", 1)[0]
    sim.stop()


def test_the_port_that_answers_ga467_is_the_reader(fleet, tmp_path, reader_on_a_pty):
    sim, pty = reader_on_a_pty
    master, slave = os.openpty()          # a USB-serial port with something else behind it: silent
    silent = os.ttyname(slave)
    try:
        ports = [dict(FTDI, device=silent), dict(CH340, device=pty), COM1]
        out, instance = provision(fleet, tmp_path, ports, "proven")
    finally:
        os.close(master)
        os.close(slave)
    assert load_config(instance / "kiosk.toml").reader == f"ga467://{pty}?baud=115200"
    reader_line = next(line for line in out.stdout.splitlines() if line.startswith("[通过] 读卡器"))
    assert "CH340 USB 串口" in reader_line and "安全模块编号" in reader_line
    assert sim.commands[:2] == [frames.SAM_STATUS, frames.SAM_ID], "proven by a GA/T 467 exchange"
    assert "[失败] 读卡器" not in out.stdout
    # the kiosk's own maintenance PIN: shown once, only its hash kept
    from kiosk.maintenance_pin import check_pin
    pin = re.search(r"\[通过\] 维护密码：本机维护密码为 (\d{8})", out.stdout).group(1)
    cfg = load_config(instance / "kiosk.toml")
    assert pin not in (instance / "kiosk.toml").read_text() and cfg.maintenance_pin == ""
    assert check_pin(pin, pin_hash=cfg.maintenance_pin_hash) and not check_pin("246810", pin_hash=cfg.maintenance_pin_hash)


def ports_of(*specs) -> list[SerialPort]:
    return [SerialPort(s["device"], s.get("description", ""), s.get("vid"), s.get("pid")) for s in specs]


def test_candidates_udev_link_first_then_known_bridges_then_other_usb_never_onboard(tmp_path):
    link = tmp_path / "kiosk-reader"
    link.symlink_to("/dev/null")
    ports = ports_of(COM1, {"device": "/dev/ttyACM0", "vid": 0x2341, "pid": 0x0043},
                     dict(CH340, device="/dev/ttyUSB1"), {"device": "/dev/ttyAMA0"},
                     {"device": "/dev/null", "vid": 0x0403, "pid": 0x6001})
    found, skipped = reader_candidates(str(link), lambda: ports)
    assert [c.device for c in found] == [str(link), "/dev/ttyUSB1", "/dev/ttyACM0"]  # /dev/null is the link
    assert [c.why for c in found] == ["udev 稳定链接", "CH340 USB 串口", "USB 串口 2341:0043"]
    assert dict(skipped) == {"/dev/ttyS0": "主板自带串口，不会是读卡器", "/dev/ttyAMA0": "主板自带串口，不会是读卡器"}


def test_search_reports_every_port_tried_and_why():
    from hardware.exceptions import ReaderTimeout

    answers = {"ga467:///dev/ttyUSB0?baud=115200": ReaderTimeout("读卡器 /dev/ttyUSB0 没有应答", "no reply"),
               "ga467:///dev/ttyUSB1?baud=115200": "05.01-20101111-0012345678-1234567890"}

    def probe(url):
        a = answers[url]
        if isinstance(a, Exception):
            raise a
        return a

    ports = ports_of(dict(FTDI, device="/dev/ttyUSB0"), dict(CH340, device="/dev/ttyUSB1"), COM1)
    search = find_reader("/nonexistent/kiosk-reader", lambda: ports, probe)
    # the known bridges in the order listed; the first that answers is the reader
    assert search.found.device == "/dev/ttyUSB1" and search.sam_id.startswith("05.01")
    assert [(t.candidate.device, t.ok) for t in search.tried] == [("/dev/ttyUSB0", False), ("/dev/ttyUSB1", True)]
    assert "/dev/ttyUSB0（FTDI FT232R USB 串口）：读卡器 /dev/ttyUSB0 没有应答" in search.report()

    nothing = find_reader("/nonexistent/kiosk-reader", lambda: ports_of(COM1), probe)
    assert nothing.found is None and nothing.best_guess is None
    assert nothing.report() == "/dev/ttyS0（主板自带串口，不会是读卡器）：未尝试"


def test_a_rerun_tries_the_configured_reader_first():
    seen = []

    def probe(url):
        seen.append(url)
        return "05.01"

    ports = ports_of(dict(CH340, device="/dev/ttyUSB0"))
    search = find_reader("/nonexistent/kiosk-reader", lambda: ports, probe,
                         configured="ga467+socket://127.0.0.1:7001")
    assert seen == ["ga467+socket://127.0.0.1:7001"] and search.found.why == "kiosk.toml 中的设置"
