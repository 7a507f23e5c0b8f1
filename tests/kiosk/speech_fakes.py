"""Speech engines for tests, chosen through the kiosk's configuration like a hall's own engine:
``registered()`` adds them to kiosk.speech.registry.ENGINES for the duration of a test, and a
kiosk.toml ``[voice] engine = "recording"`` picks one.

- ``recording``: keeps every text it is handed (``RecordingEngine.texts``, shared by all
  instances, newest last); ``hold`` (a threading.Event) makes speaking last until it is set;
- ``failing``: raises inside the engine, as a broken driver would;
- ``missing``: espeak-ng under a name no machine has, so the engine is not installed.
"""
from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from kiosk.speech import EspeakEngine, SpeechEngine, SpeechResult
from kiosk.speech import registry


class RecordingEngine(SpeechEngine):
    name = "recording"
    texts: list[str] = []
    hold: threading.Event | None = None

    def _available(self) -> bool:
        return True

    def _speak(self, text: str) -> SpeechResult:
        RecordingEngine.texts.append(text)
        hold = RecordingEngine.hold
        if hold is not None:
            hold.wait(10)
        return SpeechResult("spoken", "recorded")

    def _synthesize(self, text: str, path: Path) -> SpeechResult:
        RecordingEngine.texts.append(text)
        return SpeechResult("written", "recorded", 1.0)

    def stop(self) -> None:
        if RecordingEngine.hold is not None:
            RecordingEngine.hold.set()


class FailingEngine(SpeechEngine):
    name = "failing"
    calls = 0

    def _available(self) -> bool:
        return True

    def _speak(self, text: str) -> SpeechResult:
        FailingEngine.calls += 1
        raise OSError("audio driver crashed")

    def _synthesize(self, text: str, path: Path) -> SpeechResult:
        raise OSError("audio driver crashed")


class MissingEngine(EspeakEngine):
    name = "missing"

    def __init__(self) -> None:
        super().__init__(binary="espeak-ng-not-installed-here")


@contextlib.contextmanager
def registered():
    """ENGINES with the test engines added; the recording engine starts empty."""
    RecordingEngine.texts = []
    RecordingEngine.hold = None
    FailingEngine.calls = 0
    added = {"recording": RecordingEngine, "failing": FailingEngine, "missing": MissingEngine}
    registry.ENGINES.update(added)
    try:
        yield RecordingEngine
    finally:
        for name in added:
            registry.ENGINES.pop(name, None)
        if RecordingEngine.hold is not None:
            RecordingEngine.hold.set()
