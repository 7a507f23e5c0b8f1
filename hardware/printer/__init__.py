"""ESC/POS receipt printers.

    printer = open_printer("tcp://10.0.0.5:9100", profile="80mm", font_path=FONT_PATH)
    status = printer.status()              # PrinterStatus; unknown when the printer is silent
    printer.print_receipt(receipt)         # raises PrinterNotReady unless status.ready

Transports come from python-escpos (``PRINTER_DRIVERS``: usb, serial, tcp,
file); the Chinese text path, QR codes and status are this package's own.  An
unknown scheme or a driver that cannot load is an error at open time, never a
silent fall-back to a simulator.
"""
from __future__ import annotations

import logging
import time
from typing import Callable

from hardware import exceptions as exc
from hardware.device_url import DeviceUrl, parse_device_url
from hardware.printer.profile import PROFILES, PrinterProfile, get_profile
from hardware.printer.receipt import Receipt, Rendered, render, render_receipt
from hardware.printer.status import DLE_EOT, PrinterStatus
from hardware.printer.transports import (FileTransport, NetworkTransport, SerialTransport, Transport,
                                         UsbTransport)

log = logging.getLogger(__name__)

PRINTER_DRIVERS: dict[str, Callable[[DeviceUrl], Transport]] = {
    "usb": UsbTransport.open,
    "serial": SerialTransport.open,
    "tcp": NetworkTransport.open,
    "file": FileTransport.open,
}

STATUS_TIMEOUT = 2.0


class Printer:
    """Facade over one printer transport."""

    def __init__(self, transport: Transport, profile: PrinterProfile, *, font_path=None, url: str = "") -> None:
        self._transport = transport
        self.profile = profile
        self.font_path = font_path
        self.url = url or transport.url.url

    def __enter__(self) -> "Printer":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self._transport.close()

    def status(self, timeout: float = STATUS_TIMEOUT) -> PrinterStatus:
        """Ask DLE EOT 1-4 within ``timeout`` seconds in all; silence means unknown."""
        deadline = time.monotonic() + timeout
        self._transport.drain()
        answers: dict[int, int] = {}
        for n in (1, 2, 3, 4):
            self._transport.write(DLE_EOT + bytes([n]))
            byte = None
            while byte is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                data = self._transport.read(remaining)
                if not data:
                    break  # read() waits up to its timeout: nothing came
                byte = data[-1]
            if byte is None:
                break  # a printer silent now stays silent: do not wait four times
            answers[n] = byte
        status = PrinterStatus.from_bytes(answers)
        log.info("%s: status %s", self.url, status.describe_en())
        return status

    def render(self, receipt: Receipt) -> bytes:
        return render(receipt, self.profile, self.font_path)

    def print_receipt(self, receipt: Receipt, *, check_status: bool = True) -> int:
        """Render and send ``receipt``; returns the number of bytes sent.  Characters neither
        the printer nor the font has are printed as 〓 and logged by code point."""
        rendered = render_receipt(receipt, self.profile, self.font_path)
        data = rendered.data
        if rendered.missing_glyphs:
            log.warning("%s: printed as 〓 (no glyph in printer or font): %s", self.url,
                        " ".join(f"U+{ord(ch):04X}" for ch in rendered.missing_glyphs))
        if check_status:
            status = self.status()
            if not status.ready:
                raise exc.PrinterNotReady(status)
        self._transport.write(data)
        return len(data)

    def write_raw(self, data: bytes) -> None:
        self._transport.write(data)


def open_printer(url: str, profile: "str | PrinterProfile" = "80mm", *, font_path=None) -> Printer:
    """Open the printer named by ``url``; raises DeviceUrlError, DriverUnavailable, DeviceNotFound."""
    parsed = parse_device_url(url)
    try:
        factory = PRINTER_DRIVERS[parsed.scheme]
    except KeyError:
        raise exc.DeviceUrlError(
            f"不支持的打印机类型 {parsed.scheme}://（支持：{'、'.join(s + '://' for s in PRINTER_DRIVERS)})",
            f"unknown printer scheme {parsed.scheme!r}; known: {sorted(PRINTER_DRIVERS)}",
        ) from None
    prof = get_profile(profile)
    return Printer(factory(parsed), prof, font_path=font_path, url=url)


__all__ = ["PRINTER_DRIVERS", "PROFILES", "Printer", "PrinterProfile", "PrinterStatus", "Receipt", "Rendered",
           "get_profile", "open_printer", "render", "render_receipt"]
