"""Guide detail: every element of the guide, scrolled with a finger, and what to do next."""
from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.controllers.guide_view import guide_header, guide_sections, guide_summary, no_break_spaces
from kiosk.screens import load_kv
from kiosk.screens.common import KioskScreen, KLabel


class SectionTitle(KLabel):
    pass


class SectionBody(KLabel):
    pass


class GuideScreen(KioskScreen):
    title = StringProperty("")
    header = StringProperty("")
    summary = StringProperty("")
    code = StringProperty("")

    def show(self, guide) -> None:
        self.code = guide.code
        self.title = guide.name
        self.header = guide_header(guide)
        self.summary = "    ".join(f"{k}：{v}" for k, v in guide_summary(guide))
        box = self.ids.sections
        box.clear_widgets()
        for section in guide_sections(guide):
            box.add_widget(SectionTitle(text=section.title))
            box.add_widget(SectionBody(text=no_break_spaces("\n".join(section.lines))))
        self.ids.scroll.scroll_y = 1


load_kv(__file__)
