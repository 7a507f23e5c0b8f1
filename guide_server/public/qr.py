"""QR codes of the stable guide URLs, as SVG, PNG or a module matrix (for posters).

Error correction M, quiet zone of 4 modules. Output is deterministic: the same
URL gives the same bytes, so exported files equal served ones. No Flask import.
"""
from __future__ import annotations

import io
from functools import lru_cache

import qrcode
from qrcode.constants import ERROR_CORRECT_M

QUIET = 4


@lru_cache(maxsize=4096)
def matrix(data: str) -> tuple[tuple[bool, ...], ...]:
    """Dark modules of the QR symbol, without the quiet zone."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    qr.add_data(data.encode("utf-8"))
    qr.make(fit=True)
    return tuple(tuple(bool(c) for c in row) for row in qr.get_matrix())


@lru_cache(maxsize=4096)
def modules(data: str) -> int:
    """Modules per side of `data`'s symbol (without the quiet zone), from its version alone:
    the layout of a poster needs the size long before the matrix is drawn."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    qr.add_data(data.encode("utf-8"))
    return qr.best_fit() * 4 + 17


def runs(row: tuple[bool, ...]):
    """(start, length) of each run of dark modules in a row."""
    x, n = 0, len(row)
    while x < n:
        if row[x]:
            start = x
            while x < n and row[x]:
                x += 1
            yield start, x - start
        else:
            x += 1


def svg(data: str, title: str | None = None) -> bytes:
    m = matrix(data)
    size = len(m) + 2 * QUIET
    path = []
    for y, row in enumerate(m):
        for x, n in runs(row):
            path.append(f"M{x + QUIET} {y + QUIET}h{n}v1h-{n}z")
    label = ""
    if title:
        from html import escape

        label = f"<title>{escape(title)}</title>"
    out = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
           f'shape-rendering="crispEdges" role="img">{label}'
           f'<rect width="{size}" height="{size}" fill="#fff"/>'
           f'<path fill="#000" d="{"".join(path)}"/></svg>')
    return out.encode("utf-8")


@lru_cache(maxsize=512)
def png(data: str, scale: int = 8) -> bytes:
    from PIL import Image

    m = matrix(data)
    size = len(m) + 2 * QUIET
    img = Image.new("1", (size, size), 1)
    px = img.load()
    for y, row in enumerate(m):
        for x, dark in enumerate(row):
            if dark:
                px[x + QUIET, y + QUIET] = 0
    img = img.resize((size * scale, size * scale), Image.NEAREST)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
