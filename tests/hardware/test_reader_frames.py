"""GA/T 467 frames: published vectors byte for byte, round trips, and a decoder that survives line noise."""
from hypothesis import given, settings, strategies as st

from hardware.reader import frames
from hardware.reader.card import encode_text_block
from hardware.reader.frames import BadChecksum, Command, Frame, FrameDecoder, Reply

from tests.hardware.conftest import RESIDENT


def h(text: str) -> bytes:
    return bytes.fromhex(text)


def test_find_card_command_matches_published_vector():
    assert Command(*frames.FIND_CARD).encode() == h("AA AA AA 96 69 00 03 20 01 22")


def test_find_card_reply_matches_published_vector():
    reply = Reply(0x00, 0x00, 0x9F, bytes(4)).encode()
    assert reply == h("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97")
    events = FrameDecoder().feed(reply)
    assert [Reply.from_payload(e.payload) for e in events] == [Reply(0, 0, 0x9F, bytes(4))]


def test_other_commands_encode_as_published():
    assert Command(*frames.SELECT_CARD).encode() == h("AA AA AA 96 69 00 03 20 02 21")
    assert Command(*frames.READ_TEXT_PHOTO).encode() == h("AA AA AA 96 69 00 03 30 01 32")
    assert Command(*frames.RESET).encode() == h("AA AA AA 96 69 00 03 10 FF EC")
    assert Command(*frames.SAM_STATUS).encode() == h("AA AA AA 96 69 00 03 11 FF ED")
    assert Command(*frames.SAM_ID).encode() == h("AA AA AA 96 69 00 03 12 FF EE")


def read_reply() -> bytes:
    text = encode_text_block(RESIDENT)
    photo = bytes(range(256)) * 4
    return Reply(0, 0, 0x90, b"\x01\x00\x04\x00" + text + photo).encode()


def test_read_reply_is_1295_bytes_with_published_header():
    data = read_reply()
    assert len(data) == 1295
    assert data.startswith(h("AA AA AA 96 69 05 08 00 00 90 01 00 04 00"))
    assert data[-1] == frames.checksum(data[5:-1])


def test_a_whole_card_read_is_1359_bytes_on_the_wire():
    exchange = [
        Command(*frames.FIND_CARD).encode(), Reply(0, 0, 0x9F, bytes(4)).encode(),
        Command(*frames.SELECT_CARD).encode(), Reply(0, 0, 0x90, bytes(8)).encode(),
        Command(*frames.READ_TEXT_PHOTO).encode(), read_reply(),
    ]
    assert [len(x) for x in exchange] == [10, 15, 10, 19, 10, 1295]
    assert sum(map(len, exchange)) == 1359


def test_no_card_reply():
    assert Reply(0, 0, 0x80).encode() == h("AA AA AA 96 69 00 04 00 00 80 84")


def feed_in_pieces(decoder: FrameDecoder, data: bytes, cuts: list[int]) -> list:
    events, last = [], 0
    for cut in sorted(set(c % (len(data) + 1) for c in cuts)) + [len(data)]:
        events += decoder.feed(data[last:cut])
        last = cut
    return events


payloads = st.binary(min_size=0, max_size=1300)


@given(sw=st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255)), data=payloads,
       cuts=st.lists(st.integers(0, 2000), max_size=12))
def test_reply_round_trips_through_the_decoder_split_anywhere(sw, data, cuts):
    reply = Reply(*sw, data)
    events = feed_in_pieces(FrameDecoder(), reply.encode(), cuts)
    assert events == [Frame(bytes(sw) + data)]
    assert Reply.from_payload(events[0].payload) == reply


@given(cmd=st.integers(0, 255), para=st.integers(0, 255), data=st.binary(max_size=64),
       cuts=st.lists(st.integers(0, 200), max_size=6))
def test_command_round_trips(cmd, para, data, cuts):
    command = Command(cmd, para, data)
    events = feed_in_pieces(FrameDecoder(min_len=frames.MIN_COMMAND_LEN), command.encode(), cuts)
    assert [Command.from_payload(e.payload) for e in events] == [command]


noise = st.binary(max_size=300).filter(lambda b: frames.PREAMBLE not in b)


@given(garbage=noise, data=st.binary(max_size=300), cuts=st.lists(st.integers(0, 800), max_size=8))
def test_garbage_before_a_frame_is_skipped(garbage, data, cuts):
    frame = Reply(0, 0, 0x90, data).encode()
    events = feed_in_pieces(FrameDecoder(), garbage + frame, cuts)
    assert [e for e in events if isinstance(e, Frame)][-1] == Frame(b"\x00\x00\x90" + data)


@settings(max_examples=300)
@given(stream=st.binary(max_size=600), cuts=st.lists(st.integers(0, 700), max_size=8))
def test_any_bytes_never_crash_and_only_checked_frames_come_out(stream, cuts):
    decoder = FrameDecoder()
    for event in feed_in_pieces(decoder, stream, cuts):
        if isinstance(event, Frame):
            length = len(event.payload) + 1
            assert frames.MIN_REPLY_LEN <= length <= frames.MAX_LEN
    assert decoder.pending() <= len(stream)


def test_a_damaged_frame_is_reported_and_the_next_good_one_still_found():
    good = Reply(0, 0, 0x9F, bytes(4)).encode()
    bad = bytearray(good)
    bad[-1] ^= 0x01
    events = FrameDecoder().feed(b"\x00\xff" + bytes(bad) + good)
    assert isinstance(events[0], BadChecksum)
    assert events[1:] == [Frame(b"\x00\x00\x9f" + bytes(4))]


def test_impossible_length_resynchronises():
    good = Reply(0, 0, 0x90).encode()
    events = FrameDecoder().feed(frames.PREAMBLE + b"\xff\xff" + good)
    assert events == [Frame(b"\x00\x00\x90")]


def test_a_preamble_split_across_reads_is_kept():
    good = Reply(0, 0, 0x90).encode()
    d = FrameDecoder()
    assert d.feed(b"\x13\x37" + good[:3]) == []
    assert d.feed(good[3:]) == [Frame(b"\x00\x00\x90")]
