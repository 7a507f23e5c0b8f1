"""``make_engine(settings)``: the engine the settings name (see registry.ENGINES); fails loudly on an
unknown name."""
from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.speech.engine import NullEngine, SpeechEngine
from kiosk.speech.espeak import EspeakEngine
from kiosk.speech.registry import ENGINES

if TYPE_CHECKING:
    from kiosk.speech.settings import VoiceSettings

def make_engine(settings: "VoiceSettings") -> SpeechEngine:
    """The engine ``settings.engine`` names, with its voice, volume and rate; NullEngine when
    voice is switched off. Raises ValueError (Chinese) for a name not in ENGINES."""
    if not settings.enabled:
        return NullEngine()
    try:
        cls = ENGINES[settings.engine]
    except KeyError:
        raise ValueError(f"不认识的语音引擎 {settings.engine!r}（可用：{'、'.join(ENGINES)}）") from None
    if cls is EspeakEngine:
        return EspeakEngine(settings.voice, settings.volume, settings.rate)
    return cls()
