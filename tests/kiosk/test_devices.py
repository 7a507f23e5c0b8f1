"""The device service against both simulators, over the real drivers; no window."""
import queue

import pytest

from guides.loader import load_content
from guides.release import build_release
from kiosk import messages
from kiosk.devices import DeviceService
from kiosk.receipts import checklist_for_release
from kiosk.cli.simulate import DEMO_CARD, start_simulators


@pytest.fixture
def sims(tmp_path):
    s = start_simulators(tmp_path / "receipts", script=[], pace=False)
    yield s
    s.stop()


@pytest.fixture
def service(sims):
    svc = DeviceService(sims.reader_url, sims.printer_url, card_wait_seconds=1.0, poll_interval=0.05)
    yield svc
    svc.close()


def call(fn, *args, **kw):
    """Run a service call and wait for its Outcome (delivered on the worker thread here)."""
    q = queue.Queue()
    fn(*args, q.put, **kw)
    return q.get(timeout=15)


def test_card_read_gives_only_masked_holder(service, sims):
    sims.reader.place(DEMO_CARD)
    out = call(service.read_card)
    assert out.ok
    assert out.value.masked_id == "330382********4210" and out.value.masked_name == "张*"
    assert "330382198001014210" not in repr(out) and "张三" not in repr(out)


def test_no_card_times_out_with_a_plain_message(service):
    out = call(service.read_card)
    assert not out.ok and out.message == messages.NO_CARD


def test_unreachable_reader_is_a_message_not_an_exception():
    svc = DeviceService("ga467+socket://127.0.0.1:9", "tcp://127.0.0.1:9", card_wait_seconds=0.5)
    try:
        out = call(svc.read_card)
        assert not out.ok and out.message == messages.READER_UNAVAILABLE
        assert svc.errors and svc.errors[-1].device == "reader"
        out = call(svc.printer_status)
        assert not out.ok and out.message == messages.PRINTER_UNAVAILABLE
    finally:
        svc.close()


def test_checklist_prints_on_the_simulator(service, sims, fixture_content):
    release = build_release(load_content(fixture_content))
    out = call(service.print_receipt, checklist_for_release(release, "330382-GA-0001"))
    assert out.ok and out.message == messages.PRINTED
    assert sims.printer.wait_for_receipts(1, timeout=10)
    assert "居民身份证换领".encode("gb18030") in bytes(sims.printer.received)


@pytest.mark.parametrize("state", [{"paper": "out"}, {"cover_open": True}, {"offline": True}])
def test_printer_faults_say_scan_the_qr_instead(service, sims, fixture_content, state):
    sims.printer.set_state(**state)
    release = build_release(load_content(fixture_content))
    out = call(service.print_receipt, checklist_for_release(release, "330382-GA-0001"))
    assert not out.ok and out.message == "打印机暂不可用，请扫码带走或联系工作人员"
    assert not sims.printer.receipts
