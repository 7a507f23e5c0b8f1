"""Draw decoded ESC/POS (see escpos_decode) as the paper would look, to a PNG.

Lines are laid out on the printer's column grid with the bundled font, raster
images are pasted as sent, QR codes and CODE128 barcodes are drawn from their
data the way the printer's own firmware would.
"""
from __future__ import annotations

import barcode
import qrcode
from PIL import Image, ImageDraw

from hardware.printer import escpos_decode as ed
from hardware.printer.raster import LINE_DOTS, LINE_PITCH, draw_text, image_from_raster
from hardware.printer.text import char_width

QR_EC = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
         "Q": qrcode.constants.ERROR_CORRECT_Q, "H": qrcode.constants.ERROR_CORRECT_H}


def _x(align: str, used: int, dots: int) -> int:
    if align == "center":
        return max(0, (dots - used) // 2)
    if align == "right":
        return max(0, dots - used)
    return 0


def render_ops(ops: list, *, dots: int, cell: int, font_path) -> Image.Image:
    """One image for the ops of one receipt (stops at nothing: cuts are drawn as a dashed line)."""
    pieces: list[Image.Image] = []

    def blank(h: int) -> Image.Image:
        return Image.new("L", (dots, h), 255)

    for op in ops:
        if isinstance(op, ed.Line):
            tall = any(s.double_height for s in op.segments)
            img = blank(LINE_PITCH * (2 if tall else 1))
            used = sum(char_width(ch) * cell * (2 if s.double_width else 1)
                       for s in op.segments for ch in s.text)
            x = _x(op.align, used, dots)
            for s in op.segments:
                sh = 2 if s.double_height else 1
                y = (2 if tall else 1) * LINE_DOTS - LINE_DOTS * sh
                x = draw_text(img, x, y, s.text, font_path, cell=cell, scale_w=2 if s.double_width else 1,
                              scale_h=sh, bold=s.bold)
            pieces.append(img)
        elif isinstance(op, ed.RasterImage):
            band = image_from_raster(op.width_bytes, op.rows, op.data).convert("L")
            img = blank(op.rows)
            img.paste(band, (_x(op.align, band.width, dots), 0))
            pieces.append(img)
        elif isinstance(op, ed.QRCode):
            qr = qrcode.QRCode(error_correction=QR_EC.get(op.ec, QR_EC["L"]), box_size=max(1, op.module),
                               border=0)
            qr.add_data(op.data)
            qr.make(fit=True)
            code = qr.make_image(fill_color="black", back_color="white").get_image().convert("L")
            img = blank(code.height)
            img.paste(code, (_x(op.align, code.width, dots), 0))
            pieces.append(img)
        elif isinstance(op, ed.BarcodeOp):
            pieces.append(_barcode(op, dots, cell, font_path))
        elif isinstance(op, ed.FeedOp):
            if op.lines:
                pieces.append(blank(LINE_PITCH * op.lines))
        elif isinstance(op, ed.CutOp):
            img = blank(12)
            d = ImageDraw.Draw(img)
            for x in range(0, dots, 12):
                d.line((x, 6, x + 6, 6), fill=128)
            pieces.append(img)
    height = sum(p.height for p in pieces) or 1
    page = Image.new("L", (dots, height), 255)
    y = 0
    for p in pieces:
        page.paste(p, (0, y))
        y += p.height
    return page


def _barcode(op: ed.BarcodeOp, dots: int, cell: int, font_path) -> Image.Image:
    try:
        modules = barcode.get("code128", op.data).build()[0] if op.kind == 73 else None
    except Exception:  # data the symbology cannot hold: the printer prints nothing
        modules = None
    hri = op.hri in (2, 3, 50, 51)
    img = Image.new("L", (dots, op.height + (LINE_PITCH if hri else 0)), 255)
    if modules:
        w = len(modules) * op.module
        x0 = _x(op.align, w, dots)
        d = ImageDraw.Draw(img)
        for i, m in enumerate(modules):
            if m == "1":
                d.rectangle((x0 + i * op.module, 0, x0 + (i + 1) * op.module - 1, op.height - 1), fill=0)
    if hri:
        used = len(op.data) * cell
        draw_text(img, _x(op.align, used, dots), op.height + 3, op.data, font_path, cell=cell)
    return img


def render_bytes(data: bytes, *, dots: int, cell: int, font_path, charset: str = "gb18030") -> Image.Image:
    return render_ops(ed.decode(data, charset), dots=dots, cell=cell, font_path=font_path)
