"""Driving the real kiosk app inside kivy's GraphicUnitTest: taps, waiting, screenshots."""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from kivy.base import EventLoop
from kivy.core.window import Window
from kivy.tests.common import GraphicUnitTest, UnitTestTouch

from kiosk.app.kiosk_app import AfterFrame
from kiosk.config import KioskConfig
from kiosk.content import load_kiosk_content
from kiosk.devices import DeviceService, printer_opener
from kiosk.cli.simulate import start_simulators
from tests.conftest import ROOT

SHOTS = Path(os.environ.get("KIOSK_SCREENSHOTS", ROOT / "build" / "screenshots" / "kiosk"))


class KioskTestCase(GraphicUnitTest):
    orientation = "portrait"

    def setUp(self):
        super().setUp()
        self.tmp = Path(tempfile.mkdtemp(prefix="kiosk-test-"))
        self.app = None
        self.sims = None

    def tearDown(self, fake=False):
        if self.app is not None:
            self.app.shutdown_in_window()
            self.app = None
        if self.sims is not None:
            self.sims.stop()
            self.sims = None
        shutil.rmtree(self.tmp, ignore_errors=True)
        super().tearDown(fake)

    # -- setting up ---------------------------------------------------------
    def start_app(self, content_dir, *, orientation: str | None = None, card_wait: float = 5.0,
                  window_scale: float = 1.0, **cfg_changes):
        """The app on `content_dir` with both simulators. Read-aloud goes to the silent engine
        ("none": it keeps the texts it was handed) unless `voice=` says otherwise."""
        from kiosk.app.kiosk_app import KioskApp
        from kiosk.speech import VoiceSettings
        orientation = orientation or self.orientation
        cfg_changes.setdefault("voice", VoiceSettings(engine="none"))
        self.sims = start_simulators(self.tmp / "receipts", script=[], pace=False)
        cfg_changes.setdefault("maintenance_pin", "2468")
        cfg = KioskConfig(orientation=orientation, reader=self.sims.reader_url, printer=self.sims.printer_url,
                          fullscreen=False, card_wait_seconds=card_wait, **cfg_changes)
        Window.size = tuple(round(v * window_scale) for v in cfg.window_size)
        content = load_kiosk_content(content_dir, self.tmp / "instance")
        app = KioskApp(cfg, content, instance=self.tmp / "instance", t0=time.perf_counter(),
                       window_scale=window_scale)
        # the app's device service, with a short poll so tests do not wait on the reader
        app.devices.close()
        app.devices = DeviceService(cfg.reader, cfg.printer, deliver=app._deliver, card_wait_seconds=card_wait,
                                    poll_interval=0.05, printer_opener=printer_opener(cfg.printer_profile),
                                    hall_time=app.hall_time)
        self.app = app
        app.start_in_window()
        self.pump(frames=3)
        return app

    # -- driving --------------------------------------------------------------
    @staticmethod
    def step() -> None:
        """One turn of the event loop without drawing: clock, input, kv rules, layout.

        Drawing a 1080x1920 frame in software GL is the slow part; only
        screenshots and draw timestamps need it (see `draw`)."""
        from kivy.clock import Clock
        from kivy.lang import Builder
        Clock.tick()
        EventLoop.dispatch_input()
        Builder.sync()
        Clock.tick_draw()
        Builder.sync()

    @staticmethod
    def draw(frames: int = 1) -> None:
        for _ in range(frames):
            EventLoop.idle()

    def pump(self, until=None, timeout: float = 10.0, frames: int = 2):
        """Turn the loop until `until()` is true (fails after `timeout`), then `frames` more.

        While waiting, each turn tells the app that a frame was shown (Window's on_flip, as
        after every drawn frame) when it waits for one (`KioskApp.after_next_frame`, e.g. the
        guide screen adding the sections below the first screenful): a running kiosk draws
        60 frames a second, so without this every such wait would last the 0.25 s fallback."""
        deadline = time.monotonic() + timeout
        if until is not None:
            while not until():
                if time.monotonic() > deadline:
                    raise AssertionError(f"timed out waiting for {getattr(until, '__name__', until)}")
                self.step()
                if AfterFrame._waiting:
                    Window.dispatch("on_flip")
                    self.step()
                    continue
                time.sleep(0.01)
        for _ in range(frames):
            self.step()

    def tap(self, widget):
        assert widget.get_root_window() is not None, f"{widget} is not on screen"
        assert not widget.disabled and widget.opacity > 0, f"{getattr(widget, 'text', widget)} is hidden"
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.step()
        touch.touch_up()
        # a ScrollView hands a short tap to its children on later frames
        self.wait(0.3 if self._in_scrollview(widget) else 0.0)
        self.pump(frames=2)

    @staticmethod
    def _in_scrollview(widget) -> bool:
        from kivy.uix.scrollview import ScrollView
        w = widget.parent
        while w is not None and w is not w.parent:
            if isinstance(w, ScrollView):
                return True
            w = w.parent
        return False

    def wait(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.step()
            time.sleep(0.01)

    def drag(self, widget, dy: float):
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        steps = 12
        for i in range(1, steps + 1):
            touch.touch_move(x, y + dy * i / steps)
            self.step()
            time.sleep(0.01)
        touch.touch_up()
        self.pump(frames=5)

    def write(self, pad, strokes, *, settle: bool = True):
        """Write `strokes` on `pad` with a finger: each stroke a touch that goes down on its first
        point, moves through the others and lifts on the last. Points are pad pixels from the
        pad's lower-left corner (tests/kiosk/handwriting_samples.draw(..., y_up=True))."""
        for stroke in strokes:
            pts = [pad.to_window(pad.x + x, pad.y + y) for x, y in stroke]
            touch = UnitTestTouch(*pts[0])
            touch.touch_down()
            self.step()
            for x, y in pts[1:]:
                touch.touch_move(x, y)
                EventLoop.dispatch_input()  # each move seen where it is (the event is the touch itself)
            self.step()
            touch.touch_up()
            self.step()
        if settle:
            self.pump(frames=2)

    def screen(self):
        return self.app.sm.current_screen

    def button(self, text: str, root=None):
        """The visible button (or tile) showing `text` on the current screen."""
        root = root or self.screen()
        found = [w for w in root.walk() if getattr(w, "text", None) == text or getattr(w, "title", None) == text]
        found = [w for w in found if hasattr(w, "trigger_action") and not w.disabled and w.opacity > 0]
        assert found, f"no button {text!r} on {self.app.sm.current}"
        return found[0]

    def all_texts(self) -> list[str]:
        """Every text in the widget tree, including screens not shown now."""
        seen, out = set(), []
        roots = [self.app.root] + list(self.app.sm.screens)
        for r in roots:
            for w in r.walk():
                if id(w) in seen:
                    continue
                seen.add(id(w))
                for attr in ("text", "title", "subtitle", "holder_text", "number", "details", "message"):
                    v = getattr(w, attr, None)
                    if isinstance(v, str) and v:
                        out.append(v)
        return out

    def shot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.pump(frames=2)
        self.draw(2)
        made = Window.screenshot(str(self.tmp / "shot.png"))
        dest = SHOTS / f"{name}.png"
        shutil.move(made, dest)
        return dest


def decode_qr(png: Path) -> list[str]:
    import zxingcpp
    from PIL import Image
    return [r.text for r in zxingcpp.read_barcodes(Image.open(png)) if r.format == zxingcpp.BarcodeFormat.QRCode]
