"""打印一次告知单: progress, then the outcome; on a fault the QR instead of paper."""
from __future__ import annotations

from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty

from kiosk.app.screens import load_kv
from kiosk.app.screens.common import KioskScreen
from kiosk.app.screens.qrcode_view import QRImage  # noqa: F401

WORKING, DONE, FAILED = "working", "done", "failed"


class PrintingScreen(KioskScreen):
    phase = StringProperty(WORKING)
    message = StringProperty("")
    title = StringProperty("")
    url = StringProperty("")
    code = StringProperty("")
    progress = NumericProperty(0)
    failed = BooleanProperty(False)
    answers = ObjectProperty(None, allownone=True)   # the 情形 path printed (返回事项 shows it)

    def start(self, guide, url: str, message: str, answers=None) -> None:
        self.code, self.title, self.url = guide.code, guide.name, url
        self.answers = dict(answers) if answers else None
        self.phase, self.message, self.progress, self.failed = WORKING, message, 0, False

    def tick(self, dt) -> None:
        if self.phase == WORKING:
            self.progress = min(95, self.progress + 6)

    def finish(self, ok: bool, message: str) -> None:
        self.phase = DONE if ok else FAILED
        self.failed = not ok
        self.progress = 100 if ok else self.progress
        self.message = message


load_kv(__file__)
