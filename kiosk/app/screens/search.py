"""Search: pinyin (full or initials) on an on-screen keyboard, or characters written on the 手写
pad; results update on every key or chosen character. An empty search offers 常用事项 and the
most searched terms; a search that finds nothing offers the categories, the hotline and
请工作人员帮助.

Two keyboards, A–Z in alphabetical order and QWERTY (many people learned it), switched by a
button; the search screen opens on the configured input (拼音 or 手写) and keyboard. The 手写
pad recognises off the UI thread (the app's RecognitionWorker); the answers come back through
``Clock.schedule_once`` to ``handwriting_result``.
"""
from __future__ import annotations

from kivy.factory import Factory
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from kiosk import messages
from kiosk.app.controllers.guide_view import guide_brief
from kiosk.app.controllers.handwriting_input import HandwritingInput
from kiosk.app.controllers.search import (CLEAR, DELETE, DIGITS, EMPTY, EMPTY_MESSAGE_HANDWRITING, NO_HIT,
                                          keyboard_rows)
from kiosk.app.screens import load_kv
from kiosk.app.screens.common import KButton, KioskScreen, KLabel, Tile, TileGrid
from kiosk.app.screens.handwriting_pad import HandwritingPanel

RESULT_SLOTS = 8
CANDIDATES = 8          # asked of the recogniser; the screen shows as many as fit
CANDIDATES_ELDER = 5
FEATURED = 6


class SearchScreen(KioskScreen):
    query = StringProperty("")
    message = StringProperty("")
    input_mode = StringProperty("pinyin")   # pinyin | handwriting
    keyboard = StringProperty("az")         # az | qwerty
    help_shown = BooleanProperty(False)

    def on_kv_post(self, base_widget):
        # result tiles, suggestion and help widgets are built once; a key press only changes texts
        self._slots = []
        for _ in range(RESULT_SLOTS):
            tile = Tile()
            tile.bind(on_release=lambda t: t.code and self.app.open_search_result(t.code))
            self._slots.append(tile)
        self._keyboards: dict[str, Widget] = {}
        self._panel: HandwritingPanel | None = None   # built the first time 手写 is shown
        self._candidate_buttons: list[KButton] = []
        self.hw: HandwritingInput | None = None
        self._state = None
        self._suggestions = self._nohit = None        # built the first time they are shown
        self._spacer = Widget()
        self._show_input()

    @property
    def _hw_panel(self) -> HandwritingPanel:
        if self._panel is None:
            self._panel = HandwritingPanel()
            self._panel.screen = self
            self._panel.ids.pad.bind(on_stroke=lambda _pad, strokes: self._stroke(strokes))
        return self._panel

    # -- input: tabs, keyboards, pad -----------------------------------------------------------
    def _key(self, key: str, size: int = 36) -> KButton:
        command = key in (DELETE, CLEAR)
        b = KButton(text=key, base_size=30 if command else size, primary=(key == DELETE))
        b.key = key
        b.bind(on_release=lambda btn: self.app.search_key(btn.key))
        return b

    def _build_keyboard(self, layout: str) -> Widget:
        box = Factory.SearchKeyboard()
        if layout == "az":
            letters = GridLayout(spacing=10, size_hint_y=None, cols=7)
            letters.bind(minimum_height=letters.setter("height"))
            for key in keyboard_rows("az")[0] + (DELETE, CLEAR):  # 28 keys: four rows of seven
                letters.add_widget(self._key(key))
            digits = GridLayout(spacing=10, size_hint_y=None)
            digits.bind(minimum_height=digits.setter("height"))
            for key in DIGITS:
                digits.add_widget(self._key(key))
            box.add_widget(letters)
            box.add_widget(digits)
            box.az_grids = (letters, digits)
        else:
            # QWERTY as on a PC: digits, then three rows, the middle one staggered by half a key;
            # 删除 and 清空 at the end of the last, a key and a half wide each
            rows = keyboard_rows("qwerty")
            for keys, offset, tail in ((DIGITS, 0, ()), (rows[0], 0, ()), (rows[1], 0.5, ()),
                                       (rows[2], 0, (DELETE, CLEAR))):
                r = Factory.KeyRow()
                if offset:
                    r.add_widget(Widget(size_hint_x=offset))
                for key in keys:
                    r.add_widget(self._key(key))
                for key in tail:
                    k = self._key(key)
                    k.size_hint_x = 1.5
                    r.add_widget(k)
                used = offset + len(keys) + 1.5 * len(tail)
                if used < 10:
                    r.add_widget(Widget(size_hint_x=10 - used))
                box.add_widget(r)
        return box

    def _layout_az(self, *_):
        kb = self._keyboards.get("az")
        if kb is None:
            return
        app = self.app
        _letters, digits = kb.az_grids
        digits.cols = 5 if app.elder and not app.landscape else 10

    def reset_input(self) -> None:
        """The configured input and keyboard (a new person: the idle reset)."""
        cfg = self.app.cfg
        self.keyboard = cfg.keyboard
        self.set_input(cfg.search_input)

    def set_input(self, mode: str) -> None:
        """Show the keyboard (拼音) or the pad (手写)."""
        if mode == "handwriting" and self.hw is None:
            self.hw = HandwritingInput(self.app.handwriting_worker(), prefer=self.app.search_chars, shown=CANDIDATES)
            if self.app.handwriting_unavailable:
                self.hw.disable(self.app.handwriting_unavailable)
        self.input_mode = mode
        self._show_input()

    def toggle_keyboard(self) -> None:
        """Switch between A–Z and QWERTY (and show the keyboard if the pad was shown)."""
        self.keyboard = "qwerty" if self.keyboard == "az" else "az"
        self.input_mode = "pinyin"
        self._show_input()

    def _show_input(self, *_) -> None:
        app = self.app
        area = self.ids.input_area
        area.clear_widgets()
        if not getattr(self, "_bound", False):
            app.bind(landscape=self._show_input)
            self._bound = True
        if self.input_mode == "handwriting":
            area.add_widget(self._hw_panel)
            self._refresh_pad()
            return
        kb = self._keyboards.get(self.keyboard)
        if kb is None:
            kb = self._keyboards[self.keyboard] = self._build_keyboard(self.keyboard)
            if self.keyboard == "az":
                app.bind(landscape=self._layout_az, elder=self._layout_az)
                self._layout_az()
        area.add_widget(kb)
        if app.landscape:
            area.add_widget(self._spacer)  # the keys at the top of the column, under the tabs

    # -- the pad ----------------------------------------------------------------------------------
    def _stroke(self, strokes) -> None:
        if self.hw is None:
            return
        pad = self._hw_panel.ids.pad
        self.app.mark("stroke")
        self.hw.stroke_done(strokes, (pad.width, pad.height))

    def handwriting_result(self, request_id: int, recognition) -> None:
        """The recogniser's answer (on the UI thread); older answers are ignored. Marks
        "candidates_shown" and, once drawn, "candidates_drawn" (bench/bench_kiosk.py)."""
        if self.hw is not None and self.hw.result(request_id, recognition):
            self._refresh_pad()
            self.app.mark("candidates_shown")
            self.app.mark_after_draw("candidates_drawn")

    def handwriting_unavailable(self, message: str) -> None:
        """Recognition cannot run: the pad says so and takes no ink; the keyboard still works."""
        if self.hw is not None:
            self.hw.disable(message)
            self._hw_panel.ids.pad.clear()
            self._refresh_pad()

    def rewrite(self) -> None:
        """重写: wipe the pad and its candidates."""
        if self._panel is None:
            return
        self._hw_panel.ids.pad.clear()
        if self.hw is not None:
            self.hw.rewrite()
        self._refresh_pad()

    def _choose(self, char: str) -> None:
        self.rewrite()
        self.app.search_add_text(char)

    def delete_char(self) -> None:
        """删除 beside the pad: the last character of the query."""
        self.app.search_key(DELETE)

    def clear_text(self) -> None:
        """清空 beside the pad: the whole query (the ink stays for 重写)."""
        self.app.search_clear()

    def _refresh_pad(self) -> None:
        self._hw_panel.show(self.hw, CANDIDATES_ELDER if self.app.elder else CANDIDATES,
                            self._candidate_buttons, self._choose)

    # -- results, suggestions, help ---------------------------------------------------------------
    def _build_suggestions(self) -> None:
        box = BoxLayout(orientation="vertical", spacing=12, size_hint_y=None)
        box.bind(minimum_height=box.setter("height"))
        self._popular_heading = Factory.SectionHeading(text="大家常搜")
        self._popular = GridLayout(spacing=10, size_hint_y=None)
        self._popular.bind(minimum_height=self._popular.setter("height"))
        self._featured_heading = Factory.SectionHeading(text="常用事项")
        self._featured = TileGrid(cols=1, spacing=12, size_hint_y=None)
        self._featured.bind(minimum_height=self._featured.setter("height"))
        self._suggestions = box

    def _build_nohit(self) -> None:
        box = BoxLayout(orientation="vertical", spacing=12, size_hint_y=None)
        box.bind(minimum_height=box.setter("height"))
        self._categories = GridLayout(spacing=10, size_hint_y=None)
        self._categories.bind(minimum_height=self._categories.setter("height"))
        self._hotline = KLabel(base_size=30)
        self._help_button = KButton(text="请工作人员帮助", primary=True, base_size=32)
        self._help_button.bind(on_release=lambda *_: self.app.search_help())
        self._help_text = KLabel(text=messages.SEARCH_HELP, base_size=30, role="accent", bold=True)
        self._nohit = box

    def show_results(self, controller) -> None:
        self.query = controller.query
        state = controller.state
        self._controller = controller
        self._update_message()
        box = self.ids.results
        hits = controller.results[:RESULT_SLOTS]
        guides = self.app.guides
        if state != self._state:
            box.clear_widgets()
            self._state = state
            if state == EMPTY:
                if self._suggestions is None:
                    self._build_suggestions()
                self._fill_suggestions()
                box.add_widget(self._suggestions)
            elif state == NO_HIT:
                if self._nohit is None:
                    self._build_nohit()
                self.help_shown = False
                self._fill_nohit()
                box.add_widget(self._nohit)
        for i, tile in enumerate(self._slots):
            if i < len(hits):
                g = guides.get(hits[i].code)
                tile.title, tile.code = hits[i].name, hits[i].code
                tile.subtitle = " · ".join(x for x in (g.category, guide_brief(g)) if x) if g else ""
                if tile.parent is None:
                    box.add_widget(tile)
            elif tile.parent is not None:
                box.remove_widget(tile)
                tile.code = ""
        self.ids.scroll.scroll_y = 1

    def _fill_suggestions(self) -> None:
        app = self.app
        box = self._suggestions
        box.clear_widgets()
        terms = app.popular_search_terms()
        self._popular.clear_widgets()
        if terms:
            self._popular.cols = 3
            for term in terms:
                b = KButton(text=term, base_size=32)
                b.term = term
                b.bind(on_release=lambda btn: app.search_term(btn.term))
                self._popular.add_widget(b)
            box.add_widget(self._popular_heading)
            box.add_widget(self._popular)
        self._featured.clear_widgets()
        featured = app.featured_guides()[:FEATURED]
        if featured:
            for guide in featured:
                tile = Tile(title=guide.name, subtitle=" · ".join(x for x in (guide.category, guide_brief(guide)) if x), code=guide.code)
                tile.bind(on_release=lambda t: app.open_guide(t.code))
                self._featured.add_widget(tile)
            box.add_widget(self._featured_heading)
            box.add_widget(self._featured)

    def _fill_nohit(self) -> None:
        app = self.app
        box = self._nohit
        box.clear_widgets()
        cats = app.categories_with_guides()
        self._categories.clear_widgets()
        if cats:
            self._categories.cols = 2 if app.elder else 3
            for cat in cats:
                b = KButton(text=cat.name, base_size=30)
                b.slug = cat.slug
                b.bind(on_release=lambda btn: app.open_category(btn.slug))
                self._categories.add_widget(b)
            box.add_widget(Factory.SectionHeading(text="按主题查找"))
            box.add_widget(self._categories)
        hotline = app.site.hotline if app.site else ""
        if hotline:
            self._hotline.text = f"咨询电话：{hotline}"
            box.add_widget(self._hotline)
        box.add_widget(self._help_button)

    _controller = None

    def _update_message(self, *_) -> None:
        c = self._controller
        if c is None:
            return
        self.message = EMPTY_MESSAGE_HANDWRITING if c.state == EMPTY and self.input_mode == "handwriting" \
            else c.message

    def on_input_mode(self, _scr, _mode) -> None:
        self._update_message()

    def on_help_shown(self, _scr, shown) -> None:
        if self._nohit is None:
            return
        if shown and self._help_text.parent is None:
            self._nohit.add_widget(self._help_text)
        elif not shown and self._help_text.parent is not None:
            self._nohit.remove_widget(self._help_text)

    def clear_personal(self) -> None:
        self.rewrite()


load_kv(__file__)
