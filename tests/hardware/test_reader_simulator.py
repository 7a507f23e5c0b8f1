"""The real driver against the reader simulator over a real pty and a real 127.0.0.1 socket."""
import json
import logging

import pytest

from hardware import exceptions as exc
from hardware.reader import DRIVERS, open_reader
from hardware.reader.simulator import ReaderSimulator, Step, load_script

from tests.hardware.conftest import ALL_CARDS, FOREIGN_2023, HKMO_TW, RESIDENT


@pytest.fixture(params=["pty", "tcp"])
def sim(request):
    s = ReaderSimulator(pace=False)
    s.open_pty() if request.param == "pty" else s.listen_tcp()
    s.start()
    yield s
    s.stop()


@pytest.fixture
def reader(sim):
    r = open_reader(sim.url)
    d = r.driver
    d.find_timeout = d.select_timeout = d.read_timeout = d.control_timeout = 0.3
    yield r
    r.close()


def test_urls_name_the_wire(sim):
    assert sim.url.startswith("ga467:///dev/pts/") or sim.url.startswith("ga467+socket://127.0.0.1:")


@pytest.mark.parametrize("card", ALL_CARDS, ids=lambda c: c.card_type.value)
def test_each_card_type_is_read_end_to_end(sim, reader, card):
    sim.place(card)
    assert reader.wait_for_card(timeout=2, interval=0.01) == card


def test_sam_status_and_id(sim, reader):
    assert reader.status().ok
    assert reader.sam_id() == "05.01-20101111-0012345678-1234567890"
    assert reader.reset().ok


def test_the_same_card_is_not_read_again_while_it_stays(sim, reader):
    sim.place(RESIDENT)
    assert reader.poll() == RESIDENT
    assert reader.poll() is None and reader.poll() is None
    assert sim.reads == 1
    sim.remove()
    assert reader.poll() is None and reader.poll() is None
    sim.place(RESIDENT)
    assert reader.poll() == RESIDENT
    assert sim.reads == 2


def test_find_and_select_come_before_every_read(sim, reader):
    sim.place(HKMO_TW)
    reader.wait_for_card(timeout=2, interval=0.01)
    reads = [i for i, c in enumerate(sim.commands) if c == (0x30, 0x01)]
    assert reads and all(sim.commands[i - 2:i] == [(0x20, 0x01), (0x20, 0x02)] for i in reads)


def test_no_card_times_out_with_a_clear_reason(sim, reader):
    with pytest.raises(exc.NoCardTimeout) as info:
        reader.wait_for_card(timeout=0.2, interval=0.02)
    assert "没有放卡" in info.value.zh


def test_no_card_fault_hides_a_present_card(sim, reader):
    sim.place(RESIDENT)
    sim.set_fault("no_card")
    with pytest.raises(exc.NoCardTimeout):
        reader.wait_for_card(timeout=0.2, interval=0.02)
    sim.set_fault(None)
    assert reader.wait_for_card(timeout=2, interval=0.01) == RESIDENT


def test_one_damaged_reply_is_retried(sim, reader):
    sim.place(RESIDENT)
    sim.set_fault("checksum", count=1)
    assert reader.wait_for_card(timeout=2, interval=0.01) == RESIDENT


def test_persistent_checksum_errors_surface_as_frame_errors(sim, reader):
    sim.place(RESIDENT)
    sim.set_fault("checksum")
    with pytest.raises(exc.FrameError) as info:
        reader.read_card()
    assert "校验和" in info.value.zh


def test_a_silent_reader_times_out(sim, reader):
    sim.set_fault("silent")
    with pytest.raises(exc.ReaderTimeout) as info:
        reader.status()
    assert "没有应答" in info.value.zh


def test_a_failed_select_while_the_card_settles_is_retried(sim, reader):
    sim.place(FOREIGN_2023)
    sim.set_fault("select_failed", count=2)
    assert reader.wait_for_card(timeout=2, interval=0.01) == FOREIGN_2023


def test_a_read_failure_that_persists_is_reported_at_the_deadline(sim, reader):
    sim.place(RESIDENT)
    sim.set_fault("read_failed")
    with pytest.raises(exc.CardReadFailed):
        reader.wait_for_card(timeout=0.3, interval=0.02)


def test_sam_failure(sim, reader):
    sim.set_fault("sam_failed")
    with pytest.raises(exc.SamError):
        reader.status()


def test_unplugged_mid_frame(sim, reader):
    sim.place(RESIDENT)
    sim.set_fault("unplug")
    with pytest.raises(exc.ReaderDisconnected) as info:
        reader.read_card()
    assert "断开" in info.value.zh


def test_card_contents_never_reach_the_log(sim, reader, caplog):
    caplog.set_level(logging.DEBUG)
    sim.place(RESIDENT)
    reader.wait_for_card(timeout=2, interval=0.01)
    assert "330382********4210" in caplog.text
    assert "330382199001024210" not in caplog.text and "张三丰" not in caplog.text


def test_scripted_session_from_a_file(tmp_path):
    script = tmp_path / "cards.json"
    script.write_text(json.dumps([
        {"card": RESIDENT.to_dict(full=True), "after_read": 0.0},
        {"wait": 0.0},
        {"fault": "checksum", "count": 1},
        FOREIGN_2023.to_dict(full=True),
    ], ensure_ascii=False), encoding="utf-8")
    steps = load_script(script)
    assert [s.card for s in steps if s.card] == [RESIDENT, FOREIGN_2023]
    with ReaderSimulator(steps, pace=False) as sim, open_reader(sim.url) as reader:
        assert reader.wait_for_card(timeout=3, interval=0.01) == RESIDENT
        assert reader.wait_for_card(timeout=3, interval=0.01) == FOREIGN_2023


@pytest.mark.parametrize("content,needle", [
    ("{", "JSON"), ("[1]", "第 1 项"), ('[{"fault": "fire"}]', "未知故障"),
    ('[{"card_type": "resident", "name": "' + "名" * 16 + '"}]', "第 1 项"),
])
def test_bad_scripts_are_rejected_with_the_place(tmp_path, content, needle):
    script = tmp_path / "cards.json"
    script.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError) as info:
        load_script(script)
    assert needle in str(info.value)


def test_unknown_scheme_fails_loudly_and_names_the_known_ones():
    with pytest.raises(exc.DeviceUrlError) as info:
        open_reader("sim://reader")
    assert "ga467://" in info.value.zh and "ga467+socket://" in info.value.zh
    assert set(DRIVERS) == {"ga467", "ga467+socket"}


def test_missing_device_and_bad_urls(tmp_path):
    with pytest.raises(exc.DeviceNotFound):
        open_reader(f"ga467://{tmp_path}/ttyUSB9?baud=115200")
    with pytest.raises(exc.DeviceUrlError):
        open_reader("ga467:///dev/ttyUSB0?speed=9600")
    with pytest.raises(exc.DeviceUrlError):
        open_reader("ga467:///dev/ttyUSB0?baud=fast")
    with pytest.raises(exc.DeviceUrlError):
        open_reader("ga467+socket://127.0.0.1")
    with pytest.raises(exc.DeviceUrlError):
        open_reader("/dev/ttyUSB0")


def test_a_closed_socket_port_is_device_not_found():
    with pytest.raises(exc.DeviceNotFound):
        open_reader("ga467+socket://127.0.0.1:1")
