"""Read-aloud on the running kiosk, without an audio device: a recording engine is chosen through
kiosk.toml's [voice] table (as a hall would choose its own engine), and the tests assert the
text handed to it — what a listener would hear — and that the kiosk keeps working when the
engine fails or is missing."""
import threading

from kivy.tests.common import UnitTestTouch

from kiosk import messages
from kiosk.app.controllers import tickets as tk
from kiosk.cli.simulate import DEMO_CARD
from kiosk.config import load_config
from kiosk.speech import UNAVAILABLE_ZH
from tests.kiosk.conftest import copy_sample_content
from tests.kiosk.harness import KioskTestCase
from tests.kiosk.speech_fakes import FailingEngine, RecordingEngine, registered

CODE = "330382-GA-0001"
PATH = {"reason": "expiring"}   # its 情形 question (您为什么换领？) answered
READ_GA_0001 = ("居民身份证换领。办理时限：承诺十个工作日；法定六十个自然日。收费：临时居民身份证工本费十元每证"
                "（同时申领临时居民身份证的）；“有效期满或即将到期”或“姓名变更或登记项目需要更正”：换领工本费二十元每证；"
                "证件严重损坏不能辨认：损坏换领工本费四十元每证。到现场：最多跑一次。请准备以下材料，共三项。"
                "原居民身份证，原件。视情况提供：第一，照相馆出具的居民身份证相片回执，原件。"
                "第二，监护人居民身份证，原件。")


class ReadAloudTests(KioskTestCase):
    def setUp(self):
        super().setUp()
        self._engines = registered()
        self._engines.__enter__()

    def tearDown(self, fake=False):
        super().tearDown(fake)
        self._engines.__exit__(None, None, None)

    def start(self, voice: str = 'engine = "recording"'):
        path = self.tmp / "kiosk.toml"
        path.write_text(f"[voice]\n{voice}\n", encoding="utf-8")
        cfg = load_config(path)
        content = self.tmp / "content"
        if not content.exists():
            copy_sample_content(content)
        return self.start_app(content, voice=cfg.voice)

    def texts(self):
        self.app.speaker.idle(5)
        self.pump(frames=2)
        return list(RecordingEngine.texts)

    def read_button(self):
        return self.screen().ids.read_button

    def open_guide_by_touch(self):
        self.tap(self.button("户籍办理"))
        self.tap(self.button("居民身份证换领"))
        assert self.app.current == "questions"
        self.tap(self.button("查看全部情形"))   # the whole guide, every case (what READ_GA_0001 reads)
        assert self.app.current == "guide"

    # -- 朗读 ---------------------------------------------------------------------------------
    def test_elder_mode_reads_the_summary_and_the_materials_aloud(self):
        app = self.start()
        self.open_guide_by_touch()
        assert not app.read_button and self.read_button().disabled  # standard mode: no 朗读
        self.tap(self.button("首页"))
        self.tap(self.button("长辈模式"))
        self.open_guide_by_touch()
        button = self.read_button()
        assert button.text == "朗读" and button.height >= 128 and button.width > 0
        self.tap(button)
        assert self.texts() == [READ_GA_0001]
        assert button.text == "朗读" and not self.screen().reading   # finished: ready to read again
        assert self.screen().voice_message == ""

    def test_a_path_is_read_as_shown_its_case_named_and_only_its_materials(self):
        app = self.start()
        app.set_elder(True)
        self.tap(self.button("户籍办理"))
        self.tap(self.button("居民身份证换领"))
        self.tap(self.button("证件严重损坏不能辨认"))
        assert app.current == "guide"
        self.tap(self.read_button())
        [said] = self.texts()
        assert said.startswith("居民身份证换领，证件严重损坏不能辨认。")
        assert "损坏换领工本费四十元每证" in said and "二十元" not in said
        assert "原居民身份证，原件" in said

    def test_standard_mode_shows_read_when_configured_and_voice_off_hides_it(self):
        app = self.start('engine = "recording"\nstandard_mode = true')
        self.open_guide_by_touch()
        self.tap(self.read_button())
        assert self.texts()[0].startswith("居民身份证换领。")
        self.app.shutdown_in_window()
        self.app = None
        self.sims.stop()
        self.sims = None
        app = self.start('engine = "recording"\nenabled = false')
        app.set_elder(True)
        app.show_guide(CODE)
        self.pump()
        assert not app.read_button and self.read_button().disabled and self.read_button().width == 0

    def test_stop_reading_and_leaving_the_guide_stop_the_engine(self):
        app = self.start()
        RecordingEngine.hold = threading.Event()
        app.set_elder(True)
        app.show_guide(CODE)
        self.pump()
        self.tap(self.read_button())
        self.pump(lambda: RecordingEngine.texts)
        assert self.read_button().text == "停止朗读"
        self.tap(self.read_button())
        assert self.read_button().text == "朗读"
        assert RecordingEngine.hold.is_set() and app.speaker.idle(5)
        RecordingEngine.hold = threading.Event()
        self.tap(self.read_button())
        self.pump(lambda: len(RecordingEngine.texts) == 2)
        self.tap(self.button("手机扫码带走"))
        assert app.current == "qr" and RecordingEngine.hold.is_set() and app.speaker.idle(5)
        self.tap(self.button("返回"))
        assert self.read_button().text == "朗读"

    def test_twenty_quick_taps_on_read_leave_a_consistent_screen(self):
        app = self.start()
        app.set_elder(True)
        app.show_guide(CODE)
        self.pump()
        button = self.read_button()
        for _ in range(20):
            x, y = button.to_window(*button.center)
            t = UnitTestTouch(x, y)
            t.touch_down()
            t.touch_up()
            self.step()
        assert app.speaker.idle(5)
        self.pump(frames=3)
        assert app.current == "guide"
        assert button.text == ("停止朗读" if self.screen().reading else "朗读")
        assert not self.screen().reading
        assert set(RecordingEngine.texts) <= {READ_GA_0001}

    # -- prompts ------------------------------------------------------------------------------
    def test_key_prompts_are_spoken_and_never_the_card_holder(self):
        app = self.start()
        self.sims.reader.remove()
        self.tap(self.button("取号"))
        assert self.texts() == ["请将身份证放在读卡区。"]
        self.sims.reader.place(DEMO_CARD)
        scr = self.screen()
        self.pump(lambda: scr.state == tk.CHOOSE)
        app.choose_queue(app.queues[0])
        self.pump(lambda: scr.state == tk.DONE)
        assert self.texts()[-1] == "取号成功，请取走排队号和身份证，留意叫号。"
        self.sims.reader.remove()
        app.go_home()
        app.print_checklist(CODE, PATH)
        pscr = app.screen("printing")
        self.pump(lambda: pscr.phase != "working")
        assert self.texts()[-1] == "打印完成，请从出纸口取走一次告知单。"
        self.sims.printer.set_state(paper="out")
        app.print_checklist(CODE, PATH)
        self.pump(lambda: pscr.phase != "working")
        assert self.texts()[-1] == "打印机暂不可用，请扫码带走或联系工作人员。"  # the fault and what to do next
        said = "".join(self.texts())
        for private in (DEMO_CARD.name, DEMO_CARD.id_number, DEMO_CARD.id_number[-4:], "三"):
            assert private not in said

    def test_prompts_off_still_reads_on_request(self):
        app = self.start('engine = "recording"\nprompts = false')
        self.tap(self.button("取号"))
        assert self.texts() == []
        app.go_home()
        app.set_elder(True)
        app.show_guide(CODE)
        self.pump()
        self.tap(self.read_button())
        assert self.texts() == [READ_GA_0001]

    def test_no_hit_help_is_spoken(self):
        app = self.start()
        self.tap(self.button("搜索事项"))
        for key in "XQXQ":
            self.tap(self.button(key))
        self.tap(self.button("请工作人员帮助"))
        assert self.texts() == [messages.SEARCH_HELP]

    # -- the engine fails ---------------------------------------------------------------------------
    def test_a_failing_engine_says_so_calmly_and_the_kiosk_goes_on(self):
        app = self.start('engine = "failing"')
        app.set_elder(True)
        app.show_guide(CODE)
        self.pump()
        self.tap(self.read_button())
        self.pump(lambda: self.screen().voice_message)
        assert self.screen().voice_message == UNAVAILABLE_ZH == "语音播报暂不可用，请看屏幕上的文字。"
        assert self.read_button().text == "朗读" and FailingEngine.calls == 1
        self.tap(self.button("打印一次告知单"))
        self.tap(self.button("有效期满或即将到期"))   # the whole guide shown: its 情形 is asked first
        pscr = app.screen("printing")
        self.pump(lambda: pscr.phase != "working")
        assert pscr.phase == "done"                     # its prompt failed too; printing did not care
        self.tap(self.button("返回"))
        assert app.current == "guide" and self.screen().voice_message == ""

    def test_a_missing_engine_says_so_calmly(self):
        app = self.start('engine = "missing"')
        app.set_elder(True)
        app.show_guide(CODE)
        self.pump()
        self.tap(self.read_button())
        self.pump(lambda: self.screen().voice_message)
        assert self.screen().voice_message == UNAVAILABLE_ZH
        assert app.speaker.last_result.status == "unavailable"
        self.tap(self.button("打印一次告知单"))
        self.tap(self.button("有效期满或即将到期"))
        assert app.current in ("printing", "rating")   # printing goes on (the rating screen follows a print)
