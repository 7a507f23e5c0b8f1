"""The search, handwriting and read-aloud controllers and their settings, without a window."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from guides.loader import load_content
from guides.search import SearchIndex
from kiosk.app.controllers.handwriting_input import PICK_HINT, WRITE_HINT, HandwritingInput
from kiosk.app.controllers.read_aloud import materials_for_reading, summary_for_reading
from kiosk.app.controllers.search import CLEAR, DELETE, EMPTY, MAX_QUERY, NO_HIT, RESULTS, SearchController
from kiosk.app.controllers.search_privacy import may_keep, name_like, personal_reason
from kiosk.app.controllers.search_terms import SearchTerms
from kiosk.config import ConfigError, KioskConfig, load_config, parse_config, write_config
from kiosk.handwriting import NOT_RECOGNISED_ZH, Candidate, Recognition
from kiosk.speech import MaterialGroup, Narrator, NullEngine, VoiceSettings, make_engine
from kiosk.store import KioskStore
from tests.conftest import SAMPLE_CONTENT


@pytest.fixture(scope="module")
def index():
    content = load_content(SAMPLE_CONTENT)
    return content, SearchIndex(content.guides.values())


@pytest.fixture
def terms(tmp_path):
    return SearchTerms(KioskStore(tmp_path / "kiosk.db"))


def controller(index, terms=None):
    reported = []
    return SearchController(index[1], terms=terms, on_nohit=reported.append), reported


# -- full pinyin, mixed input ---------------------------------------------------------------------
@pytest.mark.parametrize("keys, first", [("SHEBAO", "社会保障卡申领(首次申领)"), ("SBK", "社会保障卡申领(首次申领)"),
                                         ("HUKOU", "户口迁入(浙江省内迁入乐清)")])
def test_full_pinyin_and_initials_find_the_guide(index, keys, first):
    s, _ = controller(index)
    for k in keys:
        s.press(k)
    assert s.state == RESULTS and s.results[0].name == first


def test_handwritten_characters_and_letters_mix_in_one_query(index):
    s, _ = controller(index)
    s.add_text("社")
    assert s.query == "社" and s.results[0].name == "社会保障卡申领(首次申领)"
    for k in "BAO":
        s.press(k)
    assert s.query == "社BAO" and s.results[0].name == "社会保障卡申领(首次申领)"
    s.press(DELETE)
    assert s.query == "社BA"
    s.press(CLEAR)
    assert s.query == "" and s.state == EMPTY and s.results == []


def test_the_query_line_holds_sixteen_characters(index):
    s, _ = controller(index)
    s.add_text("社" * 10)
    for _ in range(20):
        s.press("A")
    assert len(s.query) == MAX_QUERY == 16
    s.add_text("保\n \t")
    assert len(s.query) == MAX_QUERY
    with pytest.raises(ValueError):
        s.press("⌫")


# -- suggestions and reports ---------------------------------------------------------------------
def test_a_query_is_counted_when_a_guide_is_opened_from_its_results(index, terms):
    s, _ = controller(index, terms)
    for k in "SFZ":
        s.press(k)
    assert not s.opened("330382-RS-0002")          # not among the results: not counted
    assert s.opened(s.results[0].code)
    s.clear()
    s.add_text("社保")
    s.opened(s.results[0].code)
    s.clear()
    for k in "SFZ":
        s.press(k)
    s.opened(s.results[0].code)
    assert terms.top(5) == ["SFZ", "社保"] and terms.top(1) == ["SFZ"] and terms.top(0) == []
    rows = terms.store.execute("SELECT term, shown, count FROM search_terms ORDER BY term")
    assert rows == [("sfz", "SFZ", 2), ("社保", "社保", 1)]


def test_a_no_hit_query_is_reported_once_when_the_search_ends(index):
    s, reported = controller(index)
    for k in "XQXQ":
        s.press(k)
    assert s.state == NO_HIT and reported == []   # still typing: nothing reported
    assert s.finish() and reported == ["xqxq"]
    assert not s.finish() and reported == ["xqxq"]
    s.clear()                                      # the same query: not again
    assert reported == ["xqxq"]
    for k in "SFZ":
        s.press(k)
    assert not s.finish()                          # it found something
    for k in "QQQQ":
        s.press(k)
    s.set_query("社保")                             # a popular term replaces a no-hit query
    assert reported == ["xqxq", "sfzqqqq"]


@pytest.mark.parametrize("query", ["13812345678", "138 1234 5678", "0577-61881234", "330382198001014210",
                                   "3303821980", "1234567", "张三", "王小明"])
def test_personal_looking_no_hit_queries_are_never_reported(index, query):
    s, reported = controller(index)
    s.add_text(query.replace(" ", ""))
    if s.state == NO_HIT:
        s.finish()
    assert reported == []
    assert not may_keep(query, found=False)


def test_terms_and_names_that_are_kept(index, terms):
    assert may_keep("SFZ", found=True) and may_keep("社保卡", found=False) and may_keep("12345", found=False)
    assert may_keep("330382ga0001", found=False)           # a 事项编码: six digits, not personal
    assert name_like("张三") and name_like("李小龙") and not name_like("社保") and not name_like("张")
    assert may_keep("张三", found=True)                      # a hit: a term, not a person
    assert personal_reason("电话13812345678") == "phone or ID number"
    assert personal_reason("SFZ") is None
    assert not terms.record("13812345678") and terms.top(3) == []


def test_a_broken_store_never_breaks_the_search(index, tmp_path):
    store = KioskStore(tmp_path / "kiosk.db")
    store.close()
    broken = SearchTerms(store)
    s, _ = controller(index, broken)
    for k in "SFZ":
        s.press(k)
    assert not s.opened(s.results[0].code) and broken.top(5) == []

    def fail(_q):
        raise OSError("disk full")
    s2 = SearchController(index[1], on_nohit=fail)
    s2.add_text("XQXQ")
    assert not s2.finish()


# -- the handwriting pad's state -----------------------------------------------------------------
class FakeWorker:
    def __init__(self):
        self.submitted, self.cancelled, self.n = [], 0, 0

    def submit(self, strokes, pad_size, *, y_up, prefer):
        self.n += 1
        self.submitted.append((len(strokes), pad_size, y_up, frozenset(prefer)))
        return self.n

    def cancel(self):
        self.cancelled += 1


def rec(*chars, status="ok"):
    return Recognition(tuple(Candidate(c, 0.0) for c in chars), status, 1)


def test_only_the_answer_to_the_latest_strokes_is_shown():
    w = FakeWorker()
    hw = HandwritingInput(w, prefer={"社"}, shown=3)
    assert hw.message == WRITE_HINT and not hw.trouble
    one = hw.stroke_done([[(0, 0), (10, 0)]], (300, 300))
    two = hw.stroke_done([[(0, 0), (10, 0)], [(5, -5), (5, 5)]], (300, 300))
    assert w.submitted[-1] == (2, (300, 300), True, frozenset({"社"}))
    assert not hw.result(one, rec("一"))                   # stale: ignored
    assert hw.result(two, rec("十", "士", "二", "干"))
    assert hw.candidates == ["十", "士", "二"] and hw.message == PICK_HINT
    hw.rewrite()
    assert hw.candidates == [] and w.cancelled == 1 and hw.message == WRITE_HINT
    assert not hw.result(two, rec("十"))                   # arrived after 重写


def test_nothing_recognised_and_unavailable_are_calm_messages():
    w = FakeWorker()
    hw = HandwritingInput(w)
    rid = hw.stroke_done([[(0, 0), (300, 300)] * 5], (300, 300))
    hw.result(rid, Recognition((), "scribble", 1))
    assert hw.candidates == [] and hw.message == NOT_RECOGNISED_ZH and hw.trouble
    hw.disable("手写识别暂不可用，请使用拼音输入。")
    assert not hw.enabled and hw.stroke_done([[(1, 1)]], (300, 300)) == 0
    hw.rewrite()
    assert hw.message == "手写识别暂不可用，请使用拼音输入。"


# -- what is read aloud ------------------------------------------------------------------------------
def test_materials_to_bring_are_read_and_fetched_ones_are_not(index):
    content, _ = index
    g = content.guides["330382-GA-0001"]
    read = materials_for_reading(g)
    assert read == ["原居民身份证（原件）",
                    MaterialGroup("视情况提供", ["照相馆出具的居民身份证相片回执（原件）", "监护人居民身份证（原件）"])]
    assert "居民户口簿" not in str(read)                     # 免提交: the window fetches it
    assert summary_for_reading(g).startswith("办理时限：承诺 10 个工作日；法定 60 个自然日。收费：临时居民身份证工本费 10 元/证")


def test_material_groups_and_copies_are_read_with_their_label():
    m = lambda name, **kw: SimpleNamespace(name=name, form=kw.get("form"), copies=kw.get("copies"),  # noqa: E731
                                           necessity=kw.get("necessity"), required=kw.get("required", True))
    group = SimpleNamespace(one_of="身份证明", choose=1, items=[m("居民户口簿", form="原件"), m("居住证")])
    guide = SimpleNamespace(materials=[m("申请表", form="原件", copies=2), group,
                                       m("结婚证", necessity="免提交"), m("委托书", required=False)])
    read = materials_for_reading(guide)
    assert read == ["申请表（原件，2 份）", MaterialGroup("身份证明，以下任选1种", ["居民户口簿（原件）", "居住证"]),
                    MaterialGroup("视情况提供", ["委托书"])]
    said = Narrator().guide("示例", "", read)
    assert "共四项" in said and "申请表，原件，两份" in said and "身份证明，以下任选一种：第一，居民户口簿" in said


# -- settings --------------------------------------------------------------------------------------------
def _toml(tmp_path, text):
    path = tmp_path / "voice.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_search_and_voice_settings_round_trip(tmp_path):
    cfg = KioskConfig(keyboard="qwerty", search_input="handwriting", popular_terms=4,
                      voice=VoiceSettings(volume=40, standard_mode=True))
    path = tmp_path / "kiosk.toml"
    write_config(cfg, path)
    back = load_config(path)
    assert (back.keyboard, back.search_input, back.popular_terms) == ("qwerty", "handwriting", 4)
    assert back.voice.volume == 40 and back.voice.standard_mode and back.voice.enabled
    engine = make_engine(back.voice)
    assert engine.name == "espeak-ng" and engine.volume == 40 and engine.amplitude == 40
    off = load_config(_toml(tmp_path, "[voice]\nenabled = false\n")).voice
    assert isinstance(make_engine(off), NullEngine) and not off.show_read_button(True)
    assert load_config(None).voice == VoiceSettings() and KioskConfig().keyboard == "az"


@pytest.mark.parametrize("data, message", [
    ({"search": {"keyboard": "dvorak"}}, "search.keyboard 只能是 az（字母顺序）或 qwerty，不是 'dvorak'"),
    ({"search": {"input": "voice"}}, "search.input 只能是 pinyin（拼音）或 handwriting（手写）"),
    ({"search": {"popular": 50}}, "search.popular 应为 0 到 12 的整数"),
    ({"voice": {"volume": 150}}, "kiosk.toml: voice.volume 应为 0 到 100 的整数，不是 150"),
    ({"voice": {"enabled": "yes"}}, "voice.enabled 的值 'yes' 类型不对"),
    ({"voice": {"engine": "festival"}}, "voice.engine 只能是 espeak-ng、none，不是 'festival'"),
    ({"voice": {"loud": True}}, "不认识的配置项 voice.loud"),
])
def test_bad_search_or_voice_settings_say_what_and_where(data, message):
    with pytest.raises(ConfigError) as err:
        parse_config(data)
    assert message in str(err.value)
