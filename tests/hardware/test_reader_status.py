"""Every SW3 status code: the right exception, with Chinese and English text, through the real driver."""
import pytest

from hardware import exceptions as exc
from hardware.reader import CardReader, frames
from hardware.reader.card import encode_text_block
from hardware.reader.driver import Ga467Driver
from hardware.reader.frames import Reply
from hardware.reader.status import STATUSES, lookup

from tests.hardware.conftest import RESIDENT, ok

EXPECTED = {
    0x90: None, 0x9F: None, 0x80: exc.NoCard, 0x81: exc.CardSelectFailed, 0x41: exc.CardReadFailed,
    0x10: exc.CommandRejected, 0x11: exc.CommandRejected, 0x21: exc.CommandRejected,
    0x23: exc.CommandRejected, 0x24: exc.CommandRejected, 0x31: exc.CardAuthenticationFailed,
    0x32: exc.CardAuthenticationFailed, 0x33: exc.CardAuthenticationFailed, 0x40: exc.UnknownCardType,
    0x60: exc.SamError, 0x66: exc.SamError,
}


def test_the_table_holds_exactly_the_listed_codes():
    assert set(STATUSES) == set(EXPECTED)


def card_reply():
    text = encode_text_block(RESIDENT)
    return ok(b"\x01\x00\x04\x00" + text + bytes(1024))


def reader_answering(fake_port_factory, read_sw3):
    def answer(cmd):
        key = (cmd.cmd, cmd.para)
        if key == frames.FIND_CARD:
            return Reply(0, 0, 0x9F, bytes(4)).encode()
        if key == frames.SELECT_CARD:
            return ok(bytes(8))
        if key == frames.READ_TEXT_PHOTO:
            return card_reply() if read_sw3 == 0x90 else Reply(0, 0, read_sw3).encode()
        return Reply(0, 0, read_sw3).encode()
    port = fake_port_factory(answer)
    return CardReader(Ga467Driver(port, name="fake")), port


@pytest.mark.parametrize("code", sorted(c for c, e in EXPECTED.items() if e), ids=lambda c: f"0x{c:02X}")
def test_each_error_code_reaches_the_caller_as_its_exception(code, fake_port_factory):
    reader, _ = reader_answering(fake_port_factory, code)
    status = lookup(code)
    assert status.zh and status.en and status.zh != status.en and not status.ok
    with pytest.raises(EXPECTED[code]) as info:
        reader.read_card()
    err = info.value
    assert err.status.code == code
    assert f"0x{code:02X}" in err.zh and status.zh in err.zh and status.en in err.en


def test_success_codes(fake_port_factory):
    assert lookup(0x90).ok and lookup(0x9F).ok
    assert "成功" in lookup(0x90).zh and "找到" in lookup(0x9F).zh
    reader, _ = reader_answering(fake_port_factory, 0x90)
    assert reader.read_card() == RESIDENT


def test_9f_card_found_is_success_for_find(fake_port_factory):
    reader, _ = reader_answering(fake_port_factory, 0x90)
    assert reader.driver.find_card() is True


def test_unlisted_code_is_still_an_error_with_its_number(fake_port_factory):
    reader, _ = reader_answering(fake_port_factory, 0x77)
    with pytest.raises(exc.ReaderStatusError) as info:
        reader.read_card()
    assert "0x77" in info.value.zh


def test_sam_failure_on_status(fake_port_factory):
    port = fake_port_factory(lambda cmd: Reply(0, 0, 0x60).encode())
    reader = CardReader(Ga467Driver(port, name="fake"))
    with pytest.raises(exc.SamError) as info:
        reader.status()
    assert "安全模块自检失败" in info.value.zh


def test_sam_id_is_formatted(fake_port_factory):
    data = bytes([5, 0, 1, 0]) + (20101111).to_bytes(4, "little") + (12345678).to_bytes(4, "little") \
        + (1234567890).to_bytes(4, "little")
    reader = CardReader(Ga467Driver(fake_port_factory(lambda cmd: ok(data)), name="fake"))
    assert reader.sam_id() == "05.01-20101111-0012345678-1234567890"


def test_a_reply_announcing_wrong_lengths_is_a_frame_error(fake_port_factory):
    def answer(cmd):
        if (cmd.cmd, cmd.para) == frames.READ_TEXT_PHOTO:
            return ok(b"\x01\x00\x04\x00" + bytes(100))
        return Reply(0, 0, 0x9F, bytes(4)).encode() if cmd.cmd == 0x20 and cmd.para == 1 else ok(bytes(8))
    reader = CardReader(Ga467Driver(fake_port_factory(answer), name="fake"))
    with pytest.raises(exc.FrameError):
        reader.read_card()


def test_only_the_text_block_leaves_the_driver(fake_port_factory):
    reader, _ = reader_answering(fake_port_factory, 0x90)
    assert reader.driver.find_card()
    reader.driver.select_card()
    assert reader.driver.read_text() == encode_text_block(RESIDENT)


def test_a_short_frame_times_out_as_incomplete_instead_of_hanging(fake_port_factory):
    whole = Reply(0, 0, 0x90, bytes(8)).encode()
    reader = CardReader(Ga467Driver(fake_port_factory(lambda cmd: b"\x01\x02" + whole[:-5]), name="fake"))
    reader.driver.control_timeout = 0.1
    with pytest.raises(exc.ReaderTimeout) as info:
        reader.reset()
    assert "不完整" in info.value.zh


def test_garbage_and_a_split_reply_still_read(fake_port_factory):
    class Dribble(type(fake_port_factory(lambda c: b""))):
        def read(self, n):  # one byte at a time, as a slow UART would deliver
            return super().read(1)
    port = Dribble(lambda cmd: b"\xaa\xaa\x00\x96" + Reply(0, 0, 0x90).encode())
    assert CardReader(Ga467Driver(port, name="fake")).reset().ok
