"""One tap, one action: a tap delivered twice (two input providers) or repeated while its
action runs prints, issues, reads or checks once.

Field case 03-double-touch-prints-twice.py is the first test."""
import pytest
from kivy.tests.common import UnitTestTouch

from kiosk.app.controllers import tickets as tk
from kiosk.app.controllers.once import ActionGuard, GhostTouches
from kiosk.cli.simulate import DEMO_CARD
from tests.kiosk.conftest import copy_sample_content
from tests.kiosk.harness import KioskTestCase

CODE = "330382-GA-0001"
PATH = {"reason": "expiring"}   # its 情形 question (您为什么换领？) answered


def twice(test, widget):
    """One finger's tap as two input providers deliver it: both downs, then both ups."""
    x, y = widget.to_window(*widget.center)
    a, b = UnitTestTouch(x, y), UnitTestTouch(x, y)   # same finger, two providers
    a.touch_down()
    b.touch_down()
    test.step()
    a.touch_up()
    b.touch_up()
    test.pump(frames=4)


class DoubleTouch(KioskTestCase):
    def test_one_tap_seen_twice_prints_one_checklist(self):
        # field case 03: the product printed 2
        app = self.start_app(copy_sample_content(self.tmp / "content"))
        app.open_guide(CODE, answers=PATH)
        self.pump()
        twice(self, self.button("打印一次告知单"))
        self.wait(3.0)
        n = len(self.sims.printer.receipts)
        assert n == 1, f"one tap printed {n} receipts"
        # the one receipt printed, so the rating screen is offered (once)
        assert app.current == "rating" and app.screen("printing").phase == "done"

    def test_one_tap_seen_twice_on_elder_mode_switches_once(self):
        app = self.start_app(copy_sample_content(self.tmp / "content"))
        twice(self, self.button("长辈模式"))
        assert app.elder

    def test_two_fingers_apart_are_two_touches(self):
        app = self.start_app(copy_sample_content(self.tmp / "content"))
        app.open_maintenance()
        self.pump()
        one, two = self.button("1"), self.button("2")
        a = UnitTestTouch(*one.to_window(*one.center))
        b = UnitTestTouch(*two.to_window(*two.center))
        a.touch_down()
        b.touch_down()
        self.step()
        a.touch_up()
        b.touch_up()
        self.pump(frames=3)
        assert app.screen("maintenance").pin_shown == "●●"

    def test_the_same_key_tapped_twice_in_turn_counts_twice(self):
        app = self.start_app(copy_sample_content(self.tmp / "content"))
        app.open_maintenance()
        self.pump()
        self.tap(self.button("1"))
        self.tap(self.button("1"))
        assert app.screen("maintenance").pin_shown == "●●"

    def test_pin_confirmed_by_a_doubled_tap_unlocks_without_an_error(self):
        app = self.start_app(copy_sample_content(self.tmp / "content"))
        app.open_maintenance()
        self.pump()
        m = app.screen("maintenance")
        for key in "2468":
            m.press(key)
        ok = self.button("确定")
        x, y = ok.to_window(*ok.center)
        ok.dispatch("on_release")
        ok.dispatch("on_release")          # the second delivery reaches the button anyway
        self.pump()
        assert m.unlocked and "不正确" not in m.pin_message

    def test_print_repeated_while_printing_prints_once(self):
        app = self.start_app(copy_sample_content(self.tmp / "content"))
        app.print_checklist(CODE, PATH)
        app.print_checklist(CODE, PATH)
        scr = app.screen("printing")
        self.pump(lambda: scr.phase != "working")
        self.wait(1.0)
        assert len(self.sims.printer.receipts) == 1
        assert list(app.guard.ignored) == ["print"]
        app.print_checklist(CODE, PATH)              # done: the next tap prints again
        self.pump(lambda: len(self.sims.printer.receipts) == 2)

    def test_queue_chosen_twice_issues_and_prints_one_ticket(self):
        app = self.start_app(copy_sample_content(self.tmp / "content"))
        self.sims.reader.place(DEMO_CARD)
        app.open_ticket()
        scr = app.screen("ticket")
        self.pump(lambda: scr.state == tk.CHOOSE)
        b = next(w for w in scr.ids.queues.children if getattr(w, "queue", None) is app.queues[0])
        twice(self, b)
        b.dispatch("on_release")
        self.pump(lambda: scr.state == tk.DONE)
        self.wait(1.0)
        assert len(self.sims.printer.receipts) == 1
        assert app.store.execute("SELECT COUNT(*) FROM ticket_numbers") == [(1,)]

    def test_card_read_is_not_restarted_by_a_repeated_tap(self):
        app = self.start_app(copy_sample_content(self.tmp / "content"))
        self.sims.reader.remove()
        app.open_ticket()
        job = app.tickets.read_job
        app.open_ticket()                      # 取号 again while waiting for the card
        assert app.tickets.read_job is job and not job.cancelled.is_set()
        self.sims.reader.place(DEMO_CARD)
        scr = app.screen("ticket")
        self.pump(lambda: scr.state == tk.CHOOSE)

    def test_rating_submitted_twice_is_stored_once(self):
        app = self.start_app(copy_sample_content(self.tmp / "content"))
        app.open_rating("guide", CODE)
        self.pump()
        self.tap(self.button("满意"))
        twice(self, self.button("提交评价"))
        app.submit_rating(4, [])
        assert len(app.ratings.all()) == 1

    def test_test_page_requested_twice_prints_once(self):
        app = self.start_app(copy_sample_content(self.tmp / "content"))
        app.open_maintenance()
        m = app.screen("maintenance")
        for key in "2468确":
            m.press("确定" if key == "确" else key)
        self.pump()
        app.print_test_page()
        app.print_test_page()
        self.pump(lambda: "测试页已打印" in m.printer_text)
        self.wait(1.0)
        assert len(self.sims.printer.receipts) == 1


def test_guard_refuses_a_running_action_and_frees_it_when_done_or_stale():
    t = [0.0]
    g = ActionGuard(stale_after=60, clock=lambda: t[0])
    assert g.begin("print") and not g.begin("print") and g.begin("ticket")
    g.end("print")
    assert g.begin("print")
    t[0] = 61.0   # a device that never answered does not block printing for good
    assert g.begin("print")
    assert list(g.ignored) == ["print"]


@pytest.mark.parametrize("second,expected", [((100, 100), False), ((108, 95), False), ((160, 100), True)])
def test_ghost_touches_by_distance(second, expected):
    touches = GhostTouches(radius=12)
    assert touches.down("a", 100, 100)
    assert touches.down("b", *second) is expected


def test_ghost_touches_only_while_the_first_is_down_and_not_for_ever():
    t = [0.0]
    touches = GhostTouches(forget_after=20, clock=lambda: t[0])
    assert touches.down("a", 10, 10)
    touches.up("a")
    assert touches.down("b", 10, 10)      # a second tap at the same place is a new tap
    t[0] = 25.0                           # b's end was lost: the spot is not dead
    assert touches.down("c", 10, 10)
