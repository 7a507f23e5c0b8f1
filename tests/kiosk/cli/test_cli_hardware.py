"""Technician commands against the simulators: what a technician sees and the exit codes."""
import json
import signal
import subprocess
import sys

import pytest
from click.testing import CliRunner

from guides.fonts import FONT_PATH
from hardware.printer import escpos_decode as ed
from hardware.printer.simulator import PrinterSimulator
from hardware.reader.card import JSON_KEYS
from hardware.reader.simulator import ReaderSimulator
from kiosk.cli import main

from tests.hardware.conftest import ALL_CARDS, FOREIGN_2017, RESIDENT


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def reader_sim():
    sim = ReaderSimulator(pace=False)
    sim.open_pty()
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def printer_sim(tmp_path):
    sim = PrinterSimulator(profile="80mm", preview_dir=tmp_path / "preview", font_path=FONT_PATH).start()
    yield sim
    sim.stop()


def test_read_card_masks_by_default(runner, reader_sim):
    reader_sim.place(RESIDENT)
    result = runner.invoke(main, ["read-card", "--reader", reader_sim.url, "--timeout", "3"])
    assert result.exit_code == 0, result.output
    assert "证件号码：330382********4210" in result.output
    assert "证件类型：居民身份证" in result.output and "姓名：张*丰" in result.output
    assert "330382199001024210" not in result.output and "张三丰" not in result.output


def _giveaways(card) -> list[str]:
    """Strings whose presence next to a masked number would give the number back: the full
    number, the hidden middle of it, the birth date in every spelling, the issuing authority."""
    number = card.id_number
    hidden = number[6:-4]
    birth = card.birth_date.replace("-", "")
    return [number, hidden, card.birth_date, birth, birth[2:], f"{birth[:4]}年", card.issuing_authority or number]


@pytest.mark.parametrize("card", ALL_CARDS, ids=lambda c: c.card_type.value + "-" + c.id_number[-4:])
def test_read_card_output_cannot_rebuild_the_masked_number(runner, reader_sim, card, caplog):
    """kiosk read-card printed the masked ID next to the birth date and issuing authority,
    which together give back the full number. Neither the text, nor --json, nor the log
    carries any of it unless --show-full."""
    import logging

    caplog.set_level(logging.DEBUG)
    outputs = []
    for extra in ([], ["--json"]):
        reader_sim.place(card)
        result = runner.invoke(main, ["read-card", "--reader", reader_sim.url, "--timeout", "3", *extra])
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    data = json.loads(outputs[1])
    assert data["id_number"].startswith(card.id_number[:6]) and data["id_number"].endswith(card.id_number[-4:])
    assert data["birth_date"] == "****-**-**" and data["sex"] == "*"
    seen = "\n".join(outputs) + caplog.text
    for giveaway in _giveaways(card):
        assert giveaway not in seen, giveaway
    assert "出生日期：****-**-**" in outputs[0]
    reader_sim.place(card)
    full = runner.invoke(main, ["read-card", "--reader", reader_sim.url, "--timeout", "3", "--show-full"]).output
    assert card.id_number in full and f"出生日期：{card.birth_date}" in full


def test_what_the_kiosk_keeps_of_a_card_cannot_rebuild_the_number():
    """The screen, the queue ticket receipt and events get a CardHolder: masked name and ID only."""
    import dataclasses

    from kiosk.devices import holder_from_card

    for card in ALL_CARDS:
        holder = holder_from_card(card)
        kept = " ".join(str(v) for v in dataclasses.asdict(holder).values()) + repr(holder)
        assert {f.name for f in dataclasses.fields(holder)} == {"masked_name", "masked_id", "card_label"}
        for giveaway in _giveaways(card):
            assert giveaway not in kept, giveaway


def test_read_card_show_full(runner, reader_sim):
    reader_sim.place(RESIDENT)
    result = runner.invoke(main, ["read-card", "--reader", reader_sim.url, "--show-full"])
    assert result.exit_code == 0
    assert "证件号码：330382199001024210" in result.output and "姓名：张三丰" in result.output


def test_read_card_json_has_every_key_with_nulls(runner, reader_sim):
    reader_sim.place(FOREIGN_2017)
    result = runner.invoke(main, ["read-card", "--reader", reader_sim.url, "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert tuple(data) == JSON_KEYS
    assert data["card_type"] == "foreign_permanent" and data["nation"] is None and data["pass_number"] is None
    assert data["id_number"] == "USA110*****1501" and data["nationality"] == "USA"


def test_read_card_timeout_is_one_line_and_non_zero(runner, reader_sim):
    result = runner.invoke(main, ["read-card", "--reader", reader_sim.url, "--timeout", "0.3", "--json"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip().count("\n") == 0 and "没有读到证件" in result.stderr


def test_read_card_device_fault(runner, reader_sim):
    reader_sim.place(RESIDENT)
    reader_sim.override_status((0x20, 0x01), 0x60)  # the SAM fails its self-test when asked to find
    result = runner.invoke(main, ["read-card", "--reader", reader_sim.url, "--timeout", "1"])
    assert result.exit_code == 3
    assert "安全模块自检失败" in result.stderr


def test_read_card_bad_url(runner):
    result = runner.invoke(main, ["read-card", "--reader", "com1"])
    assert result.exit_code != 0 and "格式不对" in result.stderr


def test_printer_status_ready_and_not(runner, printer_sim):
    result = runner.invoke(main, ["printer-status", "--printer", printer_sim.url])
    assert result.exit_code == 0 and "就绪" in result.output
    printer_sim.set_state(paper="near_end")
    result = runner.invoke(main, ["printer-status", "--printer", printer_sim.url])
    assert result.exit_code == 0 and "即将用完" in result.output
    printer_sim.set_state(paper="out")
    result = runner.invoke(main, ["printer-status", "--printer", printer_sim.url, "--json"])
    assert result.exit_code == 2
    data = json.loads(result.output)
    assert data["ready"] is False and data["paper"] == "out" and data["raw"]["4"] == "0x72"


def test_printer_status_silent_or_absent_is_exit_2(runner, printer_sim):
    printer_sim.silent = True
    result = runner.invoke(main, ["printer-status", "--printer", printer_sim.url])
    assert result.exit_code == 2 and "无应答" in result.output
    result = runner.invoke(main, ["printer-status", "--printer", "tcp://127.0.0.1:1"])
    assert result.exit_code == 2 and "无法连接打印机" in result.output


def test_print_checklist_from_a_content_folder(runner, printer_sim, valid_content):
    result = runner.invoke(main, ["print", "--printer", printer_sim.url, "checklist", "330382-GA-0001",
                                  "--content", str(valid_content)])
    assert result.exit_code == 0, result.output
    assert "一次告知单《居民身份证换领、补领》" in result.output and "版本 未发布" in result.output
    assert printer_sim.wait_for_receipts(1)
    lines = [op.text for op in printer_sim.receipts[0] if isinstance(op, ed.Line)]
    assert "事项编码：330382-GA-0001" in lines
    assert any(line.startswith("版本 未发布 · ") for line in lines)
    qrs = [op.data for op in printer_sim.receipts[0] if isinstance(op, ed.QRCode)]
    assert qrs == ["https://bs.example.gov.cn/g/330382-GA-0001"]


def test_print_checklist_from_the_instance_release(runner, printer_sim, valid_content, tmp_path):
    from guides.loader import load_content
    from guides.release import ReleaseStore
    release, _ = ReleaseStore(tmp_path / "instance").publish(load_content(valid_content))
    result = runner.invoke(main, ["print", "--printer", printer_sim.url, "checklist", "330382-SC-0001",
                                  "--instance", str(tmp_path / "instance")])
    assert result.exit_code == 0, result.output
    assert printer_sim.wait_for_receipts(1)
    lines = [op.text for op in printer_sim.receipts[0] if isinstance(op, ed.Line)]
    assert release.stamp in lines and release.stamp.startswith("版本 R1 · ")


def test_print_unknown_code_and_bad_content(runner, printer_sim, valid_content, tmp_path):
    result = runner.invoke(main, ["print", "--printer", printer_sim.url, "checklist", "330382-XX-9999",
                                  "--content", str(valid_content)])
    assert result.exit_code == 1 and "找不到事项编码 330382-XX-9999" in result.stderr
    (valid_content / "site.yaml").write_text("hall_name: [\n", encoding="utf-8")
    result = runner.invoke(main, ["print", "--printer", printer_sim.url, "checklist", "330382-GA-0001",
                                  "--content", str(valid_content)])
    assert result.exit_code == 1 and "site.yaml" in result.stderr
    assert printer_sim.receipts == []


def test_print_refuses_when_not_ready_unless_forced(runner, printer_sim):
    printer_sim.set_state(cover_open=True)
    result = runner.invoke(main, ["print", "--printer", printer_sim.url, "test"])
    assert result.exit_code == 2 and "机盖未关好" in result.stderr
    result = runner.invoke(main, ["print", "--printer", printer_sim.url, "--force", "test"])
    assert result.exit_code == 0 and "测试页" in result.output
    assert printer_sim.wait_for_receipts(1)


def test_print_to_a_usb_printer_without_pyusb_fails_loudly(runner, monkeypatch):
    from escpos.printer import Usb
    monkeypatch.setattr(Usb, "is_usable", staticmethod(lambda: False))
    result = runner.invoke(main, ["print", "--printer", "usb://0416:5011", "test"])
    assert result.exit_code == 3 and "pyusb" in result.stderr


def test_selftest_passes_with_both_devices(runner, reader_sim, printer_sim, tmp_path):
    result = runner.invoke(main, ["selftest", "--reader", reader_sim.url, "--printer", printer_sim.url,
                                  "--instance", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output.count("[通过]") == 5 and "自检通过" in result.output
    assert printer_sim.wait_for_receipts(1)
    lines = result.output.splitlines()
    assert any(ln.startswith("[通过] 手写识别：Zinnia ") and "handwriting-zh_CN.model 共 6763 字，试写“十”识别正确" in ln
               for ln in lines), result.output
    assert any(ln.startswith("[通过] 语音播报：espeak-ng ") and "语音 cmn-latn-pinyin，音量 80，试读合成" in ln
               for ln in lines), result.output


def test_selftest_lists_a_missing_handwriting_model_and_voice_off_from_the_config(runner, reader_sim,
                                                                                  printer_sim, tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[search]\nhandwriting_model = "{tmp_path / "gone.model"}"\n[voice]\nengine = "none"\n',
                      encoding="utf-8")
    result = runner.invoke(main, ["selftest", "--reader", reader_sim.url, "--printer", printer_sim.url,
                                  "--no-test-page", "--config", str(config)])
    assert result.exit_code == 1
    assert f"[失败] 手写识别：未找到手写识别模型 {tmp_path / 'gone.model'}" in result.output
    assert "[通过] 语音播报：已关闭" in result.output
    assert "自检未通过：1 项失败。" in result.stderr


def test_selftest_with_a_broken_config_says_where(runner, tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text("[voice]\nvolume = 300\n", encoding="utf-8")
    result = runner.invoke(main, ["selftest", "--config", str(config)])
    assert result.exit_code == 2
    assert f"{config}: voice.volume 应为 0 到 100 的整数，不是 300" in result.stderr


def test_selftest_names_the_failing_device(runner, reader_sim, printer_sim):
    printer_sim.set_state(paper="out")
    result = runner.invoke(main, ["selftest", "--reader", reader_sim.url, "--printer", printer_sim.url])
    assert result.exit_code == 1
    assert f"[通过] 读卡器 {reader_sim.url}" in result.output
    assert f"[失败] 打印机 {printer_sim.url} 状态：打印纸已用完" in result.output
    assert printer_sim.receipts == []


def test_hw_list_names_both_kinds_of_port(runner):
    result = runner.invoke(main, ["hw", "list"])
    assert result.exit_code == 0
    assert result.output.startswith("串口") and "USB 打印机" in result.output


def kiosk(*args):
    return subprocess.Popen([sys.executable, "-c", "from kiosk.cli import main; main()", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_simulate_reader_and_printer_as_processes(runner, tmp_path):
    cards = tmp_path / "cards.json"
    cards.write_text(json.dumps([RESIDENT.to_dict(full=True)], ensure_ascii=False), encoding="utf-8")
    reader_proc = kiosk("simulate", "reader", "--cards", str(cards), "--port", "0", "--no-pace")
    printer_proc = kiosk("simulate", "printer", "--port", "0", "--preview-dir", str(tmp_path / "pv"))
    try:
        reader_url = reader_proc.stdout.readline().strip().split("：", 1)[1]
        printer_url = printer_proc.stdout.readline().strip().split("：", 1)[1]
        assert reader_url.startswith("ga467+socket://127.0.0.1:") and printer_url.startswith("tcp://127.0.0.1:")
        result = runner.invoke(main, ["read-card", "--reader", reader_url, "--timeout", "5"])
        assert result.exit_code == 0 and "330382********4210" in result.output
        result = runner.invoke(main, ["print", "--printer", printer_url, "--profile", "58mm", "test"])
        assert result.exit_code == 0
        line = ""
        while "收到第" not in line:
            line = printer_proc.stdout.readline()
        assert (tmp_path / "pv" / "receipt-0001.png").is_file()
    finally:
        outputs = []
        for proc in (reader_proc, printer_proc):
            proc.send_signal(signal.SIGTERM)
            outputs.append(proc.communicate(timeout=10)[0])
    assert "读卡器模拟器已停止，共被读卡 1 次" in outputs[0] and reader_proc.returncode == 0
    assert "打印机模拟器已停止，共收到 1 张小票" in outputs[1] and printer_proc.returncode == 0


def test_printed_time_is_the_halls_clock_from_kiosk_toml(runner, printer_sim, valid_content, tmp_path):
    """A kiosk in a hall whose kiosk.toml says Asia/Urumqi prints Urumqi time on the test page and
    the 一次告知单 (two hours behind Beijing), whatever the machine's own zone."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    cfg = tmp_path / "kiosk.toml"
    cfg.write_text('[hall]\nname = "乌鲁木齐测试大厅"\ntimezone = "Asia/Urumqi"\n', encoding="utf-8")
    for args in (["test"], ["checklist", "330382-GA-0001", "--content", str(valid_content)]):
        before = dt.datetime.now(ZoneInfo("Asia/Urumqi"))
        result = runner.invoke(main, ["print", "--printer", printer_sim.url, "--config", str(cfg), *args])
        after = dt.datetime.now(ZoneInfo("Asia/Urumqi"))
        assert result.exit_code == 0, result.output + result.stderr
        assert printer_sim.wait_for_receipts(1)
        lines = [op.text for op in printer_sim.receipts.pop() if isinstance(op, ed.Line)]
        stamps = {t.strftime("%Y-%m-%d %H:%M") for t in (before, after)}
        assert any(s in line for line in lines for s in stamps), lines
