"""The QR screen says where the QR code is: 上面 in portrait (above the words), 左侧 in
landscape (left of them)."""
from tests.kiosk.conftest import copy_sample_content
from tests.kiosk.harness import KioskTestCase, decode_qr
from tests.kiosk.layout_check import window_box

CODE = "330382-GA-0001"


class QRWordsPortrait(KioskTestCase):
    orientation = "portrait"

    def test_the_words_point_at_the_qr(self):
        app = self.start_app(copy_sample_content(self.tmp / "content"))
        for elder in (False, True):
            app.set_elder(elder)
            app.open_qr(CODE)
            self.pump()
            scr = self.screen()
            qr = window_box(scr.ids.qr)
            hint = next(w for w in scr.walk() if "二维码" in getattr(w, "text", ""))
            words = window_box(hint)
            if app.landscape:
                assert "扫描左侧的二维码" in hint.text and "上面" not in hint.text
                assert qr.right <= words.x
            else:
                assert "扫描上面的二维码" in hint.text and "左侧" not in hint.text
                assert qr.y >= words.top
        assert decode_qr(self.shot(f"test-qr-words-{self.orientation}")) == [f"https://bs.example.gov.cn/g/{CODE}"]


class QRWordsLandscape(QRWordsPortrait):
    orientation = "landscape"
