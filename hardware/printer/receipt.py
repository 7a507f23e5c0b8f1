"""A receipt as a list of elements, rendered to ESC/POS bytes for one profile.

    r = Receipt().title("一次告知单").text("事项:…").separator().row("份数", "1 份")
    r.qr("https://…/g/330382-GA-0003").cut()
    data = render(r, get_profile("80mm"), font_path=FONT_PATH)

Text goes through the project's Chinese path (FS & + GB18030/GBK); a line
holding a character outside the printer profile's character set (private-use
and user-defined codes included) is drawn with ``font_path`` and sent as a
raster line, everything else stays text.  A character the font cannot draw
either is printed as 〓 and listed in ``Rendered.missing_glyphs``, never
dropped.  Wrapping and alignment count
full-width characters as two columns.  QR codes use GS ( k.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from hardware.printer import raster, text as tx
from hardware.printer.profile import PrinterProfile

ESC, GS, FS, LF = b"\x1b", b"\x1d", b"\x1c", b"\n"
INIT = ESC + b"@"
ALIGN = {"left": ESC + b"a\x00", "center": ESC + b"a\x01", "right": ESC + b"a\x02"}
BOLD_ON, BOLD_OFF = ESC + b"E\x01", ESC + b"E\x00"
# double width + height for half-width (GS !) and Chinese (FS !) characters
DOUBLE_ON = GS + b"!\x11" + FS + b"!\x0c"
DOUBLE_OFF = GS + b"!\x00" + FS + b"!\x00"
QR_EC = {"L": 48, "M": 49, "Q": 50, "H": 51}


@dataclass(frozen=True)
class Text:
    text: str
    bold: bool = False
    double: bool = False
    align: str = "left"
    indent: int = 0  # hanging indent (columns) for continuation lines


@dataclass(frozen=True)
class Separator:
    char: str = "-"


@dataclass(frozen=True)
class Row:
    left: str
    right: str
    bold: bool = False


@dataclass(frozen=True)
class QR:
    data: str
    module: int | None = None  # dots per module; None: the profile's
    ec: str = "M"
    align: str = "center"


@dataclass(frozen=True)
class Barcode:
    data: str  # CODE128 (code set B: printable ASCII)
    height: int = 80
    module: int = 2
    hri: bool = True
    align: str = "center"


@dataclass(frozen=True)
class Feed:
    lines: int = 1


@dataclass(frozen=True)
class Cut:
    pass


Element = Text | Separator | Row | QR | Barcode | Feed | Cut


@dataclass
class Receipt:
    elements: list[Element] = field(default_factory=list)

    def add(self, element: Element) -> "Receipt":
        self.elements.append(element)
        return self

    def title(self, text: str) -> "Receipt":
        return self.add(Text(text, bold=True, double=True, align="center"))

    def text(self, text: str, *, bold: bool = False, double: bool = False, align: str = "left",
             indent: int = 0) -> "Receipt":
        return self.add(Text(text, bold=bold, double=double, align=align, indent=indent))

    def bold(self, text: str, **kw) -> "Receipt":
        return self.text(text, bold=True, **kw)

    def double(self, text: str, **kw) -> "Receipt":
        return self.text(text, double=True, **kw)

    def separator(self, char: str = "-") -> "Receipt":
        return self.add(Separator(char))

    def row(self, left: str, right: str, *, bold: bool = False) -> "Receipt":
        return self.add(Row(left, right, bold))

    def qr(self, data: str, *, module: int | None = None, ec: str = "M", align: str = "center") -> "Receipt":
        return self.add(QR(data, module, ec, align))

    def barcode(self, data: str, **kw) -> "Receipt":
        return self.add(Barcode(data, **kw))

    def feed(self, lines: int = 1) -> "Receipt":
        return self.add(Feed(lines))

    def cut(self) -> "Receipt":
        return self.add(Cut())

    BLOCK_KINDS = frozenset({"title", "text", "bold", "double", "separator", "row", "qr", "barcode", "feed", "cut"})

    @classmethod
    def from_blocks(cls, blocks) -> "Receipt":
        """A receipt from neutral ``(kind, args, options)`` blocks, e.g. ("text", ("你好",), {"align": "center"})."""
        receipt = cls()
        for kind, args, options in blocks:
            if kind not in cls.BLOCK_KINDS:
                raise ValueError(f"unknown receipt block {kind!r}")
            getattr(receipt, kind)(*args, **options)
        return receipt


class Renderer:
    """Turns elements into bytes; keeps track of the printer's mode to send few commands."""

    def __init__(self, profile: PrinterProfile, font_path=None) -> None:
        self.p = profile
        self.font_path = font_path
        self.out = bytearray()
        self.raster_lines = 0
        self.missing_glyphs: list[str] = []  # drawn as raster.MISSING_GLYPH
        self._align = "left"

    def _set_align(self, align: str) -> None:
        if align not in ALIGN:
            raise ValueError(f"align must be left, center or right, not {align!r}")
        if align != self._align:
            self.out += ALIGN[align]
            self._align = align

    def start(self) -> None:
        self.out += INIT + tx.FS_CHINESE_ON

    def line(self, text: str, *, bold=False, double=False, align="left") -> None:
        """One line that already fits the paper."""
        if not tx.line_printable(text, self.p):
            self._raster_line(text, bold=bold, double=double, align=align)
            return
        self._set_align(align)
        if bold:
            self.out += BOLD_ON
        if double:
            self.out += DOUBLE_ON
        self.out += tx.encode(text.rstrip(" ") if align == "left" else text, self.p.charset) + LF
        if double:
            self.out += DOUBLE_OFF
        if bold:
            self.out += BOLD_OFF

    def _raster_line(self, text: str, *, bold, double, align) -> None:
        if self.font_path is None:
            raise ValueError("a line needs a raster fallback but no font_path was given")
        img = raster.text_line_image(text, self.font_path, dots=self.p.dots, cell=self.p.cell_width,
                                     align=align, double=double, bold=bold)
        self.missing_glyphs += [ch for ch in raster.undrawable(text, self.font_path)
                                if ch not in self.missing_glyphs]
        self._set_align("left")
        self.out += raster.raster_bytes(img)
        self.raster_lines += 1

    def element(self, el: Element) -> None:
        cols = self.p.columns
        if isinstance(el, Text):
            avail = cols // 2 if el.double else cols
            for line in tx.wrap(el.text, avail, indent=el.indent):
                self.line(line, bold=el.bold, double=el.double, align=el.align)
        elif isinstance(el, Separator):
            ch = el.char or "-"
            self.line(ch * (cols // tx.width(ch)))
        elif isinstance(el, Row):
            self._row(el)
        elif isinstance(el, QR):
            self._qr(el)
        elif isinstance(el, Barcode):
            self._barcode(el)
        elif isinstance(el, Feed):
            self.out += ESC + b"d" + bytes([max(0, min(255, el.lines))])
        elif isinstance(el, Cut):
            self._cut()
        else:
            raise TypeError(f"not a receipt element: {el!r}")

    def _row(self, el: Row) -> None:
        cols = self.p.columns
        right = tx.clean(el.right).replace("\n", " ")
        rw = tx.width(right)
        if rw > cols // 2:
            # a long right side goes under the left one, right-aligned
            for line in tx.wrap(el.left, cols):
                self.line(line, bold=el.bold)
            for line in tx.wrap(right, cols):
                self.line(tx.pad(line, cols, "right"), bold=el.bold)
            return
        left_lines = tx.wrap(el.left, cols - rw - 1)
        first = left_lines[0]
        self.line(first + " " * (cols - tx.width(first) - rw) + right, bold=el.bold)
        for line in left_lines[1:]:
            self.line(line, bold=el.bold)

    def _qr(self, el: QR) -> None:
        data = el.data.encode("utf-8")
        if len(data) > 7089:
            raise ValueError("QR data too long")
        module = el.module or self.p.qr_module
        self._set_align(el.align)
        fn = GS + b"(k"
        self.out += fn + b"\x04\x00" + b"1A2\x00"                      # model 2
        self.out += fn + b"\x03\x00" + b"1C" + bytes([module])         # module size
        self.out += fn + b"\x03\x00" + b"1E" + bytes([QR_EC[el.ec]])   # error correction
        n = len(data) + 3
        self.out += fn + n.to_bytes(2, "little") + b"1P0" + data       # store
        self.out += fn + b"\x03\x00" + b"1Q0"                          # print
        self.out += LF

    def _barcode(self, el: Barcode) -> None:
        data = el.data.encode("ascii")
        if not data or any(b < 0x20 or b > 0x7E for b in data):
            raise ValueError("CODE128 data must be printable ASCII")
        payload = b"{B" + data.replace(b"{", b"{{")
        self._set_align(el.align)
        self.out += GS + b"h" + bytes([el.height]) + GS + b"w" + bytes([el.module])
        self.out += GS + b"H" + (b"\x02" if el.hri else b"\x00")
        self.out += GS + b"k" + bytes([73, len(payload)]) + payload + LF

    def _cut(self) -> None:
        if self.p.cut == "none":
            self.out += ESC + b"d" + bytes([self.p.feed_before_cut])
            return
        self.out += ESC + b"d" + bytes([self.p.feed_before_cut])
        self.out += GS + b"V" + (b"\x01" if self.p.cut == "partial" else b"\x00")
        self.out += self.p.presenter

    def finish(self) -> bytes:
        self._set_align("left")
        return bytes(self.out)


@dataclass(frozen=True)
class Rendered:
    data: bytes                        # the ESC/POS bytes
    raster_lines: int                  # lines sent as images (characters outside the printer's set)
    missing_glyphs: tuple[str, ...]    # characters neither the printer nor the font has: printed as 〓


def render_receipt(receipt: Receipt, profile: PrinterProfile, font_path=None) -> Rendered:
    """ESC/POS bytes for ``receipt`` on a printer with ``profile``, and what had to be drawn.
    Raises ValueError when a line needs the raster fallback and ``font_path`` is None."""
    r = Renderer(profile, font_path)
    r.start()
    for el in receipt.elements:
        r.element(el)
    return Rendered(r.finish(), r.raster_lines, tuple(r.missing_glyphs))


def render(receipt: Receipt, profile: PrinterProfile, font_path=None) -> bytes:
    """ESC/POS bytes for ``receipt`` on a printer with ``profile`` (see render_receipt)."""
    return render_receipt(receipt, profile, font_path).data
