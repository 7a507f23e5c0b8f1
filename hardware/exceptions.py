"""Every error the hardware package raises, in one place.

Each error carries a message for people in Simplified Chinese (``zh``) and one
for logs in English (``en``); ``str(error)`` gives both.  No message ever holds
a full ID number, a name or any other card content.
"""
from __future__ import annotations


class HardwareError(Exception):
    """Base class of all hardware errors."""

    zh: str = "设备出现故障"
    en: str = "hardware error"

    def __init__(self, zh: str | None = None, en: str | None = None) -> None:
        if zh is not None:
            self.zh = zh
        if en is not None:
            self.en = en
        super().__init__(f"{self.en} / {self.zh}")


class DeviceUrlError(HardwareError, ValueError):
    """A device URL that cannot be understood (unknown scheme, bad host, bad option)."""


class DriverUnavailable(HardwareError):
    """The URL's scheme is known but its driver cannot load (e.g. pyusb missing)."""


class DeviceNotFound(HardwareError):
    """The device named by the URL cannot be opened."""


class DeviceTimeout(HardwareError):
    """The device did not answer in time."""


class DeviceDisconnected(HardwareError):
    """The device went away while we were talking to it."""


# --- card reader ---------------------------------------------------------

class ReaderError(HardwareError):
    zh = "身份证阅读器故障"
    en = "card reader error"


class ReaderTimeout(ReaderError, DeviceTimeout):
    zh = "身份证阅读器没有应答"
    en = "card reader did not answer in time"


class ReaderDisconnected(ReaderError, DeviceDisconnected):
    zh = "身份证阅读器连接已断开"
    en = "card reader disconnected"


class FrameError(ReaderError):
    """A reply frame from the reader that is damaged (checksum, length)."""

    zh = "身份证阅读器应答数据损坏"
    en = "damaged reply frame from card reader"


class NoCardTimeout(ReaderTimeout):
    zh = "等待超时，没有放卡"
    en = "no card was placed before the timeout"


class CardDataError(ReaderError):
    """The card's text block cannot be understood."""

    zh = "证件信息无法识别"
    en = "card text block cannot be parsed"


class ReaderStatusError(ReaderError):
    """The reader answered with a non-success status byte (SW3).

    ``status`` is the :class:`hardware.reader.status.Status` entry.
    """

    def __init__(self, status) -> None:  # status: hardware.reader.status.Status
        self.status = status
        super().__init__(
            f"{status.zh}(状态码 0x{status.code:02X})",
            f"{status.en} (SW3=0x{status.code:02X})",
        )


class NoCard(ReaderStatusError):
    pass


class CardSelectFailed(ReaderStatusError):
    pass


class CardReadFailed(ReaderStatusError):
    pass


class CommandRejected(ReaderStatusError):
    """The reader says our command frame was wrong (checksum, length, parameter, unknown)."""


class CardAuthenticationFailed(ReaderStatusError):
    pass


class UnknownCardType(ReaderStatusError):
    pass


class SamError(ReaderStatusError):
    """The reader's security module (SAM) failed its self-test or is not authorised."""


# --- printer -------------------------------------------------------------

class PrinterError(HardwareError):
    zh = "打印机故障"
    en = "printer error"


class PrinterTimeout(PrinterError, DeviceTimeout):
    zh = "打印机没有应答"
    en = "printer did not answer in time"


class PrinterDisconnected(PrinterError, DeviceDisconnected):
    zh = "打印机连接已断开"
    en = "printer disconnected"


class PrinterNotReady(PrinterError):
    """Raised before printing when the status says the printer cannot print."""

    def __init__(self, status) -> None:  # status: hardware.printer.status.PrinterStatus
        self.status = status
        super().__init__(f"打印机未就绪：{status.describe_zh()}", f"printer not ready: {status.describe_en()}")
