"""Text drawn as dots with the bundled font, and GS v 0 raster images.

Used for the odd line the printer's character set lacks (e.g. 䶮 on a GBK
printer, a private-use 生僻字) and by the simulator's PNG preview.  Text is laid
out on the same grid the printer uses: half-width columns of ``cell`` dots,
full-width characters take two.

A character the font has no glyph for is never dropped or drawn as the font's
blank box: it is drawn as 〓 (the typesetter's mark for a missing character)
and reported, so the caller can log it and staff can fill it in by hand.
"""
from __future__ import annotations

import functools
import os

from PIL import Image, ImageDraw, ImageFont

from hardware.printer.text import char_width, width

MISSING_GLYPH = "〓"  # U+3013 GETA MARK: typesetters' mark for a character the font lacks
LINE_DOTS = 24  # Font A / 24x24 Chinese font height
LINE_PITCH = 30  # dots a text line advances the paper (characters + default line spacing)
GS_V0 = b"\x1d\x76\x30"
MAX_BAND = 255  # rows per GS v 0 command; older firmware refuses taller bands


@functools.lru_cache(maxsize=8)
def load_font(font_path: str | os.PathLike, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path), size)


@functools.lru_cache(maxsize=4)
def font_coverage(font_path: str | os.PathLike) -> frozenset[int]:
    """Code points ``font_path`` has a glyph for (its Unicode cmap, read with fontTools)."""
    from fontTools.ttLib import TTFont

    with TTFont(str(font_path), lazy=True) as font:
        return frozenset(font.getBestCmap())


def undrawable(text: str, font_path) -> list[str]:
    """The characters of ``text`` (each once, in order) that ``font_path`` cannot draw;
    spaces and zero-width characters need no glyph."""
    covered = font_coverage(str(font_path))
    out: list[str] = []
    for ch in text:
        if ch != " " and char_width(ch) and ord(ch) not in covered and ch not in out:
            out.append(ch)
    return out


@functools.lru_cache(maxsize=8192)
def _glyph(font_path: str, ch: str, size: int, cell_w: int, cell_h: int, bold: bool) -> Image.Image:
    """A mask ``cell_w`` x ``cell_h`` holding one character, squeezed to fit its cell like a
    printer's fixed-pitch font (e.g. 12-dot-wide Latin letters)."""
    font = load_font(font_path, size)
    canvas = Image.new("L", (size * 2 + 4, cell_h), 0)
    ImageDraw.Draw(canvas).text((size + 2, cell_h // 2), ch, font=font, fill=255, anchor="mm",
                                stroke_width=1 if bold else 0, stroke_fill=255)
    out = Image.new("L", (cell_w, cell_h), 0)
    box = canvas.getbbox()
    if not box:
        return out
    glyph = canvas.crop((box[0], 0, box[2], cell_h))
    room = max(1, cell_w - 1)
    if glyph.width > room:
        glyph = glyph.resize((room, cell_h))
    out.paste(glyph, ((cell_w - glyph.width) // 2, 0))
    return out


def draw_text(img: Image.Image, x: int, y: int, text: str, font_path, *, cell: int = 12,
              height: int = LINE_DOTS, scale_w: int = 1, scale_h: int = 1, bold: bool = False) -> int:
    """Draw ``text`` on the column grid starting at (x, y) of an "L" image; returns the x after it.
    A character the font lacks is drawn as MISSING_GLYPH in its cell."""
    cell_h = height * scale_h
    size = int(cell_h * 0.92)
    covered = font_coverage(str(font_path))
    for ch in text:
        w = char_width(ch) * cell * scale_w
        if w == 0:
            continue
        if ch != " ":
            shown = ch if ord(ch) in covered else MISSING_GLYPH
            img.paste(0, (x, y), _glyph(str(font_path), shown, size, w, cell_h, bold))
        x += w
    return x


def text_line_image(text: str, font_path, *, dots: int, cell: int, align: str = "left",
                    double: bool = False, bold: bool = False) -> Image.Image:
    """One printed line as a 1-bit image ``dots`` wide."""
    scale = 2 if double else 1
    # a raster line takes the same paper as a text line: glyphs plus line spacing
    img = Image.new("L", (dots, LINE_DOTS * scale + LINE_PITCH - LINE_DOTS), 255)
    used = width(text) * cell * scale
    x = {"left": 0, "center": (dots - used) // 2, "right": dots - used}[align]
    draw_text(img, max(0, x), 0, text, font_path, cell=cell, scale_w=scale, scale_h=scale,
              bold=bold)
    return img.point(lambda v: 0 if v < 128 else 255, mode="1")


def raster_bytes(img: Image.Image) -> bytes:
    """GS v 0 commands printing ``img`` (black = dot), in bands of at most 255 rows."""
    img = img.convert("1")
    w_bytes = (img.width + 7) // 8
    if img.width % 8:
        padded = Image.new("1", (w_bytes * 8, img.height), 1)
        padded.paste(img, (0, 0))
        img = padded
    # PIL "1" mode packs 1 = white; ESC/POS wants 1 = black
    data = bytes(b ^ 0xFF for b in img.tobytes())
    out = bytearray()
    for top in range(0, img.height, MAX_BAND):
        rows = min(MAX_BAND, img.height - top)
        out += GS_V0 + b"\x00" + w_bytes.to_bytes(2, "little") + rows.to_bytes(2, "little")
        out += data[top * w_bytes:(top + rows) * w_bytes]
    return bytes(out)


def image_from_raster(w_bytes: int, rows: int, data: bytes) -> Image.Image:
    """The inverse of raster_bytes for one band (used by the preview)."""
    inverted = bytes(b ^ 0xFF for b in data[: w_bytes * rows])
    return Image.frombytes("1", (w_bytes * 8, rows), inverted)
