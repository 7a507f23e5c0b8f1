"""An ESC/POS printer on 127.0.0.1 TCP (port 9100 style).

It decodes what it receives, answers DLE EOT n from a configured state (paper
near end, out, cover open, errors) or stays silent, and draws every receipt
(cut to cut, or to the end of a connection) as a PNG preview.

    sim = PrinterSimulator(profile="80mm", preview_dir=tmp, font_path=FONT_PATH)
    url = sim.listen()        # "tcp://127.0.0.1:41234"
    sim.start()
    sim.set_state(paper="near_end"); sim.silent = True
"""
from __future__ import annotations

import socket
import threading
from dataclasses import replace
from pathlib import Path
from typing import Callable

from hardware.loopback import loopback_listener
from hardware.printer import escpos_decode as ed
from hardware.printer.preview import render_ops
from hardware.printer.profile import PrinterProfile, get_profile
from hardware.printer.status import SimulatedState
from hardware.readiness import readable

_INK = (ed.Line, ed.RasterImage, ed.QRCode, ed.BarcodeOp)


class PrinterSimulator:
    def __init__(self, *, profile: "str | PrinterProfile" = "80mm", state: SimulatedState | None = None,
                 silent: bool = False, preview_dir=None, font_path=None,
                 on_receipt: Callable[[int, Path | None], None] | None = None) -> None:
        self.profile = get_profile(profile)
        self.state = state or SimulatedState()
        self.silent = silent
        self.preview_dir = Path(preview_dir) if preview_dir else None
        if self.preview_dir and font_path is None:
            raise ValueError("a preview needs font_path")
        self.font_path = font_path
        self.on_receipt = on_receipt
        self.received = bytearray()
        self.receipts: list[list] = []          # decoded ops of each finished receipt
        self.previews: list[Path] = []
        self.status_requests: list[int] = []
        self._lock = threading.Lock()
        self._done = threading.Condition(self._lock)
        self._stop = threading.Event()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._conns: list[threading.Thread] = []
        self.url: str | None = None

    def set_state(self, **changes) -> None:
        self.state = replace(self.state, **changes)

    def listen(self, port: int = 0, host: str = "127.0.0.1") -> str:
        srv = loopback_listener(port, host, 8, "printer")
        self._listener = srv
        self.url = f"tcp://127.0.0.1:{srv.getsockname()[1]}"
        return self.url

    def start(self) -> "PrinterSimulator":
        if self._listener is None:
            self.listen()
        self._thread = threading.Thread(target=self.serve_forever, name="printer-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        for t in self._conns:
            t.join(timeout=5)
        if self._listener is not None:
            self._listener.close()

    def __enter__(self) -> "PrinterSimulator":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def serve_forever(self) -> None:
        while not self._stop.is_set():
            if not readable(self._listener, 0.1):
                continue
            conn, _ = self._listener.accept()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            t = threading.Thread(target=self._serve_conn, args=(conn,), daemon=True)
            self._conns = [c for c in self._conns if c.is_alive()] + [t]
            t.start()

    def wait_for_receipts(self, count: int, timeout: float = 10.0) -> bool:
        with self._done:
            return self._done.wait_for(lambda: len(self.receipts) >= count, timeout)

    def _serve_conn(self, conn: socket.socket) -> None:
        decoder = ed.EscposDecoder(self.profile.charset)
        page: list = []
        try:
            while not self._stop.is_set():
                if not readable(conn, 0.1):
                    continue
                try:
                    data = conn.recv(65536)
                except OSError:
                    break
                if not data:
                    break
                with self._lock:
                    self.received += data
                for op in decoder.feed(data):
                    if isinstance(op, ed.StatusRequest):
                        self.status_requests.append(op.n)
                        if not self.silent:
                            conn.sendall(bytes([self.state.answer(op.n)]))
                        continue
                    page.append(op)
                    if isinstance(op, ed.CutOp):
                        self._finish(page)
                        page = []
            page.extend(decoder.flush())
            if any(isinstance(op, _INK) for op in page):
                self._finish(page)
        finally:
            conn.close()

    def _finish(self, ops: list) -> None:
        path = None
        if self.preview_dir is not None:
            image = render_ops(ops, dots=self.profile.dots, cell=self.profile.cell_width, font_path=self.font_path)
            self.preview_dir.mkdir(parents=True, exist_ok=True)
            with self._lock:
                path = self.preview_dir / f"receipt-{len(self.previews) + 1:04d}.png"
                self.previews.append(path)
            image.save(path)
        with self._done:
            self.receipts.append(ops)
            index = len(self.receipts)
            self._done.notify_all()
        if self.on_receipt is not None:
            self.on_receipt(index, path)
