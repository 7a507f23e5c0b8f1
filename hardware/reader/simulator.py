"""A GA/T 467 card reader that lives on a pty or a 127.0.0.1 TCP port.

It answers the same frames a real reader does, paced at the configured baud
rate (10 bits a byte on the wire), so the real driver is what gets tested.

    sim = ReaderSimulator([card1, card2], baud=115200)
    url = sim.open_pty()            # "ga467:///dev/pts/7?baud=115200"
    sim.start()                     # serves in a thread; or serve_forever()
    sim.place(card); sim.remove(); sim.set_fault("checksum", count=1)

A scripted session (``kiosk simulate reader --cards FILE``) is a JSON list of
steps: a card (the JSON keys of ``kiosk read-card --json``, values unmasked),
optionally wrapped as {"card": {...}, "after_read": 1.5}; {"wait": 2.0} for a
time with no card; {"fault": "checksum", "count": 2} or
{"fault": "silent", "seconds": 3}.  Cards in such a file are made up: real
card data never goes into a file.
"""
from __future__ import annotations

import errno
import json
import os
import socket
import threading
import time
import tty
from dataclasses import dataclass
from pathlib import Path

from hardware.loopback import loopback_listener
from hardware.reader import frames
from hardware.reader.card import IdCard, encode_text_block
from hardware.reader.frames import Command, FrameDecoder, BadChecksum, Reply
from hardware.readiness import readable

FAULTS = ("no_card", "checksum", "silent", "unplug", "select_failed", "read_failed", "sam_failed")
_FAULT_STATUS = {"select_failed": (frames.SELECT_CARD, 0x81), "read_failed": (frames.READ_TEXT_PHOTO, 0x41),
                 "sam_failed": (frames.SAM_STATUS, 0x60)}

SAM_ID_BYTES = (bytes([5, 0, 1, 0]) + (20101111).to_bytes(4, "little") + (12345678).to_bytes(4, "little")
                + (1234567890).to_bytes(4, "little"))


@dataclass
class Step:
    card: IdCard | None = None
    after_read: float = 1.0   # a card leaves this long after it was first read
    wait: float = 0.0         # no card for this long
    fault: str | None = None
    count: int | None = None
    seconds: float | None = None


def load_script(path: str | os.PathLike) -> list[Step]:
    """Read a cards file (JSON) into steps; ValueError with a readable reason."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}:{e.lineno}: 不是有效的 JSON:{e.msg}") from None
    if isinstance(data, dict) and "cards" in data:
        data = data["cards"]
    if not isinstance(data, list):
        raise ValueError(f"{path}: 应为步骤列表(JSON 数组)")
    steps = []
    for i, item in enumerate(data, 1):
        try:
            steps.append(_step(item))
        except (ValueError, TypeError, KeyError) as e:
            raise ValueError(f"{path}: 第 {i} 项无效：{e}") from None
    return steps


def _step(item) -> Step:
    if not isinstance(item, dict):
        raise ValueError("每一项应为 JSON 对象")
    if "wait" in item:
        return Step(wait=float(item["wait"]))
    if "fault" in item:
        if item["fault"] not in FAULTS:
            raise ValueError(f"未知故障 {item['fault']!r},可用：{', '.join(FAULTS)}")
        return Step(fault=item["fault"], count=item.get("count"), seconds=item.get("seconds"))
    if "card" in item:
        card = IdCard.from_dict(item["card"])
        encode_text_block(card)  # fails now rather than when the card is read
        return Step(card=card, after_read=float(item.get("after_read", 1.0)))
    card = IdCard.from_dict(item)
    encode_text_block(card)
    return Step(card=card)


class ReaderSimulator:
    def __init__(self, script: list[Step | IdCard] | None = None, *, baud: int = 115200, pace: bool = True,
                 loop: bool = False, processing_delay: float = 0.0) -> None:
        self.baud = baud
        self.pace = pace
        self.loop = loop
        self.processing_delay = processing_delay
        self._steps = [s if isinstance(s, Step) else Step(card=s) for s in (script or [])]
        self._lock = threading.RLock()
        self._card: IdCard | None = None
        self._card_block: bytes | None = None
        self._selected = False
        self._read_at: float | None = None
        self._fault: str | None = None
        self._fault_count: int | None = None
        self._fault_until: float | None = None
        self._overrides: dict[tuple[int, int], int] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._master: int | None = None
        self._slave: int | None = None
        self._listener: socket.socket | None = None
        self._client: socket.socket | None = None
        self.url: str | None = None
        self.commands: list[tuple[int, int]] = []   # what the host sent, for tests
        self.reads = 0
        self._script_pos = 0
        self._script_wait_until: float | None = None
        self._script_step: Step | None = None  # the scripted step whose card is on the reader

    # -- wires -----------------------------------------------------------
    def open_pty(self) -> str:
        master, slave = os.openpty()
        tty.setraw(slave)
        tty.setraw(master)
        self._master, self._slave = master, slave
        self.url = f"ga467://{os.ttyname(slave)}?baud={self.baud}"
        return self.url

    def listen_tcp(self, port: int = 0, host: str = "127.0.0.1") -> str:
        srv = loopback_listener(port, host, 1, "reader")
        self._listener = srv
        self.url = f"ga467+socket://127.0.0.1:{srv.getsockname()[1]}"
        return self.url

    def start(self) -> "ReaderSimulator":
        if self.url is None:
            self.open_pty()
        self._thread = threading.Thread(target=self.serve_forever, name="reader-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        for fd in (self._master, self._slave):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._master = self._slave = None
        for s in (self._client, self._listener):
            if s is not None:
                s.close()

    def __enter__(self) -> "ReaderSimulator":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- control ---------------------------------------------------------
    def place(self, card: IdCard) -> None:
        with self._lock:
            self._card = card
            self._card_block = encode_text_block(card)
            self._selected = False
            self._read_at = None

    def remove(self) -> None:
        with self._lock:
            self._card = None
            self._card_block = None
            self._selected = False
            self._read_at = None

    @property
    def card_present(self) -> bool:
        return self._card is not None

    def set_fault(self, fault: str | None, count: int | None = None, seconds: float | None = None) -> None:
        """Start a fault (see FAULTS) for ``count`` replies or ``seconds``; None ends it."""
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}")
        with self._lock:
            self._fault = fault
            self._fault_count = count
            self._fault_until = time.monotonic() + seconds if seconds else None

    def override_status(self, command: tuple[int, int], sw3: int | None) -> None:
        """Answer ``command`` with this SW3 (no data) until set back to None."""
        with self._lock:
            if sw3 is None:
                self._overrides.pop(command, None)
            else:
                self._overrides[command] = sw3

    # -- serving ---------------------------------------------------------
    def serve_forever(self) -> None:
        if self._listener is not None:
            self._serve_tcp()
        else:
            if self._master is None:
                self.open_pty()
            self._serve_fd()

    def _serve_tcp(self) -> None:
        while not self._stop.is_set():
            if not readable(self._listener, 0.1):
                self._advance_script()
                continue
            client, _ = self._listener.accept()
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._client = client
            try:
                self._serve_conn(lambda: client.recv(4096) if _readable(client, 0.05) else None,
                                 client.sendall)
            except (OSError, _Unplugged):
                pass
            finally:
                client.close()
                self._client = None

    def _serve_fd(self) -> None:
        master = self._master

        def recv():
            if not _readable(master, 0.05):
                return None
            try:
                return os.read(master, 4096)
            except OSError as e:  # EIO: nobody has the other end open right now
                if e.errno == errno.EIO:
                    time.sleep(0.05)
                    return None
                raise

        def send(data: bytes) -> None:
            view = memoryview(data)
            while view:
                n = os.write(master, view)
                view = view[n:]

        try:
            self._serve_conn(recv, send)
        except _Unplugged:
            pass

    def _serve_conn(self, recv, send) -> None:
        decoder = FrameDecoder(min_len=frames.MIN_COMMAND_LEN)
        first_byte_at = None
        while not self._stop.is_set():
            self._advance_script()
            data = recv()
            if data is None:
                continue
            if data == b"":
                return  # TCP client went away
            now = time.monotonic()
            if first_byte_at is None or decoder.pending() == 0:
                first_byte_at = now
            for event in decoder.feed(data):
                if isinstance(event, BadChecksum):
                    reply, unplug = Reply(0, 0, 0x10).encode(), False
                    cmd_len = 10
                else:
                    command = Command.from_payload(event.payload)
                    cmd_len = len(frames.PREAMBLE) + 2 + len(event.payload) + 1
                    reply, unplug = self._answer(command)
                if reply is None:
                    continue
                # the command itself took this long to arrive on a real wire
                start = first_byte_at + (cmd_len * 10 / self.baud if self.pace else 0) + self.processing_delay
                self._send_paced(send, reply[: len(reply) // 2] if unplug else reply, start)
                first_byte_at = time.monotonic()
                if unplug:
                    self._unplug()
                    raise _Unplugged()

    def _send_paced(self, send, data: bytes, start: float) -> None:
        if not self.pace:
            send(data)
            return
        byte_time = 10.0 / self.baud
        chunk = max(1, int(0.002 / byte_time))  # about 2 ms of line time per write
        start = max(start, time.monotonic())
        for pos in range(0, len(data), chunk):
            part = data[pos:pos + chunk]
            due = start + (pos + len(part)) * byte_time  # a byte is there once fully sent
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            send(part)

    def _unplug(self) -> None:
        if self._client is not None:
            self._client.close()
        elif self._master is not None:
            os.close(self._master)
            os.close(self._slave)
            self._master = self._slave = None

    # -- protocol --------------------------------------------------------
    def _active_fault(self) -> str | None:
        with self._lock:
            if self._fault is None:
                return None
            if self._fault_until is not None and time.monotonic() > self._fault_until:
                self._fault = None
                return None
            return self._fault

    def _consume_fault(self) -> None:
        with self._lock:
            if self._fault_count is not None:
                self._fault_count -= 1
                if self._fault_count <= 0:
                    self._fault = None
                    self._fault_count = None

    def _answer(self, command: Command) -> tuple[bytes | None, bool]:
        key = (command.cmd, command.para)
        self.commands.append(key)
        fault = self._active_fault()
        if fault == "silent":
            self._consume_fault()
            return None, False
        reply = self._reply_for(key, fault)
        data = reply.encode()
        if fault == "checksum":
            self._consume_fault()
            data = data[:-1] + bytes([data[-1] ^ 0xFF])
        elif fault == "unplug":
            self.set_fault(None)  # plugged back in afterwards (TCP only: a closed pty is gone)
            return data, True
        return data, False

    def _reply_for(self, key: tuple[int, int], fault: str | None) -> Reply:
        with self._lock:
            if key in self._overrides:
                return Reply(0, 0, self._overrides[key])
            if fault in _FAULT_STATUS and _FAULT_STATUS[fault][0] == key:
                self._consume_fault()
                return Reply(0, 0, _FAULT_STATUS[fault][1])
            card_here = self._card is not None and fault != "no_card"
            if fault == "no_card":
                self._consume_fault()
            if key == frames.RESET:
                self._selected = False
                return Reply(0, 0, 0x90)
            if key == frames.SAM_STATUS:
                return Reply(0, 0, 0x90)
            if key == frames.SAM_ID:
                return Reply(0, 0, 0x90, SAM_ID_BYTES)
            if key == frames.FIND_CARD:
                return Reply(0, 0, 0x9F, bytes(4)) if card_here else Reply(0, 0, 0x80)
            if key == frames.SELECT_CARD:
                if not card_here:
                    return Reply(0, 0, 0x81)
                self._selected = True
                return Reply(0, 0, 0x90, bytes(8))
            if key == frames.READ_TEXT_PHOTO:
                if not card_here or not self._selected:
                    return Reply(0, 0, 0x41)
                self.reads += 1
                if self._read_at is None:
                    self._read_at = time.monotonic()
                text = self._card_block
                photo = _fake_photo()
                return Reply(0, 0, 0x90, len(text).to_bytes(2, "big") + len(photo).to_bytes(2, "big") + text + photo)
            return Reply(0, 0, 0x21)

    def _advance_script(self) -> None:
        """Move a scripted session on: cards come, get read, leave."""
        if not self._steps:
            return
        now = time.monotonic()
        with self._lock:
            if self._card is not None:
                step = self._script_step
                if step is not None and step.card is self._card and self._read_at is not None \
                        and now - self._read_at >= step.after_read:
                    self.remove()
                    self._script_step = None
                return
            if self._script_wait_until is not None and now < self._script_wait_until:
                return
            self._script_wait_until = None
            if self._script_pos >= len(self._steps):
                if not self.loop:
                    return
                self._script_pos = 0
            step = self._steps[self._script_pos]
            self._script_pos += 1
            if step.card is not None:
                self.place(step.card)
                self._script_step = step
            elif step.fault is not None:
                self.set_fault(step.fault, step.count, step.seconds)
            else:
                self._script_wait_until = now + step.wait


class _Unplugged(Exception):
    pass


def _readable(fd_or_sock, timeout: float) -> bool:
    return readable(fd_or_sock, timeout)


def _fake_photo() -> bytes:
    # Stand-in for the encrypted WLT photo: fixed bytes with no meaning.
    return (b"WL" + bytes(range(256)) * 4)[:frames.PHOTO_LEN]
