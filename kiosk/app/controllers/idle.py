"""Idle logic: after `idle_seconds` without a touch a countdown, then back home."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

ACTIVE, COUNTDOWN, EXPIRED = "active", "countdown", "expired"


@dataclass(frozen=True)
class IdleState:
    phase: str       # ACTIVE, COUNTDOWN or EXPIRED
    remaining: int   # whole seconds left in the countdown (0 unless COUNTDOWN)


class IdleTimer:
    def __init__(self, idle_seconds: float = 60, countdown_seconds: float = 10,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if idle_seconds <= 0 or countdown_seconds < 0:
            raise ValueError("idle_seconds must be > 0 and countdown_seconds >= 0")
        self.idle_seconds = idle_seconds
        self.countdown_seconds = countdown_seconds
        self._clock = clock
        self._last = clock()

    def touch(self) -> None:
        """A touch anywhere: the user is still here."""
        self._last = self._clock()

    def idle_for(self) -> float:
        return self._clock() - self._last

    def state(self) -> IdleState:
        idle = self.idle_for()
        if idle < self.idle_seconds:
            return IdleState(ACTIVE, 0)
        left = self.idle_seconds + self.countdown_seconds - idle
        if left > 0:
            # 10.0 .. 9.01 shows 10, so the user sees every number from the top
            return IdleState(COUNTDOWN, int(-(-left // 1)))
        return IdleState(EXPIRED, 0)
