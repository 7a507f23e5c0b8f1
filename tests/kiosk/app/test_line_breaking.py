"""Screen text follows the Chinese line-breaking rules of the receipts (zhtext.linebreak):
no closing punctuation at a line start, no opening one at a line end, numbers, amounts,
times, codes and document numbers kept whole, in both modes and orientations.

Field case 05-kiosk-wrap-splits-amount.py is the first test. The layout check
(tests/kiosk/layout_check.py, fault kind "line-break") holds every label of every screen
to the same rules in the screenshot test and over every guide (test_layout.py)."""
from kivy.tests.common import GraphicUnitTest
from kivy.uix.label import Label

from guides.fonts import FONT_NAME, FONT_PATH
from tests.kiosk.conftest import copy_sample_content
from tests.kiosk.harness import KioskTestCase
from tests.kiosk.layout_check import drawn_lines, layout_faults
from zhtext.linebreak import CLOSING, OPENING

PUNCT_START = "，。、：；！？）】》」』〕”’"


class Wrap(KioskTestCase):
    def test_amount_not_split_across_lines(self):
        # field case 05: the portrait guide screen, normal mode; the product cut "工本费 1" / "0 元/证"
        app = self.start_app(copy_sample_content(self.tmp / "content"))
        app.show_guide("330382-GA-0001")   # the whole guide, every case
        self.pump(frames=6)
        self.wait(1.0)
        body = next(w for w in self.screen().walk() if type(w).__name__ == "SectionBody" and "工本费" in w.text
                    and "当场或三日内发放" in w.text)
        body.texture_update()
        lines = ["".join(word.text for word in l.words) for l in body._label._cached_lines]
        self.screen().ids.scroll.scroll_to(body, animate=False)
        self.pump(frames=4)
        pairs = list(zip(lines, lines[1:]))
        split_digits = [(a[-8:], b[:8]) for a, b in pairs if a[-1:].isdigit() and b[:1].isdigit()]
        punct_start = [b[:8] for a, b in pairs if b and b[0] in PUNCT_START]   # ("": a blank line)
        assert not split_digits and not punct_start, (split_digits, punct_start)
        assert any("10 元/证" in line for line in lines), lines


class WrapElderLandscape(KioskTestCase):
    orientation = "landscape"

    def test_every_section_of_the_guide_in_elder_mode(self):
        app = self.start_app(copy_sample_content(self.tmp / "content"))
        app.set_elder(True)
        app.show_guide("330382-GA-0001")   # the whole guide, every case
        scr = app.screen("guide")
        self.pump(lambda: scr._pending is None)
        self.pump()
        bodies = [w for w in scr.walk() if type(w).__name__ == "SectionBody" and w.parent is not None]
        assert len(bodies) >= 8
        for body in bodies:
            lines = drawn_lines(body)
            for a, b in zip(lines, lines[1:]):
                assert not b or b.lstrip()[:1] not in CLOSING, (a, b)
                assert not a or a.rstrip()[-1:] not in OPENING, (a, b)
                assert not (a[-1:].isdigit() and b[:1].isdigit()), (a, b)


def _font():
    from kivy.core.text import LabelBase
    LabelBase.register(FONT_NAME, str(FONT_PATH))


class RulesOnAnyLabel(GraphicUnitTest):
    """A ZhLabel at widths that made Kivy break badly; a plain Kivy label is caught by the check."""

    def label(self, cls, text, width, size=30):
        _font()
        w = cls(text=text, font_name=FONT_NAME, font_size=size, size_hint=(None, None), width=width)
        w.text_size = (width, None)
        w.texture_update()
        w.height = w.texture_size[1]
        return w

    def width_of(self, text, size=30):
        from kivy.core.text import Label as CoreLabel
        core = CoreLabel(font_name=FONT_NAME, font_size=size)
        core.resolve_font_name()
        return core.get_extents(text)[0]

    def test_kivy_alone_cuts_an_amount_and_the_check_says_so(self):
        # spaces as no-break spaces, as the guide screen had them: Kivy then cuts anywhere
        width = self.width_of("收费标准：工本费\u00a01") + 2
        plain = self.label(Label, "收费标准：工本费\u00a010\u00a0元/证", width)
        assert any(l.endswith("1") for l in drawn_lines(plain)), drawn_lines(plain)
        root = _root_with(plain)
        assert [f.kind for f in layout_faults(root, (2000, 2000))] == ["line-break"]

    def test_amount_time_document_number_code_and_punctuation(self):
        from kiosk.app.screens.zhlabel import ZhLabel
        cases = [
            ("收费标准：工本费 10 元/证", "收费标准：工本费 1", "10 元/证"),
            ("办理时间：周一至周五 8:30-12:00、13:30-17:00", "办理时间：周一至周五 8:3", "8:30-12:00"),
            ("依据浙政办发〔2019〕51号文件执行", "依据浙政办发〔20", "〔2019〕51号"),
            ("事项编码：330382-GA-0001，请记下", "事项编码：330382-G", "330382-GA-0001"),
            ("请携带身份证原件（复印件无效）", "请携带身份证原件（", "（复印件无效）"),
            ("材料齐全的，当场办结；不齐全的，一次告知", "材料齐全的，当场办结", "；"),
        ]
        for size in (30, 30 * 1.45):
            for text, cut_here, whole in cases:
                width = self.width_of(cut_here, size) + 2
                w = self.label(ZhLabel, text, width, size)
                lines = drawn_lines(w)
                assert len(lines) >= 2, (text, lines)
                assert "".join(lines).replace(" ", "") == text.replace(" ", "")
                if whole != "；":
                    assert any(whole in line for line in lines), (whole, lines)
                for a, b in zip(lines, lines[1:]):
                    assert b[:1] not in CLOSING and a[-1:] not in OPENING, (a, b)
                assert layout_faults(_root_with(w), (4000, 4000)) == []


def _root_with(widget):
    from kivy.uix.floatlayout import FloatLayout
    root = FloatLayout(size=(4000, 4000))
    layer = FloatLayout(size=(4000, 4000))
    root.add_widget(layer)
    widget.pos = (0, 0)
    layer.add_widget(widget)
    return root
