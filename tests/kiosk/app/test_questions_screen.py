"""情形 questions on the running kiosk (offscreen window, both device simulators), in normal and
长辈模式: one question per screen as big buttons, the nested question only on its path, the
path's guide with its materials first, 重新选择, the QR of the path URL (decoded from the
screen), and the 一次告知单 of the path (decoded from the ESC/POS bytes the printer simulator
received). Each screen is checked for layout faults and saved to var/screenshots/kiosk-questions/."""
from __future__ import annotations

import shutil

from kivy.core.window import Window

from hardware.printer import escpos_decode as ed
from kiosk.app.screens.questions import INTRO_PRINT, OptionButton
from tests.conftest import ROOT
from tests.kiosk.harness import KioskTestCase, decode_qr
from tests.kiosk.layout_check import draw_faults, layout_faults
from tests.kiosk.nested_guide import AWAY, CODE, LOCAL, LOST, NAME, RENEW, WHERE, WHY, content_with_nested_guide

URL = f"https://bs.example.gov.cn/g/{CODE}"
SHOTS = ROOT / "var" / "screenshots" / "kiosk-questions"


def receipt_lines(ops) -> str:
    return "\n".join(op.text for op in ops if isinstance(op, ed.Line))


def flat(text: str) -> str:
    """A receipt's text without its line breaks and hanging indents."""
    return "".join(text.split())


def receipt_qrs(ops) -> list[str]:
    return [op.data for op in ops if isinstance(op, ed.QRCode)]


class QuestionsPortrait(KioskTestCase):
    orientation = "portrait"

    def start(self):
        app = self.start_app(content_with_nested_guide(self.tmp / "content"))
        self.faults: list[str] = []
        return app

    def checked_shot(self, name: str):
        """Screenshot to var/screenshots/kiosk-questions/<name>.png and the layout check."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.pump(frames=2)
        self.draw(2)
        dest = SHOTS / f"{self.orientation}-{name}.png"
        shutil.move(Window.screenshot(str(self.tmp / "shot.png")), dest)
        found = layout_faults(self.app.root, Window.size)
        if found:
            draw_faults(dest, SHOTS / f"{self.orientation}-{name}-faults.png", found, Window.height)
            self.faults += [f"{name}: {f}" for f in found]
        return dest

    def options(self):
        return [w for w in self.screen().ids.options.children if isinstance(w, OptionButton)][::-1]

    def open_by_touch(self):
        """户籍办理, then 打开事项 on the guide's tile (the call its tap makes: the tile sits far
        down a long list of the sample content, test_app taps a tile by touch)."""
        self.tap(self.button("户籍办理"))
        tile = self.button(NAME)
        tile.dispatch("on_release")
        self.pump()

    def assert_big_options(self, labels):
        app = self.app
        buttons = self.options()
        assert [b.text for b in buttons] == labels
        box = self.screen().ids.options
        for b in buttons:
            tall = (130 if app.landscape else 150) * min(app.scale, 1.3)
            assert b.height >= app.target and b.height >= tall - 1
            assert abs(b.width - box.width) < 1        # full width
            assert b.font_size == 36 * app.scale

    def test_nested_questions_then_the_path_its_qr_and_its_checklist(self):
        app = self.start()
        for mode in ("normal", "elder"):
            app.go_home()
            app.set_elder(mode == "elder")
            self.pump()
            self.open_by_touch()
            scr = self.screen()
            assert app.current == "questions" and scr.title == NAME and scr.ask == WHY and scr.chosen == ""
            self.assert_big_options([RENEW, LOST])
            self.checked_shot(f"{mode}-1-first-question")
            self.tap(self.button(LOST))
            assert app.current == "questions" and scr.ask == WHERE and scr.number == "第 2 个问题"
            assert scr.chosen == f"已选择：{LOST}"
            self.assert_big_options([LOCAL, AWAY])
            view = scr.ids.scroll
            assert scr.ids.options.height <= view.height   # both answers in view, no scrolling
            self.checked_shot(f"{mode}-2-nested-question")
            self.tap(self.button("返回"))                     # one question back
            assert app.current == "questions" and scr.ask == WHY
            self.tap(self.button(LOST))
            self.tap(self.button(AWAY))
            guide = self.screen()
            self.pump(lambda: guide._pending is None)
            assert app.current == "guide" and guide.answers == {"why": "lost", "where": "away"}
            assert guide.case_text == f"您的情形：{LOST}；{AWAY}"
            bar = guide.ids.case_button
            assert bar.text == "重新选择" and bar.opacity == 1 and not bar.disabled and bar.height >= app.target
            titles = [w.text for w in guide.ids.sections.children[::-1]]
            assert titles[0] == "申请材料"                     # the case's materials first
            materials = titles[1]
            assert "居住证" in materials and "居民身份证申领登记表" in materials
            assert "原居民身份证" not in materials and "居民户口簿" not in materials
            assert "〔情形" not in "\n".join(titles)           # a complete path: no case headings
            self.checked_shot(f"{mode}-3-path-guide")
            self.tap(self.button("手机扫码带走"))
            assert app.current == "qr"
            assert decode_qr(self.checked_shot(f"{mode}-4-path-qr")) == [URL + "?why=lost&where=away"]
            self.tap(self.button("返回"))
            assert app.current == "guide" and self.screen().answers == {"why": "lost", "where": "away"}

            self.tap(self.button("重新选择"))                  # start over from the path's guide
            assert app.current == "questions" and self.screen().ask == WHY and self.screen().chosen == ""
            self.tap(self.button(LOST))
            self.tap(self.button(LOCAL))
            guide = self.screen()
            self.pump(lambda: guide._pending is None)
            materials = [w.text for w in guide.ids.sections.children[::-1]][1]
            assert "以下材料任选一种" in materials and "居民户口簿" in materials and "户籍证明" in materials
            assert "居住证" not in materials
            self.checked_shot(f"{mode}-5-path-guide-group")

            before = len(self.sims.printer.receipts)
            self.tap(self.button("打印一次告知单"))
            self.pump(lambda: len(self.sims.printer.receipts) == before + 1)
            ops = self.sims.printer.receipts[-1]
            text = receipt_lines(ops)
            assert f"您的情形：{LOST}；{LOCAL}" in flat(text)
            assert "以下材料任选一种" in text and "居民户口簿" in text and "户籍证明" in text
            assert "居住证" not in text and "原居民身份证" not in text
            assert "40 元/证" in text and "20 元/证" not in text
            assert "承诺 20 个工作日" in text
            assert "乐清市市民中心一楼 A 区" in text and "异地办证窗口" not in text
            assert receipt_qrs(ops) == [URL + "?why=lost&where=local"]
            self.pump(lambda: app.current == "rating")        # the rating offer follows the print
            assert app.screen("rating").note == "一次告知单已打印，请取走。"
            self.tap(self.button("跳过"))
            assert app.current == "guide" and self.screen().answers == {"why": "lost", "where": "local"}
        assert not self.faults, "\n".join(self.faults)

    def test_printing_before_answering_asks_first_then_prints_that_path(self):
        app = self.start()
        for mode in ("normal", "elder"):
            app.go_home()
            app.set_elder(mode == "elder")
            self.pump()
            self.open_by_touch()
            self.tap(self.button("查看全部情形"))            # the whole guide, grouped by case
            guide = self.screen()
            self.pump(lambda: guide._pending is None)
            assert app.current == "guide" and guide.answers is None
            assert guide.case_text.startswith("未选择情形") and guide.ids.case_button.text == "选择情形"
            materials = [w.text for w in guide.ids.sections.children[::-1]][1]
            assert f"〔情形：{RENEW}〕" in materials and "居住证" in materials
            self.checked_shot(f"{mode}-6-whole-guide")
            self.tap(self.button("手机扫码带走"))
            assert decode_qr(self.checked_shot(f"{mode}-7-whole-qr")) == [URL]   # no answers: the guide's URL
            self.tap(self.button("返回"))
            before = len(self.sims.printer.receipts)
            self.tap(self.button("打印一次告知单"))
            scr = self.screen()
            assert app.current == "questions" and scr.ask == WHY and scr.intro == INTRO_PRINT
            assert len(self.sims.printer.receipts) == before   # nothing printed before the case is known
            self.checked_shot(f"{mode}-8-ask-before-print")
            self.tap(self.button(RENEW))
            assert app.current in ("printing", "rating")
            self.pump(lambda: len(self.sims.printer.receipts) == before + 1)
            ops = self.sims.printer.receipts[-1]
            text = receipt_lines(ops)
            assert f"您的情形：{RENEW}" in flat(text)
            assert "原居民身份证" in text and "居住证" not in text and "任选" not in text
            assert "20 元/证" in text and "40 元/证" not in text
            assert receipt_qrs(ops) == [URL + "?why=renew"]
            self.pump(lambda: app.current == "rating")
        assert not self.faults, "\n".join(self.faults)


class QuestionsLandscape(QuestionsPortrait):
    orientation = "landscape"
