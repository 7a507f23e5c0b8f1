"""The printer facade over real transports: the TCP simulator, a pty for serial:// and a file."""
import os
import threading
import tty

import pytest
import zxingcpp
from PIL import Image

from hardware import exceptions as exc
from hardware.printer import PRINTER_DRIVERS, Receipt, open_printer
from hardware.printer import escpos_decode as ed
from hardware.printer.simulator import PrinterSimulator
from hardware.printer.status import SimulatedState


@pytest.fixture
def sim(tmp_path, font_path):
    s = PrinterSimulator(profile="58mm", preview_dir=tmp_path / "preview", font_path=font_path).start()
    yield s
    s.stop()


def sample() -> Receipt:
    return (Receipt().title("取号凭条").text("您的号码:A017（前面还有 3 人）").separator()
            .qr("https://bs.example.gov.cn/q/A017").barcode("A017").cut())


def test_ready_printer_prints_and_the_preview_shows_the_qr(sim, font_path):
    with open_printer(sim.url, "58mm", font_path=font_path) as printer:
        assert printer.status().ready
        sent = printer.print_receipt(sample())
    assert sim.wait_for_receipts(1)
    assert sent == len(sim.received) - 2 * 4 * 3  # status() and print_receipt() each asked DLE EOT 1-4
    lines = [op.text for op in sim.receipts[0] if isinstance(op, ed.Line)]
    assert lines[:2] == ["取号凭条", "您的号码:A017（前面还有 3 人）"]
    image = Image.open(sim.previews[0])
    assert image.width == 384
    assert [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)] == \
        ["https://bs.example.gov.cn/q/A017"]
    codes = [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128)]
    assert codes == ["A017"]


@pytest.mark.parametrize("state,ready,paper", [
    (SimulatedState(paper="near_end"), True, "near_end"),
    (SimulatedState(paper="out"), False, "out"),
    (SimulatedState(cover_open=True), False, "ok"),
    (SimulatedState(cutter_error=True), False, "ok"),
    (SimulatedState(offline=True), False, "ok"),
])
def test_status_over_tcp_for_each_state(sim, state, ready, paper):
    sim.state = state
    with open_printer(sim.url, "58mm") as printer:
        s = printer.status()
    assert (s.answered, s.ready, s.paper) == (True, ready, paper)
    assert sim.status_requests == [1, 2, 3, 4]


def test_a_silent_printer_is_unknown_and_is_asked_only_once(sim):
    sim.silent = True
    with open_printer(sim.url, "58mm") as printer:
        s = printer.status(timeout=0.3)
    assert not s.answered and not s.ready and s.paper == "unknown"
    assert sim.status_requests == [1]


def test_printing_is_refused_when_out_of_paper_and_nothing_is_sent(sim, font_path):
    sim.set_state(paper="out")
    with open_printer(sim.url, "58mm", font_path=font_path) as printer:
        with pytest.raises(exc.PrinterNotReady) as info:
            printer.print_receipt(sample())
    assert "打印纸已用完" in info.value.zh
    assert not sim.wait_for_receipts(1, timeout=0.3)
    assert bytes(sim.received) == b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04"


def test_two_receipts_in_one_connection_make_two_previews(sim, font_path):
    with open_printer(sim.url, "58mm", font_path=font_path) as printer:
        printer.print_receipt(sample(), check_status=False)
        printer.print_receipt(Receipt().text("第二张").cut(), check_status=False)
    assert sim.wait_for_receipts(2)
    assert [p.name for p in sim.previews] == ["receipt-0001.png", "receipt-0002.png"]


def test_serial_printer_over_a_pty(font_path):
    master, slave = os.openpty()
    tty.setraw(slave)
    got = bytearray()
    stop = threading.Event()

    def far_end():
        decoder = ed.EscposDecoder()
        while not stop.is_set():
            import select
            if not select.select([master], [], [], 0.05)[0]:
                continue
            data = os.read(master, 4096)
            got.extend(data)
            for op in decoder.feed(data):
                if isinstance(op, ed.StatusRequest):
                    os.write(master, bytes([SimulatedState(paper="near_end").answer(op.n)]))

    t = threading.Thread(target=far_end, daemon=True)
    t.start()
    try:
        with open_printer(f"serial://{os.ttyname(slave)}?baud=9600", "58mm", font_path=font_path) as printer:
            s = printer.status()
            assert s.ready and s.paper == "near_end"
            printer.print_receipt(Receipt().text("串口打印（测试）").cut(), check_status=False)
        for _ in range(100):
            if b"\x1dV" in got:
                break
            stop.wait(0.02)
        assert "串口打印（测试）" in ed.text_lines(bytes(got))
    finally:
        stop.set()
        t.join()
        os.close(master)
        os.close(slave)


def test_file_printer_writes_bytes_and_cannot_report_status(tmp_path):
    target = tmp_path / "lp0"
    target.write_bytes(b"")
    with open_printer(f"file://{target}", "80mm") as printer:
        s = printer.status(timeout=0.5)
        printer.print_receipt(Receipt().text("文件打印").cut(), check_status=False)
    assert not s.answered and not s.ready
    assert ed.text_lines(target.read_bytes()) == ["文件打印"]


def test_driver_table_and_loud_failures(monkeypatch):
    assert set(PRINTER_DRIVERS) == {"usb", "serial", "tcp", "file"}
    with pytest.raises(exc.DeviceUrlError) as info:
        open_printer("sim://printer")
    assert "tcp://" in info.value.zh
    from escpos.printer import Usb
    monkeypatch.setattr(Usb, "is_usable", staticmethod(lambda: False))
    with pytest.raises(exc.DriverUnavailable) as info:
        open_printer("usb://0416:5011")
    assert "pyusb" in info.value.zh
    with pytest.raises(exc.DeviceNotFound):
        open_printer("tcp://127.0.0.1:1")
    with pytest.raises(exc.DeviceUrlError):
        open_printer("tcp://127.0.0.1:9100?speed=1")
    with pytest.raises(exc.DeviceNotFound):
        open_printer("serial:///dev/does-not-exist?baud=9600")


def test_simulator_refuses_to_listen_beyond_loopback():
    with pytest.raises(ValueError):
        PrinterSimulator().listen(host="0.0.0.0")
