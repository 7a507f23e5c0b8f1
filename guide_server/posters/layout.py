"""Where every element of a hall poster goes, measured before anything is drawn.

Elements, top to bottom: the hall band, the guide name, the 事项编码 line, the QR code with
its caption and URL, four key-fact boxes (办理时限, 收费, 到现场次数, 申报材料), the phones and
the release stamp. Each text is measured with the poster font's advance widths; it is set
at its largest size, shrunk step by step to its smallest size on one line, then on two
lines, and so on up to its line limit (Chinese line breaking from zhtext.linebreak:
closing punctuation never starts a line, opening punctuation never ends one, numbers and
codes are kept whole unless wider than a line, then cut after ``-`` or ``/``). The QR takes the height that is left, between 10 cm and 14 cm on A4 (the
1:10 rule for scanning from about 1 m), with modules of at least 1 mm.

The result is a `Layout`: a box (mm, origin top left) for every element, pairwise
disjoint and inside the page margins. When something cannot fit — a name too long even at
the smallest size on three lines — `layout_poster` raises PosterError naming the guide;
it never returns overlapping boxes. All sizes are given for A4 and scaled for A3.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from guide_server.posters.content import PosterData, PosterError
from guide_server.public import qr
from zhtext import linebreak

SIZES = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
PT = 25.4 / 72          # mm per point
LINE = 1.25             # line height in em
SIDE, TOP, BOTTOM = 14.0, 6.0, 8.0   # page margins on A4, mm
QR_MIN, QR_MAX = 100.0, 140.0        # QR side with its quiet zone on A4, mm
MODULE_MIN = 1.0                     # smallest QR module on paper, mm
FACT_HEIGHT, FACT_GAP = 31.0, 4.0

BLUE = (11, 79, 179)
GREEN = (10, 122, 61)
INK = (26, 26, 26)
GREY = (74, 74, 74)
WHITE = (255, 255, 255)

# (largest pt, smallest pt, most lines) per text, on A4
NAME_FIT = (34.0, 20.0, 3)
HALL_FIT = (20.0, 14.0, 2)
CODE_FIT = (12.0, 8.0, 2)
URL_FIT = (11.0, 7.0, 2)
PHONES_FIT = (15.0, 10.0, 2)
STAMP_FIT = (9.0, 7.0, 1)
CAPTION = "手机扫码  查看办事指南"
CAPTION_FIT = (20.0, 14.0, 1)
FACT_LABEL_FIT = (12.0, 9.0, 1)
FACT_VALUE_FIT = (20.0, 11.0, 1)
FACT_NOTE_FIT = (10.0, 7.0, 1)

Measure = Callable[[str], float]  # width of a text in em of the poster font


@dataclass(frozen=True)
class Box:
    """A rectangle on the page in mm, origin at the top left, y growing downwards."""
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def overlaps(self, other: "Box") -> bool:
        """True when the two boxes share any area (touching edges do not count)."""
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def inside(self, other: "Box", slack: float = 1e-6) -> bool:
        return (self.x0 >= other.x0 - slack and self.y0 >= other.y0 - slack
                and self.x1 <= other.x1 + slack and self.y1 <= other.y1 + slack)


@dataclass(frozen=True)
class TextLine:
    """One line of text: its words, size in points, colour, and the box its glyphs sit in
    (as wide as the measured text, one line height tall)."""
    text: str
    size: float
    color: tuple[int, int, int]
    box: Box


@dataclass(frozen=True)
class Element:
    """A poster element: `box` holds all of its lines (and, for a fact, its frame)."""
    name: str
    box: Box
    lines: tuple[TextLine, ...] = ()
    frame: bool = False

    @property
    def text(self) -> str:
        return "".join(line.text for line in self.lines)


@dataclass(frozen=True)
class QRPlacement:
    """The QR symbol of `data`: `box` includes the 4-module quiet zone; `cell` is one module
    in mm; `modules` per side without the quiet zone."""
    box: Box
    cell: float
    modules: int
    data: str


@dataclass(frozen=True)
class Layout:
    size: str
    width: float
    height: float
    margins: Box          # the printable area every element stays in
    band: Box             # the blue hall band (background, bleeds to the page edges)
    elements: tuple[Element, ...]
    qr: QRPlacement

    def boxes(self) -> dict[str, Box]:
        """Every element's box by name, the QR's as "qr"."""
        out = {e.name: e.box for e in self.elements}
        out["qr"] = self.qr.box
        return out

    def element(self, name: str) -> Element:
        for e in self.elements:
            if e.name == name:
                return e
        raise KeyError(name)


def wrap(text: str, measure: Measure, width_em: float) -> list[str]:
    """Lines of `text` no wider than `width_em`, by the Chinese line-breaking rules every
    surface shares (zhtext.linebreak)."""
    return linebreak.wrap(text, width_em, measure)


def fit(text: str, measure: Measure, width_mm: float, spec: tuple[float, float, int], k: float
        ) -> tuple[float, list[str]] | None:
    """(size in pt, lines) of the largest size that fits `text` in `width_mm` on one line,
    else on two, … up to spec's line limit; None when even the smallest size does not fit."""
    largest, smallest, most = spec
    sizes = []
    s = largest
    while s >= smallest - 1e-9:
        sizes.append(s)
        s -= 0.5
    whole = measure(text)
    for n in range(1, most + 1):
        for size in sizes:
            em = width_mm / (size * k * PT)
            if n == 1:  # one line: no need to break anything to know
                if whole <= em and "\n" not in text:
                    return size * k, [text]
                continue
            lines = wrap(text, measure, em)
            if len(lines) <= n and all(measure(line) <= em + 1e-9 for line in lines):
                return size * k, lines
    return None


# -- the poster -----------------------------------------------------------------------------
def _lines(measure: Measure, lines: list[str], size: float, color, left: float, right: float,
           top: float) -> tuple[TextLine, ...]:
    """Lines centred between `left` and `right`, stacked from `top`."""
    h = size * PT * LINE
    mid = (left + right) / 2
    out = []
    for i, text in enumerate(lines):
        w = measure(text) * size * PT
        out.append(TextLine(text, size, color, Box(mid - w / 2, top + i * h, mid + w / 2, top + (i + 1) * h)))
    return tuple(out)


def _element(name: str, lines: tuple[TextLine, ...]) -> Element:
    return Element(name, Box(min(t.box.x0 for t in lines), min(t.box.y0 for t in lines),
                             max(t.box.x1 for t in lines), max(t.box.y1 for t in lines)), lines)


def layout_poster(data: PosterData, measure: Measure, size: str = "A4") -> Layout:
    """Place every element of `data`'s poster on a `size` page (A4 or A3).

    `measure(text)` is the text's advance width in em of the poster font. Raises
    PosterError (naming the guide and the element) when an element cannot fit."""
    w, h = SIZES[size]
    k = w / 210.0
    left, right = SIDE * k, w - SIDE * k
    col = right - left
    margins = Box(left, TOP * k, right, h - BOTTOM * k)

    def place(name: str, text: str, spec, color, top: float, lo=left, hi=right, what: str = "") -> Element:
        got = fit(text, measure, hi - lo, spec, k)
        if got is None:
            largest, smallest, most = spec
            raise PosterError(data.code, data.name,
                              f"{what or name}放不下：“{text}”在 {size} 海报上缩到 {smallest * k:.0f} 磅、"
                              f"折成 {most} 行仍超出版面。请缩短{what or name}。")
        pt, lines = got
        return _element(name, _lines(measure, lines, pt, color, lo, hi, top))

    elements: list[Element] = []
    # hall band: the hall's name centred in a band at least 24 mm high
    hall = place("hall", f"{data.hall} · 办事指南", HALL_FIT, WHITE, 0.0, what="大厅名称")
    band_h = max(24.0 * k, hall.box.height + 2 * 7.0 * k)
    hall = _shift(hall, (band_h - hall.box.height) / 2)
    elements.append(hall)
    band = Box(0.0, 0.0, w, band_h)

    y = band_h + 6.0 * k
    name = place("name", data.name, NAME_FIT, INK, y, what="事项名称")
    elements.append(name)
    y = name.box.y1 + 2.0 * k
    code = place("code", f"事项编码 {data.code}", CODE_FIT, GREY, y, what="事项编码")
    elements.append(code)
    qr_top = code.box.y1 + 3.0 * k

    # from the bottom: stamp, then (above the QR's share of the page) caption, URL, facts, phones
    stamp = place("stamp", data.stamp, STAMP_FIT, GREY, 0.0, what="版本号")
    stamp = _shift(stamp, margins.y1 - stamp.box.y1)
    below: list[tuple[str, float, Callable[[float], Element | list[Element]]]] = []
    caption = place("caption", CAPTION, CAPTION_FIT, INK, 0.0)
    url = place("url", data.url, URL_FIT, GREY, 0.0, what="二维码网址")
    phones = place("phones", f"咨询电话 {data.consult}    服务热线 {data.hotline}", PHONES_FIT, INK, 0.0,
                   what="电话")
    facts = _facts(data, measure, k, left, right)
    gaps = [1.0 * k, 1.0 * k, 4.0 * k, 4.0 * k, 3.0 * k]  # after QR, caption, url, facts, phones
    stack = caption.box.height + url.box.height + FACT_HEIGHT * k + phones.box.height + sum(gaps)
    room = stamp.box.y0 - qr_top - stack
    modules = qr.modules(data.url)
    n = modules + 2 * qr.QUIET
    side = min(QR_MAX * k, room)
    if side < QR_MIN * k or side / n < MODULE_MIN * k:
        raise PosterError(data.code, data.name,
                          f"版面放不下足够大的二维码：剩余高度只够 {side / k:.0f} 毫米（A4 计），"
                          f"二维码至少要 {QR_MIN:.0f} 毫米、每个模块至少 {MODULE_MIN:g} 毫米才能在一米外扫出。"
                          "请缩短事项名称。")
    qx = (w - side) / 2
    placement = QRPlacement(Box(qx, qr_top, qx + side, qr_top + side), side / n, modules, data.url)
    y = placement.box.y1 + gaps[0]
    caption = _shift(caption, y - caption.box.y0)
    y = caption.box.y1 + gaps[1]
    url = _shift(url, y - url.box.y0)
    y = url.box.y1 + gaps[2]
    facts = [_shift(f, y) for f in facts]
    y = facts[0].box.y1 + gaps[3]
    phones = _shift(phones, y - phones.box.y0)
    elements += [caption, url, *facts, phones, stamp]
    layout = Layout(size, w, h, margins, band, tuple(elements), placement)
    _assert_apart(layout, data)
    return layout


def _shift(e: Element, dy: float) -> Element:
    def move(b: Box) -> Box:
        return Box(b.x0, b.y0 + dy, b.x1, b.y1 + dy)
    return Element(e.name, move(e.box), tuple(TextLine(t.text, t.size, t.color, move(t.box)) for t in e.lines),
                   e.frame)


def _facts(data: PosterData, measure: Measure, k: float, left: float, right: float) -> list[Element]:
    """Four framed boxes side by side, from y = 0 (moved into place by the caller)."""
    items = [("办理时限", data.time_limit, data.time_note, INK), ("收费", data.fee, "", INK),
             ("到现场次数", data.visits, "", GREEN), ("申报材料", data.materials, data.materials_note, INK)]
    gap = FACT_GAP * k
    bw = (right - left - 3 * gap) / 4
    pad = 2.0 * k
    out = []
    for i, (label, value, note, color) in enumerate(items):
        x0 = left + i * (bw + gap)
        lines: list[TextLine] = []
        for text, spec, col, slot in ((label, FACT_LABEL_FIT, GREY, (2.5, 9.5)), (value, FACT_VALUE_FIT, color,
                                                                                 (10.5, 21.5)),
                                      (note, FACT_NOTE_FIT, GREY, (22.5, 29.0))):
            if not text:
                continue
            got = fit(text, measure, bw - 2 * pad, spec, k)
            if got is None:
                raise PosterError(data.code, data.name,
                                  f"“{label}”一栏放不下：“{text}”在海报上缩到 {spec[1]:g} 磅仍超出方框。")
            pt, text_lines = got
            top = (slot[0] + slot[1]) / 2 * k - pt * PT * LINE / 2
            lines += _lines(measure, text_lines, pt, col, x0 + pad, x0 + bw - pad, top)
        out.append(Element(f"fact:{label}", Box(x0, 0.0, x0 + bw, FACT_HEIGHT * k), tuple(lines), frame=True))
    return out


def _assert_apart(layout: Layout, data: PosterData) -> None:
    """The promise of this module: no two element boxes share area, every element (and
    every line in it) is inside the margins, and the QR overlaps nothing."""
    boxes = list(layout.boxes().items())
    for i, (a, ba) in enumerate(boxes):
        if not ba.inside(layout.margins):
            raise PosterError(data.code, data.name, f"版面元素“{a}”超出页边距。")
        for b, bb in boxes[i + 1:]:
            if ba.overlaps(bb):
                raise PosterError(data.code, data.name, f"版面元素“{a}”与“{b}”重叠。")
    for e in layout.elements:
        for line in e.lines:
            if not line.box.inside(e.box):
                raise PosterError(data.code, data.name, f"“{line.text}”超出了“{e.name}”的方框。")
