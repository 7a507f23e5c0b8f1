"""GA/T 467 frames between a host and a resident ID card reader's SAM.

Command:  AA AA AA 96 69 | LEN (2, big-endian) | CMD PARA [DATA] | CHK
Reply:    AA AA AA 96 69 | LEN (2, big-endian) | SW1 SW2 SW3 [DATA] | CHK

LEN counts every byte after itself, CHK included.  CHK is the XOR of the LEN
bytes and everything up to (not including) CHK.
"""
from __future__ import annotations

from dataclasses import dataclass

PREAMBLE = b"\xAA\xAA\xAA\x96\x69"
HEADER_LEN = len(PREAMBLE) + 2
# The largest frame in the protocol is a text+photo+fingerprint reply (~2.3 KB).
MAX_LEN = 4096
MIN_COMMAND_LEN = 3  # CMD PARA CHK
MIN_REPLY_LEN = 4    # SW1 SW2 SW3 CHK

# Commands (CMD, PARA)
RESET = (0x10, 0xFF)
SAM_STATUS = (0x11, 0xFF)
SAM_ID = (0x12, 0xFF)
FIND_CARD = (0x20, 0x01)
SELECT_CARD = (0x20, 0x02)
READ_TEXT_PHOTO = (0x30, 0x01)

TEXT_LEN = 256
PHOTO_LEN = 1024


def checksum(data: bytes) -> int:
    chk = 0
    for b in data:
        chk ^= b
    return chk


def _frame(body: bytes) -> bytes:
    length = len(body) + 1
    if length > MAX_LEN:
        raise ValueError(f"frame body too long: {len(body)} bytes")
    head = length.to_bytes(2, "big")
    return PREAMBLE + head + body + bytes([checksum(head + body)])


@dataclass(frozen=True)
class Command:
    cmd: int
    para: int
    data: bytes = b""

    def encode(self) -> bytes:
        return _frame(bytes([self.cmd, self.para]) + self.data)

    @classmethod
    def from_payload(cls, payload: bytes) -> "Command":
        if len(payload) < 2:
            raise ValueError("command payload shorter than CMD PARA")
        return cls(payload[0], payload[1], bytes(payload[2:]))


@dataclass(frozen=True)
class Reply:
    sw1: int
    sw2: int
    sw3: int
    data: bytes = b""

    def encode(self) -> bytes:
        return _frame(bytes([self.sw1, self.sw2, self.sw3]) + self.data)

    @classmethod
    def from_payload(cls, payload: bytes) -> "Reply":
        if len(payload) < 3:
            raise ValueError("reply payload shorter than SW1 SW2 SW3")
        return cls(payload[0], payload[1], payload[2], bytes(payload[3:]))


@dataclass(frozen=True)
class Frame:
    """A frame with a good checksum: ``payload`` is everything between LEN and CHK."""

    payload: bytes


@dataclass(frozen=True)
class BadChecksum:
    """A complete frame whose checksum did not match (its bytes were skipped)."""

    expected: int
    got: int


class FrameDecoder:
    """Incremental frame finder for a byte stream.

    Feed it whatever arrived (any split, garbage included); it returns the
    events completed so far: :class:`Frame` for every good frame and
    :class:`BadChecksum` for a damaged one.  Bytes before a preamble, impossible
    lengths and damaged frames are skipped so that the stream resynchronises on
    the next preamble.
    """

    def __init__(self, min_len: int = MIN_REPLY_LEN, max_len: int = MAX_LEN) -> None:
        self._buf = bytearray()
        self.min_len = min_len
        self.max_len = max_len
        self.skipped = 0  # bytes discarded as garbage, for diagnostics

    def pending(self) -> int:
        return len(self._buf)

    def needed(self) -> int:
        """A lower bound of bytes still needed to complete the frame being read (>= 1)."""
        buf = self._buf
        if len(buf) >= HEADER_LEN and buf[:5] == PREAMBLE:
            length = int.from_bytes(buf[5:7], "big")
            if self.min_len <= length <= self.max_len:
                return max(1, HEADER_LEN + length - len(buf))
        return max(1, HEADER_LEN - len(buf))

    def clear(self) -> None:
        self._buf.clear()

    def feed(self, data: bytes) -> list[Frame | BadChecksum]:
        self._buf += data
        events: list[Frame | BadChecksum] = []
        buf = self._buf
        while True:
            start = buf.find(PREAMBLE)
            if start < 0:
                # keep a possible partial preamble at the end
                keep = 0
                for k in range(min(len(PREAMBLE) - 1, len(buf)), 0, -1):
                    if buf.endswith(PREAMBLE[:k]):
                        keep = k
                        break
                self.skipped += len(buf) - keep
                del buf[: len(buf) - keep]
                return events
            if start:
                self.skipped += start
                del buf[:start]
            if len(buf) < HEADER_LEN:
                return events
            length = int.from_bytes(buf[5:7], "big")
            if not self.min_len <= length <= self.max_len:
                self.skipped += 1
                del buf[:1]
                continue
            end = HEADER_LEN + length
            if len(buf) < end:
                return events
            expected = checksum(buf[5:end - 1])
            got = buf[end - 1]
            if expected != got:
                events.append(BadChecksum(expected, got))
                # resync just past this preamble: a real frame may hide inside
                self.skipped += 1
                del buf[:1]
                continue
            events.append(Frame(bytes(buf[HEADER_LEN:end - 1])))
            del buf[:end]
