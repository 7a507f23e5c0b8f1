"""Which port holds the ID card reader, and which device is the receipt printer, on a fresh
terminal: proven, not guessed.

Reader candidates, in this order:

1. the stable link the project's udev rules make (`/dev/kiosk-reader`,
   scripts/99-kiosk-devices.rules);
2. serial ports on a known USB-serial bridge (hardware.discovery.USB_SERIAL_CHIPS: CH340,
   PL2303, CP210x, FTDI …);
3. other USB serial ports.

The board's own UARTs (/dev/ttyS0 …) are never tried: a PC's COM1 is always there and says
nothing. A candidate is the reader only once it answered a real GA/T 467 exchange (SAM
status, then SAM ID); otherwise `ReaderSearch.tried` says, per port, why not.

Printer candidates: the stable link `/dev/kiosk-printer` (file://), then USB printers
(interface class 7) as usb://VID:PID. The printer is proven by the self-test's status
request (DLE EOT).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable

from hardware.discovery import SerialPort, list_serial_ports, list_usb_printers
from hardware.exceptions import HardwareError

READER_LINK = "/dev/kiosk-reader"
PRINTER_LINK = "/dev/kiosk-printer"
READER_BAUD = 115200


@dataclass(frozen=True)
class Candidate:
    url: str       # ga467:///dev/ttyUSB0?baud=115200
    device: str    # /dev/ttyUSB0
    why: str       # "CH340 USB 串口" (why it may be the reader)


@dataclass(frozen=True)
class Tried:
    candidate: Candidate
    ok: bool
    detail: str    # "安全模块正常，编号 05.01-…" or why it failed (Chinese)


@dataclass
class ReaderSearch:
    found: Candidate | None = None
    sam_id: str = ""
    tried: list[Tried] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)   # (device, why not tried)

    @property
    def best_guess(self) -> Candidate | None:
        """The reader if found, else the likeliest candidate (to write down and fix later)."""
        return self.found or (self.tried[0].candidate if self.tried else None)

    def report(self) -> str:
        """Each port tried and how it went, then the ports left out, in one Chinese line."""
        parts = [f"{t.candidate.device}（{t.candidate.why}）：{t.detail}" for t in self.tried]
        parts += [f"{device}（{why}）：未尝试" for device, why in self.skipped]
        return "；".join(parts) if parts else "本机没有串口"


def reader_candidates(link: str = READER_LINK,
                      ports: Callable[[], list[SerialPort]] = list_serial_ports) -> tuple[list[Candidate], list]:
    """(candidates in the order to try, [(device, why it is not tried)])."""
    out: list[Candidate] = []
    skipped: list[tuple[str, str]] = []
    seen: set[str] = set()
    if os.path.exists(link):
        out.append(Candidate(f"ga467://{link}?baud={READER_BAUD}", link, "udev 稳定链接"))
        seen.add(os.path.realpath(link))
    known, other = [], []
    for p in ports():
        if os.path.realpath(p.device) in seen:
            continue
        if p.onboard:
            skipped.append((p.device, "主板自带串口，不会是读卡器"))
        elif p.chip:
            known.append(Candidate(f"ga467://{p.device}?baud={READER_BAUD}", p.device, f"{p.chip} USB 串口"))
        elif p.vid is not None:
            other.append(Candidate(f"ga467://{p.device}?baud={READER_BAUD}", p.device,
                                   f"USB 串口 {p.usb_id}"))
        else:
            skipped.append((p.device, "不是 USB 串口"))
    return out + known + other, skipped


def probe_reader(url: str) -> str:
    """A GA/T 467 exchange with the reader at `url`: SAM status, then SAM ID. Returns the SAM
    ID; raises hardware.exceptions.HardwareError (with .zh) when it does not answer as a reader
    (a port that does not answer costs the driver's control timeout, 1 s)."""
    from hardware.reader import open_reader
    with open_reader(url) as reader:
        reader.status()
        return reader.sam_id()


def find_reader(link: str = READER_LINK, ports: Callable[[], list[SerialPort]] = list_serial_ports,
                probe: Callable[[str], str] = probe_reader, configured: str | None = None) -> ReaderSearch:
    """Try each candidate until one answers GA/T 467 (see module doc); `configured`, the reader
    a kiosk.toml already names (a re-run), is tried first."""
    candidates, skipped = reader_candidates(link, ports)
    if configured:
        from hardware.device_url import parse_device_url
        try:
            parsed = parse_device_url(configured)
            device = parsed.path or f"{parsed.host}:{parsed.port}"
        except HardwareError:
            device = configured
        candidates = [Candidate(configured, device, "kiosk.toml 中的设置")] + [
            c for c in candidates if c.url != configured]
    search = ReaderSearch(skipped=skipped)
    for c in candidates:
        try:
            sam = probe(c.url)
        except HardwareError as e:   # no answer, garbage, a SAM fault: each is reported
            search.tried.append(Tried(c, False, e.zh))
            continue
        except OSError as e:         # the port vanished or is not ours to open
            search.tried.append(Tried(c, False, f"无法打开：{e.strerror or e}"))
            continue
        search.tried.append(Tried(c, True, f"读卡器应答正常，安全模块编号 {sam}"))
        search.found, search.sam_id = c, sam
        break
    return search


def printer_candidates(link: str = PRINTER_LINK) -> list[tuple[str, str]]:
    """(printer URL, what it is) in the order to prefer: the udev link, then USB printers."""
    out = []
    if os.path.exists(link):
        out.append((f"file://{link}", "udev 稳定链接"))
    for u in list_usb_printers():
        out.append((u.url, f"USB 打印机 {u.description}".rstrip()))
    return out
