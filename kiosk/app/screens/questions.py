"""情形引导: one question of a guide per screen, its options as big buttons.

The screen only shows what controllers.case_questions.QuestionFlow says (the question to ask
now, the answers so far); a tap on an option goes to `app.choose_option`, 重新选择 to
`app.restart_questions`, the header's 返回 to the previous question (controllers.navigation).
"""
from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.app.controllers.case_questions import PRINT
from kiosk.app.screens import load_kv
from kiosk.app.screens.common import KButton, KioskScreen

INTRO = "请选择您的情形，下面只显示与您有关的材料和要求。"
INTRO_PRINT = "打印一次告知单前，请先选择您的情形。"


class OptionButton(KButton):
    """One option of the question: full width, at least a touch target high (more in 长辈模式)."""
    option_id = StringProperty("")


class QuestionScreen(KioskScreen):
    title = StringProperty("")     # the guide's name (header)
    code = StringProperty("")
    ask = StringProperty("")       # the question asked now
    number = StringProperty("")    # 第 2 个问题
    intro = StringProperty("")
    chosen = StringProperty("")    # the answers so far, named

    def show_question(self, flow, purpose: str) -> None:
        """Show `flow.question` (a controllers.case_questions.QuestionFlow) with one button per option."""
        q = flow.question
        self.title = flow.guide.name
        self.code = flow.guide.code
        self.intro = INTRO_PRINT if purpose == PRINT else INTRO
        self.number = f"第 {flow.number} 个问题"
        self.ask = q.ask if q else ""
        answered = flow.resolved.answers
        self.chosen = ("已选择：" + "；".join(a.option.label for a in answered)) if answered else ""
        box = self.ids.options
        box.clear_widgets()
        for opt in (q.options if q else ()):
            button = OptionButton(text=opt.label, option_id=opt.id)
            button.bind(on_release=lambda b: self.app.choose_option(b.option_id))
            box.add_widget(button)
        self.ids.scroll.scroll_y = 1


load_kv(__file__)
