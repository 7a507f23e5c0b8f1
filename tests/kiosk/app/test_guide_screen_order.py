"""The kiosk guide screen: 申请材料 first after the one-line summary, jump buttons to the other
sections, 易错范例 marked × and √ — in both modes and orientations."""
from kiosk.app.controllers.guide_view import CORRECT, JUMPS, MISTAKE, SECTION_TITLES, guide_sections
from kiosk.app.screens.guide import SectionTitle
from tests.kiosk.conftest import copy_sample_content
from tests.kiosk.harness import KioskTestCase
from tests.kiosk.layout_check import window_box

CODE = "330382-GA-0001"
PATH = {"reason": "expiring"}   # its 情形 question (您为什么换领？) answered


def test_every_sample_guide_starts_with_its_materials_and_marks_its_mistakes(sample_content):
    from guides.loader import load_content
    content = load_content(sample_content)
    for g in content.guides.values():
        sections = guide_sections(g)
        titles = [s.title for s in sections]
        assert titles[0] == "申请材料", g.code
        assert titles == [t for t in SECTION_TITLES if t in titles]
        mistakes = next(s for s in sections if s.title == "易错范例")
        marked = [line for line in mistakes.lines if line and not line.startswith("〔情形：")]  # case labels aside
        assert sorted(marked) == sorted(f"{MISTAKE} 易错：{m.mistake}\n{CORRECT} 正确做法：{m.correct}"
                                        for m in g.mistakes), g.code


class GuideOrderPortrait(KioskTestCase):
    orientation = "portrait"

    def titles_on_screen(self):
        box = self.screen().ids.sections
        return [w for w in reversed(box.children) if isinstance(w, SectionTitle)]

    def test_materials_on_the_first_screen_and_jumps(self):
        app = self.start_app(copy_sample_content(self.tmp / "content"))
        for elder in (False, True):
            app.set_elder(elder)
            app.open_guide(CODE, answers=PATH)
            self.pump()
            scr = self.screen()
            scroll = scr.ids.scroll
            first = self.titles_on_screen()[0]
            assert first.text == "申请材料"
            view, box = window_box(scroll), window_box(first)
            assert view.y <= box.y and box.top <= view.top + 1, "申请材料 is not in view without scrolling"
            summary = window_box(scr.ids.summary)
            assert summary.y >= view.top, "the one-line summary comes before the materials"

            labels = [b.text for b in reversed(scr.ids.jumps.children)]
            g = app.guides[CODE]
            assert labels == [label for title, label in JUMPS if title != "常见问题" or g.faq]
            # a jump before the rest of the guide is even drawn: the last section
            self.tap(self.button("依据", root=scr.ids.jumps))
            self.pump()
            target = next(t for t in self.titles_on_screen() if t.text == "设定依据")
            assert window_box(target).top <= view.top + 1 and window_box(target).y >= view.y - 1
            self.tap(self.button("易错", root=scr.ids.jumps))
            self.pump()
            target = next(t for t in self.titles_on_screen() if t.text == "易错范例")
            assert abs(window_box(target).top - view.top) <= 2, (window_box(target), view)
            assert app.current == "guide"


class GuideOrderLandscape(GuideOrderPortrait):
    orientation = "landscape"
