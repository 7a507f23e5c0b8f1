"""Widgets shared by every screen: buttons, labels, header bar, tiles."""
from __future__ import annotations

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from kiosk.screens import load_kv


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
    """A category or guide tile: a title and a smaller line below."""
    title = StringProperty("")
    subtitle = StringProperty("")
    code = StringProperty("")


class HeaderBar(BoxLayout):
    title = StringProperty("")
    show_back = BooleanProperty(True)


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
