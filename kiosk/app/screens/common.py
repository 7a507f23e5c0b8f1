"""Widgets shared by every screen: buttons, labels, header bar, tiles."""
from __future__ import annotations

from kivy.app import App
from kivy.clock import Clock
from kivy.graphics import Callback, ScissorPop, ScissorPush
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.app.screens import load_kv
from kiosk.app.screens.zhlabel import ZhLabel, break_text


class KLabel(ZhLabel):
    """Wrapping label in the app font whose height follows its text (Chinese line breaking)."""
    base_size = NumericProperty(30)
    role = StringProperty("fg")  # fg, muted, warn, good, accent


class FitLabel(ZhLabel):
    """A name or title that must be read whole: its type shrinks, from `full_font_size` down
    to `min_font_size`, until the text fits in `max_lines` lines of its width (and its
    height, when `text_size` bounds it). A text too long even at `min_font_size` is cut,
    which the layout check reports."""
    full_font_size = NumericProperty(30)
    min_font_size = NumericProperty(20)

    def __init__(self, **kw):
        super().__init__(**kw)
        self._fit = Clock.create_trigger(self._refit, -1)
        for name in ("text", "size", "text_size", "full_font_size", "min_font_size", "bold", "font_name",
                     "max_lines"):
            self.fbind(name, self._fit)

    def _refit(self, *_):
        pad_x = self.padding[0] + self.padding[2]
        pad_y = self.padding[1] + self.padding[3]
        height = self.text_size[1] - pad_y if self.text_size[1] is not None else None
        self.font_size = fitting_font_size(self.text, self.width - pad_x, height, self.max_lines or 1,
                                           self.font_name, self.bold, self.full_font_size, self.min_font_size)


def fitting_font_size(text: str, width: float, height: float | None, max_lines: int, font_name: str,
                      bold: bool, largest: float, smallest: float) -> float:
    """The largest font size (px) in [smallest, largest], in 1 px steps, at which `text` laid
    out `width` px wide takes at most `max_lines` lines and, if given, `height` px;
    `smallest` when none does."""
    from kivy.core.text import Label as CoreLabel
    if not text or width <= 0:
        return largest

    def fits(size: float) -> bool:
        core = CoreLabel(text=text, font_name=font_name, bold=bold, font_size=size, text_size=(width, None))
        core.text = break_text(text, width, core)   # as a ZhLabel breaks it
        _w, h = core.render()
        return len(core._cached_lines) <= max_lines and (height is None or h <= height)

    if fits(largest):
        return largest
    # the sizes from largest down in 1 px steps; smaller type fits at least as well: bisect
    sizes = [largest - i for i in range(1, int(largest - smallest) + 1)] + [smallest]
    lo, hi = 0, len(sizes) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if fits(sizes[mid]):
            hi = mid
        else:
            lo = mid + 1
    return sizes[lo]


class KButton(ButtonBehavior, ZhLabel):
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
    """A ScrollView clipped by a scissor rectangle instead of the stencil buffer; scrolling
    restarts the idle timer.

    Kivy's StencilView fills the stencil buffer over the whole view before and
    after its content, on every frame; with software GL (llvmpipe) those two
    extra passes over a large area cost more than the content itself. Our
    views are axis-aligned rectangles, which is what the scissor test is for.
    (The class's rules replace StencilView's; the scroll bars are drawn as
    ScrollView draws them.)"""

    def __init__(self, **kw):
        super().__init__(**kw)
        # someone scrolling (a drag, the wheel, a fling still moving) is using the kiosk
        self.fbind("scroll_y", self._scrolled)
        self.fbind("scroll_x", self._scrolled)
        self._scissor = ScissorPush(x=0, y=0, width=1, height=1)
        # the clip follows the view wherever its parents put it: recomputed as the frame is drawn
        self.canvas.before.insert(0, Callback(self._clip))
        self.canvas.before.insert(1, self._scissor)
        self.canvas.after.add(ScissorPop())

    def _scrolled(self, *_):
        if self.get_root_window() is None:
            return  # a view no longer shown (its screen was left while it still glided)
        app = App.get_running_app()
        if app is not None and hasattr(app, "user_touched"):
            app.user_touched()

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
