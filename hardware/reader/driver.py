"""GA/T 467 driver: commands and replies over any pyserial port object.

The port comes from ``serial.serial_for_url`` (a tty, a pty, ``socket://``,
``loop://``), so tests and simulators exercise exactly this code.
"""
from __future__ import annotations

import logging
import time

import serial

try:
    import termios
    _PORT_ERRORS: tuple[type[BaseException], ...] = (serial.SerialException, OSError, termios.error)
except ImportError:  # not POSIX
    _PORT_ERRORS = (serial.SerialException, OSError)

from hardware import exceptions as exc
from hardware.device_url import DeviceUrl
from hardware.reader import frames, status as sw
from hardware.reader.frames import BadChecksum, Command, Frame, FrameDecoder, Reply

log = logging.getLogger(__name__)

DEFAULT_BAUD = 115200
FIND_TIMEOUT = 1.0
SELECT_TIMEOUT = 1.0
READ_TIMEOUT = 3.0
CONTROL_TIMEOUT = 1.0


def format_sam_id(data: bytes) -> str:
    """The SAM's 16-byte ID as printed by vendor tools: 05.01-20101111-0012345678-1234567890."""
    if len(data) < 16:
        raise exc.FrameError("安全模块编号长度错误", f"SAM ID reply has {len(data)} bytes, expected 16")
    a = int.from_bytes(data[0:2], "little")
    b = int.from_bytes(data[2:4], "little")
    c = int.from_bytes(data[4:8], "little")
    d = int.from_bytes(data[8:12], "little")
    e = int.from_bytes(data[12:16], "little")
    return f"{a:02d}.{b:02d}-{c:08d}-{d:010d}-{e:010d}"


class Ga467Driver:
    """Talks GA/T 467 to one reader over an open pyserial port."""

    def __init__(self, port, *, name: str = "", retries: int = 1) -> None:
        self._port = port
        self.name = name or getattr(port, "portstr", "") or "reader"
        self.retries = retries
        self.find_timeout = FIND_TIMEOUT
        self.select_timeout = SELECT_TIMEOUT
        self.read_timeout = READ_TIMEOUT
        self.control_timeout = CONTROL_TIMEOUT
        self.bytes_sent = 0
        self.bytes_received = 0

    # -- opening ---------------------------------------------------------
    @classmethod
    def open_serial(cls, url: DeviceUrl) -> "Ga467Driver":
        url.check_params({"baud"})
        if not url.path or url.host:
            raise exc.DeviceUrlError(
                f"读卡器地址 {url.url} 应写成 ga467:///dev/ttyUSB0?baud=115200",
                f"reader URL {url.url} must look like ga467:///dev/ttyUSB0?baud=115200",
            )
        baud = url.param_int("baud", DEFAULT_BAUD)
        return cls(_open_port(url, url.path, baud), name=url.url)

    @classmethod
    def open_socket(cls, url: DeviceUrl) -> "Ga467Driver":
        url.check_params(set())
        if not url.host or not url.port:
            raise exc.DeviceUrlError(
                f"读卡器地址 {url.url} 应写成 ga467+socket://主机:端口",
                f"reader URL {url.url} must look like ga467+socket://host:port",
            )
        return cls(_open_port(url, f"socket://{url.host}:{url.port}", None), name=url.url)

    def close(self) -> None:
        try:
            self._port.close()
        except Exception:  # closing a vanished device must not mask the first error
            log.debug("closing %s failed", self.name, exc_info=True)

    # -- one exchange ----------------------------------------------------
    def transact(self, cmd: int, para: int, data: bytes = b"", timeout: float | None = None) -> Reply:
        """Send one command and return its reply, with SW3 not yet interpreted."""
        timeout = self.control_timeout if timeout is None else timeout
        frame = Command(cmd, para, data).encode()
        attempt = 0
        while True:
            try:
                self._discard_input()
                self._write(frame)
                return self._read_reply(time.monotonic() + timeout)
            except exc.FrameError:
                attempt += 1
                if attempt > self.retries:
                    raise
                log.info("%s: damaged reply to %02X %02X, retrying", self.name, cmd, para)

    def _discard_input(self) -> None:
        try:
            if getattr(self._port, "in_waiting", 0):
                self._port.reset_input_buffer()
        except _PORT_ERRORS as e:
            raise exc.ReaderDisconnected(f"读卡器 {self.name} 连接已断开", f"{self.name}: {e}") from None

    def _write(self, frame: bytes) -> None:
        try:
            self._port.write(frame)
            self._port.flush()
        except _PORT_ERRORS as e:
            raise exc.ReaderDisconnected(f"读卡器 {self.name} 连接已断开", f"{self.name}: {e}") from None
        self.bytes_sent += len(frame)

    def _read_reply(self, deadline: float) -> Reply:
        decoder = FrameDecoder(min_len=frames.MIN_REPLY_LEN)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if decoder.pending():
                    raise exc.ReaderTimeout(
                        f"读卡器 {self.name} 应答不完整（超时）",
                        f"{self.name}: incomplete reply before timeout",
                    )
                raise exc.ReaderTimeout(f"读卡器 {self.name} 没有应答", f"{self.name}: no reply before timeout")
            try:
                self._port.timeout = remaining
                chunk = self._port.read(decoder.needed())
            except _PORT_ERRORS as e:
                raise exc.ReaderDisconnected(f"读卡器 {self.name} 连接已断开", f"{self.name}: {e}") from None
            if not chunk:
                continue
            self.bytes_received += len(chunk)
            bad = None
            for event in decoder.feed(chunk):
                if isinstance(event, Frame):
                    return Reply.from_payload(event.payload)
                if isinstance(event, BadChecksum):
                    bad = event
            if bad is not None:
                raise exc.FrameError(
                    f"读卡器 {self.name} 应答校验和错误",
                    f"{self.name}: reply checksum 0x{bad.got:02X}, expected 0x{bad.expected:02X}",
                )

    # -- commands --------------------------------------------------------
    def reset(self) -> sw.Status:
        return sw.raise_for(self.transact(*frames.RESET).sw3)

    def sam_status(self) -> sw.Status:
        return sw.raise_for(self.transact(*frames.SAM_STATUS).sw3)

    def sam_id(self) -> str:
        reply = self.transact(*frames.SAM_ID)
        sw.raise_for(reply.sw3)
        return format_sam_id(reply.data)

    def find_card(self) -> bool:
        """True when a card is in the field (0x9F), False when there is none (0x80)."""
        reply = self.transact(*frames.FIND_CARD, timeout=self.find_timeout)
        if reply.sw3 == 0x80:
            return False
        sw.raise_for(reply.sw3)
        return True

    def select_card(self) -> bytes:
        """Select the card found; returns its 8-byte serial (used only to spot the same card)."""
        reply = self.transact(*frames.SELECT_CARD, timeout=self.select_timeout)
        sw.raise_for(reply.sw3)
        return reply.data

    def read_text(self) -> bytes:
        """Read text + photo and return only the 256-byte text block.

        The 1,024-byte photo has to cross the wire (the checksum covers it)
        but is never decoded, kept or passed on.
        """
        reply = self.transact(*frames.READ_TEXT_PHOTO, timeout=self.read_timeout)
        sw.raise_for(reply.sw3)
        data = reply.data
        if len(data) < 4:
            raise exc.FrameError("读卡器应答长度错误", f"{self.name}: read reply without length fields")
        text_len = int.from_bytes(data[0:2], "big")
        photo_len = int.from_bytes(data[2:4], "big")
        if text_len != frames.TEXT_LEN or len(data) < 4 + text_len + photo_len:
            raise exc.FrameError(
                "读卡器应答长度错误",
                f"{self.name}: read reply announces text {text_len} / photo {photo_len} bytes, has {len(data) - 4}",
            )
        text = data[4:4 + text_len]
        del data, reply  # the photo goes with them
        return text


def _open_port(url: DeviceUrl, target: str, baud: int | None):
    kwargs = {"timeout": CONTROL_TIMEOUT, "write_timeout": 2.0}
    if baud is not None:
        kwargs["baudrate"] = baud
    try:
        port = serial.serial_for_url(target, **kwargs)
    except (serial.SerialException, OSError, ValueError) as e:
        raise exc.DeviceNotFound(
            f"无法打开读卡器 {url.url}:请检查连接线和设备地址",
            f"cannot open card reader {url.url}: {e}",
        ) from None
    return port
