"""Every screen, in normal and elder mode, portrait and landscape, saved as PNG and checked.

Files go to build/screenshots/kiosk/ (or $KIOSK_SCREENSHOTS), named
<orientation>-<mode>-<screen>.png. The on-screen QR codes are decoded. Each screen's
widget tree is checked for layout faults as it is shot (tests/kiosk/layout_check.py:
overlapping boxes, boxes outside the window, cut text, invisible buttons that take taps);
a screen with a fault is also saved as <name>-faults.png with the faults outlined.
"""
import unicodedata

from kivy.core.window import Window

from kiosk.app.controllers import tickets as tk
from kiosk.cli.simulate import DEMO_CARD
from kiosk.fleet.hooks import REFUSED_FORMAT_LABEL, REFUSED_HALL_LABEL, STALE_NOTE
from kiosk.speech import VoiceSettings
from tests.kiosk.conftest import copy_sample_content
from tests.kiosk.handwriting_samples import draw
from tests.kiosk.harness import SHOTS, KioskTestCase, decode_qr
from tests.kiosk.layout_check import draw_faults, layout_faults

CODE = "330382-GA-0001"
PATH = {"reason": "expiring"}   # its 情形 question (您为什么换领？) answered
URL = f"https://bs.example.gov.cn/g/{CODE}"


class FakeClock:
    t = 10_000.0

    def __call__(self):
        return self.t


class ScreenshotsPortrait(KioskTestCase):
    orientation = "portrait"

    def test_every_screen_in_both_modes(self):
        app = self.start_app(copy_sample_content(self.tmp / "content"),
                             voice=VoiceSettings(engine="none", standard_mode=True))
        for term in ("社保卡", "SFZ", "HUKOU", "公积金", "YB", "不动产"):  # what earlier people searched
            app.search_terms.record(term)
        clock = FakeClock()
        app.idle._clock = clock
        shots = []
        faults: list[str] = []

        def checked_shot(name):
            path = self.shot(name)
            found = layout_faults(app.root, Window.size)
            fault_png = SHOTS / f"{name}-faults.png"
            fault_png.unlink(missing_ok=True)
            if found:
                draw_faults(path, fault_png, found, Window.height)
                faults.extend(f"{name}: {f}" for f in found)
            return path

        # the home screen's status badge, as long as it gets (kiosk.fleet.hooks.offline_label):
        # the widest of its texts (a Chinese character is two columns)
        app.offline_text = max(("离线 · 自 11-22 14:05 · " + STALE_NOTE, REFUSED_FORMAT_LABEL, REFUSED_HALL_LABEL),
                               key=lambda t: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in t))
        assert app.offline_text == REFUSED_HALL_LABEL
        app.offline = True
        for mode in ("normal", "elder"):
            app.go_home()
            app.set_elder(mode == "elder")
            app.idle.touch()
            self.pump()

            def shot(name):
                shots.append(checked_shot(f"{self.orientation}-{mode}-{name}"))
                return shots[-1]

            shot("home")
            app.open_category("huji")
            self.pump()
            shot("category")
            app.open_search()
            self.pump()
            shot("search-empty")        # 常用事项 and the most searched terms
            for key in "SFZ":
                app.search_key(key)
            self.pump()
            shot("search")
            app.search_clear()
            for key in "XQXQ":
                app.search_key(key)
            self.pump()
            shot("search-nohit")        # categories, hotline, 请工作人员帮助
            app.search_help()
            self.pump()
            shot("search-nohit-help")
            app.search_clear()
            search = app.screen("search")
            search.toggle_keyboard()
            for key in "HUKOU":
                app.search_key(key)
            self.pump()
            shot("search-qwerty")
            search.toggle_keyboard()
            app.search_clear()
            search.set_input("handwriting")
            self.pump()
            pad = search._hw_panel.ids.pad
            self.write(pad, draw("社", (pad.width, pad.height), y_up=True))
            self.pump(lambda: "社" in search.hw.candidates)
            shot("search-handwriting")
            search.rewrite()
            search.set_input("pinyin")
            app.open_guide(CODE)
            self.pump()
            assert app.current == "questions"
            shot("questions")           # 情形: one question, its options as big buttons
            app.open_guide(CODE, answers=PATH)
            self.pump()
            shot("guide")               # 朗读 beside the summary (standard mode too: voice.standard_mode)
            app.toggle_reading()
            self.pump(lambda: not app.screen("guide").reading)
            app.open_qr(CODE)
            assert decode_qr(shot("qr")) == [URL]
            app.print_checklist(CODE, PATH)
            scr = app.screen("printing")
            self.pump(lambda: scr.phase != "working")
            assert scr.phase == "done"
            shot("printing-done")
            self.sims.printer.set_state(paper="out")
            app.print_checklist(CODE, PATH)
            self.pump(lambda: scr.phase != "working")
            assert scr.phase == "failed"
            assert decode_qr(shot("printing-failed")) == [URL + "?reason=expiring"]   # the path printed
            self.sims.printer.set_state(paper="ok")
            app.offer_rating("checklist", CODE, "一次告知单已打印，请取走。")
            app.screen("rating").pick(2)
            self.pump()
            shot("rating")
            app.submit_rating(3, [])
            self.pump()
            shot("rating-thanks")
            # a card reader that went away mid-read
            self.sims.reader.set_fault("unplug")
            app.open_ticket()
            tscr = app.screen("ticket")
            self.pump(lambda: tscr.state == tk.FAILED)
            shot("ticket-failed")
            self.sims.reader.set_fault(None)
            app.go_home()
            # 取号
            self.sims.reader.remove()
            app.open_ticket()
            self.pump()
            shot("ticket-place-card")
            self.sims.reader.place(DEMO_CARD)
            tscr = app.screen("ticket")
            self.pump(lambda: tscr.state == tk.CHOOSE)
            shot("ticket-choose")
            app.idle.touch()
            clock.t += app.cfg.idle_seconds + 2
            self.pump(lambda: app.countdown > 0)
            shot("idle-countdown")
            app.user_touched()
            app.choose_queue(app.queues[0])
            self.pump(lambda: tscr.state == tk.DONE)
            shot("ticket-done")
            self.sims.reader.remove()
            app.go_home()
            app.open_maintenance()
            self.pump()
            shot("maintenance-pin")
            m = app.screen("maintenance")
            for key in "2468":
                m.press(key)
            m.press("确定")
            self.pump(lambda: "检测中" not in m.printer_text and "检测中" not in m.reader_text)
            shot("maintenance")
            app.go_home()
            self.pump()
        # no valid content at all
        from kiosk.content import KioskContent
        app.set_content(KioskContent(None, "本机还没有同步过办事指南"))
        app.screen("nocontent").problem = app.content.problem
        app.go_home()
        self.pump()
        assert app.current == "nocontent"
        shots.append(checked_shot(f"{self.orientation}-normal-nocontent"))
        assert all(p.stat().st_size > 10_000 for p in shots)
        assert not faults, f"{len(faults)} layout faults:\n" + "\n".join(faults)


class ScreenshotsLandscape(ScreenshotsPortrait):
    orientation = "landscape"
