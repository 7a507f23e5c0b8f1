"""The search screen driven by touch: the 手写 pad written on with a finger (strokes of 十, 户, 社
move by move), full pinyin on the A–Z and QWERTY keyboards, what an empty search offers, and what
a search that finds nothing offers and reports. Recognition runs on the app's real worker with
Debian's Zinnia model."""
from kiosk import messages
from kiosk.app.controllers.search import MAX_QUERY
from kiosk.handwriting import NOT_RECOGNISED_ZH, UNAVAILABLE_ZH
from tests.kiosk.conftest import copy_sample_content
from tests.kiosk.handwriting_samples import draw
from tests.kiosk.harness import KioskTestCase

SHEBAOKA = "社会保障卡申领(首次申领)"


class SearchScreenTests(KioskTestCase):
    def sample(self):
        return copy_sample_content(self.tmp / "content")

    # -- helpers ----------------------------------------------------------------------------------
    def open_pad(self, **cfg):
        app = self.start_app(self.sample(), **cfg)
        self.tap(self.button("搜索事项"))
        self.tap(self.button("手写"))
        scr = self.screen()
        return app, scr, scr._hw_panel.ids.pad

    def candidates(self, scr) -> list[str]:
        return [b.text for b in reversed(scr._hw_panel.ids.candidates.children)]

    def write_char(self, pad, char, **kw):
        self.write(pad, draw(char, (pad.width, pad.height), y_up=True, **kw))

    def wait_for_answer(self, scr):
        """Until the recogniser has answered the latest strokes (candidates or a message)."""
        self.pump(lambda: scr.hw is not None and scr.app.handwriting_worker().idle(0))
        self.pump(frames=3)

    def result_titles(self, scr) -> list[str]:
        return [t.title for t in reversed(scr.ids.results.children) if getattr(t, "code", "")]

    # -- handwriting ------------------------------------------------------------------------------
    def test_written_characters_come_back_as_candidates(self):
        app, scr, pad = self.open_pad()
        assert pad.get_root_window() is not None and app.current == "search"
        for char in ("十", "户", "社"):
            self.write_char(pad, char)
            self.wait_for_answer(scr)
            got = self.candidates(scr)
            assert char in got[:5], (char, got)
            assert scr._hw_panel.message == "请点选要找的字，或接着写、点“重写”"
            self.tap(self.button("重写"))
            assert self.candidates(scr) == [] and pad.strokes == []

    def test_candidates_follow_each_stroke(self):
        app, scr, pad = self.open_pad()
        strokes = draw("十", (pad.width, pad.height), y_up=True)
        self.write(pad, strokes[:1])
        self.wait_for_answer(scr)
        assert self.candidates(scr)[:1] == ["一"]
        self.write(pad, strokes[1:])
        self.wait_for_answer(scr)
        assert self.candidates(scr)[:1] == ["十"]
        assert len(pad.strokes) == 2

    def test_first_time_user_finds_shebaoka_by_writing_she(self):
        app, scr, pad = self.open_pad()
        assert self.result_titles(scr) == []  # empty search: suggestions, no results yet
        self.write_char(pad, "社")
        self.wait_for_answer(scr)
        self.tap(self.button("社", root=scr._hw_panel.ids.candidates))
        assert scr.query == "社"
        assert pad.strokes == [] and self.candidates(scr) == []  # ready for the next character
        titles = self.result_titles(scr)
        assert titles[0] == SHEBAOKA, titles
        self.tap(self.button(SHEBAOKA, root=scr.ids.results))
        assert app.current == "guide" and self.screen().title == SHEBAOKA
        # the next person sees what was searched
        self.tap(self.button("首页"))
        self.tap(self.button("搜索事项"))
        assert "社" in [b.text for b in scr._popular.children]

    def test_delete_clear_and_rewrite(self):
        app, scr, pad = self.open_pad()
        for char in ("户", "社"):
            self.write_char(pad, char)
            self.wait_for_answer(scr)
            self.tap(self.button(char, root=scr._hw_panel.ids.candidates))
        assert scr.query == "户社"
        self.tap(self.button("删除"))
        assert scr.query == "户"
        self.write_char(pad, "十")
        self.wait_for_answer(scr)
        self.tap(self.button("清空"))
        assert scr.query == "" and pad.strokes != []  # 清空 is the query; the ink stays for 重写
        self.tap(self.button("重写"))
        assert pad.strokes == [] and self.candidates(scr) == []

    def test_elder_mode_writes_with_big_ink_and_big_candidates(self):
        app, scr, pad = self.open_pad()
        self.write_char(pad, "十")
        self.wait_for_answer(scr)
        normal_ink, normal_font = pad.ink_width, scr._hw_panel.ids.candidates.children[-1].font_size
        app.set_elder(True)
        self.tap(self.button("重写"))
        self.write_char(pad, "十")
        self.wait_for_answer(scr)
        first = scr._hw_panel.ids.candidates.children[-1]
        assert pad.ink_width >= 1.4 * normal_ink
        assert first.font_size >= 1.4 * normal_font and first.height >= 128 and first.text == "十"
        assert len(self.candidates(scr)) == 5

    # -- bad input on the pad -------------------------------------------------------------------
    def test_scribble_is_recognised_as_nothing_and_said_calmly(self):
        app, scr, pad = self.open_pad()
        w, h = pad.width, pad.height
        zigzag = [(w * (0.1 + 0.8 * (i % 2)), h * (0.9 - 0.8 * i / 30)) for i in range(31)]
        self.write(pad, [zigzag])
        self.wait_for_answer(scr)
        assert self.candidates(scr) == []
        assert scr._hw_panel.message == NOT_RECOGNISED_ZH and scr._hw_panel.warn
        self.tap(self.button("重写"))
        self.write_char(pad, "十")
        self.wait_for_answer(scr)
        assert self.candidates(scr)[:1] == ["十"]

    def test_a_stroke_that_leaves_the_pad_still_counts_and_is_drawn_on_the_pad(self):
        app, scr, pad = self.open_pad()
        strokes = draw("十", (pad.width, pad.height), y_up=True)
        across = strokes[0] + [(pad.width + 300, strokes[0][-1][1]), (pad.width + 400, strokes[0][-1][1] + 50)]
        self.write(pad, [across, strokes[1]])
        self.wait_for_answer(scr)
        assert "十" in self.candidates(scr)[:3]
        xs = [x for line in pad._lines for x in line.points[0::2]]
        assert max(xs) <= pad.right and min(xs) >= pad.x  # the ink stays on the pad

    def test_twenty_quick_taps_on_the_pad_never_freeze_it(self):
        app, scr, pad = self.open_pad()
        for i in range(20):
            self.write(pad, [[(pad.width * (0.2 + 0.03 * i), pad.height * 0.5)]], settle=False)
        self.wait_for_answer(scr)
        assert len(pad.strokes) == 20
        assert self.candidates(scr) or scr._hw_panel.message == NOT_RECOGNISED_ZH
        worker = app.handwriting_worker()
        assert worker.recognised + worker.superseded + worker.stale >= 1
        self.tap(self.button("重写"))
        self.write_char(pad, "户")
        self.wait_for_answer(scr)
        assert "户" in self.candidates(scr)[:5]

    def test_no_model_means_a_calm_message_and_the_keyboard_still_works(self):
        app, scr, pad = self.open_pad(handwriting_model=str(self.tmp / "no-such.model"))
        self.pump(lambda: not scr._hw_panel.enabled)
        assert scr._hw_panel.message == UNAVAILABLE_ZH and not pad.enabled
        self.write_char(pad, "十")
        self.pump(frames=3)
        assert pad.strokes == [] and self.candidates(scr) == []
        self.tap(self.button("拼音"))
        for key in "SB":
            self.tap(self.button(key))
        assert SHEBAOKA in self.result_titles(scr)

    # -- the keyboard -----------------------------------------------------------------------------
    def type(self, keys):
        for key in keys:
            self.tap(self.button(key, root=self.screen().ids.input_area))

    def test_full_pinyin_on_the_a_to_z_keyboard(self):
        app = self.start_app(self.sample())
        self.tap(self.button("搜索事项"))
        scr = self.screen()
        self.type("SHEBAO")
        assert scr.query == "SHEBAO" and self.result_titles(scr)[0] == SHEBAOKA
        self.tap(self.button("删除"))
        assert scr.query == "SHEBA"
        self.tap(self.button("清空"))
        assert scr.query == ""
        self.type("HUKOU")
        assert all(t.startswith("户口迁入") for t in self.result_titles(scr)[:2])

    def test_qwerty_layout_by_toggle_and_by_config(self):
        app = self.start_app(self.sample())
        self.tap(self.button("搜索事项"))
        scr = self.screen()
        self.tap(self.button("换成 QWERTY"))
        rows = [[k.text for k in reversed(r.children) if getattr(k, "text", "")]
                for r in reversed(scr.ids.input_area.children[0].children)]
        assert rows == [list("1234567890"), list("QWERTYUIOP"), list("ASDFGHJKL"), list("ZXCVBNM") + ["删除", "清空"]]
        self.type("HUKOU")
        assert self.result_titles(scr)[0].startswith("户口迁入")
        self.tap(self.button("换成 A–Z 顺序"))
        assert [k.text for k in reversed(scr.ids.input_area.children[0].children[-1].children)][:3] == list("ABC")
        assert scr.query == "HUKOU"  # switching keeps what was typed

    def test_configured_input_and_keyboard_come_back_for_the_next_person(self):
        app = self.start_app(self.sample(), keyboard="qwerty", search_input="handwriting")
        self.tap(self.button("搜索事项"))
        scr = self.screen()
        assert scr.input_mode == "handwriting" and scr.keyboard == "qwerty"
        self.tap(self.button("拼音"))
        self.tap(self.button("换成 A–Z 顺序"))
        app.reset_to_home()
        self.tap(self.button("搜索事项"))
        assert scr.input_mode == "handwriting" and scr.keyboard == "qwerty"

    def test_twenty_quick_key_taps_fill_the_line_and_no_more(self):
        app = self.start_app(self.sample())
        self.tap(self.button("搜索事项"))
        scr = self.screen()
        key = self.button("S")
        for _ in range(20):
            self.tap(key)
        assert scr.query == "S" * MAX_QUERY and app.current == "search"
        assert "没有找到" in scr.message

    # -- empty search, no hit ---------------------------------------------------------------------
    def test_empty_search_offers_featured_guides_and_most_searched_terms(self):
        app = self.start_app(self.sample())
        self.tap(self.button("搜索事项"))
        scr = self.screen()
        assert [w.text for w in scr._suggestions.children if hasattr(w, "bold")][-1:] == ["常用事项"]
        featured = [t.title for t in reversed(scr._featured.children)]
        assert featured[0] == "居民身份证换领" and len(featured) == 6
        assert scr._popular_heading.parent is None  # nobody searched yet: no made-up terms
        for keys in ("HUKOU", "SFZ", "HUKOU"):  # three people search and open what they found
            self.type(keys)
            self.tap(self.button(self.result_titles(scr)[0], root=scr.ids.results))
            self.tap(self.button("首页"))
            self.tap(self.button("搜索事项"))
        assert [b.text for b in reversed(scr._popular.children)] == ["HUKOU", "SFZ"]
        self.tap(self.button("SFZ", root=scr._popular))
        assert scr.query == "SFZ" and "居民身份证换领" in self.result_titles(scr)

    def test_no_hit_offers_categories_hotline_and_staff_and_is_reported_once(self):
        app = self.start_app(self.sample())
        events = []
        app.record_event = lambda kind, data: events.append((kind, data))
        self.tap(self.button("搜索事项"))
        scr = self.screen()
        self.type("XQXQ")
        assert self.result_titles(scr) == [] and "没有找到与“XQXQ”相关的事项" in scr.message
        texts = [getattr(w, "text", "") for w in scr._nohit.walk()]
        assert "户籍办理" in texts and "咨询电话：0577-61880000" in texts and "请工作人员帮助" in texts
        self.tap(self.button("请工作人员帮助"))
        assert messages.SEARCH_HELP in "".join(getattr(w, "text", "") for w in scr._nohit.walk())
        assert events == [("search_nohit", {"query": "xqxq", "input": "pinyin", "release": app.stamp})]
        self.tap(self.button("户籍办理", root=scr._categories))
        assert app.current == "category"
        assert len(events) == 1  # leaving does not report the same query again

    def test_no_hit_with_a_phone_or_id_fragment_is_never_reported(self):
        app = self.start_app(self.sample())
        events = []
        app.record_event = lambda kind, data: events.append((kind, data))
        self.tap(self.button("搜索事项"))
        scr = self.screen()
        self.type("13812345678")
        assert self.result_titles(scr) == []
        self.tap(self.button("请工作人员帮助"))
        self.tap(self.button("首页"))
        self.tap(self.button("搜索事项"))
        self.type("3303821980")
        app.reset_to_home()
        assert events == []
        assert app.search_terms.top(10) == []
