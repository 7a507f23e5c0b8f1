"""What device ports this machine has: serial ports and USB printers (class 7).

USB printers are found through sysfs, so listing them needs neither pyusb
nor root.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from serial.tools import list_ports

SYSFS_USB = Path("/sys/bus/usb/devices")


@dataclass(frozen=True)
class SerialPort:
    device: str
    description: str


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
    return [SerialPort(p.device, p.description if p.description != "n/a" else "")
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
