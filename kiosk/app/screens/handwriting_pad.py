"""The 手写 pad: a square a finger writes in, with a 田字格 guide, drawing the ink as it goes, and
``HandwritingPanel`` around it on the search screen: the candidates, the pad's message, and
重写 / 删除 / 清空.

``HandwritingPad`` records each stroke as points relative to the pad's lower-left corner (Kivy's
y-up coordinates) and dispatches ``on_stroke(strokes)`` when a finger lifts. A stroke starts only
on the pad; once started, the pad follows the finger even where it leaves the pad (the ink is
drawn along the pad's edge there, and the recogniser clamps the points the same way). Points
closer than ``MIN_STEP`` px are merged, and at most ``MAX_POINTS`` are kept per stroke and
``MAX_STROKES`` strokes per character, so a finger resting on the glass or a child's hundred
taps cannot grow it without end. ``clear()`` wipes the ink (重写).
"""
from __future__ import annotations

import math

from kivy.graphics import Color, Line
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.app.screens import load_kv
from kiosk.app.screens.common import KButton

MIN_STEP = 2.0
MAX_POINTS = 2000
MAX_STROKES = 40


class HandwritingPad(Widget):
    ink = ListProperty([0, 0, 0, 1])
    ink_width = NumericProperty(6)
    enabled = BooleanProperty(True)

    def __init__(self, **kw):
        self.register_event_type("on_stroke")
        super().__init__(**kw)
        self.strokes: list[list[tuple[float, float]]] = []
        self._lines: list[Line] = []
        self._color = None
        self.bind(pos=self._redraw, size=self._redraw, ink=self._recolor, ink_width=self._redraw)

    # -- touches ------------------------------------------------------------------------------
    def on_touch_down(self, touch):
        if not self.collide_point(*touch.pos):
            return False
        if not self.enabled or len(self.strokes) >= MAX_STROKES:
            return True  # taken, so nothing below reacts, but no ink
        touch.grab(self)
        touch.ud[self._key] = True
        self.strokes.append([])
        with self.canvas.after:
            self._color = self._color or Color(*self.ink)
            line = Line(points=[], width=self.ink_width, cap="round", joint="round")
        self._lines.append(line)
        self._add_point(touch)
        return True

    def on_touch_move(self, touch):
        if touch.grab_current is self:
            self._add_point(touch)
            return True
        return self.collide_point(*touch.pos) and touch.ud.get(self._key, False)

    def on_touch_up(self, touch):
        if touch.grab_current is not self:
            return self.collide_point(*touch.pos) and touch.ud.get(self._key, False)
        touch.ungrab(self)
        self._add_point(touch)
        if self.strokes and self.strokes[-1]:
            self.dispatch("on_stroke", [list(s) for s in self.strokes])
        return True

    @property
    def _key(self) -> str:
        return f"pad-{id(self)}"

    def _add_point(self, touch) -> None:
        if not self.strokes:
            return
        stroke = self.strokes[-1]
        x, y = touch.x - self.x, touch.y - self.y
        if stroke and (len(stroke) >= MAX_POINTS or math.hypot(x - stroke[-1][0], y - stroke[-1][1]) < MIN_STEP):
            return
        stroke.append((x, y))
        self._draw_point(self._lines[-1], x, y, first=len(stroke) == 1)

    def _draw_point(self, line: Line, x: float, y: float, first: bool) -> None:
        cx = self.x + min(max(x, 0.0), self.width)
        cy = self.y + min(max(y, 0.0), self.height)
        pts = line.points
        if first:
            pts = [cx, cy, cx + 0.5, cy - 0.5]  # a tap shows as a dot
        else:
            if len(pts) == 4 and abs(pts[2] - pts[0]) == 0.5:
                pts = pts[:2]
            pts = pts + [cx, cy]
        line.points = pts

    # -- drawing ------------------------------------------------------------------------------
    def clear(self) -> None:
        """Wipe the ink and forget the strokes."""
        self.strokes = []
        self._lines = []
        self._color = None
        self.canvas.after.clear()

    def _recolor(self, *_):
        if self._color is not None:
            self._color.rgba = self.ink

    def _redraw(self, *_):
        """The pad moved or changed size (rotation, 长辈模式): draw the ink again in place."""
        strokes = self.strokes
        self.canvas.after.clear()
        self._lines, self._color = [], None
        if not strokes:
            return
        with self.canvas.after:
            self._color = Color(*self.ink)
            for stroke in strokes:
                line = Line(points=[], width=self.ink_width, cap="round", joint="round")
                self._lines.append(line)
                for i, (x, y) in enumerate(stroke):
                    self._draw_point(line, x, y, first=i == 0)

    def on_stroke(self, strokes):
        pass


class HandwritingPanel(BoxLayout):
    """The candidates row, the pad's message, the pad, and 重写 / 删除 / 清空 beside it; ``screen``
    is the screen it belongs to (search, or the rating screen's comment): 重写 calls its
    ``rewrite()``, 删除 its ``delete_char()``, 清空 its ``clear_text()``."""
    message = StringProperty("")
    warn = BooleanProperty(False)
    enabled = BooleanProperty(True)
    screen = None

    def rewrite(self):
        self.screen.rewrite()

    def delete_char(self):
        self.screen.delete_char()

    def clear_query(self):
        self.screen.clear_text()

    def show(self, hw, shown: int, pool: list, choose) -> None:
        """Show the state of `hw` (a controllers.handwriting_input.HandwritingInput, or None when
        handwriting is off) and its first `shown` candidates as buttons. The buttons are built
        once into `pool` and reused (a new button per answer costs more than recognising the
        strokes); pressing one calls `choose(character)`."""
        self.enabled = hw is None or hw.enabled
        self.message = hw.message if hw is not None else ""
        self.warn = hw is not None and hw.trouble
        grid = self.ids.candidates
        chars = (hw.candidates if hw is not None else [])[:shown]
        if grid.cols != shown:
            grid.clear_widgets()
            grid.cols = shown
        while len(pool) < shown:
            b = KButton(base_size=48)
            b.bind(on_release=lambda btn: btn.text and choose(btn.text))
            pool.append(b)
        for i, b in enumerate(pool):
            if i < len(chars):
                b.text = chars[i]
                if b.parent is None:
                    grid.add_widget(b)
            elif b.parent is not None:
                grid.remove_widget(b)


load_kv(__file__)
