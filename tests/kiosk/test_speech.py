"""Read-aloud: the text handed to the engine, real WAVs from espeak-ng, and calm failures."""
from __future__ import annotations

import array
import stat
import threading
import time
import wave
from pathlib import Path

import pytest

from kiosk.speech import (UNAVAILABLE_ZH, EspeakEngine, MaterialGroup, Narrator, NullEngine, Speaker, SpeechResult,
                          VoiceSettings, VoiceSettingsError, contains_personal_data, make_engine, selftest, speech_text)
from kiosk.speech.engine import SpeechEngine


# --- speech_text -------------------------------------------------------------------------------

@pytest.mark.parametrize("written, said", [
    ("20 元", "二十元"),
    ("工本费 20.5 元", "工本费二十元五角"),
    ("￥20.05", "二十元零五分"),
    ("收费 ￥0.5", "收费五角"),
    ("2 元", "两元"),
    ("1,000 元", "一千元"),
    ("10元/份", "十元每份"),
    ("8:30-12:00", "八点三十分至十二点"),
    ("办公时间：8:30-12:00，14:00-17:30", "办公时间：八点三十分至十二点，十四点至十七点三十分"),
    ("上午 9：05 开门", "上午九点零五分开门"),
    ("2026-11-01", "二〇二六年十一月一日"),
    ("2026年11月1日起施行", "二〇二六年十一月一日起施行"),
    ("2026/11/01至2026/12/31", "二〇二六年十一月一日至二〇二六年十二月三十一日"),
    ("2026年", "二〇二六年"),
    ("咨询电话：0577-61881125", "咨询电话：零五七七，六一八八一一二五"),
    ("0577-61881125转123", "零五七七，六一八八一一二五转一二三"),
    ("请拨打12345热线", "请拨打一二三四五热线"),
    ("12345政务服务热线", "一二三四五政务服务热线"),
    ("400-123-4567", "四零零，一二三，四五六七"),
    ("A012号", "A零一二号"),
    ("承诺时限 5 个工作日，法定时限 20 个工作日", "承诺时限五个工作日，法定时限二十个工作日"),
    ("2 个工作日", "两个工作日"),
    ("1-2 个工作日", "一至两个工作日"),
    ("身份证复印件 2 份", "身份证复印件两份"),
    ("22 份", "二十二份"),
    ("第 2 步", "第二步"),
    ("2号窗口", "二号窗口"),
    ("50%", "百分之五十"),
    ("1.5 小时", "一点五小时"),
    ("共 12 项", "共十二项"),
    ("", ""),
    ("  ", ""),
])
def test_figures_are_said_as_people_say_them(written, said):
    assert speech_text(written) == said


@pytest.mark.parametrize("written, said", [
    ("身份证 330382199001014210 已读", "身份证已读"),
    ("证件号 33038219900101421X", "证件号"),
    ("旧证 330382900101421", "旧证"),
    ("330382********4210", ""),
    ("手机 13812345678 号", "手机号"),
    ("手机 138-1234-5678", "手机"),
    ("卡号6222021234567890123", "卡号"),
])
def test_personal_data_is_stripped_before_anything_is_said(written, said):
    assert contains_personal_data(written)
    assert speech_text(written) == said


def test_landlines_and_hall_numbers_are_not_personal_data():
    for text in ("0577-61881125", "057761881125", "12345", "A012", "2026-11-01"):
        assert not contains_personal_data(text), text


# --- narrator ----------------------------------------------------------------------------------

def test_guide_reads_title_summary_and_the_case_materials():
    said = Narrator().guide(
        "社会保障卡申领", "本人带身份证到窗口办理，当场制卡",
        [MaterialGroup("必交材料", ["居民身份证（原件）", "近期免冠一寸照片 1 张"]),
         MaterialGroup("委托他人办理的，还需", ["受托人身份证（原件）"])])
    assert said == ("社会保障卡申领。本人带身份证到窗口办理，当场制卡。请准备以下材料，共三项。"
                    "必交材料：第一，居民身份证，原件。第二，近期免冠一寸照片一张。"
                    "委托他人办理的，还需：受托人身份证，原件。")


def test_guide_with_a_plain_list_of_materials_and_figures_in_the_summary():
    said = Narrator().guide("户口迁移", "承诺 5 个工作日办结，收费 0 元", ["居民户口簿", "准予迁入证明", "身份证复印件 2 份"])
    assert said == ("户口迁移。承诺五个工作日办结，收费零元。请准备以下材料，共三项。"
                    "第一，居民户口簿。第二，准予迁入证明。第三，身份证复印件两份。")


def test_guide_without_materials_says_nothing_about_materials():
    assert Narrator().guide("结婚登记预约", "网上预约后到婚姻登记处办理。", []) == "结婚登记预约。网上预约后到婚姻登记处办理。"


def test_prompts_and_errors_with_their_next_step():
    n = Narrator()
    assert n.prompt("请将身份证放在读卡区") == "请将身份证放在读卡区。"
    assert n.prompt("打印完成，请从出纸口取走一次告知单") == "打印完成，请从出纸口取走一次告知单。"
    assert n.error("打印机暂不可用", "请扫码带走或联系工作人员") == "打印机暂不可用。请扫码带走或联系工作人员。"
    assert n.prompt("取号成功，您的号码是 A012") == "取号成功，您的号码是A零一二。"


# --- speaker: what the engine is handed ---------------------------------------------------------

def test_speaker_hands_the_prepared_text_to_the_engine():
    engine = NullEngine()
    results = []
    speaker = Speaker(engine, VoiceSettings(), on_result=lambda text, r: results.append((text, r)))
    try:
        handed = speaker.say("办公时间：8:30-12:00，收费 20 元")
        assert speaker.idle(5)
        assert handed == "办公时间：八点三十分至十二点，收费二十元"
        assert engine.texts == [handed]
        assert results == [(handed, SpeechResult("off", "语音播报已关闭"))]
    finally:
        speaker.close()


def test_speaker_never_hands_personal_data_to_the_engine():
    engine = NullEngine()
    speaker = Speaker(engine)
    try:
        assert speaker.say("请核对 330382199001014210 张三") == "请核对张三"
        assert speaker.say("330382199001014210") is None
        assert speaker.idle(5)
        assert engine.texts == ["请核对张三"]
    finally:
        speaker.close()


def test_voice_off_or_prompts_off_hand_nothing():
    engine = NullEngine()
    off = Speaker(engine, VoiceSettings(enabled=False))
    quiet = Speaker(engine, VoiceSettings(prompts=False))
    try:
        assert off.say("社会保障卡申领") is None
        assert off.prompt("请将身份证放在读卡区") is None
        assert quiet.prompt("请将身份证放在读卡区") is None
        assert quiet.say("社会保障卡申领") == "社会保障卡申领"
        assert quiet.idle(5) and off.idle(5)
        assert engine.texts == ["社会保障卡申领"]
    finally:
        off.close()
        quiet.close()


class SlowEngine(SpeechEngine):
    """Speaks for `seconds` unless stopped; records what it was handed and how it ended."""
    name = "slow"

    def __init__(self, seconds=5.0):
        self.seconds = seconds
        self.handed, self.ended = [], []
        self._stop = threading.Event()
        self.started = threading.Event()

    def _available(self):
        return True

    def _speak(self, text):
        self._stop.clear()
        self.handed.append(text)
        self.started.set()
        stopped = self._stop.wait(self.seconds)
        self.ended.append("stopped" if stopped else "spoken")
        return SpeechResult("stopped" if stopped else "spoken")

    def stop(self):
        self._stop.set()


def test_a_new_request_interrupts_and_replaces_the_waiting_ones():
    engine = SlowEngine(seconds=5.0)
    delivered = []
    speaker = Speaker(engine, on_result=lambda text, r: delivered.append(text))
    try:
        speaker.say("第一句")
        assert engine.started.wait(5)
        t0 = time.monotonic()
        for i in range(20):  # 20 quick taps on 朗读
            speaker.say(f"第 {i} 次")
        engine.seconds = 0.01
        assert speaker.idle(5)
        assert time.monotonic() - t0 < 4  # the first sentence did not play to its end
        assert engine.handed == ["第一句", "第十九次"]
        assert engine.ended == ["stopped", "spoken"]
        assert delivered == ["第十九次"]
    finally:
        speaker.close()


def test_stop_ends_the_speech_in_progress():
    engine = SlowEngine(seconds=5.0)
    speaker = Speaker(engine)
    try:
        speaker.say("社会保障卡申领")
        assert engine.started.wait(5)
        speaker.stop()
        assert speaker.idle(2)
        assert engine.ended == ["stopped"]
    finally:
        speaker.close()


def test_a_failing_engine_gives_a_calm_status_and_the_speaker_goes_on():
    class Broken(SpeechEngine):
        name = "broken"

        def _available(self):
            raise OSError("device gone")

        def _speak(self, text):
            raise OSError("device gone")

    results = []
    speaker = Speaker(Broken(), on_result=lambda text, r: results.append(r))
    try:
        assert Broken().available() is False
        speaker.say("一")
        assert speaker.idle(5)
        speaker.say("二")
        assert speaker.idle(5)
        assert [r.status for r in results] == ["failed", "failed"]
        assert results[0].message_zh == UNAVAILABLE_ZH == "语音播报暂不可用，请看屏幕上的文字。"
    finally:
        speaker.close()


# --- espeak-ng: real WAVs ------------------------------------------------------------------------

def _samples(path: Path) -> array.array:
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2
        data = array.array("h", w.readframes(w.getnframes()))
    return data


def _rms(path: Path) -> float:
    data = _samples(path)
    return (sum(s * s for s in data) / len(data)) ** 0.5


def test_espeak_writes_a_real_wav(tmp_path, monkeypatch):
    monkeypatch.setenv("LC_ALL", "C")  # the text goes in as UTF-8 whatever the locale
    monkeypatch.setenv("LANG", "C")
    out = tmp_path / "guide.wav"
    result = EspeakEngine().synthesize_to_wav(Narrator().prompt("请将身份证放在读卡区"), out)
    assert result.status == "written" and result.ok
    raw = out.read_bytes()
    assert raw[:4] == b"RIFF" and raw[8:12] == b"WAVE"
    assert len(raw) > 20_000
    with wave.open(str(out), "rb") as w:
        assert w.getnchannels() == 1 and w.getframerate() == 22050
        seconds = w.getnframes() / w.getframerate()
    assert 1.0 < seconds < 10.0
    assert result.seconds == pytest.approx(seconds)
    assert max(abs(s) for s in _samples(out)) > 1000  # sound, not silence
    assert [p.name for p in tmp_path.iterdir()] == ["guide.wav"]  # no temporary left behind


def test_default_voice_reads_chinese_as_mandarin_not_english():
    # espeak-ng -x prints the phonemes; "(en)" marks a switch to English pronunciation rules,
    # which Debian 12's plain "cmn" voice makes for the pinyin of characters such as 八 and 零
    import subprocess
    text = Narrator().guide("社会保障卡申领", "办理时间 8:30-12:00，收费 0 元", ["居民身份证（原件）"])

    def phonemes(voice: str) -> str:
        return subprocess.run(["espeak-ng", "-v", voice, "-q", "-x", "-b", "1", "--stdin"], input=text.encode(),
                              capture_output=True, check=True).stdout.decode()
    assert "(en)" not in phonemes(EspeakEngine().voice)


def test_volume_and_rate_change_the_wav(tmp_path):
    text = speech_text("收费 20 元，8:30-12:00 办理")
    loud, soft, fast = tmp_path / "loud.wav", tmp_path / "soft.wav", tmp_path / "fast.wav"
    assert EspeakEngine(volume=100).synthesize_to_wav(text, loud).ok
    assert EspeakEngine(volume=20).synthesize_to_wav(text, soft).ok
    assert EspeakEngine(volume=100, rate=300).synthesize_to_wav(text, fast).ok
    assert _rms(loud) > 3 * _rms(soft)
    assert max(abs(s) for s in _samples(soft)) < 32000  # not clipped
    assert EspeakEngine(volume=80).amplitude == 80 and EspeakEngine(volume=250).amplitude == 100
    assert len(_samples(fast)) < 0.75 * len(_samples(loud))


def test_espeak_refuses_personal_data_and_writes_nothing(tmp_path):
    out = tmp_path / "x.wav"
    result = EspeakEngine().synthesize_to_wav("证件号 330382199001014210", out)
    assert result.status == "refused" and not result.ok
    assert not out.exists()


def _player(tmp_path: Path, name: str, body: str) -> tuple[str]:
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return (str(path),)


def test_speak_plays_the_wav_through_the_first_working_player(tmp_path):
    log = tmp_path / "played.log"
    broken = _player(tmp_path, "pw-play", 'echo "Connection failure: Connection refused" >&2; exit 1')
    working = _player(tmp_path, "aplay", f'head -c 4 "$1" >> {log}; echo >> {log}')
    result = EspeakEngine(players=[broken, working]).speak("请将身份证放在读卡区。")
    assert result.status == "spoken" and result.ok
    assert log.read_text() == "RIFF\n"  # the second player got a real WAV
    assert result.seconds > 1.0


def test_no_audio_device_is_a_status_not_an_error(tmp_path, monkeypatch):
    # no sound card and no sound server, whatever the machine running the test has
    conf = tmp_path / "empty-alsa.conf"
    conf.write_text("")
    monkeypatch.setenv("ALSA_CONFIG_PATH", str(conf))
    monkeypatch.setenv("PULSE_SERVER", "unix:/nonexistent/pulse")
    with_aplay = EspeakEngine(players=[("aplay", "-q")]).speak("打印完成。")
    assert with_aplay.status == "no_audio_device"
    assert "aplay" in with_aplay.detail
    assert with_aplay.message_zh == UNAVAILABLE_ZH
    direct = EspeakEngine(players=[]).speak("打印完成。")  # espeak-ng's own output
    assert direct.status == "no_audio_device"


def test_stop_ends_playback(tmp_path):
    slow = _player(tmp_path, "paplay", "sleep 30")
    engine = EspeakEngine(players=[slow])
    threading.Timer(0.5, engine.stop).start()
    t0 = time.monotonic()
    result = engine.speak("社会保障卡申领。")
    assert result.status == "stopped"
    assert time.monotonic() - t0 < 10


def test_missing_engine_or_voice_is_a_calm_status(tmp_path):
    missing = EspeakEngine(binary="espeak-ng-not-installed")
    assert missing.available() is False
    spoken = missing.speak("社会保障卡申领")
    assert spoken.status == "unavailable" and spoken.message_zh == UNAVAILABLE_ZH
    assert "espeak-ng" in spoken.detail
    assert missing.synthesize_to_wav("社会保障卡申领", tmp_path / "a.wav").status == "unavailable"
    no_voice = EspeakEngine(voice="xx-no-such-voice")
    assert no_voice.available() is False
    assert no_voice.speak("社会保障卡申领").status == "unavailable"
    assert EspeakEngine().available() is True


# --- settings, factory, self-test ----------------------------------------------------------------

def test_settings_from_the_kiosk_toml_table():
    s = VoiceSettings.from_table({"enabled": True, "volume": 60, "prompts": False})
    assert (s.volume, s.prompts, s.rate, s.engine) == (60, False, 175, "espeak-ng")
    assert s.show_read_button(elder_mode=True) and not s.show_read_button(elder_mode=False)
    assert VoiceSettings(standard_mode=True).show_read_button(elder_mode=False)
    assert not VoiceSettings(enabled=False).show_read_button(elder_mode=True)
    assert VoiceSettings.from_table(None) == VoiceSettings()
    assert VoiceSettings.from_table(s.to_table()) == s


@pytest.mark.parametrize("table, message", [
    ({"volume": 150}, "kiosk.toml: voice.volume 应为 0 到 100 的整数，不是 150"),
    ({"volume": "loud"}, "kiosk.toml: voice.volume 的值 'loud' 类型不对"),
    ({"enabled": 1}, "kiosk.toml: voice.enabled 的值 1 类型不对"),
    ({"rate": 20}, "kiosk.toml: voice.rate 应为每分钟 80 到 300 字，不是 20"),
    ({"engine": "azure"}, "kiosk.toml: voice.engine 只能是 espeak-ng、none，不是 'azure'"),
    ({"speed": 1}, "kiosk.toml: 不认识的配置项 voice.speed（可用：enabled、volume、rate、prompts、standard_mode、engine、voice）"),
])
def test_bad_settings_say_what_and_where(table, message):
    with pytest.raises(VoiceSettingsError) as exc:
        VoiceSettings.from_table(table)
    assert str(exc.value) == message


def test_make_engine_by_name():
    engine = make_engine(VoiceSettings(volume=30, rate=200))
    assert isinstance(engine, EspeakEngine) and (engine.volume, engine.rate) == (30, 200)
    assert isinstance(make_engine(VoiceSettings(enabled=False)), NullEngine)
    assert isinstance(make_engine(VoiceSettings(engine="none")), NullEngine)


def test_selftest_passes_with_espeak_ng_and_reports_missing_parts():
    item = selftest()
    assert item.ok and item.state == "ok"
    assert item.line().startswith("[通过] 语音播报：espeak-ng ")
    assert "cmn-latn-pinyin" in item.detail and "秒" in item.detail
    missing = selftest(EspeakEngine(binary="espeak-ng-not-installed"))
    assert not missing.ok and missing.state == "missing"
    assert missing.heartbeat() == {"state": "missing", "text": "未安装 espeak-ng-not-installed（Debian 软件包 espeak-ng）"}
    assert selftest(NullEngine()).state == "off"


def test_selftest_with_playback_reports_no_audio_device(tmp_path, monkeypatch):
    conf = tmp_path / "empty-alsa.conf"
    conf.write_text("")
    monkeypatch.setenv("ALSA_CONFIG_PATH", str(conf))
    monkeypatch.setenv("PULSE_SERVER", "unix:/nonexistent/pulse")
    item = selftest(EspeakEngine(players=[("aplay", "-q")]), play=True)
    assert not item.ok and item.state == "no_audio_device"
    assert item.line().startswith("[失败] 语音播报：espeak-ng")
