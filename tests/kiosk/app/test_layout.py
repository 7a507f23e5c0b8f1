"""The layout check (tests/kiosk/layout_check.py) itself, and every guide and category screen
run through it in both modes and both orientations, with a long hall name: each guide with 情形
questions on its first question, on the whole guide and on every answer path (and their QR screens).

The screenshot test runs the same check on every other screen."""
from kivy.core.window import Window
from kivy.tests.common import GraphicUnitTest
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from guides.cases import all_paths, path_query
from guides.fonts import FONT_NAME, FONT_PATH
from tests.kiosk.conftest import copy_sample_content
from tests.kiosk.harness import KioskTestCase
from tests.kiosk.layout_check import layout_faults

LONG_HALL = "中国工商银行乐清支行营业部"


def _root(*widgets):
    """An app-root-like widget: one layer holding `widgets` at their own positions."""
    from kivy.core.text import LabelBase
    LabelBase.register(FONT_NAME, str(FONT_PATH))
    root = FloatLayout(size=(400, 400))
    layer = FloatLayout(size=(400, 400))
    root.add_widget(layer)
    for w in widgets:
        w.size_hint = (None, None)
        layer.add_widget(w)
    return root


def _kinds(root):
    return sorted(f.kind for f in layout_faults(root, (400, 400)))


class LayoutCheckFindsFaults(GraphicUnitTest):
    def test_overlapping_buttons(self):
        root = _root(Button(text="返回", pos=(0, 0), size=(100, 100)),
                     Button(text="满意", pos=(60, 60), size=(100, 100)))
        faults = layout_faults(root, (400, 400))
        assert [f.kind for f in faults] == ["overlap"]
        assert "返回" in faults[0].what and "满意" in faults[0].what

    def test_side_by_side_buttons_and_a_button_with_its_own_label_are_fine(self):
        box = BoxLayout(pos=(0, 0), size=(300, 100))
        box.add_widget(Button(text="返回"))
        box.add_widget(Button(text="首页"))
        inner = Button(pos=(0, 200), size=(200, 100))
        inner.add_widget(Label(text="说明", font_name=FONT_NAME, pos=(10, 210), size=(100, 40)))
        root = _root(box, inner)
        box.do_layout()
        assert _kinds(root) == []

    def test_a_button_partly_outside_the_window(self):
        assert _kinds(_root(Button(text="首页", pos=(350, 380), size=(100, 100)))) == ["outside"]

    def test_text_cut_by_a_box_too_short(self):
        long = "请将身份证放在读卡区，证件平放、有照片的一面朝上，直到听到提示音"
        label = Label(text=long, font_name=FONT_NAME, font_size=30, pos=(0, 0), size=(200, 40))
        label.text_size = label.size
        assert _kinds(_root(label)) == ["cut"]

    def test_text_shortened_with_an_ellipsis(self):
        label = Label(text="户口迁入(跨省迁入乐清“一站式”办理)", font_name=FONT_NAME, font_size=30, pos=(0, 0),
                      size=(200, 60), shorten=True)
        label.text_size = label.size
        assert _kinds(_root(label)) == ["cut"]

    def test_text_drawn_larger_than_its_box_spills(self):
        label = Label(text="A002", font_name=FONT_NAME, font_size=120, pos=(100, 100), size=(100, 50))
        assert "cut" in _kinds(_root(label))

    def test_an_invisible_button_that_takes_taps(self):
        assert _kinds(_root(Button(text="提交", pos=(0, 0), size=(100, 100), opacity=0))) == ["hidden-button"]
        assert _kinds(_root(Button(text="提交", pos=(0, 0), size=(100, 100), opacity=0, disabled=True))) == []

    def test_scrolled_content_is_neither_outside_nor_overlapping(self):
        view = ScrollView(pos=(0, 0), size=(400, 200), size_hint=(None, None))
        column = BoxLayout(orientation="vertical", size_hint_y=None, height=1200)
        for i in range(12):
            column.add_widget(Button(text=f"第 {i} 项"))
        view.add_widget(column)
        header = Button(text="返回", pos=(0, 300), size=(100, 100))
        root = _root(view, header)
        column.do_layout()
        view.scroll_y = 1
        view.update_from_scroll()
        assert _kinds(root) == []

    def test_layers_do_not_count_against_each_other(self):
        root = FloatLayout(size=(400, 400))
        for text in ("返回", "继续使用"):
            layer = FloatLayout(size=(400, 400))
            layer.add_widget(Button(text=text, pos=(0, 0), size=(100, 100), size_hint=(None, None)))
            root.add_widget(layer)
        assert layout_faults(root, (400, 400)) == []
        assert isinstance(root.children[0], Widget)


class EveryGuidePortrait(KioskTestCase):
    orientation = "portrait"

    def test_every_guide_and_category_in_both_modes(self):
        app = self.start_app(copy_sample_content(self.tmp / "content"), hall_name=LONG_HALL)
        faults = []
        for elder in (False, True):
            app.go_home()
            app.set_elder(elder)
            self.pump()
            mode = "elder" if elder else "normal"
            faults += [f"{mode} home: {f}" for f in layout_faults(app.root, Window.size)]
            for cat in app.categories_with_guides():
                app.open_category(cat.slug)
                self.pump()
                faults += [f"{mode} category {cat.slug}: {f}" for f in layout_faults(app.root, Window.size)]
            scr = app.screen("guide")
            for code in sorted(app.guides):
                guide = app.guides[code]
                if guide.questions:   # 打开事项 asks first: the first question, then every path
                    app.open_guide(code)
                    self.pump()
                    assert app.current == "questions"
                    faults += [f"{mode} questions {code}: {f}" for f in layout_faults(app.root, Window.size)]
                for answers in [None, *(all_paths(guide) if guide.questions else ())]:
                    name = f"{code}?{path_query(guide, answers)}" if answers else code
                    app.show_guide(code, answers)
                    self.pump(lambda: scr._pending is None)
                    self.pump()
                    faults += [f"{mode} guide {name}: {f}" for f in layout_faults(app.root, Window.size)]
                    app.open_qr(code, answers)
                    self.pump()
                    faults += [f"{mode} qr {name}: {f}" for f in layout_faults(app.root, Window.size)]
        assert not faults, f"{len(faults)} layout faults:\n" + "\n".join(faults)


class EveryGuideLandscape(EveryGuidePortrait):
    orientation = "landscape"


class RatingTapLandscapeElder(KioskTestCase):
    orientation = "landscape"

    def test_back_and_home_do_what_they_say_and_record_no_rating(self):
        app = self.start_app(copy_sample_content(self.tmp / "content"))
        app.set_elder(True)
        for label, expected in (("返回", "guide"), ("首页", "home")):
            app.open_guide("330382-GA-0001", answers={"reason": "expiring"})
            app.open_rating("guide", "330382-GA-0001")
            self.pump()
            assert app.current == "rating"
            self.tap(self.button("基本满意"))   # the reasons appear below: the layout grows
            assert app.screen("rating").level == 3
            header = self.screen().children[0].children[-1]
            self.tap(self.button(label, root=header))
            assert app.current == expected, f"{label} led to {app.current}, level {app.screen('rating').level}"
            app.set_elder(True)
        assert app.ratings.all() == []


class RatingCommentPortrait(KioskTestCase):
    """The rating screen's comment panel (pad, digits, a full 60-character comment and a refusal
    message) fits the window without overlap or cut text, in both modes and orientations."""

    def test_comment_panel_with_a_full_comment_and_a_message(self):
        app = self.start_app(copy_sample_content(self.tmp / "content"))
        faults = []
        for elder in (False, True):
            app.set_elder(elder)
            app.open_rating("guide", "330382-GA-0001")
            scr = app.screen("rating")
            self.pump()
            self.tap(self.button("非常不满意"))
            scr.submit()                                   # no reason: the message under the reasons
            self.pump()
            mode = "elder" if elder else "normal"
            faults += [f"{mode} reasons: {f}" for f in layout_faults(app.root, Window.size)]
            scr.open_comment()                              # 写意见（选填）, below the reasons
            self.pump()
            assert scr.comment_open
            scr.comment = "窗口工作人员态度很好但是排队的人太多了等了很久" * 3
            scr.comment = scr.comment[:60]
            scr.message = "为保护您的隐私，请删去意见中的手机号码（第 3–13 个字）后再提交。本机是公用设备，请不要留下电话或证件号码。"
            self.pump()
            self.shot(f"rating-comment-{self.orientation}-{mode}")
            assert scr._hw_panel.ids.pad.get_root_window() is not None and scr._hw_panel.ids.pad.width >= 300
            faults += [f"{mode} comment: {f}" for f in layout_faults(app.root, Window.size)]
            self.tap(self.button("写好了"))
            assert scr._scroll.parent is not None
        assert not faults, f"{len(faults)} layout faults:\n" + "\n".join(faults)


class RatingCommentLandscape(RatingCommentPortrait):
    orientation = "landscape"
