"""好差评: the five GB/T 39734 levels as big buttons, then optional reasons."""
from __future__ import annotations

from kivy.properties import NumericProperty, StringProperty
from kivy.uix.togglebutton import ToggleButtonBehavior

from kiosk.app.controllers.ratings import LEVELS, reasons_for
from kiosk.app.screens import load_kv
from kiosk.app.screens.common import KButton, KioskScreen


class ReasonButton(ToggleButtonBehavior, KButton):
    key = StringProperty("")   # the reason id stored and sent (guides.rating_scale)


class RatingScreen(KioskScreen):
    subject_title = StringProperty("")
    note = StringProperty("")     # what was just printed, when the screen is offered after a print
    level = NumericProperty(0)
    thanks = StringProperty("")
    reason_hint = StringProperty("")   # asks for reasons when the level offers some

    def on_kv_post(self, base_widget):
        for level, label in LEVELS:
            b = KButton(text=label, base_size=40, min_height=130, primary=False)
            b.level = level
            b.bind(on_release=lambda btn: self.pick(btn.level))
            self.ids.levels.add_widget(b)

    def start(self, subject_title: str, note: str = "") -> None:
        self.subject_title = subject_title
        self.note = note
        self.level = 0
        self.thanks = ""
        self.reason_hint = ""
        self.ids.reasons.clear_widgets()
        for b in self.ids.levels.children:
            b.primary = False

    def pick(self, level: int) -> None:
        self.level = level
        for b in self.ids.levels.children:
            b.primary = b.level == level
        box = self.ids.reasons
        box.clear_widgets()
        offered = reasons_for(level)
        self.reason_hint = ("请选择不满意的原因（可多选），便于我们整改：" if level <= 2 else
                            "可以再选满意的地方（可多选，也可不选）：") if offered else ""
        for key, label in offered.items():
            box.add_widget(ReasonButton(text=label, key=key, base_size=30))

    def chosen_reasons(self) -> list[str]:
        """The ids of the reasons pressed, in the order shown."""
        return [b.key for b in reversed(self.ids.reasons.children) if b.state == "down"]


load_kv(__file__)
