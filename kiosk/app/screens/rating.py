"""好差评: the five GB/T 39734 levels as big buttons, then the reasons (at least one for a 差评),
and an optional short comment written on the 手写 pad (with a row of digits).

The comment is edited on its own panel, outside the scrolling area (a finger writing on a pad
inside a scroll view would scroll it): 写意见（选填） opens it, 写好了 comes back. What may not
be stored (a 差评 without a reason, a comment holding a phone or ID number) is said in
``message`` and nothing is stored (kiosk.app.controllers.ratings.rating_problem).
"""
from __future__ import annotations

from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.togglebutton import ToggleButtonBehavior

from kiosk.app.controllers.handwriting_input import HandwritingInput
from kiosk.app.controllers.ratings import COMMENT_MAX, LEVELS, reasons_for
from kiosk.app.controllers.search import DIGITS
from kiosk.app.screens import load_kv
from kiosk.app.screens.common import KButton, KioskScreen
from kiosk.app.screens.handwriting_pad import HandwritingPanel

CANDIDATES = 8
CANDIDATES_ELDER = 5


class ReasonButton(ToggleButtonBehavior, KButton):
    key = StringProperty("")   # the reason id stored and sent (guides.rating_scale)


class RatingScreen(KioskScreen):
    subject_title = StringProperty("")
    note = StringProperty("")     # what was just printed, when the screen is offered after a print
    level = NumericProperty(0)
    thanks = StringProperty("")
    reason_hint = StringProperty("")   # asks for reasons when the level offers some
    comment = StringProperty("")       # the optional comment, as written so far
    comment_open = BooleanProperty(False)
    message = StringProperty("")       # why the rating cannot be stored yet ("" when it can)
    comment_max = COMMENT_MAX

    def on_kv_post(self, base_widget):
        for level, label in LEVELS:
            b = KButton(text=label, base_size=40, min_height=130, primary=False)
            b.level = level
            b.bind(on_release=lambda btn: self.pick(btn.level))
            self.ids.levels.add_widget(b)
        self._panel: HandwritingPanel | None = None
        self._candidate_buttons: list[KButton] = []
        self.hw: HandwritingInput | None = None
        # strong references: kv ids are weak, and each panel is out of the tree half the time
        self._comment_box = self.ids.comment_box.__self__
        self._scroll = self.ids.scroll.__self__
        self._pad_area = self.ids.pad_area.__self__
        self._digits = self.ids.digits.__self__
        self.ids.body.remove_widget(self._comment_box)

    def start(self, subject_title: str, note: str = "") -> None:
        self.subject_title = subject_title
        self.note = note
        self.level = 0
        self.thanks = ""
        self.reason_hint = ""
        self.message = ""
        self.comment = ""
        self.close_comment()
        self.rewrite()
        self.ids.reasons.clear_widgets()
        for b in self.ids.levels.children:
            b.primary = False

    def pick(self, level: int) -> None:
        self.level = level
        self.message = ""
        for b in self.ids.levels.children:
            b.primary = b.level == level
        box = self.ids.reasons
        box.clear_widgets()
        offered = reasons_for(level)
        self.reason_hint = ("请选择不满意的原因（至少选一项，可多选），便于我们整改：" if level <= 2 else
                            "可以再选满意的地方（可多选，也可不选）：") if offered else ""
        for key, label in offered.items():
            b = ReasonButton(text=label, key=key, base_size=30)
            b.bind(state=lambda *_: setattr(self, "message", ""))
            box.add_widget(b)

    def chosen_reasons(self) -> list[str]:
        """The ids of the reasons pressed, in the order shown."""
        return [b.key for b in reversed(self.ids.reasons.children) if b.state == "down"]

    def submit(self) -> None:
        """提交评价: the app stores it, or says what to change (shown in ``message``)."""
        problem = self.app.submit_rating(self.level, self.chosen_reasons(), self.comment)
        self.message = problem or ""
        if problem and self.comment and "意见" in problem:
            self.open_comment()       # the comment to change, with the message under it
        elif problem:
            self.close_comment()      # the reasons are on the main panel

    # -- the comment panel ---------------------------------------------------------------------
    @property
    def _hw_panel(self) -> HandwritingPanel:
        if self._panel is None:
            self._panel = HandwritingPanel()
            self._panel.screen = self
            self._panel.ids.pad.bind(on_stroke=lambda _pad, strokes: self._stroke(strokes))
            self._pad_area.add_widget(self._panel)
            for key in DIGITS:
                b = KButton(text=key, base_size=34)
                b.bind(on_release=lambda btn: self.add_text(btn.text))
                self._digits.add_widget(b)
        return self._panel

    def open_comment(self) -> None:
        """写意见（选填）: the pad and the digits in place of the levels and reasons."""
        if self.comment_open:
            return
        if self.hw is None:
            self.hw = HandwritingInput(self.app.handwriting_worker(), shown=CANDIDATES)
            if self.app.handwriting_unavailable:
                self.hw.disable(self.app.handwriting_unavailable)
        self._hw_panel
        body = self.ids.body
        body.remove_widget(self._scroll)
        body.add_widget(self._comment_box)
        self.comment_open = True
        self._refresh_pad()

    def close_comment(self) -> None:
        """写好了: back to the levels and reasons (the comment is kept)."""
        if not self.comment_open:
            return
        body = self.ids.body
        body.remove_widget(self._comment_box)
        body.add_widget(self._scroll)
        self.comment_open = False

    def add_text(self, text: str) -> None:
        """A chosen character or a digit key: appended while the comment has room."""
        if len(self.comment) + len(text) <= COMMENT_MAX:
            self.comment += text
            self.message = ""
        else:
            self.message = f"意见最多 {COMMENT_MAX} 个字。"

    def delete_char(self) -> None:
        """删除 beside the pad: the comment's last character."""
        self.comment = self.comment[:-1]
        self.message = ""

    def clear_text(self) -> None:
        """清空 beside the pad: the whole comment (the ink stays for 重写)."""
        self.comment = ""
        self.message = ""

    def _stroke(self, strokes) -> None:
        if self.hw is None:
            return
        pad = self._hw_panel.ids.pad
        self.hw.stroke_done(strokes, (pad.width, pad.height))

    def handwriting_result(self, request_id: int, recognition) -> None:
        """The recogniser's answer (on the UI thread); older answers are ignored."""
        if self.hw is not None and self.hw.result(request_id, recognition):
            self._refresh_pad()

    def handwriting_unavailable(self, message: str) -> None:
        """Recognition cannot run: the pad says so and takes no ink; the digits still work."""
        if self.hw is not None:
            self.hw.disable(message)
            if self._panel is not None:
                self._panel.ids.pad.clear()
                self._refresh_pad()

    def rewrite(self) -> None:
        """重写: wipe the pad and its candidates."""
        if self._panel is None:
            return
        self._panel.ids.pad.clear()
        if self.hw is not None:
            self.hw.rewrite()
        self._refresh_pad()

    def _choose(self, char: str) -> None:
        self.rewrite()
        self.add_text(char)

    def _refresh_pad(self) -> None:
        if self._panel is None:
            return
        self._panel.show(self.hw, CANDIDATES_ELDER if self.app.elder else CANDIDATES,
                         self._candidate_buttons, self._choose)

    def clear_personal(self) -> None:
        """What a person wrote goes with them (the idle reset)."""
        self.comment = ""
        self.rewrite()


load_kv(__file__)
