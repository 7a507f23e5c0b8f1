"""The speech engine interface: a facade with public methods over private hooks.

Every engine answers ``speak(text)``, ``synthesize_to_wav(text, path)``, ``available()`` and
``stop()``; none of them raises into the UI — each returns a ``SpeechResult`` whose status says
what happened. The public methods refuse empty text and text that still holds personal data
(``kiosk.speech.text.contains_personal_data``) before an engine's hook sees it, so an engine
added later by a hall cannot be handed an ID or mobile number by mistake.

Engines are chosen by name from ``ENGINES`` (``make_engine``); an unknown name is an error, never a
silent fallback.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.speech.text import contains_personal_data

log = logging.getLogger(__name__)

UNAVAILABLE_ZH = "语音播报暂不可用，请看屏幕上的文字。"

# status -> ok
STATUSES = {
    "spoken": True,            # played through the audio output to the end
    "written": True,           # a WAV file was written
    "off": True,               # voice switched off (NullEngine): nothing to do
    "empty": True,             # nothing speakable in the text
    "stopped": True,           # stopped by a newer request or stop()
    "refused": False,          # the text held personal data; nothing was spoken
    "no_audio_device": False,  # synthesised, but no audio output could play it
    "unavailable": False,      # the engine is not installed (or its voice is missing)
    "failed": False,           # the engine ran and failed
}


@dataclass(frozen=True)
class SpeechResult:
    """What became of one request. ``detail`` is Chinese for the technician (logs, self-test);
    it never repeats the spoken text. ``seconds`` is the audio's length when known."""
    status: str
    detail: str = ""
    seconds: float | None = None

    @property
    def ok(self) -> bool:
        return STATUSES.get(self.status, False)

    @property
    def message_zh(self) -> str:
        """The calm line the screen shows when speech did not work; "" when it did."""
        return "" if self.ok else UNAVAILABLE_ZH


class SpeechEngine:
    """Base of every engine. Subclasses set ``name`` and implement ``_available``, ``_speak`` and
    ``_synthesize``; they may raise inside the hooks — the public methods turn any exception into
    a "failed" result."""
    name = "engine"

    def available(self) -> bool:
        """True when the engine can synthesise speech here (binary and voice present)."""
        try:
            return bool(self._available())
        except Exception:
            log.exception("%s: availability check failed", self.name)
            return False

    def speak(self, text: str) -> SpeechResult:
        """Say ``text`` (already prepared by ``speech_text``) through the default audio output;
        blocks until played or stopped — call it from a worker thread (``Speaker`` does)."""
        refused = self._check(text)
        if refused:
            return refused
        try:
            return self._speak(text)
        except Exception as exc:
            log.exception("%s: speak failed", self.name)
            return SpeechResult("failed", f"{self.name} 出错：{type(exc).__name__}")

    def synthesize_to_wav(self, text: str, path: str | Path) -> SpeechResult:
        """Write ``text`` as a WAV file at ``path`` (whole or not at all); status "written"."""
        refused = self._check(text)
        if refused:
            return refused
        try:
            return self._synthesize(text, Path(path))
        except Exception as exc:
            log.exception("%s: synthesis failed", self.name)
            return SpeechResult("failed", f"{self.name} 出错：{type(exc).__name__}")

    def stop(self) -> None:
        """End the speech in progress, if any (from any thread)."""

    def _check(self, text: str) -> SpeechResult | None:
        if not isinstance(text, str) or not text.strip():
            return SpeechResult("empty")
        if contains_personal_data(text):
            log.warning("%s: refused a text that holds personal data", self.name)
            return SpeechResult("refused", "要朗读的文字含有证件号码或手机号码，已拒绝")
        return None

    def _available(self) -> bool:
        raise NotImplementedError

    def _speak(self, text: str) -> SpeechResult:
        raise NotImplementedError

    def _synthesize(self, text: str, path: Path) -> SpeechResult:
        raise NotImplementedError


@dataclass
class NullEngine(SpeechEngine):
    """Speaks nothing (voice off, or a hall without speakers); keeps the texts it was handed in
    ``texts`` (at most the last 100), so screens and tests can see what would have been said."""
    texts: list[str] = field(default_factory=list)
    name = "none"

    def _available(self) -> bool:
        return False

    def _speak(self, text: str) -> SpeechResult:
        self.texts.append(text)
        del self.texts[:-100]
        return SpeechResult("off", "语音播报已关闭")

    def _synthesize(self, text: str, path: Path) -> SpeechResult:
        self.texts.append(text)
        del self.texts[:-100]
        return SpeechResult("unavailable", "语音播报已关闭（engine = \"none\"），不生成音频")
