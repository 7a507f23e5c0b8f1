"""The app's flow controllers run without Kivy: a plain host object stands in for the app."""
from __future__ import annotations

import sys
from types import SimpleNamespace

from kiosk.app.controllers.case_questions import CaseQuestions
from kiosk.app.controllers.idle import IdleTimer
from kiosk.app.controllers.idle_reset import IdleReset
from kiosk.app.controllers.navigation import Navigation
from kiosk.app.controllers.once import ActionGuard
from kiosk.app.controllers.queue_ticket import QueueTicket
from kiosk.app.controllers.rating_flow import THANKS, RatingFlow
from kiosk.app.controllers.session import CardHolder, Session
from kiosk.config import Queue


class Screen(SimpleNamespace):
    def __init__(self, name):
        super().__init__(name=name, shown=None, personal=True, thanks="", title=None)

    def show(self, what, *args, then=None, answers=None):
        self.shown = what

    def start(self, title, note=""):
        self.title = title
        self.note = note

    def show_results(self, search):
        self.shown = search.query

    def reset_input(self):
        self.input_reset = True

    def clear_personal(self):
        self.personal = False


class Host:
    """What the app provides to its controllers, in plain Python."""

    def __init__(self):
        self.current = "home"
        self.screens = {n: Screen(n) for n in ("home", "category", "search", "guide", "qr", "rating", "ticket")}
        self.guides = {"330000-A-0001": SimpleNamespace(code="330000-A-0001", name="居民身份证换领")}
        self.content = SimpleNamespace(ok=True)
        self.release = SimpleNamespace(categories=[SimpleNamespace(slug="huji", name="户籍")])
        self.session = Session()
        self.marks = {}
        self.later_calls = []
        self.stored = []
        self.ratings = SimpleNamespace(add=lambda *a, **kw: self.stored.append((a, kw)))
        self.queues = [Queue("A", "户籍办理")]
        self.stamp = "R3"
        self.elder = False
        self.countdown = 0
        self.search = SimpleNamespace(query="", clear=lambda: None, finish=lambda: None)
        self.prompts = []
        self.read_aloud = SimpleNamespace(stop=lambda: None, prompt=self.prompts.append)
        self.ticket_flow = SimpleNamespace(wiped=False, wipe=lambda: setattr(self.ticket_flow, "wiped", True))
        self.devices = SimpleNamespace(busy=False)
        self.guard = ActionGuard()
        self.nav = Navigation(self)
        self.questions = CaseQuestions(self)
        self.tickets = QueueTicket(self)
        self.rating = RatingFlow(self)
        self.idle_reset = IdleReset(self)

    def offer_rating(self, source, subject, note, answers=None):
        self.rating.offer_rating(source, subject, note, answers)

    def show(self, name):
        self.current = name

    def screen(self, name):
        return self.screens[name]

    def all_screens(self):
        return list(self.screens.values())

    def mark(self, name):
        self.marks[name] = 0.0

    def mark_after_draw(self, name):
        self.marks[name] = 0.0

    def later(self, fn, seconds):
        self.later_calls.append((fn, seconds))

    def go_home(self):
        self.nav.go_home()

    def guide_url(self, code, query=""):
        return f"https://example.gov.cn/g/{code}" + (f"?{query}" if query else "")

    def set_elder(self, on):
        self.elder = on


def test_back_returns_to_the_guide_then_the_category_and_skips_the_printing_screen():
    host = Host()
    host.nav.open_category("huji")
    host.nav.open_guide("330000-A-0001")
    host.nav.go("printing")
    host.nav.go("qr")
    assert host.current == "qr"
    host.nav.go_back()
    assert host.current == "guide" and host.session.guide_code == "330000-A-0001"
    host.nav.go_back()
    assert host.current == "category"
    host.nav.go_back()
    assert host.current == "home"


def test_back_skips_a_guide_the_new_release_no_longer_has():
    host = Host()
    host.nav.open_guide("330000-A-0001")
    host.nav.open_qr("330000-A-0001")
    del host.guides["330000-A-0001"]
    host.nav.go_back()
    assert host.current == "home"


def test_a_queue_rating_is_stored_once_under_the_queue_and_thanks():
    host = Host()
    host.rating.submit_rating(5, [])
    assert host.stored == []  # nothing open: nothing stored
    host.rating.open_rating("ticket", "A")
    assert host.screens["rating"].title == "取号 · 户籍办理" and host.current == "rating"
    host.rating.submit_rating(2, ["slow"])
    host.rating.submit_rating(2, ["slow"])
    assert host.stored == [(("queue:A", 2, ["slow"]), {"source": "ticket", "release": "R3", "comment": ""})]
    assert host.screens["rating"].thanks == THANKS
    (fn, seconds), = host.later_calls
    assert seconds == 4
    fn(0)
    assert host.current == "home"


def test_a_chaping_needs_a_reason_and_a_comment_with_a_phone_or_id_number_is_refused_politely():
    host = Host()
    host.rating.open_rating("guide", "330000-A-0001")
    assert host.rating.submit_rating(1, []) == "请至少选择一项不满意的原因，便于我们核实和整改。"
    assert host.rating.submit_rating(2, ["clear"]) == "请至少选择一项不满意的原因，便于我们核实和整改。"  # a 好评 reason
    refused = host.rating.submit_rating(2, ["slow"], "有事请打一三八 1234 5678")
    assert refused.startswith("为保护您的隐私，请删去意见中的手机号码（第 5–") and "不要留下电话或证件号码" in refused
    refused = host.rating.submit_rating(2, ["slow"], "号码330382199001024210")
    assert "身份证号码" in refused
    assert "最多 60 个字" in host.rating.submit_rating(2, ["slow"], "等" * 61)
    assert host.stored == [] and host.current == "rating"          # nothing stored, still rating
    assert host.rating.submit_rating(2, ["slow"], " 等了40分钟 ") is None
    assert host.stored == [(("330000-A-0001", 2, ["slow"]), {"source": "guide", "release": "R3",
                                                             "comment": "等了40分钟"})]


def test_idle_counts_down_then_wipes_the_card_holder_and_goes_home():
    host = Host()
    now = [0.0]
    host.idle = IdleTimer(60, 10, clock=lambda: now[0])
    host.session.holder = CardHolder("张*", "330382********4210")
    host.nav.open_guide("330000-A-0001")
    host.elder = True
    host.rating.open_rating("guide", "330000-A-0001")
    now[0] = 65.0
    host.idle_reset.tick()
    assert host.countdown == 5 and host.current == "rating"
    host.idle_reset.user_touched()
    assert host.countdown == 0
    now[0] = 200.0
    host.idle_reset.tick()
    assert host.current == "home" and host.session.holder is None and not host.elder
    assert host.ticket_flow.wiped and not host.screens["ticket"].personal
    assert host.rating.context is None and host.countdown == 0


def test_after_a_print_the_rating_is_offered_and_skipping_records_nothing():
    host = Host()
    host.nav.open_guide("330000-A-0001")
    host.offer_rating("checklist", "330000-A-0001", "一次告知单已打印，请取走。")
    scr = host.screens["rating"]
    assert host.current == "rating" and scr.note == "一次告知单已打印，请取走。" and scr.title == "居民身份证换领"
    host.rating.skip_rating()
    assert host.stored == [] and host.current == "guide" and host.rating.context is None
    # after a ticket, 跳过 goes home
    host.offer_rating("ticket", "A", "您的号码 A001 已打印，请取走号票。")
    assert host.screens["rating"].title == "取号 · 户籍办理"
    host.rating.skip_rating()
    assert host.stored == [] and host.current == "home"


def test_listening_to_read_aloud_keeps_the_kiosk_from_resetting_and_the_reset_stops_it():
    host = Host()
    now = [0.0]
    host.idle = IdleTimer(60, 10, clock=lambda: now[0])
    stopped = []
    host.read_aloud.stop = lambda: stopped.append(True)
    host.nav.open_guide("330000-A-0001")
    host.screens["guide"].reading = True     # 朗读 speaking: nobody touches the screen
    now[0] = 200.0
    host.idle_reset.tick()
    assert host.current == "guide" and host.countdown == 0
    host.screens["guide"].reading = False    # finished: the idle time starts again
    now[0] = 265.0
    host.idle_reset.tick()
    assert host.countdown == 5
    now[0] = 400.0
    host.idle_reset.tick()
    assert host.current == "home" and stopped
    assert host.screens["search"].input_reset  # the next person gets the configured search input
