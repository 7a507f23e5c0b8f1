"""Speech off the UI thread: one worker thread, the newest request wins.

``Speaker(engine, settings, on_result=None)``:

- ``say(text)`` prepares ``text`` with ``speech_text`` (numbers as words, personal data stripped),
  stops whatever is being said, and queues it; returns the prepared text (what the engine is
  handed), or None when voice is off or nothing speakable is left. It never blocks on audio and
  never raises.
- ``prompt(text)`` is ``say`` for key prompts: it does nothing when ``settings.prompts`` is off.
- ``stop()`` ends the speech (leaving the screen, 停止朗读); ``close()`` ends the thread.
- ``on_result(text, SpeechResult)`` is called on the worker thread after each request (not for
  stopped ones); the screen wraps it in ``Clock.schedule_once`` and shows ``result.message_zh``
  (语音播报暂不可用，请看屏幕上的文字。) when ``not result.ok``.
"""
from __future__ import annotations

import logging
import threading
from typing import Callable

from kiosk.speech.engine import SpeechEngine, SpeechResult
from kiosk.speech.settings import VoiceSettings
from kiosk.speech.text import speech_text

log = logging.getLogger(__name__)


class Speaker:
    def __init__(self, engine: SpeechEngine, settings: VoiceSettings | None = None,
                 on_result: Callable[[str, SpeechResult], None] | None = None) -> None:
        self.engine = engine
        self.settings = settings or VoiceSettings()
        self.on_result = on_result
        self.last_result: SpeechResult | None = None
        self._cond = threading.Condition()
        self._pending: str | None = None
        self._generation = 0
        self._busy = False
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="speech", daemon=True)
        self._thread.start()

    def say(self, text: str) -> str | None:
        if not self.settings.enabled:
            return None
        try:
            prepared = speech_text(text or "")
        except Exception:  # a text the preparer cannot handle is not read, never a crash
            log.exception("speech text preparation failed")
            return None
        if not prepared:
            return None
        with self._cond:
            self._generation += 1
            self._pending = prepared
            self._cond.notify_all()
            if self._busy:  # still saying an older text: end it (the worker cannot pick this one meanwhile)
                self.engine.stop()
        return prepared

    def prompt(self, text: str) -> str | None:
        """Speak a key prompt when ``settings.speak_prompts``; else None."""
        if not self.settings.speak_prompts:
            return None
        return self.say(text)

    def stop(self) -> None:
        with self._cond:
            self._generation += 1
            self._pending = None
            self._cond.notify_all()
            if self._busy:
                self.engine.stop()

    def idle(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is queued or being said (tests, shutdown)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending is None and not self._busy, timeout)

    def close(self, timeout: float = 2.0) -> None:
        with self._cond:
            self._closing = True
            self._pending = None
            self._cond.notify_all()
        self.engine.stop()
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending is not None or self._closing)
                if self._closing:
                    return
                text, self._pending = self._pending, None
                generation = self._generation
                self._busy = True
            try:
                result = self.engine.speak(text)
                self.last_result = result
                with self._cond:
                    current = generation == self._generation
                if result.status != "stopped" and current and self.on_result is not None:
                    try:
                        self.on_result(text, result)
                    except Exception:
                        log.exception("speech result callback failed")
                if not result.ok:
                    log.warning("speech: %s %s", result.status, result.detail)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()
