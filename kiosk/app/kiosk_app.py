"""The kiosk app (Kivy): builds the screens and wires the flows to them.

Each flow lives in its own controller without Kivy (kiosk.app.controllers): navigation
(`nav`), 情形 questions (`questions`), checklist printing (`printing`), 取号 (`tickets`), 好差评
(`rating`), maintenance (`maintenance`), read-aloud (`read_aloud`) and the idle reset (`idle_reset`). The app is their
host: it shows screens, runs the clock and holds the content; its public methods forward to the
controllers. Two workers run beside the UI thread: the handwriting recogniser (opened the first
time the 手写 pad shows) and the speaker; both answer through `Clock.schedule_once`.

Events for the guide server (a search that found nothing) go to `record_event(kind, data)`,
which the fleet hooks (kiosk.fleet.hooks.attach) point at the outbox; without a fleet
connection they are only logged.

Create it with `KioskApp(config, content, instance=..., devices=...)`. `run()`
is for the terminal; tests call `start_in_window()` inside a GraphicUnitTest.

The app keeps its own timestamps in `marks` (time.perf_counter seconds):
"start", "home_drawn", "guide_open"/"guide_built"/"guide_drawn"/"guide_complete",
"key"/"results_shown"/"results_drawn", "settled" (see `settle`), used by
bench/bench_kiosk.py. A "..._drawn" mark is taken when the frame showing the
result has been rasterized and swapped.
"""
from __future__ import annotations

import gc
import logging
import sys
import time
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.config import Config
from kivy.core.text import LabelBase

if "kivy.core.window" not in sys.modules:
    # No multisampling: the terminal may draw with software GL (Mesa llvmpipe), where 4x MSAA
    # (what "2" gets) makes every 1080x1920 frame 2-2.5x slower; text comes anti-aliased as
    # textures anyway. Only possible before the window exists (kiosk run sets it too).
    Config.set("graphics", "multisamples", "0")
from kivy.core.window import Window  # noqa: E402
from kivy.lang import Builder
from kivy.graphics.opengl import glFinish
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout

from guides.fonts import FONT_NAME, FONT_PATH
from guides.urls import guide_url
from kiosk.config import KioskConfig
from kiosk.content import KioskContent
from kiosk.app.controllers import tickets as tk
from kiosk.app.controllers.case_questions import CaseQuestions
from kiosk.app.controllers.idle import IdleTimer
from kiosk.app.controllers.idle_reset import IdleReset
from kiosk.app.controllers.maintenance import VERSION, Maintenance
from kiosk.app.controllers.once import ActionGuard, GhostTouches
from kiosk.app.controllers.navigation import Navigation
from kiosk.app.controllers.printing import ChecklistPrinting
from kiosk.app.controllers.queue_ticket import QueueTicket
from kiosk.app.controllers.rating_flow import RatingFlow
from kiosk.app.controllers.ratings import RatingStore
from kiosk.app.controllers.read_aloud import ReadAloud
from kiosk.app.controllers.search import SearchController
from kiosk.app.controllers.search_terms import SearchTerms
from kiosk.app.controllers.session import Session
from kiosk.app.controllers.theme import theme_for
from kiosk.devices import DeviceService, printer_opener
from kiosk.hall_time import HallClock
from kiosk.handwriting import HandwritingUnavailable, RecognitionWorker, Recognizer
from kiosk.speech import NullEngine, Speaker, make_engine
from kiosk.store import KioskStore

log = logging.getLogger(__name__)


LabelBase.register(FONT_NAME, str(FONT_PATH))
LabelBase.register("Roboto", str(FONT_PATH))  # Kivy's default name: nothing falls back to a font without Chinese

from kiosk.app.screens import common  # noqa: E402,F401  (rules every screen uses)
from kiosk.app.screens.category import CategoryScreen  # noqa: E402
from kiosk.app.screens.guide import GuideScreen  # noqa: E402
from kiosk.app.screens.home import HomeScreen  # noqa: E402
from kiosk.app.screens.maintenance import MaintenanceScreen  # noqa: E402
from kiosk.app.screens.nocontent import NoContentScreen  # noqa: E402
from kiosk.app.screens.printing import PrintingScreen  # noqa: E402
from kiosk.app.screens.qr import QRScreen  # noqa: E402
from kiosk.app.screens.questions import QuestionScreen  # noqa: E402
from kiosk.app.screens.rating import RatingScreen  # noqa: E402
from kiosk.app.screens.search import SearchScreen  # noqa: E402
from kiosk.app.screens.ticket import TicketScreen  # noqa: E402

Builder.load_file(str(Path(__file__).with_name("app.kv")))

__all__ = ["KioskApp", "VERSION"]

SCREENS = (HomeScreen, CategoryScreen, SearchScreen, QuestionScreen, GuideScreen, QRScreen, PrintingScreen,
           TicketScreen, RatingScreen, MaintenanceScreen, NoContentScreen)


class KioskRoot(FloatLayout):
    """Screen manager, the idle countdown on top, and the maintenance corner.

    Every touch passes here first: its start, every move (a slow drag through a long guide)
    and its end restart the idle timer, and a second delivery of a finger that is already
    down (a touchscreen seen by two input providers) is dropped before any button sees it
    (controllers.once.GhostTouches). Scroll views restart the timer as they scroll, too
    (screens.common.KScrollView)."""

    def on_touch_down(self, touch):
        app = App.get_running_app()
        if app is not None:
            if not app.touches.down(touch.uid, touch.x, touch.y):
                touch.ud["kiosk_ghost"] = True
                return True
            app.user_touched()
        return super().on_touch_down(touch)

    def on_touch_move(self, touch):
        if touch.ud.get("kiosk_ghost"):
            return True
        app = App.get_running_app()
        if app is not None:
            app.user_touched()
        return super().on_touch_move(touch)

    def on_touch_up(self, touch):
        if touch.ud.get("kiosk_ghost"):
            return True
        app = App.get_running_app()
        if app is not None:
            app.touches.up(touch.uid)
            app.user_touched()
        return super().on_touch_up(touch)


class CountdownOverlay(FloatLayout):
    """The idle countdown: modal while shown, not even there for touches otherwise."""
    active = BooleanProperty(False)

    def on_touch_down(self, touch):
        if not self.active:
            return False
        super().on_touch_down(touch)
        return True

    def on_touch_move(self, touch):
        return self.active and super().on_touch_move(touch)

    def on_touch_up(self, touch):
        return self.active and super().on_touch_up(touch)


class _LazyIndex:
    """The app's search index, built when first needed (see KioskApp.search_index)."""

    def __init__(self, app: "KioskApp") -> None:
        self._app = app

    def search(self, query: str, limit: int = 20):
        return self._app.search_index.search(query, limit=limit)


class AfterFrame:
    """`fn` once, on the clock tick after the next frame is shown, or after `fallback` seconds."""

    _waiting: set = set()  # Kivy holds bound methods weakly: the object stays alive until it is done

    def __init__(self, fn, fallback: float) -> None:
        self._fn = fn
        self._done = False
        AfterFrame._waiting.add(self)
        self._fallback = Clock.schedule_once(self._run, fallback)
        Window.bind(on_flip=self._flipped)

    def _flipped(self, *_):
        Window.unbind(on_flip=self._flipped)
        Clock.schedule_once(self._run, 0)  # not inside the flip: the next tick, before the next frame

    def _run(self, *_):
        if not self._done:
            self.cancel()
            self._fn()

    def cancel(self) -> None:
        self._done = True
        Window.unbind(on_flip=self._flipped)
        self._fallback.cancel()
        AfterFrame._waiting.discard(self)


class KioskApp(App):
    title = "扫码办事"
    # look (bound in every .kv)
    font_name = StringProperty(FONT_NAME)
    scale = NumericProperty(1.0)
    target = NumericProperty(96)
    c_bg = ListProperty([1, 1, 1, 1])
    c_fg = ListProperty([0, 0, 0, 1])
    c_muted = ListProperty([0, 0, 0, 1])
    c_panel = ListProperty([1, 1, 1, 1])
    c_accent = ListProperty([0, 0, 1, 1])
    c_accent_fg = ListProperty([1, 1, 1, 1])
    c_warn = ListProperty([1, 0, 0, 1])
    c_good = ListProperty([0, 1, 0, 1])
    elder = BooleanProperty(False)
    landscape = BooleanProperty(False)
    # facts
    hall_name = StringProperty("")
    stamp = StringProperty("")
    offline = BooleanProperty(False)
    offline_text = StringProperty("")   # e.g. "离线 · 自 11-22 14:05 · …" (kiosk.fleet.hooks); "" for the default
    countdown = NumericProperty(0)
    read_button = BooleanProperty(False)   # the guide screen shows 朗读

    def __init__(self, config: KioskConfig, content: KioskContent, *, instance: str | Path,
                 devices: DeviceService | None = None, store: KioskStore | None = None,
                 t0: float | None = None, window_scale: float = 1.0, **kw) -> None:
        self.marks: dict[str, float] = {"start": t0 if t0 is not None else time.perf_counter()}
        super().__init__(**kw)
        self.cfg = config
        self.window_scale = window_scale   # < 1: a window smaller than the panel (window_fit)
        self.instance = Path(instance)
        self.session = Session()
        self.hall_time = HallClock(config.timezone)   # every time shown or printed
        self.guard = ActionGuard()       # one print / ticket / card read / test page at a time
        self.touches = GhostTouches()    # one finger seen twice is one touch
        self.idle = IdleTimer(config.idle_seconds, config.countdown_seconds)
        self.store = store or KioskStore(self.instance / "kiosk.db")
        self.ratings = RatingStore(self.store)
        self.devices = devices or DeviceService(
            config.reader, config.printer, deliver=self._deliver, card_wait_seconds=config.card_wait_seconds,
            printer_opener=printer_opener(config.printer_profile), hall_time=self.hall_time)
        self.nav = Navigation(self)
        self.questions = CaseQuestions(self)
        self.printing = ChecklistPrinting(self)
        self.tickets = QueueTicket(self)
        self.rating = RatingFlow(self)
        self.maintenance = Maintenance(self)
        self.idle_reset = IdleReset(self)
        self.search_terms = SearchTerms(self.store)
        self.speaker = self._make_speaker(config)
        self.read_aloud = ReadAloud(self)
        self._handwriting: RecognitionWorker | None = None
        self.handwriting_unavailable = ""   # the calm message once recognition is known not to run
        self._search_chars: frozenset[str] | None = None
        self._events = []
        self._overlay = None
        self.set_content(content)
        self.apply_theme()

    # -- content ---------------------------------------------------------------
    def set_content(self, content: KioskContent) -> None:
        self.content = content
        release = content.release if content.ok else None
        self.release = release
        self.guides = dict(release.guides) if release else {}
        self.site = release.site if release else None
        self.hall_name = self.cfg.hall_name or (self.site.hall_name if self.site else "")
        self.stamp = release.stamp if release else ""
        self.offline = not content.fresh
        self._search_index = None  # built on first use or soon after the home screen is drawn
        self._search_chars = None
        self.search = SearchController(_LazyIndex(self), terms=self.search_terms, on_nohit=self._search_nohit)
        cats = release.categories if release else ()
        self.queues = self.cfg.queues or tk.queues_from_categories(list(cats))
        self.ticket_flow = tk.TicketFlow(
            tk.SqliteTicketIssuer(self.store, self.cfg.waiting_window_minutes, self.hall_time),
            self.queues, self.hall_name, self.site.hotline if self.site else "", hall_time=self.hall_time)

    @property
    def search_index(self):
        """The search index over the current guides. Importing pypinyin and indexing take
        most of a second, so this is not done before the home screen is first drawn."""
        if self._search_index is None:
            from guides.search import SearchIndex
            self._search_index = SearchIndex(self.guides.values())
        return self._search_index

    @property
    def search_chars(self) -> frozenset[str]:
        """The Chinese characters the search can find something by (guide names, aliases,
        materials, categories): the 手写 pad offers these first."""
        if self._search_chars is None:
            chars: set[str] = set()
            for g in self.guides.values():
                texts = [g.name, g.category, *getattr(g, "aliases", ())]
                for m in getattr(g, "materials", ()):
                    texts += [getattr(m, "name", "") or "", getattr(m, "one_of", "") or ""]
                    texts += [getattr(i, "name", "") for i in (getattr(m, "items", None) or ())]
                for t in texts:
                    chars.update(ch for ch in t if 0x3400 <= ord(ch) <= 0x9FFF)
            self._search_chars = frozenset(chars)
        return self._search_chars

    def categories_with_guides(self):
        if not self.release:
            return []
        used = {g.category for g in self.guides.values()}
        return [c for c in self.release.categories if c.name in used]

    def guides_in(self, category_name: str):
        return sorted((g for g in self.guides.values() if g.category == category_name), key=lambda g: g.code)

    def featured_guides(self):
        if not self.site:
            return []
        out = [self.guides[c] for c in self.site.featured if c in self.guides]
        return out or list(self.guides.values())[:6]

    def reload_content(self) -> None:
        from kiosk.content import load_kiosk_content
        self.set_content(load_kiosk_content(self.cfg.content_dir or None, self.instance, self.cfg.stale_hours))
        self.screen("home").populate()
        self.refresh_maintenance()
        gc.unfreeze()  # the previous release may be garbage now; settle() freezes again
        self.after_next_frame(self.settle)

    # -- look ------------------------------------------------------------------------
    def apply_theme(self) -> None:
        t = theme_for(self.elder)
        self.scale, self.target = t.scale, t.target
        for name in ("bg", "fg", "muted", "panel", "accent", "accent_fg", "warn", "good"):
            setattr(self, f"c_{name}", list(getattr(t, name)))
        Window.clearcolor = tuple(self.c_bg)  # the screens' background (they draw none themselves)

    def set_elder(self, on: bool) -> None:
        self.session.elder = on
        self.elder = on
        self.apply_theme()
        self.read_button = self.read_aloud.button_shown()

    def _on_resize(self, _win, size) -> None:
        self.landscape = size[0] > size[1]

    # -- building ----------------------------------------------------------------------
    def build(self):
        root = KioskRoot()
        sm = root.ids.sm
        for cls in SCREENS:
            sm.add_widget(cls())
        self.sm = sm
        Window.bind(size=self._on_resize, on_keyboard=self._on_keyboard)
        self._on_resize(Window, Window.size)
        if self.content.ok:
            self.screen("home").populate()
            sm.current = "home"
        else:
            self.screen("nocontent").problem = self.content.problem
            sm.current = "nocontent"
        root.ids.corner.bind(on_hold=lambda *_: self.open_maintenance())
        self.read_button = self.read_aloud.button_shown()
        self.screen("search").reset_input()
        self._overlay = (root, root.ids.countdown.__self__)  # a strong reference: ids are weak
        self.on_countdown(self, self.countdown)
        if self.window_scale < 1:
            return self._scaled(root)
        return root

    def _scaled(self, root):
        """`root` laid out at the panel's size and drawn `window_scale` times as large, for a
        window smaller than the panel (kiosk.app.window_fit); touches are scaled back."""
        from kivy.uix.scatter import Scatter
        w, h = self.cfg.window_size
        root.size_hint = (None, None)
        root.size = (w, h)
        holder = Scatter(do_rotation=False, do_scale=False, do_translation=False, size_hint=(None, None),
                         size=(w, h), scale=self.window_scale, pos=(0, 0))
        holder.add_widget(root)
        return holder

    def on_countdown(self, _app, value) -> None:
        """The countdown overlay is in the widget tree only while it counts down: a widget at
        opacity 0 is still drawn, and this one covers the whole screen on every frame."""
        if getattr(self, "_overlay", None) is None:
            return
        root, overlay = self._overlay
        if value and overlay.parent is None:
            root.add_widget(overlay, index=1)  # above the screens, below the maintenance corner
        elif not value and overlay.parent is not None:
            overlay.parent.remove_widget(overlay)

    def on_start(self) -> None:
        self._events = [Clock.schedule_interval(self.idle_reset.tick, 0.25), Clock.schedule_interval(self._clock, 1)]
        self._clock(0)
        self.mark_after_draw("home_drawn", then=self.settle)

    def settle(self) -> None:
        """Once the home screen is up: build the search index, then collect and freeze what
        start-up made (gc.freeze), so that later collections do not walk the widgets, fonts
        and guides each time; a full collection of all that paused a tap by 0.2-0.35 s here."""
        self.search_index  # noqa: B018
        if self.cfg.voice.enabled:
            from kiosk.speech.text import warm_up
            warm_up()  # the number words' tables, not on the first 朗读
        gc.collect()
        gc.freeze()
        self.mark("settled")

    def start_in_window(self):
        """Build and start without running the event loop (tests, benchmarks)."""
        root = self.build()
        self.root = root
        Window.add_widget(root)
        self.dispatch("on_start")
        return root

    def on_stop(self) -> None:
        for ev in self._events:
            ev.cancel()
        Window.unbind(size=self._on_resize, on_keyboard=self._on_keyboard)
        self.devices.close()
        self.speaker.close()
        if self._handwriting is not None:
            self._handwriting.close()
            self._handwriting = None

    def shutdown_in_window(self) -> None:
        """Undo `start_in_window` (kv's `app` proxy lets go of this app on on_stop)."""
        self.dispatch("on_stop")
        if self.root is not None and self.root.parent is not None:
            Window.remove_widget(self.root)
        if App._running_app is self:
            App._running_app = None

    def _on_keyboard(self, _win, key, *args):
        return key == 27  # Esc (and Android back) never quits the kiosk

    def _deliver(self, fn) -> None:
        Clock.schedule_once(lambda dt: fn(), 0)

    def mark(self, name: str) -> None:
        self.marks[name] = time.perf_counter()

    def mark_after_draw(self, name: str, then=None) -> None:
        """Record `name` once the next frame has been drawn and shown (then call `then()` on
        the next clock tick).

        glFinish first: GL queues the frame's commands and the swap may return before
        they are rasterized (always so with an offscreen surface); the mark is taken
        when the frame's pixels exist."""
        def flipped(*_):
            Window.unbind(on_flip=flipped)
            glFinish()
            self.mark(name)
            if then is not None:
                Clock.schedule_once(lambda dt: then(), 0)
        Window.bind(on_flip=flipped)
        Window.canvas.ask_update()  # a frame comes even when nothing visible changed

    def after_next_frame(self, fn, fallback: float = 0.25) -> "AfterFrame":
        """Call `fn` on the clock tick after the next frame is shown (or after `fallback`
        seconds if no frame is drawn meanwhile, as when tests turn the clock without drawing)."""
        return AfterFrame(fn, fallback)

    # -- host services for the controllers --------------------------------------------------
    def screen(self, name: str):
        return self.sm.get_screen(name)

    def all_screens(self) -> list:
        return self.sm.screens

    @property
    def current(self) -> str:
        return self.sm.current

    def show(self, name: str) -> None:
        self.sm.transition.duration = 0  # instant: people tap again when nothing seems to happen
        self.sm.current = name

    def later(self, fn, seconds: float):
        """`fn(dt)` once after `seconds` (Kivy's Clock.schedule_once)."""
        return Clock.schedule_once(fn, seconds)

    def every(self, fn, seconds: float):
        """`fn(dt)` every `seconds` until cancelled (Kivy's Clock.schedule_interval)."""
        return Clock.schedule_interval(fn, seconds)

    def guide_url(self, code: str, query: str = "") -> str:
        """The guide's stable URL; with `query` (guides.cases.path_query) the answer path's URL."""
        return guide_url(self.site, code, query)

    # -- handwriting and speech workers ------------------------------------------------------
    def handwriting_worker(self) -> RecognitionWorker:
        """The recogniser's worker, started on first use (the model opens on its thread)."""
        if self._handwriting is None:
            model = self.cfg.handwriting_model or None

            def factory():
                return Recognizer(model) if model else Recognizer()

            def result(rid, rec):
                # the pad of the search screen, or of the rating screen's comment
                Clock.schedule_once(lambda dt: self.screen(self._pad_screen()).handwriting_result(rid, rec), 0)

            def unavailable(exc: HandwritingUnavailable):
                Clock.schedule_once(lambda dt: self._handwriting_unavailable(exc.zh), 0)
            self._handwriting = RecognitionWorker(result, factory=factory, on_unavailable=unavailable)
        return self._handwriting

    def _pad_screen(self) -> str:
        """The screen whose 手写 pad is in use: the rating screen's comment, else search."""
        return "rating" if self.current == "rating" else "search"

    def _handwriting_unavailable(self, message: str) -> None:
        self.handwriting_unavailable = message
        self.screen("search").handwriting_unavailable(message)
        self.screen("rating").handwriting_unavailable(message)

    def _make_speaker(self, config: KioskConfig) -> Speaker:
        try:
            engine = make_engine(config.voice)
        except Exception:  # settings were checked when read; an engine that cannot start is silence
            log.exception("speech engine %r cannot start", config.voice.engine)
            engine = NullEngine()

        def result(text, outcome):
            Clock.schedule_once(lambda dt: self.read_aloud.result(text, outcome), 0)
        return Speaker(engine, config.voice, on_result=result)

    # -- search events ------------------------------------------------------------------------
    def record_event(self, kind: str, data: dict) -> None:
        """An event for the guide server; replaced by kiosk.fleet.hooks.attach with the outbox."""
        log.info("%s event not sent: this kiosk is not connected to a guide server", kind)

    def _search_nohit(self, query: str) -> None:
        self.record_event("search_nohit", {"query": query, "input": self.screen("search").input_mode,
                                           "release": self.stamp})

    def popular_search_terms(self) -> list[str]:
        return self.search_terms.top(self.cfg.popular_terms)

    # -- what the screens call (each forwards to its controller) ------------------------------
    def go_back(self) -> None:
        self.nav.go_back()

    def go_home(self) -> None:
        self.nav.go_home()

    def open_category(self, slug: str, remember: bool = True) -> None:
        self.nav.open_category(slug, remember)

    def open_search(self) -> None:
        self.nav.open_search()

    def search_key(self, key: str) -> None:
        self.nav.search_key(key)

    def search_add_text(self, text: str) -> None:
        self.nav.search_text(text)

    def search_term(self, term: str) -> None:
        self.nav.search_term(term)

    def search_clear(self) -> None:
        from kiosk.app.controllers.search import CLEAR
        self.nav.search_key(CLEAR)

    def search_help(self) -> None:
        self.nav.search_help()

    def open_search_result(self, code: str) -> None:
        self.nav.open_search_result(code)

    def toggle_reading(self) -> None:
        """朗读 / 停止朗读 on the guide screen."""
        scr = self.screen("guide")
        if scr.reading:
            self.read_aloud.stop()
        elif scr.shown_guide is not None:
            self.read_aloud.read_guide(scr.shown_guide, scr.answers or None)

    def open_guide(self, code: str, remember: bool = True, answers: dict | None = None) -> None:
        """打开事项: asks the guide's open 情形 questions first, then shows that path."""
        self.nav.open_guide(code, remember, answers)

    def show_guide(self, code: str, answers: dict | None = None) -> None:
        """The guide screen for `answers` as they are (None: the whole guide, grouped by case)."""
        self.nav.show_guide(code, answers)

    def choose_option(self, option_id: str) -> None:
        """An option of the question on the questions screen."""
        self.questions.choose(option_id)

    def restart_questions(self, code: str = "") -> None:
        """重新选择: the first 情形 question of the guide again."""
        self.questions.restart(code or None)

    def open_qr(self, code: str, answers: dict | None = None) -> None:
        self.nav.open_qr(code, answers or None)

    def print_checklist(self, code: str, answers: dict | None = None) -> None:
        self.printing.print_checklist(code, answers or None)

    def open_ticket(self) -> None:
        self.tickets.open_ticket()

    def choose_queue(self, queue: tk.Queue) -> None:
        self.tickets.choose_queue(queue)

    def end_ticket(self, keep_screen: bool = False) -> None:
        self.tickets.end_ticket(keep_screen)

    def open_rating(self, source: str, subject: str, answers: dict | None = None) -> None:
        self.rating.open_rating(source, subject, answers=answers)

    def offer_rating(self, source: str, subject: str, note: str, answers: dict | None = None) -> None:
        self.rating.offer_rating(source, subject, note, answers)

    def skip_rating(self) -> None:
        self.rating.skip_rating()

    def submit_rating(self, level: int, reasons: list[str], comment: str = "") -> str | None:
        """Store the rating; returns what to change instead (Chinese), or None when stored."""
        return self.rating.submit_rating(level, reasons, comment)

    def open_maintenance(self) -> None:
        self.maintenance.open_maintenance()

    def check_pin(self, pin: str) -> bool:
        return self.maintenance.check_pin(pin)

    def refresh_maintenance(self) -> None:
        self.maintenance.refresh_maintenance()

    def reader_self_test(self) -> None:
        self.maintenance.reader_self_test()

    def print_test_page(self) -> None:
        self.maintenance.print_test_page()

    def user_touched(self) -> None:
        self.idle_reset.user_touched()

    def reset_to_home(self) -> None:
        """Idle reset: home, elder mode off, every bit of card-holder data gone."""
        self.idle_reset.reset_to_home()

    def _clock(self, _dt) -> None:
        now = self.hall_time.now()   # not the OS time zone: the hall's, as on tickets and receipts
        weekday = "一二三四五六日"[now.weekday()]
        self.screen("home").clock_text = f"{now:%H:%M}\n{now:%m月%d日} 星期{weekday}"
