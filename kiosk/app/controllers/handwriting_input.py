"""The 手写 pad's state without Kivy: strokes so far, the request in flight, the candidates shown.

``HandwritingInput(worker, prefer=())`` wraps a ``kiosk.handwriting.RecognitionWorker`` (or
anything with ``submit(strokes, pad_size, y_up=, prefer=)`` and ``cancel()``):

- ``stroke_done(strokes, pad_size)`` after each finished stroke submits all strokes so far
  (Kivy's coordinates: origin bottom-left, so ``y_up=True``) and returns the request id; the
  message stays as it is until the answer comes (a few milliseconds: no frame is spent on a
  "recognising" line);
- ``result(request_id, recognition)`` takes the worker's answer on the UI thread; an answer to
  an older request than the latest (the person wrote on, or pressed 重写) is ignored (False);
- ``rewrite()`` forgets the strokes and the candidates (重写, or a candidate was chosen);
- ``disable(message)``: recognition cannot run here; the pad says so calmly and takes no strokes.

``candidates`` are the characters to offer, best first (at most ``shown``); ``message`` is what
the pad says beside them ("" when the candidates speak for themselves).
"""
from __future__ import annotations

from typing import Collection, Sequence

WRITE_HINT = "请在方框里写一个字，写完一笔会显示候选字"
PICK_HINT = "请点选要找的字，或接着写、点“重写”"


class HandwritingInput:
    def __init__(self, worker, prefer: Collection[str] = (), shown: int = 8) -> None:
        self.worker = worker
        self.prefer = frozenset(prefer)
        self.shown = shown
        self.strokes = 0
        self.candidates: list[str] = []
        self.message = WRITE_HINT
        self.disabled_message = ""
        self._latest = 0

    @property
    def enabled(self) -> bool:
        return not self.disabled_message

    @property
    def trouble(self) -> bool:
        """True when ``message`` reports a problem (nothing recognised, recognition unavailable)
        rather than a hint; the pad shows it in the warning colour."""
        return self.message not in (WRITE_HINT, PICK_HINT)

    def stroke_done(self, strokes: Sequence[Sequence[tuple[float, float]]], pad_size: tuple[float, float]) -> int:
        """Submit every stroke so far; returns the request id (0 when disabled or no ink)."""
        if not self.enabled:
            return 0
        strokes = [s for s in strokes if s]
        self.strokes = len(strokes)
        if not strokes:
            return 0
        self._latest = self.worker.submit(strokes, pad_size, y_up=True, prefer=self.prefer)
        return self._latest

    def result(self, request_id: int, recognition) -> bool:
        """Show ``recognition`` if it answers the latest request; True when shown."""
        if request_id != self._latest or not self.enabled or not self.strokes:
            return False
        self.candidates = recognition.chars[:self.shown]
        if self.candidates:
            self.message = PICK_HINT
        else:
            self.message = recognition.message_zh or WRITE_HINT
        return True

    def rewrite(self) -> None:
        """Forget strokes and candidates; a request still running is dropped."""
        if self._latest:
            self.worker.cancel()
        self._latest = 0
        self.strokes = 0
        self.candidates = []
        self.message = self.disabled_message or WRITE_HINT

    def disable(self, message: str) -> None:
        """Recognition is unavailable: no candidates, ``message`` shown instead of the hint."""
        self.disabled_message = message
        self.candidates = []
        self.message = message
