"""Engines by name: ``{"espeak-ng": EspeakEngine, "none": NullEngine}``; a hall that plugs in
another engine adds it here. ``make_engine(settings)`` fails loudly on an unknown name."""
from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.speech.engine import NullEngine, SpeechEngine
from kiosk.speech.espeak import EspeakEngine

if TYPE_CHECKING:
    from kiosk.speech.settings import VoiceSettings

ENGINES: dict[str, type[SpeechEngine]] = {"espeak-ng": EspeakEngine, "none": NullEngine}


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
