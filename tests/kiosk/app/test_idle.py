"""Idle: any touch or scroll restarts the idle timer; the countdown says how to stay.

Reading a long guide takes more than 60 s: a slow drag, the scroll view still moving and
the mouse wheel all count as someone being there."""
import time

from kivy.core.window import Window
from kivy.tests.common import UnitTestTouch

from tests.kiosk.conftest import copy_sample_content
from tests.kiosk.harness import KioskTestCase

CODE = "330382-GA-0001"
PATH = {"reason": "expiring"}   # its 情形 question (您为什么换领？) answered


class FakeClock:
    t = 10_000.0

    def __call__(self):
        return self.t


class Idle(KioskTestCase):
    def reading(self):
        app = self.start_app(copy_sample_content(self.tmp / "content"))
        clock = FakeClock()
        app.idle._clock = clock
        app.idle.touch()
        app.open_guide(CODE, answers=PATH)
        scr = app.screen("guide")
        self.pump(lambda: scr._pending is None)
        self.pump()
        app.idle.touch()
        return app, clock, scr.ids.scroll

    def test_a_slow_drag_through_a_long_guide_keeps_the_kiosk(self):
        app, clock, scroll = self.reading()
        x, y = scroll.to_window(*scroll.center)
        touch = UnitTestTouch(x, y - 300)
        touch.touch_down()
        self.step()
        for i in range(1, 8):        # 70 s, a finger moving the text up now and then
            clock.t += 10
            for k in range(4):
                touch.touch_move(x, y - 300 + 40 * (4 * (i - 1) + k + 1) / 4)
                self.step()
                time.sleep(0.01)
            app.idle_reset.tick()
            assert app.countdown == 0, f"countdown after {10 * i} s of scrolling"
        touch.touch_up()
        self.pump()
        assert scroll.scroll_y < 1 and app.current == "guide"
        clock.t += app.cfg.idle_seconds + 1          # then nobody: the countdown comes
        app.idle_reset.tick()
        assert app.countdown > 0

    def test_the_text_still_scrolling_or_the_wheel_counts_as_use(self):
        app, clock, scroll = self.reading()
        clock.t += 55
        scroll.scroll_y = 0.6         # a fling still moving
        clock.t += 15
        app.idle_reset.tick()
        assert app.countdown == 0
        x, y = scroll.to_window(*scroll.center)
        wheel = UnitTestTouch(x, y)   # the mouse wheel
        wheel.profile.append("button")
        wheel.button = "scrolldown"
        clock.t += 40                 # 55 s after the fling
        wheel.touch_down()
        self.step()
        wheel.touch_up()
        self.pump()
        clock.t += 15
        app.idle_reset.tick()
        assert app.countdown == 0 and app.current == "guide"

    def test_countdown_says_how_to_stay_and_a_touch_anywhere_stays(self):
        app, clock, scroll = self.reading()
        clock.t += app.cfg.idle_seconds + 1
        self.pump(lambda: app.countdown > 0)
        assert "轻触屏幕任意位置继续浏览" in self.all_texts()
        touch = UnitTestTouch(Window.width * 0.5, Window.height * 0.12)   # not on the button
        touch.touch_down()
        self.step()
        touch.touch_up()
        self.pump(frames=3)
        assert app.countdown == 0 and app.current == "guide"
        assert list(app.guard.ignored) == []
