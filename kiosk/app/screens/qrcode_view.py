"""A QR code widget fed from kiosk.app.qr (always black on white, whatever the theme)."""
from __future__ import annotations

import io

from kivy.core.image import Image as CoreImage
from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.image import Image

from kiosk.app.qr import qr_png


class QRImage(Image):
    data = StringProperty("")

    def on_data(self, _w, value: str) -> None:
        if not value:
            self.texture = None
            return
        tex = CoreImage(io.BytesIO(qr_png(value)), ext="png").texture
        tex.mag_filter = "nearest"
        tex.min_filter = "nearest"
        self.texture = tex


Builder.load_string("""
<QRImage>:
    fit_mode: 'contain'
    canvas.before:
        Color:
            rgba: (1, 1, 1, 1) if self.texture else (0, 0, 0, 0)
        Rectangle:
            pos: self.center_x - self.norm_image_size[0] / 2, self.center_y - self.norm_image_size[1] / 2
            size: self.norm_image_size
""")
