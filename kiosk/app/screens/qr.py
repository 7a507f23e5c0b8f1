"""手机扫码带走: the guide's QR, large."""
from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.app.screens import load_kv
from kiosk.app.screens.common import KioskScreen
from kiosk.app.screens.qrcode_view import QRImage  # noqa: F401  (used in qr.kv)


class QRScreen(KioskScreen):
    title = StringProperty("")
    url = StringProperty("")
    code = StringProperty("")
    case = StringProperty("")   # the answers of the path the QR carries ("" for the whole guide)

    def show(self, guide, url: str, case: str = "") -> None:
        """The QR of `url`; `case` names the 情形 path it leads to."""
        self.code = guide.code
        self.title = guide.name
        self.url = url
        self.case = case


load_kv(__file__)
