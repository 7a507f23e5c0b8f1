"""One tap, one action: guards against the same touch arriving twice.

A touchscreen seen by two input providers (SDL's mouse emulation and the kernel's
multitouch device, say) delivers one finger's tap twice; a person's tap may also bounce.
Two defences, both plain Python:

- `ActionGuard`: an action with a side effect (printing, a ticket, a card read, a rating, a
  PIN check, a test page) runs once at a time; a repeat while it runs is ignored. A guard
  left busy by a device that never answered is released after `stale_after` seconds.
- `GhostTouches`: a touch that goes down where another touch is still down (within
  `radius` px) is the same finger seen twice, not a second finger; the app drops it before
  any widget sees it.
"""
from __future__ import annotations

import logging
import time
from collections import deque
from typing import Callable

log = logging.getLogger(__name__)


class ActionGuard:
    """The side-effecting actions now running, by name.

    >>> g = ActionGuard()
    >>> g.begin("print"), g.begin("print"), g.end("print"), g.begin("print")
    (True, False, None, True)
    >>> list(g.ignored)
    ['print']
    """

    def __init__(self, stale_after: float = 120.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.stale_after = stale_after   # seconds; no device call of the kiosk takes this long
        self._clock = clock
        self._running: dict[str, float] = {}
        self.ignored: deque[str] = deque(maxlen=50)   # the last repeats ignored, oldest first

    def begin(self, action: str) -> bool:
        """Start `action`; False (and nothing to do) when it is running already."""
        started = self._running.get(action)
        now = self._clock()
        if started is not None and now - started < self.stale_after:
            self.ignored.append(action)
            log.info("%s is running: a repeated tap was ignored", action)
            return False
        self._running[action] = now
        return True

    def end(self, action: str) -> None:
        """`action` has finished (successfully or not): it may run again."""
        self._running.pop(action, None)

    def running(self, action: str) -> bool:
        started = self._running.get(action)
        return started is not None and self._clock() - started < self.stale_after

    def clear(self) -> None:
        self._running.clear()


class GhostTouches:
    """Tells the same finger delivered twice from a second finger.

    `down(uid, x, y)` is False for a ghost: a touch going down within `radius` px of a touch
    that is still down. `up(uid)` forgets a touch; one whose end never came is forgotten
    after `forget_after` seconds, so that a lost event cannot make a spot dead. Positions in
    window pixels.
    """

    def __init__(self, radius: float = 12.0, forget_after: float = 20.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.radius = radius
        self.forget_after = forget_after
        self._clock = clock
        self._down: dict[object, tuple[float, float, float]] = {}
        self.ghosts = 0

    def down(self, uid, x: float, y: float) -> bool:
        now = self._clock()
        r2 = self.radius * self.radius
        for key, (ox, oy, at) in list(self._down.items()):
            if now - at > self.forget_after:
                del self._down[key]
            elif (x - ox) ** 2 + (y - oy) ** 2 <= r2:
                self.ghosts += 1
                log.info("a touch at (%.0f, %.0f) came twice: the second delivery was dropped", x, y)
                return False
        self._down[uid] = (x, y, now)
        return True

    def up(self, uid) -> None:
        self._down.pop(uid, None)
