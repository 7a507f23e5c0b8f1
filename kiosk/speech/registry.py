"""Speech engines by name: ``{"espeak-ng": EspeakEngine, "none": NullEngine}``. A hall that plugs in
another engine adds it here; settings validate ``voice.engine`` against these names."""
from __future__ import annotations

from kiosk.speech.engine import NullEngine, SpeechEngine
from kiosk.speech.espeak import EspeakEngine

ENGINES: dict[str, type[SpeechEngine]] = {"espeak-ng": EspeakEngine, "none": NullEngine}
