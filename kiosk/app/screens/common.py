"""Widgets shared by every screen: buttons, labels, header bar, tiles."""
from __future__ import annotations

from kivy.app import App
from kivy.clock import Clock
from kivy.graphics import Callback, ScissorPop, ScissorPush
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.app.screens import load_kv


class KLabel(Label):
    """Wrapping label in the app font whose height follows its text."""
    base_size = NumericProperty(30)
    role = StringProperty("fg")  # fg, muted, warn, good, accent


class KButton(ButtonBehavior, Label):
    """A large touch target; `primary` buttons use the accent colour."""
    base_size = NumericProperty(30)
    primary = BooleanProperty(False)
    min_height = NumericProperty(0)


class Tile(ButtonBehavior, BoxLayout):
    """A category or guide tile: a title and a smaller line below.

    `natural_height` is what its texts need; `row_height` is set by a TileGrid
    so that every tile of a row is as tall as the tallest one."""
    title = StringProperty("")
    subtitle = StringProperty("")
    code = StringProperty("")
    natural_height = NumericProperty(0)
    row_height = NumericProperty(0)


class TileGrid(GridLayout):
    """A grid of tiles whose rows are even: tiles side by side share the tallest one's height
    (a GridLayout alone leaves a shorter tile hanging at the bottom of its row)."""

    def do_layout(self, *largs):
        cols = max(1, int(self.cols or 1))
        tiles = list(reversed(self.children))
        for start in range(0, len(tiles), cols):
            row = tiles[start:start + cols]
            tallest = max(getattr(t, "natural_height", 0) for t in row) if cols > 1 else 0
            for t in row:
                if isinstance(t, Tile) and t.row_height != tallest:
                    t.row_height = tallest
        super().do_layout(*largs)


class KScrollView(ScrollView):
    """A ScrollView clipped by a scissor rectangle instead of the stencil buffer.

    Kivy's StencilView fills the stencil buffer over the whole view before and
    after its content, on every frame; with software GL (llvmpipe) those two
    extra passes over a large area cost more than the content itself. Our
    views are axis-aligned rectangles, which is what the scissor test is for.
    (The class's rules replace StencilView's; the scroll bars are drawn as
    ScrollView draws them.)"""

    def __init__(self, **kw):
        super().__init__(**kw)
        self._scissor = ScissorPush(x=0, y=0, width=1, height=1)
        # the clip follows the view wherever its parents put it: recomputed as the frame is drawn
        self.canvas.before.insert(0, Callback(self._clip))
        self.canvas.before.insert(1, self._scissor)
        self.canvas.after.add(ScissorPop())

    def _clip(self, *_):
        x, y = self.to_window(*self.pos)
        x, y = int(round(x)), int(round(y))
        w, h = max(1, int(round(self.width))), max(1, int(round(self.height)))
        s = self._scissor
        if (s.x, s.y, s.width, s.height) != (x, y, w, h):
            s.x, s.y, s.width, s.height = x, y, w, h


class HeaderBar(BoxLayout):
    title = StringProperty("")
    show_back = BooleanProperty(True)


class KioskScreens(ScreenManager):
    """The screen manager, without clipping and without animation.

    Kivy's ScreenManager is a stencil view: two extra passes over the whole
    window on every frame (with software GL about as costly as everything else
    on a screen together) so that sliding screens stay inside it. The kiosk
    switches screens at once (people tap again when nothing seems to happen)
    and the manager fills the window, so there is nothing to clip."""

    def __init__(self, **kw):
        kw.setdefault("transition", NoTransition())
        super().__init__(**kw)


class KioskScreen(Screen):
    """Base of every screen. `clear_personal()` must drop any card-holder data shown."""

    def clear_personal(self) -> None:
        pass

    @property
    def app(self):
        return App.get_running_app()


class CornerHold(Widget):
    """Invisible corner area: holding it for `hold_seconds` opens maintenance."""
    hold_seconds = NumericProperty(3.0)

    def __init__(self, **kw):
        super().__init__(**kw)
        self._ev = None
        self.register_event_type("on_hold")

    def on_touch_down(self, touch):
        if self.collide_point(*touch.pos):
            self._ev = Clock.schedule_once(lambda dt: self.dispatch("on_hold"), self.hold_seconds)
            touch.ud["corner_hold"] = True
        return False  # a corner touch still reaches what is below

    def on_touch_up(self, touch):
        if touch.ud.get("corner_hold") and self._ev is not None:
            self._ev.cancel()
            self._ev = None
        return False

    def on_hold(self):
        pass


load_kv(__file__)
