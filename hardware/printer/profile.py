"""Per-printer settings: paper width, character set, cutting, presenter.

The character set is what the printer's Chinese mode decodes AND what its ROM
font can print: text outside it goes to the raster line (see text.printable).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from hardware.printer import text

CHARSETS = ("gb18030", "gbk", "gb2312")
CUTS = ("partial", "full", "none")


@dataclass(frozen=True)
class PrinterProfile:
    name: str
    columns: int = 48          # Font A half-width columns: 58 mm -> 32, 80 mm -> 48
    dots: int = 576            # printable dots per line: 58 mm -> 384, 80 mm -> 576
    charset: str = "gb18030"   # what the printer's Chinese mode decodes (and its ROM font holds)
    four_byte: bool = True     # gb18030 only: the font holds the four-byte part (CJK Ext A)
    cut: str = "partial"
    feed_before_cut: int = 4   # lines fed so the last line clears the cutter
    presenter: bytes = b""     # model-specific bytes sent after the cut (present/eject the receipt)
    qr_module: int = 6         # QR module size in dots (GS ( k function 167)

    def __post_init__(self) -> None:
        if self.charset not in CHARSETS:
            raise ValueError(f"charset must be one of {CHARSETS}, not {self.charset!r}")
        if self.cut not in CUTS:
            raise ValueError(f"cut must be one of {CUTS}, not {self.cut!r}")
        if self.columns <= 0 or self.dots % 8 or self.dots // self.columns < 8:
            raise ValueError(f"bad paper geometry: {self.columns} columns over {self.dots} dots")

    def printable(self, ch: str) -> bool:
        """True when this printer prints ``ch`` as text from its own font (see text.printable)."""
        return text.printable(ch, self.charset, self.four_byte)

    @property
    def cell_width(self) -> int:
        """Dots of one half-width column (12 for Font A)."""
        return self.dots // self.columns

    def with_(self, **changes) -> "PrinterProfile":
        return replace(self, **changes)

    @classmethod
    def from_dict(cls, data: dict) -> "PrinterProfile":
        data = dict(data)
        if isinstance(data.get("presenter"), str):
            data["presenter"] = bytes.fromhex(data["presenter"])
        return cls(**data)


PROFILES: dict[str, PrinterProfile] = {
    "58mm": PrinterProfile("58mm", columns=32, dots=384),
    "80mm": PrinterProfile("80mm", columns=48, dots=576),
    "58mm-gbk": PrinterProfile("58mm-gbk", columns=32, dots=384, charset="gbk"),
    "80mm-gbk": PrinterProfile("80mm-gbk", columns=48, dots=576, charset="gbk"),
    # GB18030 printers whose font holds only the double-byte part (no Ext A)
    "80mm-gb18030-2byte": PrinterProfile("80mm-gb18030-2byte", columns=48, dots=576, four_byte=False),
    # older printers with the GB2312 font only (6,763 hanzi)
    "58mm-gb2312": PrinterProfile("58mm-gb2312", columns=32, dots=384, charset="gb2312"),
}


def get_profile(profile: "str | PrinterProfile") -> PrinterProfile:
    if isinstance(profile, PrinterProfile):
        return profile
    try:
        return PROFILES[profile]
    except KeyError:
        raise ValueError(f"unknown printer profile {profile!r}; known: {', '.join(PROFILES)}") from None
