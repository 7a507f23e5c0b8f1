"""好差评: the five GB/T 39734 levels as big buttons, then optional reasons."""
from __future__ import annotations

from kivy.properties import NumericProperty, StringProperty
from kivy.uix.togglebutton import ToggleButtonBehavior

from kiosk.app.controllers.ratings import LEVELS, reasons_for
from kiosk.app.screens import load_kv
from kiosk.app.screens.common import KButton, KioskScreen


class ReasonButton(ToggleButtonBehavior, KButton):
    pass


class RatingScreen(KioskScreen):
    subject_title = StringProperty("")
    level = NumericProperty(0)
    thanks = StringProperty("")

    def on_kv_post(self, base_widget):
        for level, label in LEVELS:
            b = KButton(text=label, base_size=40, min_height=130, primary=False)
            b.level = level
            b.bind(on_release=lambda btn: self.pick(btn.level))
            self.ids.levels.add_widget(b)

    def start(self, subject_title: str) -> None:
        self.subject_title = subject_title
        self.level = 0
        self.thanks = ""
        self.ids.reasons.clear_widgets()
        for b in self.ids.levels.children:
            b.primary = False

    def pick(self, level: int) -> None:
        self.level = level
        for b in self.ids.levels.children:
            b.primary = b.level == level
        box = self.ids.reasons
        box.clear_widgets()
        for reason in reasons_for(level):
            box.add_widget(ReasonButton(text=reason, base_size=30))

    def chosen_reasons(self) -> list[str]:
        return [b.text for b in reversed(self.ids.reasons.children) if b.state == "down"]


load_kv(__file__)
