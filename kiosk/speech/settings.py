"""The kiosk's voice settings: the ``[voice]`` table of kiosk.toml.

    [voice]
    enabled = true               # 语音播报 on/off; off: no 朗读 control, no spoken prompts
    volume = 80                  # 0–100 (espeak-ng amplitude -a; 100 is its loudest clean level)
    rate = 175                   # words per minute, 80–300 (175: ~3.4 syllables a second)
    prompts = true               # also speak key prompts: 请将身份证放在读卡区, 打印完成, errors
    standard_mode = false        # show 朗读 in the standard mode too (长辈模式 always shows it)
    engine = "espeak-ng"         # or "none" (a hall without speakers)
    voice = "cmn-latn-pinyin"    # an espeak-ng voice name (see kiosk/speech/espeak.py)

Every key is optional. ``VoiceSettings.from_table(table, where)`` checks types and ranges and
raises ``VoiceSettingsError`` with a Chinese message naming the file and key.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from kiosk.speech.espeak import DEFAULT_RATE, DEFAULT_VOICE, DEFAULT_VOLUME
from kiosk.speech.registry import ENGINES


class VoiceSettingsError(ValueError):
    """A [voice] table that cannot be used; the message says where and why, in Chinese."""


@dataclass(frozen=True)
class VoiceSettings:
    enabled: bool = True
    volume: int = DEFAULT_VOLUME
    rate: int = DEFAULT_RATE
    prompts: bool = True
    standard_mode: bool = False
    engine: str = "espeak-ng"
    voice: str = DEFAULT_VOICE

    def show_read_button(self, elder_mode: bool) -> bool:
        """Whether the guide screen shows 朗读: always in 长辈模式, in the standard mode if set."""
        return self.enabled and (elder_mode or self.standard_mode)

    @property
    def speak_prompts(self) -> bool:
        """Whether key prompts are spoken as they appear."""
        return self.enabled and self.prompts

    def to_table(self) -> dict:
        """The [voice] table for kiosk.toml."""
        return asdict(self)

    @classmethod
    def from_table(cls, table: dict | None, where: str = "kiosk.toml") -> "VoiceSettings":
        if table is None:
            return cls()
        if not isinstance(table, dict):
            raise VoiceSettingsError(f"{where}: [voice] 应为一个表（section）")
        kinds = {"enabled": bool, "volume": int, "rate": int, "prompts": bool, "standard_mode": bool,
                 "engine": str, "voice": str}
        for key, value in table.items():
            if key not in kinds:
                raise VoiceSettingsError(f"{where}: 不认识的配置项 voice.{key}（可用：{'、'.join(kinds)}）")
            want = kinds[key]
            if (isinstance(value, bool) and want is not bool) or not isinstance(value, want):
                raise VoiceSettingsError(f"{where}: voice.{key} 的值 {value!r} 类型不对")
        s = cls(**table)
        if not 0 <= s.volume <= 100:
            raise VoiceSettingsError(f"{where}: voice.volume 应为 0 到 100 的整数，不是 {s.volume}")
        if not 80 <= s.rate <= 300:
            raise VoiceSettingsError(f"{where}: voice.rate 应为每分钟 80 到 300 字，不是 {s.rate}")
        if s.engine not in ENGINES:
            raise VoiceSettingsError(f"{where}: voice.engine 只能是 {'、'.join(ENGINES)}，不是 {s.engine!r}")
        if not s.voice.strip():
            raise VoiceSettingsError(f"{where}: voice.voice 不能为空")
        return s
