"""Handwriting recognition off the UI thread.

One daemon thread and a one-request mailbox: ``submit`` replaces whatever request is still
waiting, so when strokes come faster than recognition only the newest set is recognised, and a
result that is already stale when it is ready (a newer request was submitted, or ``cancel`` was
called for 清空/重写) is dropped instead of delivered. Results go to ``on_result(request_id,
Recognition)`` **on the worker thread**: the screen wraps it, e.g.

    worker = RecognitionWorker(lambda rid, rec: Clock.schedule_once(lambda dt: pad.show(rid, rec)))

The model is opened on the worker thread (it takes ~0.1 s), so building the screen does not wait
for it. When the library or model is missing, ``on_unavailable(HandwritingUnavailable)`` is called
once (again on the worker thread) and every request is answered with status "unavailable", whose
``message_zh`` is 手写识别暂不可用，请使用拼音输入。 A recogniser failure is logged and answered with
status "error"; the thread never dies of it.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Callable, Collection, Iterable

from kiosk.handwriting.recognizer import HandwritingUnavailable, Recognition, Recognizer, Stroke

log = logging.getLogger(__name__)

ResultCallback = Callable[[int, Recognition], None]


@dataclass(frozen=True)
class _Request:
    id: int
    strokes: tuple[tuple[tuple[float, float], ...], ...]
    pad_size: tuple[float, float]
    y_up: bool
    prefer: Collection[str] | None


class RecognitionWorker:
    """Recognise on a background thread; see the module docstring.

    ``RecognitionWorker(on_result, *, recognizer=None, factory=Recognizer, on_unavailable=None)``:
    pass an open ``recognizer`` to share one, or let the worker open one with ``factory()``.
    Counters ``recognised``, ``superseded`` (replaced before they started) and ``stale`` (finished
    but not delivered) say what happened to the requests.
    """

    def __init__(self, on_result: ResultCallback, *, recognizer: Recognizer | None = None,
                 factory: Callable[[], Recognizer] = Recognizer,
                 on_unavailable: Callable[[HandwritingUnavailable], None] | None = None) -> None:
        self._on_result = on_result
        self._on_unavailable = on_unavailable
        self._recognizer = recognizer
        self._factory = factory
        self._unavailable: HandwritingUnavailable | None = None
        self._cond = threading.Condition()
        self._pending: _Request | None = None
        self._latest = 0
        self._closing = False
        self._owns_recognizer = recognizer is None
        self._busy = False
        self.recognised = 0
        self.superseded = 0
        self.stale = 0
        self._thread = threading.Thread(target=self._run, name="handwriting", daemon=True)
        self._thread.start()

    @property
    def unavailable(self) -> HandwritingUnavailable | None:
        """The reason recognition cannot run, once the worker found out; else None."""
        return self._unavailable

    def submit(self, strokes: Iterable[Stroke], pad_size: tuple[float, float], *, y_up: bool = False,
               prefer: Collection[str] | None = None) -> int:
        """Queue a recognition of all the strokes so far; returns its request id (increasing).

        The strokes are copied, so the pad may go on appending to its own lists.
        """
        frozen = tuple(tuple((p[0], p[1]) for p in s) for s in strokes)
        with self._cond:
            self._latest += 1
            if self._pending is not None:
                self.superseded += 1
            self._pending = _Request(self._latest, frozen, (pad_size[0], pad_size[1]), y_up, prefer)
            self._cond.notify()
            return self._latest

    def cancel(self) -> None:
        """Forget the waiting request and drop the result of the running one (清空, 重写, leaving)."""
        with self._cond:
            self._latest += 1
            if self._pending is not None:
                self.superseded += 1
            self._pending = None
            self._cond.notify_all()

    def close(self, timeout: float = 2.0) -> None:
        """Stop the thread (waits up to ``timeout`` s) and close a recogniser it opened itself."""
        with self._cond:
            self._closing = True
            self._pending = None
            self._cond.notify()
        self._thread.join(timeout)
        if self._owns_recognizer and self._recognizer is not None and not self._thread.is_alive():
            self._recognizer.close()

    def idle(self, timeout: float = 5.0) -> bool:
        """Wait until no request is waiting or running (tests, shutdown); True if it got there."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending is None and not self._busy, timeout)

    def _open(self) -> None:
        if self._recognizer is not None or self._unavailable is not None:
            return
        try:
            self._recognizer = self._factory()
        except HandwritingUnavailable as exc:
            self._unavailable = exc
            log.warning("handwriting recognition unavailable: %s (%s)", exc.detail, exc)
            if self._on_unavailable is not None:
                try:
                    self._on_unavailable(exc)
                except Exception:
                    log.exception("on_unavailable callback failed")

    def _run(self) -> None:
        self._open()
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending is not None or self._closing)
                if self._closing:
                    return
                req, self._pending = self._pending, None
                self._busy = True
            try:
                result = self._recognise(req)
                with self._cond:
                    current = req.id == self._latest and not self._closing
                    if not current:
                        self.stale += 1
                if current:
                    try:
                        self._on_result(req.id, result)
                    except Exception:
                        log.exception("handwriting result callback failed")
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _recognise(self, req: _Request) -> Recognition:
        if self._unavailable is not None or self._recognizer is None:
            return Recognition((), "unavailable", len(req.strokes))
        try:
            rec = self._recognizer.recognize(req.strokes, req.pad_size, y_up=req.y_up, prefer=req.prefer)
        except Exception:
            log.exception("handwriting recognition failed")
            return Recognition((), "error", len(req.strokes))
        self.recognised += 1
        return rec
