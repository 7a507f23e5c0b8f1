"""Layout faults on a kiosk screen, found by walking the live widget tree.

`layout_faults(root, window_size)` returns what a person would see wrong on the
screen as it is drawn now:

- ``overlap``: two visible text, button or image boxes cover each other (a widget and
  its own descendants excepted; boxes in a scroll view are compared as far as the view
  shows them);
- ``outside``: a visible text, button or image box lies (partly) outside the window;
- ``cut``: a label shows less than its text (lines dropped because the box is too
  short, or shortened with an ellipsis), or its rendered text is larger than its box
  and spills over what is around it;
- ``hidden-button``: a button nobody can see (opacity 0) that still takes taps;
- ``line-break``: a label's lines break against the Chinese rules (zhtext.linebreak): a
  line starts with closing punctuation or ends with opening punctuation, or a number with
  its unit, an amount, a time, a code or a document number is cut (unless it alone is
  wider than the line).

Layers are checked apart: each child of the app's root (the screen manager with the
current screen, the idle countdown over it) is one layer, and a modal layer may cover
the one below. Text hidden by scrolling is not outside: only what a scroll view shows
counts, and a label cut by its scroll view is scrolled to, not lost.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.image import Image
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView

from zhtext.linebreak import CLOSING, OPENING, UNBREAKABLE

TOLERANCE = 1.0   # px: layouts round to whole pixels
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    right: float
    top: float

    @property
    def empty(self) -> bool:
        return self.right - self.x <= TOLERANCE or self.top - self.y <= TOLERANCE

    def clip(self, other: "Box | None") -> "Box":
        if other is None:
            return self
        return Box(max(self.x, other.x), max(self.y, other.y), min(self.right, other.right),
                   min(self.top, other.top))

    def overlap(self, other: "Box") -> "Box | None":
        o = self.clip(other)
        return None if o.empty else o

    def __str__(self) -> str:
        return f"({self.x:.0f},{self.y:.0f})-({self.right:.0f},{self.top:.0f})"


@dataclass(frozen=True)
class Fault:
    kind: str        # overlap, outside, cut, hidden-button
    what: str        # the widget(s), by class and text
    detail: str
    boxes: tuple[Box, ...] = ()

    def __str__(self) -> str:
        return f"{self.kind}: {self.what}: {self.detail}"


def describe(w) -> str:
    text = getattr(w, "text", None) or getattr(w, "title", None) or ""
    text = text.replace("\n", "⏎")
    if len(text) > 24:
        text = text[:23] + "…"
    return f"{type(w).__name__}{'(' + repr(text) + ')' if text else ''}"


def window_box(w) -> Box:
    x, y = w.to_window(w.x, w.y)
    return Box(x, y, x + w.width, y + w.height)


def _text_box(w) -> Box:
    """Where a label's texture is drawn (centred on the widget, as Kivy's Label rule does)."""
    cx, cy = w.to_window(w.center_x, w.center_y)
    tw, th = w.texture_size
    return Box(cx - tw / 2, cy - th / 2, cx + tw / 2, cy + th / 2)


def _image_box(w) -> Box:
    cx, cy = w.to_window(w.center_x, w.center_y)
    iw, ih = w.norm_image_size
    return Box(cx - iw / 2, cy - ih / 2, cx + iw / 2, cy + ih / 2)


@dataclass
class _Item:
    widget: object
    box: Box            # the widget's box in window coordinates
    shown: Box          # what of it the scroll views around it show
    clip: tuple         # the scroll views around it, innermost last
    layer: int


def _is_text(w) -> bool:
    return isinstance(w, Label) and bool(_SPACES.sub("", w.text or ""))


def _is_button(w) -> bool:
    return isinstance(w, ButtonBehavior)


def _is_image(w) -> bool:
    return isinstance(w, Image) and w.texture is not None


def _walk(widget, opacity: float, clip_box: Box | None, clip: tuple, layer: int, out: list, hidden: list):
    opacity *= widget.opacity
    box = window_box(widget)
    if opacity <= 0.01:
        if _is_button(widget) and not widget.disabled and not box.empty:
            hidden.append(widget)
        for child in widget.children:
            _walk_hidden(child, hidden)
        return
    if _is_text(widget) or _is_button(widget) or _is_image(widget):
        shown = box.clip(clip_box)
        out.append(_Item(widget, box, shown, clip, layer))
    if isinstance(widget, ScrollView):
        clip_box = box.clip(clip_box)
        clip = clip + (widget,)
    for child in reversed(widget.children):
        _walk(child, opacity, clip_box, clip, layer, out, hidden)


def _walk_hidden(widget, hidden: list) -> None:
    if _is_button(widget) and not widget.disabled and widget.width > 0 and widget.height > 0:
        hidden.append(widget)
    for child in widget.children:
        _walk_hidden(child, hidden)


def _is_ancestor(a, b) -> bool:
    p = b.parent
    while p is not None and p is not p.parent:
        if p is a:
            return True
        p = p.parent
    return False


def _label_cut(w) -> str | None:
    """Why label `w` does not show all of its text, or None."""
    core = getattr(w, "_label", None)
    if core is None:
        return None
    w.texture_update()
    rendered = "".join(word.text for line in core._cached_lines for word in line.words)
    full = w.text.strip() if core.options.get("strip") else w.text
    if getattr(core, "is_shortened", False):
        return f"shortened to {rendered!r}"
    have, want = _SPACES.sub("", rendered.replace("\u00a0", " ")), _SPACES.sub("", full.replace("\u00a0", " "))
    if have != want:
        lost = want[len(have):] if want.startswith(have) else want
        return f"text does not fit its box; not shown: {lost[:30]!r}"
    tw, th = w.texture_size
    if tw > w.width + TOLERANCE or th > w.height + TOLERANCE:
        return f"text {tw:.0f}x{th:.0f} px drawn in a {w.width:.0f}x{w.height:.0f} px box"
    return None


_CODE_RUN = re.compile(r"[!-~]+")   # codes, phone numbers, URLs: runs of ASCII signs


def drawn_lines(w) -> list[str]:
    """The lines label `w` draws now, as Kivy laid them out."""
    w.texture_update()
    return ["".join(word.text for word in line.words) for line in w._label._cached_lines]


def _break_spans(text: str, lines: list[str]) -> list[tuple[int, int]] | None:
    """(end of a line, start of the next) in `text` for each break Kivy or the rules made,
    newlines of the text itself excepted; None when the lines are not the text's (cut)."""
    spans, p, prev_end = [], 0, None
    for line in lines:
        body = line.strip(" \u00a0")
        while p < len(text) and text[p] in " \u00a0\n" and not text.startswith(body, p):
            p += 1
        if body and not text.startswith(body, p):
            return None
        if prev_end is not None and "\n" not in text[prev_end:p]:
            spans.append((prev_end, p))
        p += len(body)
        prev_end = p
    return spans


def _line_break_fault(w) -> str | None:
    """Why label `w`'s lines break against the Chinese rules, or None (line breaks the text
    itself holds are the author's and not judged)."""
    lines = drawn_lines(w)
    if len(lines) < 2:
        return None
    text = w.text
    spans = _break_spans(text, lines)
    if not spans:
        return None   # no break of its own, or lines that are not the text's (a "cut" fault)
    for end, start in spans:
        a, b = text[:end].rstrip(" \u00a0"), text[start:]
        if b[:1] in CLOSING:
            return f"a line starts with {b[0]!r}: {a[-8:]!r} / {b[:8]!r}"
        if a[-1:] in OPENING:
            return f"a line ends with {a[-1]!r}: {a[-8:]!r} / {b[:8]!r}"
        if a[-1:].isdigit() and b[:1].isdigit():
            return f"a number is cut: {a[-8:]!r} / {b[:8]!r}"
    from kiosk.app.screens.zhlabel import pixel_measure
    width = (w.text_size[0] or w.width) - w.padding[0] - w.padding[2]
    measure = pixel_measure(w._label)
    runs = [m for m in UNBREAKABLE.finditer(text)] + [m for m in _CODE_RUN.finditer(text)]
    for m in runs:
        if m.end() - m.start() < 2 or measure(m.group()) > width:
            continue
        for end, start in spans:
            if m.start() < end and m.end() > start:
                return f"{m.group()!r} is cut: {text[max(0, end - 8):end]!r} / {text[start:start + 8]!r}"
    return None


def layout_faults(root, window_size: tuple[float, float]) -> list[Fault]:
    """Every layout fault under `root` (the app's root widget) in a window of `window_size`."""
    items: list[_Item] = []
    hidden: list = []
    window = Box(0, 0, float(window_size[0]), float(window_size[1]))
    for layer, child in enumerate(reversed(root.children)):
        _walk(child, 1.0, None, (), layer, items, hidden)
    faults: list[Fault] = []
    for w in hidden:
        faults.append(Fault("hidden-button", describe(w), "invisible (opacity 0) but takes taps",
                            (window_box(w),)))
    for it in items:
        w = it.widget
        if isinstance(w, Label) and _is_text(w):
            why = _label_cut(w)
            if why:
                faults.append(Fault("cut", describe(w), why, (it.box,)))
            why = _line_break_fault(w)
            if why:
                faults.append(Fault("line-break", describe(w), why, (it.box,)))
        drawn = it.box
        if isinstance(w, Label) and _is_text(w):
            t = _text_box(w)
            drawn = Box(min(drawn.x, t.x), min(drawn.y, t.y), max(drawn.right, t.right), max(drawn.top, t.top))
        drawn = drawn.clip(it.shown) if it.clip else drawn
        if drawn.empty:
            continue
        if (drawn.x < window.x - TOLERANCE or drawn.y < window.y - TOLERANCE
                or drawn.right > window.right + TOLERANCE or drawn.top > window.top + TOLERANCE):
            faults.append(Fault("outside", describe(w), f"{drawn} in a {window_size[0]}x{window_size[1]} window",
                                (drawn,)))
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            if a.layer != b.layer or _is_ancestor(a.widget, b.widget) or _is_ancestor(b.widget, a.widget):
                continue
            if a.clip == b.clip and a.clip:
                # both in the same scroll view: compare where they are, then what is shown
                if a.box.overlap(b.box) is None:
                    continue
                o = a.shown.overlap(b.shown)
                o = o or a.box.overlap(b.box)
            else:
                o = _drawn(a).overlap(_drawn(b))
            if o is not None:
                faults.append(Fault("overlap", f"{describe(a.widget)} and {describe(b.widget)}", f"cover {o}",
                                    (a.shown, b.shown)))
    return faults


def _drawn(it: _Item) -> Box:
    w = it.widget
    box = _image_box(w) if isinstance(w, Image) else it.box
    return box.clip(it.shown) if it.clip else box


def draw_faults(png_in, png_out, faults: list[Fault], window_height: float) -> None:
    """A copy of a screenshot with every fault's boxes outlined in red (for people, not asserts)."""
    from PIL import Image as PILImage, ImageDraw
    im = PILImage.open(png_in).convert("RGB")
    d = ImageDraw.Draw(im)
    for f in faults:
        for b in f.boxes:
            d.rectangle([b.x, window_height - b.top, b.right, window_height - b.y], outline=(255, 0, 0), width=4)
    im.save(png_out)
