"""What device ports this machine has: serial ports and USB printers (class 7).

Serial ports come from pyserial's port list with their USB vendor and product IDs, so a
card reader behind a USB-serial bridge (CH340, PL2303, CP210x, FTDI) can be told from the
board's own COM ports (/dev/ttyS*), which never hold one. USB printers are found through
sysfs, so listing them needs neither pyusb nor root.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from serial.tools import list_ports

SYSFS_USB = Path("/sys/bus/usb/devices")

# USB-serial bridges that ID card readers are built on: (VID, PID) -> chip
# (the same list as scripts/99-kiosk-devices.rules, which links them to /dev/kiosk-reader)
USB_SERIAL_CHIPS: dict[tuple[int, int], str] = {
    (0x1A86, 0x7523): "CH340",
    (0x1A86, 0x5523): "CH341",
    (0x1A86, 0x55D4): "CH9102",
    (0x067B, 0x2303): "PL2303",
    (0x10C4, 0xEA60): "CP210x",
    (0x0403, 0x6001): "FTDI FT232R",
    (0x0403, 0x6015): "FTDI FT-X",
}
# the board's own UARTs: PC COM ports, a Raspberry Pi's, i.MX, Tegra
_ONBOARD = re.compile(r"^/dev/tty(S|AMA|mxc|THS)\d+$")


@dataclass(frozen=True)
class SerialPort:
    device: str
    description: str
    vid: int | None = None   # USB vendor ID, None for a port not on USB
    pid: int | None = None

    @property
    def chip(self) -> str | None:
        """The USB-serial bridge, when it is one of USB_SERIAL_CHIPS."""
        return USB_SERIAL_CHIPS.get((self.vid, self.pid)) if self.vid is not None else None

    @property
    def onboard(self) -> bool:
        """The board's own UART (e.g. /dev/ttyS0, COM1): never a card reader."""
        return self.vid is None and bool(_ONBOARD.match(self.device))

    @property
    def usb_id(self) -> str:
        return f"{self.vid:04x}:{self.pid:04x}" if self.vid is not None and self.pid is not None else ""


@dataclass(frozen=True)
class UsbPrinter:
    vendor: int
    product: int
    description: str
    lp_device: str | None

    @property
    def url(self) -> str:
        return f"usb://{self.vendor:04x}:{self.product:04x}"


def list_serial_ports() -> list[SerialPort]:
    """The serial ports pyserial sees, by device name, with their USB IDs when on USB."""
    return [SerialPort(p.device, p.description if p.description != "n/a" else "", p.vid, p.pid)
            for p in sorted(list_ports.comports(), key=lambda p: p.device)]


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def list_usb_printers(root: Path = SYSFS_USB) -> list[UsbPrinter]:
    found: dict[tuple[int, int, str], UsbPrinter] = {}
    if not root.is_dir():
        return []
    for iface in sorted(root.glob("*:*")):
        if _read(iface / "bInterfaceClass") != "07":
            continue
        dev = iface.parent if (iface.parent / "idVendor").exists() else root / iface.name.split(":")[0]
        try:
            vendor, product = int(_read(dev / "idVendor"), 16), int(_read(dev / "idProduct"), 16)
        except ValueError:
            continue
        desc = " ".join(x for x in (_read(dev / "manufacturer"), _read(dev / "product")) if x)
        lp = next((f"/dev/usb/{p.name}" for p in (iface / "usbmisc").glob("lp*")), None) \
            if (iface / "usbmisc").is_dir() else None
        found[(vendor, product, dev.name)] = UsbPrinter(vendor, product, desc, lp)
    return list(found.values())
