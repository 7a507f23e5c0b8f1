"""QR images for the screen (same URL as the poster: guides.urls.guide_url)."""
from __future__ import annotations

import io
from functools import lru_cache

import qrcode
from qrcode.constants import ERROR_CORRECT_M


@lru_cache(maxsize=64)
def qr_png(data: str, box_size: int = 16, border: int = 4) -> bytes:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=border)
    qr.add_data(data)
    qr.make(fit=True)
    img = qr.make_image(fill_color="black", back_color="white").get_image()
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()
