"""Touch tests that drive the real app in a (headless) window, through both device simulators."""
from kivy.core.window import Window
from kivy.tests.common import UnitTestTouch

from kiosk import messages
from kiosk.app.controllers import tickets as tk
from kiosk.cli.simulate import DEMO_CARD
from tests.conftest import FIXTURES
from tests.kiosk.conftest import copy_sample_content
from tests.kiosk.handwriting_samples import draw
from tests.kiosk.harness import KioskTestCase, decode_qr

URL = "https://bs.example.gov.cn/g/330382-GA-0001"
EXPIRING = {"reason": "expiring"}   # 330382-GA-0001 asks 您为什么换领？ first
FULL_ID, FULL_NAME = "330382198001014210", "张三"
MASKED_ID, MASKED_NAME = "330382********4210", "张*"


class FakeClock:
    t = 5000.0

    def __call__(self):
        return self.t


class AppTests(KioskTestCase):
    def sample(self):
        return copy_sample_content(self.tmp / "content")

    def test_browse_category_to_guide_scroll_with_finger_and_take_qr(self):
        app = self.start_app(self.sample())
        self.tap(self.button("户籍办理"))
        assert app.current == "category"
        self.tap(self.button("居民身份证换领"))
        assert app.current == "questions" and self.screen().ask == "您为什么换领？"
        self.tap(self.button("有效期满或即将到期"))
        assert app.current == "guide"
        texts = "\n".join(self.all_texts())
        for title in ("受理条件", "申请材料", "办理流程", "易错范例", "地点和时间", "电话"):
            assert title in texts
        scroll = self.screen().ids.scroll
        assert scroll.scroll_y == 1
        self.drag(scroll, dy=600)   # finger moves up: the text follows it
        assert scroll.scroll_y < 0.95
        self.tap(self.button("手机扫码带走"))
        assert app.current == "qr"
        assert decode_qr(self.shot("test-qr-screen")) == [URL + "?reason=expiring"]
        self.tap(self.button("返回"))
        assert app.current == "guide" and self.screen().answers == EXPIRING

    def test_search_by_pinyin_initials_on_the_screen_keyboard(self):
        app = self.start_app(self.sample())
        self.tap(self.button("搜索事项"))
        for key in "SFZ":
            self.tap(self.button(key))
        scr = self.screen()
        assert scr.query == "SFZ"
        assert "居民身份证换领" in [t.title for t in scr.ids.results.children]
        self.tap(self.button("删除"))
        assert scr.query == "SF"
        self.tap(self.button("Z"))
        self.tap(self.button("居民身份证换领", root=scr.ids.results))
        assert app.current == "questions" and self.screen().title == "居民身份证换领"

    def test_print_checklist_to_the_printer_simulator_then_rate_it(self):
        app = self.start_app(self.sample())
        app.open_guide("330382-GA-0001", answers=EXPIRING)
        self.pump()
        self.tap(self.button("打印一次告知单"))
        scr = app.screen("printing")
        self.pump(lambda: scr.phase != "working")
        assert scr.phase == "done" and scr.message == messages.PRINTED and scr.code == "330382-GA-0001"
        assert self.sims.printer.wait_for_receipts(1)
        assert "一次告知单".encode("gb18030") in bytes(self.sims.printer.received)
        # printed: the rating screen comes at once, saying so, and asks nothing personal
        self.pump(lambda: app.current == "rating")
        assert app.screen("rating").note == "一次告知单已打印，请取走。"
        self.tap(self.button("满意"))
        self.tap(self.button("指南清楚准确"))
        self.tap(self.button("提交评价"))
        [rating] = app.ratings.all()
        assert (rating.subject, rating.level, rating.reasons, rating.source) == (
            "330382-GA-0001", 4, ("clear",), "checklist")

    def test_a_chaping_asks_for_a_reason_and_takes_a_written_comment_but_no_phone_number(self):
        app = self.start_app(self.sample())
        app.open_guide("330382-GA-0001", answers=EXPIRING)
        self.pump()
        self.tap(self.button("打印一次告知单"))
        self.pump(lambda: app.current == "rating")
        scr = app.screen("rating")
        self.tap(self.button("不满意"))
        self.tap(self.button("提交评价"))
        assert scr.message == "请至少选择一项不满意的原因，便于我们核实和整改。" and app.ratings.all() == []
        self.shot("rating-chaping-needs-a-reason")
        assert "请至少选择一项不满意的原因" in "\n".join(self.all_texts())
        self.tap(self.button("等候或办理时间长"))
        assert scr.message == ""
        # the comment: written on the pad, character by character, digits from the key row
        self.tap(self.button("写意见（选填）"))
        pad = scr._hw_panel.ids.pad
        assert pad.get_root_window() is not None and scr._scroll.parent is None
        for char in ("十", "人"):
            self.write(pad, draw(char, (pad.width, pad.height), y_up=True))
            self.pump(lambda: app.handwriting_worker().idle(0))
            self.pump(frames=3)
            self.tap(self.button(char, root=scr._hw_panel.ids.candidates))
        for key in "13812345678":
            self.tap(self.button(key, root=scr._digits))
        assert scr.comment == "十人13812345678"
        self.tap(self.button("写好了"))
        self.tap(self.button("提交评价"))
        assert scr.message.startswith("为保护您的隐私，请删去意见中的手机号码（第 3–13 个字）")
        assert app.ratings.all() == [] and app.current == "rating"
        assert scr.comment_open and "请删去意见中的手机号码" in "\n".join(self.all_texts())  # shown with the comment
        self.shot("rating-comment-refused")
        for _ in range(11):
            self.tap(self.button("删除"))
        self.tap(self.button("写好了"))
        self.tap(self.button("提交评价"))
        [rating] = app.ratings.all()
        assert (rating.subject, rating.level, rating.reasons, rating.comment) == (
            "330382-GA-0001", 2, ("slow",), "十人")
        assert scr.thanks and "感谢您的评价" in "\n".join(self.all_texts())
        db = b"".join(p.read_bytes() for p in (self.tmp / "instance").glob("kiosk.db*"))
        assert b"13812345678" not in db
        # a comment left half-written goes with the idle reset: the next person starts clean
        app.open_rating("guide", "330382-GA-0001")
        self.tap(self.button("非常不满意"))
        scr.open_comment()
        self.pump()
        self.tap(self.button("5", root=scr._digits))
        assert scr.comment == "5"
        app.idle_reset.reset_to_home()
        assert app.current == "home" and scr.comment == "" and len(app.ratings.all()) == 1

    def test_printer_out_of_paper_shows_the_qr_instead(self):
        app = self.start_app(self.sample())
        self.sims.printer.set_state(paper="out")
        app.open_guide("330382-GA-0001", answers=EXPIRING)
        self.pump()
        self.tap(self.button("打印一次告知单"))
        scr = self.screen()
        self.pump(lambda: scr.phase != "working")
        assert scr.message == "打印机暂不可用，请扫码带走或联系工作人员"
        assert not self.sims.printer.receipts
        assert decode_qr(self.shot("test-printer-out")) == [URL + "?reason=expiring"]
        assert app.devices.errors[-1].device == "printer"

    def test_take_a_ticket_with_the_reader_simulator(self):
        app = self.start_app(self.sample())
        self.sims.reader.place(DEMO_CARD)
        self.tap(self.button("取号"))
        scr = self.screen()
        self.pump(lambda: scr.state == tk.CHOOSE)
        assert MASKED_NAME in scr.holder_text and MASKED_ID in scr.holder_text
        texts = "\n".join(self.all_texts())
        assert FULL_ID not in texts and FULL_NAME not in texts
        self.tap(self.button("A  户籍办理"))
        self.pump(lambda: scr.state == tk.DONE)
        assert scr.number == "A001" and scr.message == messages.TICKET_PRINTED
        assert self.sims.printer.wait_for_receipts(1)
        printed = bytes(self.sims.printer.received)
        assert b"A001" in printed and MASKED_ID.encode() in printed
        assert FULL_ID.encode() not in printed and FULL_NAME.encode("gb18030") not in printed
        # finished: the holder is gone from memory and screens, the number stays
        assert app.session.holder is None and app.ticket_flow.holder is None
        texts = "\n".join(self.all_texts())
        assert MASKED_ID not in texts and MASKED_NAME not in texts and "A001" in texts
        db = b"".join(p.read_bytes() for p in (self.tmp / "instance").glob("kiosk.db*"))
        for secret in (FULL_ID, MASKED_ID, FULL_NAME, MASKED_NAME):
            assert secret.encode() not in db
        # the rating screen is offered at once, with the number on it; 跳过 records nothing
        assert app.current == "rating" and "A001" in app.screen("rating").note
        self.tap(self.button("跳过"))
        assert app.current == "home" and app.ratings.all() == []

    def test_no_card_then_retry_with_a_card(self):
        app = self.start_app(self.sample(), card_wait=0.6)
        self.tap(self.button("取号"))
        scr = self.screen()
        assert scr.message == messages.PLACE_CARD
        self.pump(lambda: scr.state == tk.FAILED)
        assert scr.message == messages.NO_CARD and scr.can_retry
        self.sims.reader.place(DEMO_CARD)
        self.tap(self.button("重新读卡"))
        self.pump(lambda: scr.state == tk.CHOOSE)
        assert app.session.holder is not None

    def test_unreadable_card_says_what_to_do_and_a_retry_reads_it(self):
        app = self.start_app(self.sample())
        self.sims.reader.set_fault("read_failed")
        self.sims.reader.place(DEMO_CARD)
        self.tap(self.button("取号"))
        scr = self.screen()
        self.pump(lambda: scr.state == tk.FAILED)
        assert scr.message == messages.CARD_UNREADABLE and scr.can_retry
        assert app.session.holder is None
        self.sims.reader.set_fault(None)
        self.tap(self.button("重新读卡"))
        self.pump(lambda: scr.state == tk.CHOOSE)
        assert app.session.holder is not None

    def test_printer_out_means_no_ticket_number_is_used(self):
        app = self.start_app(self.sample())
        self.sims.printer.set_state(cover_open=True)
        self.sims.reader.place(DEMO_CARD)
        self.tap(self.button("取号"))
        scr = self.screen()
        self.pump(lambda: scr.state == tk.CHOOSE)
        self.tap(self.button("A  户籍办理"))
        self.pump(lambda: scr.state == tk.FAILED)
        assert scr.message == messages.TICKET_NOT_ISSUED and scr.number == ""
        assert app.store.execute("SELECT COUNT(*) FROM ticket_numbers") == [(0,)]
        assert MASKED_ID not in "\n".join(self.all_texts())

    def test_idle_countdown_then_home_wipes_card_holder_data(self):
        app = self.start_app(self.sample())
        clock = FakeClock()
        app.idle._clock = clock
        app.idle.touch()
        self.tap(self.button("长辈模式"))
        assert app.elder
        self.sims.reader.place(DEMO_CARD)
        self.tap(self.button("取号"))
        scr = self.screen()
        self.pump(lambda: scr.state == tk.CHOOSE)
        assert MASKED_ID in "\n".join(self.all_texts())
        clock.t += 60
        self.pump(lambda: app.countdown > 0)
        assert "10 秒后将返回首页，并清除您的信息" in self.all_texts()
        self.shot("test-idle-countdown")
        clock.t += 11
        self.pump(lambda: app.current == "home")
        texts = "\n".join(self.all_texts())
        for secret in (MASKED_ID, MASKED_NAME, FULL_ID, FULL_NAME):
            assert secret not in texts
        assert app.session.holder is None and app.ticket_flow.holder is None and app.ticket_flow.ticket is None
        assert not app.elder and app.scale == 1.0

    def test_touch_during_countdown_keeps_the_session(self):
        app = self.start_app(self.sample())
        clock = FakeClock()
        app.idle._clock = clock
        app.idle.touch()
        app.open_guide("330382-GA-0001", answers=EXPIRING)
        clock.t += 62
        self.pump(lambda: app.countdown > 0)
        self.tap(self.button("继续使用", root=app.root))
        self.pump(frames=3)
        assert app.countdown == 0 and app.current == "guide"

    def test_maintenance_by_long_press_in_a_corner_and_pin(self):
        app = self.start_app(self.sample())
        touch = UnitTestTouch(10, Window.height - 10)
        touch.touch_down()
        self.pump(lambda: app.current == "maintenance", timeout=6)
        touch.touch_up()
        scr = self.screen()
        for key in "1111":
            self.tap(self.button(key))
        self.tap(self.button("确定"))
        assert not scr.unlocked and "不正确" in scr.pin_message
        for key in "2468":
            self.tap(self.button(key))
        self.tap(self.button("确定"))
        assert scr.unlocked
        self.pump(lambda: "检测中" not in scr.reader_text and "检测中" not in scr.printer_text)
        assert scr.reader_text.startswith("读卡器：正常") and scr.printer_text.startswith("打印机：正常")
        assert app.stamp in scr.info_text

    def test_esc_does_not_quit(self):
        app = self.start_app(self.sample())
        assert Window.dispatch("on_keyboard", 27, 41, None, []) is True
        assert app.current == "home"

    def test_no_valid_content_says_so_plainly(self):
        empty = self.tmp / "empty"
        empty.mkdir()
        app = self.start_app(empty)
        assert app.current == "nocontent"
        assert messages.NO_CONTENT in self.all_texts()

    def test_elder_mode_type_targets_and_reset(self):
        app = self.start_app(FIXTURES / "valid")
        hall = self.screen().ids.hall
        normal = hall.font_size
        self.tap(self.button("长辈模式"))
        self.pump(frames=3)
        assert hall.font_size >= 1.4 * normal
        from kiosk.app.screens.common import KButton, Tile
        for w in self.screen().walk():
            if isinstance(w, (KButton, Tile)):
                assert w.height >= 60, (getattr(w, "text", ""), w.height)
        self.tap(self.button("标准模式"))
        assert not app.elder and hall.font_size == normal
