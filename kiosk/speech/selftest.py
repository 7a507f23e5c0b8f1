"""Self-test of read-aloud: the engine is installed, its voice exists, and a test sentence is
synthesised into a valid WAV; with ``play=True`` the sentence is also played, so the technician
hears the speakers (like the printer's test page)."""
from __future__ import annotations

import tempfile
from pathlib import Path

from kiosk.selfcheck import SelfTestItem
from kiosk.speech.engine import NullEngine, SpeechEngine
from kiosk.speech.espeak import EspeakEngine

WHAT = "语音播报"
TEST_SENTENCE = "语音播报自检，请将身份证放在读卡区。"


def selftest(engine: SpeechEngine | None = None, *, play: bool = False) -> SelfTestItem:
    """Check ``engine`` (default: espeak-ng with the default voice); never raises.

    state: "ok"; "off" for the NullEngine (voice switched off: passes); "missing" when the engine
    or voice is not installed; "fault" when synthesis fails; "no_audio_device" when ``play`` and
    nothing could play it.
    """
    engine = engine if engine is not None else EspeakEngine()
    if isinstance(engine, NullEngine):
        return SelfTestItem(WHAT, True, "已关闭（voice.engine = \"none\" 或 voice.enabled = false）", "off")
    with tempfile.TemporaryDirectory(prefix="kiosk-speech-selftest-") as tmp:
        made = engine.synthesize_to_wav(TEST_SENTENCE, Path(tmp) / "selftest.wav")
    if made.status == "unavailable":
        return SelfTestItem(WHAT, False, made.detail, "missing")
    if made.status != "written":
        return SelfTestItem(WHAT, False, made.detail or f"合成失败（{made.status}）", "fault")
    name = engine.name
    if isinstance(engine, EspeakEngine):
        name = f"{engine.name} {engine.version()}，语音 {engine.voice}，音量 {engine.volume}"
    detail = f"{name}，试读合成 {made.seconds:.1f} 秒"
    if not play:
        return SelfTestItem(WHAT, True, detail + "（未试播放）", "ok")
    spoken = engine.speak(TEST_SENTENCE)
    if spoken.status == "spoken":
        return SelfTestItem(WHAT, True, detail + "，已试播放，请确认听到声音", "ok")
    if spoken.status == "no_audio_device":
        return SelfTestItem(WHAT, False, f"{detail}，但{spoken.detail}", "no_audio_device")
    return SelfTestItem(WHAT, False, f"{detail}，但播放失败：{spoken.detail or spoken.status}", "fault")
